{#- The quota levy (quotumheffing) per employer and year (rule_quota_levy). Empty on the
    embedded seed, which has no employers. -#}
with

levy as (
    select * from {{ ref('int_quota_levy_computed') }}
),

final as (
    select
        cast(quota_year as integer) as quota_year,
        cast(employer_id as {{ dbt.type_string() }}) as employer_id,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(total_paid_hours as decimal(18, 2)) as total_paid_hours,
        is_quota_liable,
        cast(target_group_paid_hours as decimal(18, 2)) as target_group_paid_hours,
        cast(quota_percentage as decimal(5, 2)) as quota_percentage,
        cast(required_jobs as {{ type_double() }}) as required_jobs,
        cast(counted_jobs as {{ type_double() }}) as counted_jobs,
        cast(shortfall_jobs as decimal(9, 1)) as shortfall_jobs,
        cast(levy_eur as decimal(18, 2)) as levy_eur,
        cast(what_if_levy_eur as decimal(18, 2)) as what_if_levy_eur,
        cast(input_status as {{ dbt.type_string() }}) as input_status
    from levy
)

select * from final
