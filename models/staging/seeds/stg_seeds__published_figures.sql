with

source as (
    select * from {{ ref('published_figures') }}
),

renamed as (
    select
        cast(measurement_year as integer) as measurement_year,
        sector,
        employment_form,
        metric,
        value as published_value,
        status,
        publication
    from source
)

select * from renamed
