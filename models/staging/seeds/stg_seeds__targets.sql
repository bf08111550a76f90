with

source as (
    select * from {{ ref('targets') }}
),

renamed as (
    select
        cast(measurement_year as integer) as measurement_year,
        sector,
        cast(target_extra_jobs as integer) as target_extra_jobs,
        provenance,
        source as provenance_source
    from source
)

select * from renamed
