{#- The paid hours in December per year, employment form and (formal only) employer sector.
    The point where the input path is chosen: today the aggregated seed. -#}
with

december_hours as (
    select * from {{ ref('stg_seeds__december_hours') }}
),

aggregated as (
    select
        measurement_year,
        employment_form,
        employer_sector,
        sum(paid_hours) as paid_hours
    from december_hours
    where employment_form is not null
    group by measurement_year, employment_form, employer_sector
)

select * from aggregated
