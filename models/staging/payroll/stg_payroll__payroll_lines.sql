{#- Typed payroll lines. A value that does not parse (text in a CSV) becomes null here and is
    flagged, so that the classification rejects the line with its reason instead of the read
    failing or the value being lost. -#}
with

source as (
    select * from {{ source('payroll', 'payroll_lines') }}
),

typed as (
    select
        nullif(trim(cast(person_id as {{ dbt.type_string() }})), '') as person_id,
        nullif(trim(cast(employer_id as {{ dbt.type_string() }})), '') as employer_id,
        {{ dbt.safe_cast('period_start', 'date') }} as period_start,
        {{ dbt.safe_cast('period_end', 'date') }} as period_end,
        cast(relation_type as {{ dbt.type_string() }}) as relation_type,
        {{ dbt.safe_cast('paid_hours', 'decimal(18, 2)') }} as paid_hours,
        paid_hours is not null
        and {{ dbt.safe_cast('paid_hours', 'decimal(18, 2)') }} is null as paid_hours_unreadable
    from source
)

select * from typed
