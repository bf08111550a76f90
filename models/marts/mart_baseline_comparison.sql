with

extra_jobs as (
    select * from {{ ref('int_extra_jobs_computed') }}
),

targets_with_total as (
    select * from {{ ref('int_targets_with_total') }}
),

rounded as (
    select
        extra_jobs.measurement_year,
        extra_jobs.sector,
        extra_jobs.employment_form,
        extra_jobs.jobs,
        {{ round_half_away_from_zero('extra_jobs.jobs') }} as jobs_rounded,
        extra_jobs.baseline_jobs,
        extra_jobs.extra_jobs,
        {{ round_half_away_from_zero('extra_jobs.extra_jobs') }} as extra_jobs_rounded,
        targets_with_total.target_extra_jobs
    from extra_jobs
    left join targets_with_total
        on
            extra_jobs.measurement_year = targets_with_total.measurement_year
            and extra_jobs.sector = targets_with_total.sector
            and extra_jobs.employment_form = 'total'
),

final as (
    select
        measurement_year,
        sector,
        employment_form,
        jobs,
        jobs_rounded,
        baseline_jobs,
        extra_jobs,
        extra_jobs_rounded,
        target_extra_jobs,
        cast(target_extra_jobs - extra_jobs_rounded as integer) as target_shortfall,
        extra_jobs_rounded >= target_extra_jobs as target_met
    from rounded
)

select * from final
