{#- CONTRACT section 4: any rejected input row fails the build. One failing row per input, file
    and reason, with the count and a message; the rows themselves are in audit_rejected_rows.
    Reads int_input_rows_rejected_summed, which the measurement (int_december_hours_aggregated)
    and the quota levy (int_payroll_employer_year_hours) depend on: with a rejected row they do
    not run. -#}
with

summed as (
    select * from {{ ref('int_input_rows_rejected_summed') }}
),

final as (
    select
        input_name,
        file_name,
        reason,
        n_rows,
        {{ dbt.concat([
            "input_name", "' ('", "file_name", "'): '",
            "cast(n_rows as " ~ dbt.type_string() ~ ")",
            "case when n_rows = 1 then ' row rejected for ' else ' rows rejected for ' end",
            "coalesce(problem, reason)",
            "' (the first: '", "first_row_key", "'). What to do: '",
            "coalesce(what_to_do, 'correct the rows')",
            "'. The rows: select * from audit.audit_rejected_rows where reason = '''",
            "reason", "''';'",
        ]) }} as message
    from summed
)

select * from final
