{#- Typed employers. total_paid_hours is optional (CONTRACT 1b): files without the column are
    read with it null (macro with_optional_column). A column that is present but of the wrong
    type stops the build before this model (check_input_files) or, in CSV, rejects its row
    (unreadable_total_paid_hours). -#}
{#- Absent, it is null of the type a delivered column would have: text in CSV, else a number. -#}
{%- set is_csv = payroll_format() == 'csv' %}
{%- set delivered_type = dbt.type_string() if is_csv else 'decimal(18, 2)' %}

with

delivered as (
    {{ with_optional_column(
        payroll_source('employers'), 'total_paid_hours', delivered_type
    ) }}
),

typed as (
    select
        nullif(trim(cast(employer_id as {{ dbt.type_string() }})), '') as employer_id,
        {{ payroll_input_cast('year', 'integer') }} as employer_year,
        cast(sector as {{ dbt.type_string() }}) as sector,
        nullif(trim(cast(government_subsector as {{ dbt.type_string() }})), '')
            as government_subsector,
        cast(size_class as {{ dbt.type_string() }}) as size_class,
        cast(labour_market_region as {{ dbt.type_string() }}) as labour_market_region,
        {{ payroll_input_cast('total_paid_hours', 'decimal(18, 2)') }} as total_paid_hours,
        {{ payroll_input_unreadable('total_paid_hours', 'decimal(18, 2)') }}
            as total_paid_hours_unreadable,
        {{ file_name_of('filename') }} as file_name
    from delivered
)

select * from typed
