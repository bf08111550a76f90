{#- The cells per labour market region (arbeidsmarktregio) and sector (rule_regions) before
    disclosure control: formal jobs from the person-level hours against the baseline
    (nulmeting). Loans (inleenverbanden) have no hiring region and are left out. Not for
    publication: the mart mart_regions suppresses what would show a handful of persons. A table
    of its own, so that disclosure control reads a few small rows in each of its rounds (an
    engine that inlines CTEs, such as Spark, would otherwise plan and run these aggregations
    once a round). -#}
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
cells as (
    select
        measurement_year,
        labour_market_region,
        employer_sector as sector,
        count(distinct case when paid_hours > 0 then person_id end) as persons,
        {{ hours_to_jobs('sum(paid_hours)') }} as jobs
    from counted_hours
    where employment_form = 'formal'
    group by measurement_year, labour_market_region, employer_sector
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
        series_columns=['sector', 'labour_market_region'],
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
