with

source as (
    select * from {{ source('payroll', 'target_group_register') }}
),

typed as (
    select
        nullif(trim(cast(person_id as {{ dbt.type_string() }})), '') as person_id,
        cast(basis as {{ dbt.type_string() }}) as basis,
        {{ payroll_input_cast('valid_from', 'date') }} as valid_from,
        {{ payroll_input_cast('valid_to', 'date') }} as valid_to
    from source
)

select * from typed
