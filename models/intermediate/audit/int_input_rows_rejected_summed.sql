{{ config(materialized='table') }}

{#- The rejected input rows summed per input, file and reason (CONTRACT section 4), with what is
    wrong and what to do: what the gate test no_input_row_is_rejected reads. Downstream of the
    rules, so nothing runs backwards through the layers: the measurement waits for the gate on
    this model. The row-by-row list for the user, audit_rejected_rows, reads
    int_input_rows_rejected as this model does, and not this model: a failing gate skips the
    models built on the model it tests, and the list must be there when it fails. -#}
with

rows_rejected as (
    select * from {{ ref('int_input_rows_rejected') }}
),

final as (
    select
        input_name,
        file_name,
        reason,
        cast(count(*) as bigint) as n_rows,
        min(row_key) as first_row_key,
        problem,
        what_to_do
    from rows_rejected
    group by input_name, file_name, reason, problem, what_to_do
)

select * from final
