{#- The government's cells per subsector (rule_government_subsectors) before disclosure control:
    formal jobs per subsector from the person-level hours, and one loan row (inleenverband) per
    year with the government's share of the loan jobs by the split key (verdeelsleutel), as in
    fct_jobs, each against its baseline (nulmeting). Not for publication: the mart
    mart_government_subsectors suppresses what would show a handful of persons. A table of its
    own, so that disclosure control reads a few small rows in each of its rounds (an engine that
    inlines CTEs, such as Spark, would otherwise plan and run these aggregations once a round). -#}
{{ config(materialized='table') }}

with

-- The counted December lines, with their person and employer (rule 2-4, classified once).
counted_hours as (
    select * from {{ ref('int_payroll_lines_classified') }}
    where outcome = 'counted'
),

jobs_allocated as (
    select * from {{ ref('int_jobs_allocated') }}
),

-- A person counts behind a cell when they have paid hours in it.
formal_cells as (
    select
        measurement_year,
        'formal' as employment_form,
        government_subsector,
        count(distinct case when paid_hours > 0 then person_id end) as persons,
        {{ hours_to_jobs('sum(paid_hours)') }} as jobs
    from counted_hours
    where employment_form = 'formal' and employer_sector = 'government'
    group by measurement_year, government_subsector
),

-- Every loan person is behind the government's share of the loan jobs (rule 6).
loan_persons as (
    select
        measurement_year,
        count(distinct case when paid_hours > 0 then person_id end) as persons
    from counted_hours
    where employment_form = 'loan'
    group by measurement_year
),

loan_cells as (
    select
        loan_persons.measurement_year,
        'loan' as employment_form,
        cast(null as {{ dbt.type_string() }}) as government_subsector,
        loan_persons.persons,
        jobs_allocated.jobs
    from loan_persons
    left join jobs_allocated
        on
            loan_persons.measurement_year = jobs_allocated.measurement_year
            and jobs_allocated.sector = 'government'
            and jobs_allocated.employment_form = 'loan'
),

cells as (
    select * from formal_cells
    union all
    select * from loan_cells
),

measured_years as (
    select distinct measurement_year
    from jobs_allocated
),

cells_with_persons as (
    select * from cells
    where persons > 0
),

-- A series without a row in the baseline year had no jobs then (rule 7, macro
-- compare_with_baseline); no baseline when the baseline year itself is not measured.
cells_compared as (
    {{ compare_with_baseline(
        'cells_with_persons',
        series_columns=['employment_form', 'government_subsector'],
        measured_years='measured_years',
    ) }}
),

-- Typed in the mart, by its contract, after disclosure control.
final as (
    select
        *,
        {{ round_half_away_from_zero('extra_jobs') }} as extra_jobs_rounded
    from cells_compared
)

select * from final
