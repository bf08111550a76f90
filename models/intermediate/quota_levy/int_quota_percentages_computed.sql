{#- Per quota year and sector (seed quota_parameters): the employee hours of the sector's
    quota-liable employers, the quota percentage computed from them (rule_quota_percentage),
    exactly and rounded down, and the input status that says what is missing when it cannot be
    computed (rule_quota_input_status). -#}
with

quota_parameters as (
    select * from {{ ref('stg_seeds__quota_parameters') }}
),

employers as (
    select * from {{ ref('int_quota_employers_assessed') }}
),

sector_hours as (
    select
        quota_year,
        sector,
        count(*) as n_employers,
        count(*) - count(total_paid_hours) as n_employers_without_total_paid_hours,
        count(case when is_quota_liable then 1 end) as n_liable_employers,
        sum(case when is_quota_liable then total_paid_hours end) as liable_employee_hours
    from employers
    group by quota_year, sector
),

joined as (
    select
        quota_parameters.quota_year,
        quota_parameters.sector,
        quota_parameters.baseline_jobs_a,
        quota_parameters.counted_extra_jobs_b,
        quota_parameters.published_quota_percentage,
        quota_parameters.is_activated,
        -- The target-group hours of the quota, (A + B) x the hours of one job.
        cast(
            quota_parameters.baseline_jobs_a + quota_parameters.counted_extra_jobs_b
            as decimal(38, 0)
        ) * {{ var('quota_hours_per_job') }} as quota_hours,
        coalesce(sector_hours.n_employers, 0) as n_employers,
        coalesce(sector_hours.n_employers_without_total_paid_hours, 0)
            as n_employers_without_total_paid_hours,
        sector_hours.n_liable_employers,
        sector_hours.liable_employee_hours,
        {{ 'true' if measurement_input() == 'aggregated' else 'false' }} as is_embedded_seed_input
    from quota_parameters
    left join sector_hours
        on
            quota_parameters.quota_year = sector_hours.quota_year
            and quota_parameters.sector = sector_hours.sector
),

with_status as (
    select
        *,
        case
            -- The embedded seed has no employers, and so no employee hours.
            when is_embedded_seed_input
                then 'missing: employers.total_paid_hours (person-level input)'
            when n_employers = 0
                then
                    'missing: employers rows of the ' || sector || ' sector for '
                    || cast(quota_year as {{ dbt.type_string() }})
            when n_employers_without_total_paid_hours > 0
                then
                    'missing: employers.total_paid_hours for '
                    || cast(n_employers_without_total_paid_hours as {{ dbt.type_string() }})
                    || ' of ' || cast(n_employers as {{ dbt.type_string() }}) || ' employers'
            when n_liable_employers = 0
                then
                    'missing: a quota-liable employer (none with '
                    || '{{ var("quota_liable_from_hours") }} paid hours or more)'
            when liable_employee_hours < quota_hours
                then
                    'not national: the employee hours are below (A + B) x '
                    || '{{ var("quota_hours_per_job") }}, a quota percentage above 100'
            else 'complete'
        end as input_status
    from joined
),

final as (
    select
        quota_year,
        sector,
        baseline_jobs_a,
        counted_extra_jobs_b,
        case
            when input_status = 'complete' then liable_employee_hours
        end as employee_hours,
        case
            when input_status = 'complete'
                then {{ floor_to_decimals('100 * quota_hours', 'liable_employee_hours', 2) }}
        end as quota_percentage,
        published_quota_percentage,
        100 * cast(quota_hours as {{ type_double() }})
        / cast(published_quota_percentage + 0.01 as {{ type_double() }})
            as implied_employee_hours_min,
        100 * cast(quota_hours as {{ type_double() }})
        / cast(published_quota_percentage as {{ type_double() }})
            as implied_employee_hours_max,
        is_activated,
        input_status,
        case
            when n_employers_without_total_paid_hours = 0 then n_liable_employers
        end as liable_employers
    from with_status
)

select * from final
