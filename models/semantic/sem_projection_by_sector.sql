{#- The semantic layer's input for the road to 2026: the `market` and `government` rows of
    mart_target_projection, never its `total` rows, which would count twice in a sum. -#}
with

target_projection as (
    select * from {{ ref('mart_target_projection') }}
),

final as (
    select
        sector,
        year,
        is_projection,
        trend_extra_jobs
    from target_projection
    where sector in ('market', 'government')
)

select * from final
