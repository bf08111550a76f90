with

source as (
    select delivered.* from {{ payroll_source('target_group_register') }} as delivered
),

typed as (
    select
        nullif(trim(cast(person_id as {{ dbt.type_string() }})), '') as person_id,
        cast(basis as {{ dbt.type_string() }}) as basis,
        {{ payroll_input_cast('valid_from', 'date') }} as valid_from,
        {{ payroll_input_cast('valid_to', 'date') }} as valid_to,
        {{ payroll_input_unreadable('valid_to', 'date') }} as valid_to_unreadable,
        {{ file_name_of('filename') }} as file_name
    from source
)

select * from typed
