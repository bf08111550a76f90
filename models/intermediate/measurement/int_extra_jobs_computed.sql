{#- CONTRACT rules 7 and 8: totals over sectors and forms are sums of unrounded jobs, and extra
    jobs are the jobs of a year minus the jobs of the baseline year (nulmeting) in the same
    sector and form. -#}
with

jobs_allocated as (
    select * from {{ ref('int_jobs_allocated') }}
),

jobs_with_totals as (
    select
        measurement_year,
        coalesce(sector, 'total') as sector,
        coalesce(employment_form, 'total') as employment_form,
        sum(paid_hours) as paid_hours,
        sum(jobs) as jobs
    from jobs_allocated
    -- SQLFluff's DuckDB dialect cannot parse grouping sets yet, hence the noqa.
    group by grouping sets ( -- noqa: PRS
        (measurement_year, sector, employment_form),
        (measurement_year, sector),
        (measurement_year, employment_form),
        (measurement_year)
    )
),

final as (
    {{ compare_with_baseline('jobs_with_totals', ['sector', 'employment_form']) }}
)

select * from final
