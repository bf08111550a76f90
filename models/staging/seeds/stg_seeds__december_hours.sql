with

source as (
    select * from {{ ref('december_hours') }}
),

renamed as (
    select
        cast(measurement_year as integer) as measurement_year,
        relation_type,
        {{ employment_form('relation_type') }} as employment_form,
        nullif(trim(employer_sector), '') as employer_sector,
        paid_hours,
        provenance,
        provenance_note
    from source
)

select * from renamed
