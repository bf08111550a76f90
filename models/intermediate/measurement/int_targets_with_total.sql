{#- The statutory targets (doelstelling) per year and sector, and the target of both sectors
    together: the sum of the two, only in a year where both are set. The one place where that
    sum is made, for mart_baseline_comparison, mart_target_projection and
    mart_merged_measurement. -#}
with

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

total_targets as (
    select
        measurement_year,
        'total' as sector,
        cast(sum(target_extra_jobs) as integer) as target_extra_jobs
    from targets
    group by measurement_year
    having count(distinct sector) = 2
),

final as (
    select
        measurement_year,
        sector,
        target_extra_jobs
    from targets
    union all
    select
        measurement_year,
        sector,
        target_extra_jobs
    from total_targets
)

select * from final
