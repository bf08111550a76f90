with

extra_jobs as (
    select * from {{ ref('int_extra_jobs_computed') }}
),

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

-- The target for both sectors together is the sum of the sector targets (92,500 in 2022).
targets_with_total as (
    select
        measurement_year,
        sector,
        target_extra_jobs
    from targets
    union all
    select
        measurement_year,
        'total' as sector,
        cast(sum(target_extra_jobs) as integer) as target_extra_jobs
    from targets
    group by measurement_year
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
