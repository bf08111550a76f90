{#- Every rejected input row, one row each, with the reason, what is wrong and what to do
    (CONTRACT section 4), as a table in schema audit that every build rebuilds. Row-level rules
    only: what makes a file unreadable stops the build before this model (macro
    check_input_files, table audit.unreadable_input_lines), and rules on a set of rows (a split
    key missing for a year, shares that do not sum to 1, a missing target or baseline) are data
    tests in tests/checks. -#}
with

rows_rejected as (
    select * from {{ ref('int_input_rows_rejected') }}
),

final as (
    select
        input_name,
        file_name,
        row_key,
        measurement_year,
        paid_hours,
        reason,
        problem,
        what_to_do
    from rows_rejected
)

select * from final
