{#- Per quota year and employer: the quota in jobs, the counted jobs, the shortfall rounded
    down to one decimal (exactly, macro floor_to_decimals) and the levy, where activated, and
    as a what-if everywhere (rule_quota_levy). -#}
with

employers as (
    select * from {{ ref('int_quota_employers_assessed') }}
),

percentages as (
    select * from {{ ref('int_quota_percentages_computed') }}
),

joined as (
    select
        employers.quota_year,
        employers.employer_id,
        employers.sector,
        employers.total_paid_hours,
        employers.is_quota_liable,
        employers.target_group_paid_hours,
        employers.lent_out_target_group_paid_hours,
        employers.is_activated,
        percentages.quota_percentage,
        percentages.input_status as sector_input_status
    from employers
    inner join percentages
        on
            employers.quota_year = percentages.quota_year
            and employers.sector = percentages.sector
),

assessed as (
    select
        *,
        case
            when is_quota_liable and quota_percentage is not null
                then greatest(
                    {{ floor_to_decimals(
                        'quota_percentage * total_paid_hours - 100 * target_group_paid_hours',
                        '100 * ' ~ var('quota_hours_per_job'),
                        1,
                    ) }},
                    0
                )
        end as shortfall_jobs
    from joined
),

final as (
    select
        quota_year,
        employer_id,
        sector,
        total_paid_hours,
        is_quota_liable,
        target_group_paid_hours,
        lent_out_target_group_paid_hours,
        quota_percentage,
        case
            when is_quota_liable
                then
                    cast(quota_percentage as {{ type_double() }}) / 100
                    * cast(total_paid_hours as {{ type_double() }})
                    / {{ var('quota_hours_per_job') }}
        end as required_jobs,
        cast(target_group_paid_hours as {{ type_double() }}) / {{ var('quota_hours_per_job') }}
            as counted_jobs,
        shortfall_jobs,
        case
            when is_activated then shortfall_jobs * {{ var('quota_levy_per_job_eur') }}
        end as levy_eur,
        shortfall_jobs * {{ var('quota_levy_per_job_eur') }} as what_if_levy_eur,
        is_activated,
        case
            when total_paid_hours is null then 'missing: total_paid_hours'
            when is_quota_liable and quota_percentage is null
                then 'missing: quota_percentage of the sector (' || sector_input_status || ')'
            else 'complete'
        end as input_status
    from assessed
)

select * from final
