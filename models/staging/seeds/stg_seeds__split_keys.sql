with

source as (
    select * from {{ ref('split_keys') }}
),

renamed as (
    select
        cast(measurement_year as integer) as measurement_year,
        sector,
        cast(share as {{ type_double() }}) as share,
        provenance,
        source as provenance_source
    from source
)

select * from renamed
