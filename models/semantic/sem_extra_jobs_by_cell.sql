{#- The semantic layer's input for extra jobs: the four cells of mart_baseline_comparison
    (market/government x formal/loan), never its `total` rows. MetricFlow sums a measure over
    the rows of a group; with the total rows in, every figure would count twice or four times.
    The totals come back as sums of these unrounded cells (CONTRACT rule 8). -#}
with

baseline_comparison as (
    select * from {{ ref('mart_baseline_comparison') }}
),

final as (
    select
        measurement_year,
        sector,
        employment_form,
        baseline_jobs,
        extra_jobs
    from baseline_comparison
    where
        sector in ('market', 'government')
        and employment_form in ('formal', 'loan')
)

select * from final
