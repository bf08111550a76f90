{#- The road to 2026 (rule_target_projection): the least-squares line through the extra jobs of
    the last var projection_trend_years measured years after the baseline, per sector, up to var
    projection_horizon_year. A projection, not a forecast. With too few measured years the rows
    say so (no trend) instead of failing the build of the measurement. -#}
{%- set trend_years = var('projection_trend_years') | int -%}
{%- set horizon_year = var('projection_horizon_year') | int -%}
{%- if trend_years < 2 -%}
    {{ exceptions.raise_compiler_error(
        "mart_target_projection: var projection_trend_years is " ~ trend_years
        ~ ", but a linear trend needs at least 2 measured years. Set it to 2 or more "
        ~ "(dbt_project.yml, or --vars).") }}
{%- endif %}

with

extra_jobs as (
    select * from {{ ref('int_extra_jobs_computed') }}
),

targets_with_total as (
    select * from {{ ref('int_targets_with_total') }}
),

-- Extra jobs of a sector, both employment forms together (the figure a target applies to).
sector_extra_jobs as (
    select
        measurement_year,
        sector,
        extra_jobs
    from extra_jobs
    where employment_form = 'total'
),

sectors as (
    select distinct sector
    from sector_extra_jobs
),

measured_years as (
    select distinct measurement_year
    from sector_extra_jobs
),

ranked_years_after_baseline as (
    select
        measurement_year,
        row_number() over (order by measurement_year desc) as recency
    from measured_years
    where measurement_year > {{ var('baseline_year') }}
),

trend_years as (
    select measurement_year
    from ranked_years_after_baseline
    where recency <= {{ trend_years }}
),

trend_window as (
    select
        count(*) as n_trend_years,
        min(measurement_year) as first_trend_year,
        max(measurement_year) as last_trend_year,
        {{ sorted_list('cast(measurement_year as ' ~ dbt.type_string() ~ ')') }}
            as trend_years_listed
    from trend_years
),

last_measurement as (
    select max(measurement_year) as last_measured_year
    from measured_years
),

-- One row: the last measured year, whether there are enough years for a trend, the years the
-- mart covers, and the label every row carries.
projection_window as (
    select
        last_measurement.last_measured_year,
        trend_window.n_trend_years = {{ trend_years }} as has_trend,
        coalesce(
            trend_window.first_trend_year, last_measurement.last_measured_year
        ) as first_year,
        greatest({{ horizon_year }}, last_measurement.last_measured_year) as last_year,
        case
            when trend_window.n_trend_years = 0
                then
                    'no trend: no measured year after the baseline '
                    || '{{ var("baseline_year") }}, the trend needs {{ trend_years }} '
                    || '(var projection_trend_years); not a forecast'
            when trend_window.n_trend_years < {{ trend_years }}
                then
                    'no trend: ' || cast(trend_window.n_trend_years as {{ dbt.type_string() }})
                    || ' measured year(s) after the baseline ('
                    || trend_window.trend_years_listed || '), the trend needs '
                    || '{{ trend_years }} (var projection_trend_years); not a forecast'
            when
                trend_window.last_trend_year - trend_window.first_trend_year + 1
                = trend_window.n_trend_years
                then
                    'linear trend of '
                    || cast(trend_window.first_trend_year as {{ dbt.type_string() }})
                    || '-' || cast(trend_window.last_trend_year as {{ dbt.type_string() }})
                    || ', projected; not a forecast'
            else
                'linear trend of ' || trend_window.trend_years_listed
                || ', projected; not a forecast'
        end as projection_label
    from last_measurement
    cross join trend_window
),

years as (
    select cast(projection_window.first_year + numbers.n as integer) as projection_year
    from projection_window
    cross join {{ whole_numbers(100) }} as numbers
    where numbers.n <= projection_window.last_year - projection_window.first_year
),

-- The least-squares line from exact sums: the extra jobs as decimals, so that the sums do not
-- depend on the order in which a parallel aggregate adds them (regr_slope on doubles gave lines
-- that differed in the 14th digit between two builds of the same input). Years are counted from
-- the first trend year and the decimals are narrow, so that every product stays exact on every
-- engine (Spark drops decimals from a product wider than 38 digits); the sums are combined in
-- doubles, in one fixed order.
trend_sums as (
    select
        sector_extra_jobs.sector,
        trend_window.first_trend_year,
        count(*) as n_points,
        sum(sector_extra_jobs.measurement_year - trend_window.first_trend_year) as sum_x,
        sum(cast(sector_extra_jobs.extra_jobs as decimal(24, 9))) as sum_extra_jobs,
        sum(
            (sector_extra_jobs.measurement_year - trend_window.first_trend_year)
            * cast(sector_extra_jobs.extra_jobs as decimal(24, 9))
        ) as sum_x_times_extra_jobs,
        sum(
            (sector_extra_jobs.measurement_year - trend_window.first_trend_year)
            * (sector_extra_jobs.measurement_year - trend_window.first_trend_year)
        ) as sum_x_squared
    from sector_extra_jobs
    inner join trend_years
        on sector_extra_jobs.measurement_year = trend_years.measurement_year
    cross join trend_window
    group by sector_extra_jobs.sector, trend_window.first_trend_year
),

trend_lines as (
    select
        sector,
        (
            cast(n_points as {{ type_double() }})
            * cast(sum_x_times_extra_jobs as {{ type_double() }})
            - cast(sum_x as {{ type_double() }}) * cast(sum_extra_jobs as {{ type_double() }})
        )
        / nullif(
            cast(n_points * sum_x_squared - sum_x * sum_x as {{ type_double() }}),
            0
        ) as trend_slope_per_year,
        first_trend_year + cast(sum_x as {{ type_double() }}) / n_points as trend_mean_year,
        cast(sum_extra_jobs as {{ type_double() }}) / n_points as trend_mean_extra_jobs
    from trend_sums
),

needed_growth as (
    select
        sectors.sector,
        case
            when projection_window.last_measured_year < {{ horizon_year }}
                then
                    (horizon_targets.target_extra_jobs - last_extra_jobs.extra_jobs)
                    / ({{ horizon_year }} - projection_window.last_measured_year)
        end as needed_extra_jobs_per_year
    from sectors
    cross join projection_window
    left join sector_extra_jobs as last_extra_jobs
        on
            sectors.sector = last_extra_jobs.sector
            and projection_window.last_measured_year = last_extra_jobs.measurement_year
    left join targets_with_total as horizon_targets
        on
            sectors.sector = horizon_targets.sector
            and horizon_targets.measurement_year = {{ horizon_year }}
),

projected as (
    select
        sectors.sector,
        years.projection_year,
        years.projection_year > projection_window.last_measured_year as is_projection,
        sector_extra_jobs.extra_jobs as measured_extra_jobs,
        case
            when projection_window.has_trend
                then
                    trend_lines.trend_mean_extra_jobs
                    + trend_lines.trend_slope_per_year
                    * (years.projection_year - trend_lines.trend_mean_year)
        end as trend_extra_jobs,
        targets_with_total.target_extra_jobs,
        projection_window.last_measured_year,
        case
            when projection_window.has_trend then trend_lines.trend_slope_per_year
        end as trend_slope_per_year,
        needed_growth.needed_extra_jobs_per_year,
        projection_window.projection_label
    from sectors
    cross join years
    cross join projection_window
    left join sector_extra_jobs
        on
            sectors.sector = sector_extra_jobs.sector
            and years.projection_year = sector_extra_jobs.measurement_year
    left join trend_lines
        on sectors.sector = trend_lines.sector
    left join targets_with_total
        on
            sectors.sector = targets_with_total.sector
            and years.projection_year = targets_with_total.measurement_year
    left join needed_growth
        on sectors.sector = needed_growth.sector
),

rounded as (
    select
        *,
        {{ round_half_away_from_zero('trend_extra_jobs') }} as trend_extra_jobs_rounded,
        {{ round_half_away_from_zero('needed_extra_jobs_per_year') }}
            as needed_extra_jobs_per_year_rounded
    from projected
),

final as (
    select
        sector,
        -- `year` is the contract's column name, though SQL knows it as a keyword.
        projection_year as year, -- noqa: RF04
        is_projection,
        measured_extra_jobs,
        trend_extra_jobs,
        trend_extra_jobs_rounded,
        target_extra_jobs,
        cast(target_extra_jobs - trend_extra_jobs_rounded as integer) as gap_to_target,
        last_measured_year,
        trend_slope_per_year,
        needed_extra_jobs_per_year,
        needed_extra_jobs_per_year_rounded,
        projection_label
    from rounded
)

select * from final
