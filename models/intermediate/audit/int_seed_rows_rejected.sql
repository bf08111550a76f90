{#- The rejected rows of the seeds, one row each (CONTRACT section 4): the December hours (when
    the measurement runs on them), the split keys and the targets. -#}
with

december_hours as (
    select * from {{ ref('stg_seeds__december_hours') }}
),

split_keys as (
    select * from {{ ref('stg_seeds__split_keys') }}
),

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

december_hours_rejected as (
    select
        'seed december_hours' as input_name,
        'seeds/december_hours.csv' as file_name,
        {{ dbt.concat([
            "coalesce(cast(measurement_year as " ~ dbt.type_string() ~ "), '?')", "', '",
            "coalesce(relation_type, '?')", "', '", "coalesce(employer_sector, '-')",
        ]) }} as row_key,
        measurement_year,
        paid_hours,
        case
            when measurement_year is null then 'missing_measurement_year'
            when relation_type is null or employment_form is null then 'unknown_relation_type'
            when paid_hours is null then 'missing_paid_hours'
            when paid_hours < 0 then 'negative_paid_hours'
            when employer_sector not in ('market', 'government') then 'unknown_sector'
            when employment_form = 'formal' and employer_sector is null
                then 'regular_row_without_a_sector'
            when employment_form = 'loan' and employer_sector is not null
                then 'loan_row_with_a_sector'
            when
                count(*) over (
                    partition by measurement_year, relation_type, employer_sector
                ) > 1
                then 'duplicate_row'
        end as reason
    from december_hours
),

split_keys_rejected as (
    select
        'seed split_keys' as input_name,
        'seeds/split_keys.csv' as file_name,
        {{ dbt.concat([
            "coalesce(cast(measurement_year as " ~ dbt.type_string() ~ "), '?')", "', '",
            "coalesce(sector, '?')",
        ]) }} as row_key,
        measurement_year,
        cast(null as decimal(18, 2)) as paid_hours,
        case
            when measurement_year is null then 'missing_measurement_year'
            when sector is null or sector not in ('market', 'government') then 'unknown_sector'
            when share is null then 'missing_share'
            when share < 0 or share > 1 then 'share_outside_0_1'
            when count(*) over (partition by measurement_year, sector) > 1 then 'duplicate_row'
        end as reason
    from split_keys
),

targets_rejected as (
    select
        'seed targets' as input_name,
        'seeds/targets.csv' as file_name,
        {{ dbt.concat([
            "coalesce(cast(measurement_year as " ~ dbt.type_string() ~ "), '?')", "', '",
            "coalesce(sector, '?')",
        ]) }} as row_key,
        measurement_year,
        cast(null as decimal(18, 2)) as paid_hours,
        case
            when measurement_year is null then 'missing_measurement_year'
            when sector is null or sector not in ('market', 'government') then 'unknown_sector'
            when target_extra_jobs is null then 'missing_target'
            when count(*) over (partition by measurement_year, sector) > 1 then 'duplicate_row'
        end as reason
    from targets
),

unioned as (
    select * from december_hours_rejected
    union all
    select * from split_keys_rejected
    union all
    select * from targets_rejected
),

final as (
    select * from unioned
    where reason is not null
)

select * from final
