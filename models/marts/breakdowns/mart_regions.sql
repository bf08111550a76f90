{#- Formal jobs per labour market region (arbeidsmarktregio) and sector (rule_regions), under
    disclosure control (macro disclosure_control). Loans (inleenverbanden) have no hiring
    region and are left out. The seed has no region detail: no rows there. -#}
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

cells_with_extra_jobs as (
    select
        *,
        {{ round_half_away_from_zero('extra_jobs') }} as extra_jobs_rounded
    from cells_compared
),

cells_protected as (
    {{ disclosure_control(
        'cells_with_extra_jobs',
        series_columns=['sector', 'labour_market_region'],
        sum_columns=['sector'],
        value_columns=['jobs', 'baseline_jobs', 'extra_jobs', 'extra_jobs_rounded'],
    ) }}
),

final as (
    select
        cast(measurement_year as integer) as measurement_year,
        cast(labour_market_region as {{ dbt.type_string() }}) as labour_market_region,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(persons as integer) as persons,
        cast(jobs as {{ type_double() }}) as jobs,
        cast(baseline_jobs as {{ type_double() }}) as baseline_jobs,
        cast(extra_jobs as {{ type_double() }}) as extra_jobs,
        cast(extra_jobs_rounded as integer) as extra_jobs_rounded,
        is_suppressed,
        cast(suppression_reason as {{ dbt.type_string() }}) as suppression_reason
    from cells_protected
)

select * from final
