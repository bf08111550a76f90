{#- The audit lists exactly the payroll lines the classification rejected: the same count per
    measurement year and reason. The two apply the same rules (macros
    payroll_line_rejection_reason and is_registered_on_reference_day), the classification in
    one fast pass, the audit line by line. -#}

with

classified as (
    select
        measurement_year,
        reason,
        sum(n_lines) as n_lines
    from {{ ref('int_payroll_lines_classified') }}
    where outcome = 'rejected'
    group by measurement_year, reason
),

audited as (
    select
        measurement_year,
        reason,
        count(*) as n_lines
    from {{ ref('audit_rejected_rows') }}
    where input_name = 'payroll_lines'
    group by measurement_year, reason
),

final as (
    select
        coalesce(classified.measurement_year, audited.measurement_year) as measurement_year,
        coalesce(classified.reason, audited.reason) as reason,
        coalesce(classified.n_lines, 0) as classified_lines,
        coalesce(audited.n_lines, 0) as audited_lines,
        {{ dbt.concat([
            "'The audit lists '", "cast(coalesce(audited.n_lines, 0) as " ~ dbt.type_string() ~ ")",
            "' payroll lines rejected for '", "coalesce(classified.reason, audited.reason)",
            "' where the classification rejected '",
            "cast(coalesce(classified.n_lines, 0) as " ~ dbt.type_string() ~ ")",
            "': a bug in audit_rejected_rows or int_payroll_lines_classified.'",
        ]) }} as message
    from classified
    full outer join audited
        on
            classified.measurement_year is not distinct from audited.measurement_year
            and classified.reason = audited.reason
    where coalesce(classified.n_lines, 0) != coalesce(audited.n_lines, 0)
)

select * from final
