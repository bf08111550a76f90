with

extra_jobs as (
    select * from {{ ref('int_extra_jobs_computed') }}
),

jobs_allocated as (
    select * from {{ ref('int_jobs_allocated') }}
),

sector_totals as (
    select
        measurement_year,
        sector,
        jobs as sector_jobs,
        extra_jobs as sector_extra_jobs
    from extra_jobs
    where employment_form = 'total'
),

forms as (
    select
        extra_jobs.measurement_year,
        extra_jobs.sector,
        extra_jobs.employment_form,
        extra_jobs.jobs,
        extra_jobs.extra_jobs,
        sector_totals.sector_jobs,
        sector_totals.sector_extra_jobs,
        jobs_allocated.split_key_share
    from extra_jobs
    inner join sector_totals
        on
            extra_jobs.measurement_year = sector_totals.measurement_year
            and extra_jobs.sector = sector_totals.sector
    left join jobs_allocated
        on
            extra_jobs.measurement_year = jobs_allocated.measurement_year
            and extra_jobs.sector = jobs_allocated.sector
            and extra_jobs.employment_form = jobs_allocated.employment_form
    where extra_jobs.employment_form in ('formal', 'loan')
),

final as (
    select
        measurement_year,
        sector,
        employment_form,
        jobs,
        jobs / nullif(sector_jobs, 0) as share_of_sector_jobs,
        extra_jobs,
        extra_jobs / nullif(sector_extra_jobs, 0) as share_of_sector_extra_jobs,
        split_key_share
    from forms
)

select * from final
