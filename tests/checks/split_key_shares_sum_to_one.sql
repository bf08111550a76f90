{#- CONTRACT 1a: the market and government shares of a year's split key sum to 1 (a share
    outside [0, 1] is rejected row by row in audit_rejected_rows). Depends on int_jobs_allocated,
    the first model that needs the key (which itself waits for the audit): a failure here still
    leaves the audit built, and skips only what is built on the split key, not the merged
    measurement (mart_merged_measurement). -#}
-- depends_on: {{ ref('int_jobs_allocated') }}
with

split_keys as (
    select * from {{ ref('stg_seeds__split_keys') }}
),

summed as (
    select
        measurement_year,
        sum(share) as sum_of_shares,
        count(*) as n_shares
    from split_keys
    group by measurement_year
),

final as (
    select
        measurement_year,
        sum_of_shares,
        {{ dbt.concat([
            "'The split key of '", "cast(measurement_year as " ~ dbt.type_string() ~ ")",
            "' in seeds/split_keys.csv has shares that add up to '",
            "cast(sum_of_shares as " ~ dbt.type_string() ~ ")",
            "', not 1: the loan jobs would be '",
            "case when sum_of_shares > 1 then 'invented' else 'lost' end",
            "'. Correct the market and government shares of that year.'",
        ]) }} as message
    from summed
    where abs(sum_of_shares - 1) > 1e-9
)

select * from final
