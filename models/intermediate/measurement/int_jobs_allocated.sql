{#- CONTRACT rules 5 and 6: hours become jobs, and loan jobs go to market and government by the
    split key (verdeelsleutel) of their own year. Every measured year gets all four
    sector x form rows; a missing combination has zero hours. -#}
with

december_hours as (
    select * from {{ ref('int_december_hours_aggregated') }}
),

split_keys as (
    select * from {{ ref('stg_seeds__split_keys') }}
),

measured_years as (
    select distinct measurement_year
    from december_hours
),

sectors as (
    select 'market' as sector
    union all
    select 'government' as sector
),

formal_hours as (
    select
        measured_years.measurement_year,
        sectors.sector,
        'formal' as employment_form,
        coalesce(december_hours.paid_hours, 0) as paid_hours,
        cast(null as {{ type_double() }}) as split_key_share
    from measured_years
    cross join sectors
    left join december_hours
        on
            measured_years.measurement_year = december_hours.measurement_year
            and sectors.sector = december_hours.employer_sector
            and december_hours.employment_form = 'formal'
),

loan_hours as (
    select
        measured_years.measurement_year,
        coalesce(december_hours.paid_hours, 0) as paid_hours
    from measured_years
    left join december_hours
        on
            measured_years.measurement_year = december_hours.measurement_year
            and december_hours.employment_form = 'loan'
),

-- A year without a split key keeps a row with an empty sector and share, so that the tests on
-- this model name the year instead of the hours disappearing in an inner join.
loan_hours_split as (
    select
        loan_hours.measurement_year,
        split_keys.sector,
        'loan' as employment_form,
        loan_hours.paid_hours * split_keys.share as paid_hours,
        split_keys.share as split_key_share
    from loan_hours
    left join split_keys
        on loan_hours.measurement_year = split_keys.measurement_year
),

unioned as (
    select * from formal_hours
    union all
    select * from loan_hours_split
),

final as (
    select
        measurement_year,
        sector,
        employment_form,
        cast(paid_hours as {{ type_double() }}) as paid_hours,
        {{ hours_to_jobs('paid_hours') }} as jobs,
        split_key_share
    from unioned
)

select * from final
