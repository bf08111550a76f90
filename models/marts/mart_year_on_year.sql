{#- CONTRACT rule 9: the year-on-year delta is the difference of unrounded extra jobs, rounded
    once at the end. -#}
with

extra_jobs as (
    select * from {{ ref('int_extra_jobs_computed') }}
),

compared as (
    select
        current_year.measurement_year,
        current_year.sector,
        current_year.employment_form,
        current_year.extra_jobs,
        previous_year.extra_jobs as previous_extra_jobs,
        current_year.extra_jobs - previous_year.extra_jobs as delta
    from extra_jobs as current_year
    inner join extra_jobs as previous_year
        on
            current_year.measurement_year - 1 = previous_year.measurement_year
            and current_year.sector = previous_year.sector
            and current_year.employment_form = previous_year.employment_form
    where current_year.measurement_year > {{ var('baseline_year') }}
),

final as (
    select
        measurement_year,
        sector,
        employment_form,
        extra_jobs,
        previous_extra_jobs,
        delta,
        {{ round_half_away_from_zero('delta') }} as delta_rounded
    from compared
)

select * from final
