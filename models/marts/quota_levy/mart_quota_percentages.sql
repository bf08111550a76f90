{#- The quota percentage (quotumpercentage) per year and sector, against the published one, and
    the sector's levy (quotumheffing) summed over its employers (rule_quota_percentage,
    rule_quota_levy). Every row of seed quota_parameters, also on the embedded seed, where the
    input status names the missing employers' hours. -#}
with

percentages as (
    select * from {{ ref('int_quota_percentages_computed') }}
),

levy as (
    select * from {{ ref('int_quota_levy_computed') }}
),

levy_summed as (
    select
        quota_year,
        sector,
        sum(levy_eur) as levy_eur,
        sum(what_if_levy_eur) as what_if_levy_eur
    from levy
    group by quota_year, sector
),

final as (
    select
        cast(percentages.quota_year as integer) as quota_year,
        cast(percentages.sector as {{ dbt.type_string() }}) as sector,
        cast(percentages.baseline_jobs_a as integer) as baseline_jobs_a,
        cast(percentages.counted_extra_jobs_b as integer) as counted_extra_jobs_b,
        cast(percentages.employee_hours as {{ type_double() }}) as employee_hours,
        cast(percentages.quota_percentage as decimal(5, 2)) as quota_percentage,
        cast(percentages.published_quota_percentage as decimal(5, 2))
            as published_quota_percentage,
        percentages.quota_percentage = percentages.published_quota_percentage
            as reproduces_published,
        cast(percentages.implied_employee_hours_min as {{ type_double() }})
            as implied_employee_hours_min,
        cast(percentages.implied_employee_hours_max as {{ type_double() }})
            as implied_employee_hours_max,
        percentages.is_activated,
        cast(percentages.input_status as {{ dbt.type_string() }}) as input_status,
        cast(percentages.liable_employers as integer) as liable_employers,
        cast(
            case
                when percentages.is_activated and percentages.input_status = 'complete'
                    then coalesce(levy_summed.levy_eur, 0)
            end
            as decimal(18, 2)
        ) as levy_eur,
        cast(
            case
                when percentages.input_status = 'complete'
                    then coalesce(levy_summed.what_if_levy_eur, 0)
            end
            as decimal(18, 2)
        ) as what_if_levy_eur
    from percentages
    left join levy_summed
        on
            percentages.quota_year = levy_summed.quota_year
            and percentages.sector = levy_summed.sector
)

select * from final
