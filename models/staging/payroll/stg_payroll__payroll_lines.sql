{#- Typed payroll lines (macro payroll_input_cast). A CSV value that does not parse becomes
    null here and is flagged, so that the classification rejects the line with its reason
    instead of the read failing or the value being lost. -#}
with

source as (
    select delivered.* from {{ payroll_source('payroll_lines') }} as delivered
),

typed as (
    select
        cast(person_id as {{ dbt.type_string() }}) as person_id,
        cast(employer_id as {{ dbt.type_string() }}) as employer_id,
        {{ payroll_input_cast('period_start', 'date') }} as period_start,
        {{ payroll_input_cast('period_end', 'date') }} as period_end,
        cast(relation_type as {{ dbt.type_string() }}) as relation_type,
        {{ payroll_input_cast('paid_hours', 'decimal(18, 2)') }} as paid_hours,
        {{ payroll_input_unreadable('paid_hours', 'decimal(18, 2)') }} as paid_hours_unreadable,
        {{ file_name_of('filename') }} as file_name
    from source
)

select * from typed
