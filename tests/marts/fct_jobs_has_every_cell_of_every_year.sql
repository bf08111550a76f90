{#- fct_jobs has a row for every sector and employment form in every year from its first
    measured year to its last: a year, or a cell of one, that is missing would drop out of
    every mart and every year-on-year delta without an error. On the aggregated input (the
    December hours seed, which has every cell) only: a person-level population may leave a
    cell, or a year, without a single counted line. -#}
{{ config(enabled=measurement_input() == 'aggregated') }}
with

jobs as (
    select * from {{ ref('fct_jobs') }}
),

measured as (
    select
        min(measurement_year) as first_year,
        max(measurement_year) as last_year
    from jobs
),

offsets as (
    select * from {{ whole_numbers(100) }} as numbers
),

years as (
    select measured.first_year + offsets.n as measurement_year
    from measured
    inner join offsets
        on measured.first_year + offsets.n <= measured.last_year
),

sectors as (
    select 'market' as sector
    union all
    select 'government' as sector
),

forms as (
    select 'formal' as employment_form
    union all
    select 'loan' as employment_form
),

cells as (
    select
        years.measurement_year,
        sectors.sector,
        forms.employment_form
    from years
    cross join sectors
    cross join forms
),

final as (
    select
        cells.measurement_year,
        cells.sector,
        cells.employment_form,
        {{ dbt.concat([
            "'fct_jobs has no row for '", "cast(cells.measurement_year as " ~ dbt.type_string() ~ ")",
            "' '", "cells.sector", "' '", "cells.employment_form",
        ]) }} as message
    from cells
    left join jobs
        on
            cells.measurement_year = jobs.measurement_year
            and cells.sector = jobs.sector
            and cells.employment_form = jobs.employment_form
    where jobs.measurement_year is null
)

select * from final
