{#- MetricFlow's time spine: one row per day. The measurement is yearly (December of each year),
    but dbt's semantic layer requires a spine at day grain or finer; MetricFlow truncates it to
    the year. It covers the measured years (fct_jobs) and no more: a previous-year offset
    (year_on_year_delta) would otherwise report an empty year after the last measured one. -#}
with

jobs as (
    select * from {{ ref('fct_jobs') }}
),

measured_years as (
    select
        min(measurement_year) as first_year,
        max(measurement_year) as last_year
    from jobs
),

days as (
    select {{ dbt.dateadd('day', 'numbers.n', 'make_date(measured_years.first_year, 1, 1)') }}
        as day_start
    from measured_years
    cross join {{ whole_numbers(100000) }} as numbers
    where
        numbers.n
        <= {{ dbt.datediff(
            'make_date(measured_years.first_year, 1, 1)',
            'make_date(measured_years.last_year, 12, 31)',
            'day'
        ) }}
),

final as (
    select cast(day_start as date) as date_day
    from days
)

select * from final
