{#- The government's jobs per subsector (overheidssector), as the Minister of BZK reports them
    (rule_government_subsectors), under disclosure control (macro disclosure_control). Formal
    jobs per subsector from the person-level hours; the loan jobs (inleenverbanden) have no
    subsector and stay one row per year: the government's share by the split key
    (verdeelsleutel), as in fct_jobs. The seed has no subsector detail: no rows there. -#}
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

cells_with_extra_jobs as (
    select
        *,
        {{ round_half_away_from_zero('extra_jobs') }} as extra_jobs_rounded
    from cells_compared
),

cells_protected as (
    {{ disclosure_control(
        'cells_with_extra_jobs',
        series_columns=['employment_form', 'government_subsector'],
        sum_columns=['employment_form'],
        value_columns=['jobs', 'baseline_jobs', 'extra_jobs', 'extra_jobs_rounded'],
    ) }}
),

final as (
    select
        cast(measurement_year as integer) as measurement_year,
        cast(employment_form as {{ dbt.type_string() }}) as employment_form,
        cast(government_subsector as {{ dbt.type_string() }}) as government_subsector,
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
