with

source as (
    select * from {{ ref('government_subsectors') }}
),

renamed as (
    select
        government_subsector,
        description
    from source
)

select * from renamed
