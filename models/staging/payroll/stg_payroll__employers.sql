with

source as (
    select * from {{ source('payroll', 'employers') }}
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
    from source
)

select * from typed
