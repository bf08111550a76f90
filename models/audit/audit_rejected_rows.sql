{#- Every rejected input row, one row each, with the reason, what is wrong and what to do
    (CONTRACT section 4). Row-level rules only: what makes a file unreadable stops the build
    before this model (macro check_input_files, table audit.unreadable_input_lines), and rules
    on a set of rows (a split key missing for a year, shares that do not sum to 1, a missing
    target or baseline) are data tests in tests/checks. -#}
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
