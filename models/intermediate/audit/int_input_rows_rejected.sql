{#- The rejected input rows of every input, one row each, with what is wrong and what to do:
    the seed rows (int_seed_rows_rejected) and the person-level rows (int_payroll_rows_rejected)
    in one list, joined once to the seed rejection_reasons. Read by the gate's summary
    (int_input_rows_rejected_summed) and by the user's list (audit_rejected_rows), so that the
    list does not depend on the model the gate test reads: a failing gate skips the models
    built on that one, and the list must be there exactly then. -#}
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
    select * from seed_rows_rejected
    union all
    select * from payroll_rows_rejected
),

final as (
    select
        unioned.input_name,
        unioned.file_name,
        unioned.row_key,
        cast(unioned.measurement_year as integer) as measurement_year,
        cast(unioned.paid_hours as decimal(18, 2)) as paid_hours,
        unioned.reason,
        reasons.problem,
        reasons.what_to_do
    from unioned
    left join reasons
        on unioned.reason = reasons.reason
)

select * from final
