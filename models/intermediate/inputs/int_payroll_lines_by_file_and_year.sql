{{ config(materialized='table') }}

{#- The payroll lines counted straight from the files, without any of the classification's
    logic: per file and measurement year of the period end, the lines and paid hours, in all
    months and in December. One narrow scan (period_end, paid_hours and the file name) that
    serves both its readers: the fingerprints of the input (int_input_fingerprints) and the
    input side of the reconciliation (int_payroll_hours_reconciled). -#}

with

payroll_lines as (
    select * from {{ ref('stg_payroll__payroll_lines') }}
),

final as (
    select
        cast({{ measurement_year_of('period_end') }} as integer) as measurement_year,
        file_name,
        cast(count(*) as bigint) as n_lines,
        cast(sum(paid_hours) as decimal(38, 2)) as paid_hours,
        cast(
            count(case when {{ is_in_reference_month('period_end') }} then 1 end) as bigint
        ) as n_december_lines,
        cast(
            sum(case when {{ is_in_reference_month('period_end') }} then paid_hours end)
            as decimal(38, 2)
        ) as december_paid_hours
    from payroll_lines
    group by {{ measurement_year_of('period_end') }}, file_name
)

select * from final
