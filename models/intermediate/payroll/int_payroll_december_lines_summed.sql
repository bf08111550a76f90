{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_measurement_year()
    )
}}

{#- The input side of the reconciliation: every payroll line whose period ends in December,
    counted and summed straight from the input, without any of the classification's logic. -#}

with

payroll_lines as (
    select * from {{ ref('stg_payroll__payroll_lines') }}
    where {{ payroll_years_filter('period_end') }}
),

final as (
    select
        {{ measurement_year_of('period_end') }} as measurement_year,
        cast(count(*) as bigint) as n_lines,
        cast(sum(paid_hours) as decimal(38, 2)) as paid_hours
    from payroll_lines
    where {{ is_in_reference_month('period_end') }}
    group by {{ measurement_year_of('period_end') }}
)

{{ with_input_fingerprint('final') }}
