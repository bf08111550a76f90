{#- Every measured year from var first_target_year (2015, Regeling Wfsv art. 3.29) on has a
    statutory target (doelstelling) for the market and the government: a year without one
    would show no shortfall instead of a gap. -#}
with

measured_years as (
    select distinct measurement_year
    from {{ ref('int_december_hours_aggregated') }}
    where measurement_year >= {{ var('first_target_year') }}
),

sectors as (
    select 'market' as sector
    union all
    select 'government' as sector
),

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

final as (
    select
        measured_years.measurement_year,
        sectors.sector,
        {{ dbt.concat([
            "'Measurement year '", "cast(measured_years.measurement_year as " ~ dbt.type_string() ~ ")",
            "' has no target for the '", "sectors.sector",
            "' in seeds/targets.csv, so the marts cannot say whether it was met. Add the '",
            "'statutory target (extra jobs against the baseline) with its source.'",
        ]) }} as message
    from measured_years
    cross join sectors
    left join targets
        on
            measured_years.measurement_year = targets.measurement_year
            and sectors.sector = targets.sector
    where targets.measurement_year is null
)

select * from final
