{#- The semantic layer's input for targets: a target (doelstelling) is set per year and sector
    for both employment forms together, so it lives on the `total` form rows of
    mart_baseline_comparison. This keeps the market and government rows of years with a target;
    the `total` sector row is their sum and would count twice. -#}
with

baseline_comparison as (
    select * from {{ ref('mart_baseline_comparison') }}
),

final as (
    select
        measurement_year,
        sector,
        target_extra_jobs
    from baseline_comparison
    where
        sector in ('market', 'government')
        and employment_form = 'total'
        and target_extra_jobs is not null
)

select * from final
