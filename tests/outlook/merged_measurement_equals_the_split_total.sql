{#- rule_merged_measurement: the merged measurement, built without a split key, equals the
    `total` sector of the split measurement (mart_baseline_comparison) wherever both have a row:
    unrounded jobs and extra jobs within floating-point noise (the split path multiplies the loan
    hours by shares that sum to 1, and sums per sector), rounded figures and targets exactly
    (the shortfall and whether the target was met follow from those two).
    Both round with macro round_half_away_from_zero, which keeps an exact tie (2014 formal on the
    seed: 8,892.5, a sum of doubles on the split path) from rounding two ways. -#}
{%- set tolerance = 1e-6 -%}
with

merged as (
    select * from {{ ref('mart_merged_measurement') }}
),

split_totals as (
    select * from {{ ref('mart_baseline_comparison') }}
    where sector = 'total'
),

compared as (
    select
        merged.measurement_year,
        merged.employment_form,
        merged.jobs as merged_jobs,
        split_totals.jobs as split_jobs,
        merged.extra_jobs as merged_extra_jobs,
        split_totals.extra_jobs as split_extra_jobs,
        merged.extra_jobs_rounded as merged_extra_jobs_rounded,
        split_totals.extra_jobs_rounded as split_extra_jobs_rounded,
        merged.target_extra_jobs as merged_target,
        split_totals.target_extra_jobs as split_target,
        abs(merged.jobs - split_totals.jobs) > {{ tolerance }} as jobs_differ,
        abs(merged.baseline_jobs - split_totals.baseline_jobs) > {{ tolerance }}
            as baseline_jobs_differ,
        abs(merged.extra_jobs - split_totals.extra_jobs) > {{ tolerance }} as extra_jobs_differ,
        merged.extra_jobs_rounded != split_totals.extra_jobs_rounded as rounded_differ,
        coalesce(
            merged.target_extra_jobs != split_totals.target_extra_jobs,
            not (merged.target_extra_jobs is null and split_totals.target_extra_jobs is null)
        ) as targets_differ
    from merged
    inner join split_totals
        on
            merged.measurement_year = split_totals.measurement_year
            and merged.employment_form = split_totals.employment_form
),

final as (
    select
        *,
        'mart_merged_measurement (' || cast(measurement_year as {{ dbt.type_string() }}) || ', '
        || employment_form || ') differs from the total sector of mart_baseline_comparison in'
        || case when jobs_differ then ' jobs' else '' end
        || case when baseline_jobs_differ then ' baseline_jobs' else '' end
        || case when extra_jobs_differ then ' extra_jobs' else '' end
        || case when rounded_differ then ' extra_jobs_rounded' else '' end
        || case when targets_differ then ' target_extra_jobs' else '' end
        || ': merged extra jobs ' || cast(merged_extra_jobs as {{ dbt.type_string() }})
        || ' (rounded ' || cast(merged_extra_jobs_rounded as {{ dbt.type_string() }}) || '), split '
        || cast(split_extra_jobs as {{ dbt.type_string() }})
        || ' (rounded ' || cast(split_extra_jobs_rounded as {{ dbt.type_string() }})
        || '). Without the split'
        || ' the totals are the same hours: a bug in one of the two models.' as message
    from compared
    where
        jobs_differ
        or baseline_jobs_differ
        or extra_jobs_differ
        or rounded_differ
        or targets_differ
)

select * from final
