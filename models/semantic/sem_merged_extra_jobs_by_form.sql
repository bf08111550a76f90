{#- The semantic layer's input for the merged measurement (no market/government split): the
    `formal` and `loan` rows of mart_merged_measurement, never its `total` rows, which would
    count twice in a sum. -#}
with

merged_measurement as (
    select * from {{ ref('mart_merged_measurement') }}
),

final as (
    select
        measurement_year,
        employment_form,
        extra_jobs
    from merged_measurement
    where employment_form in ('formal', 'loan')
)

select * from final
