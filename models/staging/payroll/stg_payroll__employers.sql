{#- Typed employers. total_paid_hours is optional (CONTRACT 1b): a file without the column is
    read with it null, by a union by name with an empty relation that has the column (text
    like every CSV column, or the contract's number type for Parquet). A column that is
    present but of the wrong type stops the build before this model (check_input_files) or,
    in CSV, rejects its row (unreadable_total_paid_hours). -#}
{%- set delivered_type = 'varchar' if env_var('BANENAFSPRAAK_PAYROLL_FORMAT', 'parquet') == 'csv'
    else 'decimal(18, 2)' %}

with

source as (
    select * from {{ source('payroll', 'employers') }}
),

optional_columns as (
    select cast(null as {{ delivered_type }}) as total_paid_hours
    where false
),

-- The source's own columns, and total_paid_hours whether the files have it or not.
delivered as (
    select * from source
    union all by name
    select * from optional_columns
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
