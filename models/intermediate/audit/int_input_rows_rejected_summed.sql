{{ config(materialized='table') }}

{#- The rejected input rows summed per input, file and reason (CONTRACT section 4), with what is
    wrong and what to do: what the gate test no_input_row_is_rejected reads. Downstream of the
    rules (int_seed_rows_rejected, int_payroll_rows_rejected), so nothing runs backwards through
    the layers: the measurement waits for the gate on this model. The row-by-row list for the
    user, audit_rejected_rows, reads the same two models and not this one: a failing gate skips
    the models built on the model it tests, and the list must be there when it fails. -#}
with

seed_rows_rejected as (
    select * from {{ ref('int_seed_rows_rejected') }}
),

payroll_rows_rejected as (
    select * from {{ ref('int_payroll_rows_rejected') }}
),

reasons as (
    select * from {{ ref('stg_seeds__rejection_reasons') }}
),

unioned as (
    select
        input_name,
        file_name,
        row_key,
        reason
    from seed_rows_rejected
    union all
    select
        input_name,
        file_name,
        row_key,
        reason
    from payroll_rows_rejected
),

summed as (
    select
        input_name,
        file_name,
        reason,
        count(*) as n_rows,
        min(row_key) as first_row_key
    from unioned
    group by input_name, file_name, reason
),

final as (
    select
        summed.input_name,
        summed.file_name,
        summed.reason,
        cast(summed.n_rows as bigint) as n_rows,
        summed.first_row_key,
        reasons.problem,
        reasons.what_to_do
    from summed
    left join reasons
        on summed.reason = reasons.reason
)

select * from final
