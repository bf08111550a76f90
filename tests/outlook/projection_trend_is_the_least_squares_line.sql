{#- rule_target_projection: per sector, the trend of mart_target_projection is the least-squares
    line through the measured extra jobs of the trend years: its residuals sum to zero (the line
    passes through the points' mean) and are uncorrelated with the year; the window holds exactly
    var projection_trend_years measured years; consecutive trend values differ by the slope; and
    the per-sector columns are one value per sector. Sectors without a trend are left out. -#}
{%- set tolerance = 1e-6 -%}
with

projection as (
    select * from {{ ref('mart_target_projection') }}
),

with_trend as (
    select * from projection
    where trend_extra_jobs is not null
),

measured_points as (
    select
        sector,
        year,
        measured_extra_jobs,
        trend_extra_jobs,
        avg(year) over (partition by sector) as mean_year
    from with_trend
    where measured_extra_jobs is not null
),

fit as (
    select
        sector,
        count(*) as n_measured_years,
        avg(measured_extra_jobs) as mean_measured,
        avg(trend_extra_jobs) as mean_trend,
        sum((measured_extra_jobs - trend_extra_jobs) * (year - mean_year)) as residual_moment
    from measured_points
    group by sector
),

steps as (
    select
        sector,
        trend_extra_jobs
        - lag(trend_extra_jobs) over (partition by sector order by year)
        - trend_slope_per_year as step_error
    from with_trend
),

largest_step_errors as (
    select
        sector,
        max(abs(step_error)) as largest_step_error
    from steps
    group by sector
),

per_sector as (
    select
        sector,
        count(distinct last_measured_year) > 1
        or count(distinct trend_slope_per_year) > 1
        or count(distinct needed_extra_jobs_per_year) > 1
        or count(distinct projection_label) > 1 as per_sector_columns_differ
    from projection
    group by sector
),

checked as (
    select
        per_sector.sector,
        per_sector.per_sector_columns_differ,
        fit.n_measured_years,
        fit.mean_measured,
        fit.mean_trend,
        fit.residual_moment,
        largest_step_errors.largest_step_error,
        coalesce(abs(fit.mean_measured - fit.mean_trend) > {{ tolerance }}, false)
            as misses_the_mean,
        coalesce(abs(fit.residual_moment) > {{ tolerance }}, false) as residuals_correlate,
        coalesce(fit.n_measured_years != {{ var('projection_trend_years') }}, false)
            as wrong_number_of_years,
        coalesce(largest_step_errors.largest_step_error > {{ tolerance }}, false)
            as steps_differ_from_the_slope
    from per_sector
    left join fit
        on per_sector.sector = fit.sector
    left join largest_step_errors
        on per_sector.sector = largest_step_errors.sector
),

final as (
    select
        *,
        'mart_target_projection, sector ' || sector || ':'
        || case
            when misses_the_mean
                then ' the trend does not pass through the mean of the measured points;'
            else ''
        end
        || case
            when residuals_correlate
                then ' the residuals correlate with the year (not the least-squares line);'
            else ''
        end
        || case
            when wrong_number_of_years
                then
                    ' ' || cast(n_measured_years as {{ dbt.type_string() }})
                    || ' measured years in the trend'
                    || ' window, not {{ var("projection_trend_years") }}'
                    || ' (var projection_trend_years);'
            else ''
        end
        || case
            when steps_differ_from_the_slope
                then ' the trend values of consecutive years differ by more than the slope;'
            else ''
        end
        || case
            when per_sector_columns_differ
                then ' a per-sector column differs between the rows of the sector;'
            else ''
        end as message
    from checked
    where
        misses_the_mean
        or residuals_correlate
        or wrong_number_of_years
        or steps_differ_from_the_slope
        or per_sector_columns_differ
)

select * from final
