with

source as (
    select * from {{ ref('rejection_reasons') }}
),

renamed as (
    select
        reason,
        problem,
        what_to_do
    from source
)

select * from renamed
