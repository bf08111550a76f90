{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_measurement_year()
    )
}}

{#- The counted December hours per person, employer and employment form, with the employer's
    government subsector and labour market region: what the breakdowns below sector level
    (marts/breakdowns) count persons and jobs from. The rules are the classification's, with
    the same macros: a valid line (payroll_line_rejection_reason) whose period ends in December
    (rule 2), not sheltered_internal and with an employment form (rule 4), of a person in the
    register on 31 December (rule 3); a formal line takes its employer's row of that year and
    needs a sector (rule 4). Test counted_hours_by_person_match_the_classification holds the
    sums to int_payroll_lines_classified.
    Only December is read: the period-end filter is a literal date range per year (the years
    from the smallest to the largest period end, read once), so Parquet statistics skip the
    other eleven months; duplicates are found as in the classification, by one hash per line.
    Incremental by measurement year (macro payroll_years_filter). Waits for the audit, like
    the measurement: with a rejected input row nothing is broken down. -#}
-- depends_on: {{ ref('audit_rejected_rows') }}

{#- The years of the input, from the smallest to the largest period end (Parquet: read from
    one column). Unknown, so no range filter and December by the month alone, for CSV (read
    whole either way) and while the staged lines do not exist yet, e.g. when SQLFluff compiles
    the model against an empty warehouse. -#}
{%- set years = none -%}
{%- set staged_lines = none -%}
{%- if execute and payroll_format() != 'csv' -%}
    {%- set staged_lines = load_relation(ref('stg_payroll__payroll_lines')) -%}
{%- endif -%}
{%- if staged_lines is not none -%}
    {%- set bounds = run_query(
        'select ' ~ measurement_year_of('min(period_end)') ~ ', '
        ~ measurement_year_of('max(period_end)') ~ ' from ' ~ staged_lines
    ) -%}
    {%- set first_year = bounds.columns[0].values()[0] -%}
    {%- set last_year = bounds.columns[1].values()[0] -%}
    {%- set years = [] if first_year is none
        else range(first_year | int, last_year | int + 1) | list -%}
{%- endif %}

with

december_lines as {{ cte_inlined() }} (
    select * from {{ ref('stg_payroll__payroll_lines') }}
    where
        {{ payroll_years_filter('period_end') }}
        and (
            {%- if years is none %}
                true
            {%- else %}
                {%- for year in years %}
                    {% if not loop.first %}or {% endif -%}
                    (
                        period_end >= cast('{{ year }}-12-01' as date)
                        and period_end < cast('{{ year + 1 }}-01-01' as date)
                    )
                {%- else %}
                    false
                {%- endfor %}
            {%- endif %}
        )
),

register as (
    select * from {{ ref('stg_payroll__target_group_register') }}
),

employers as (
    select * from {{ ref('stg_payroll__employers') }}
),

-- Hashes that occur more than once: candidates for duplicate lines (almost always none), as in
-- the classification. The copies of a line share its period end, so all are in December.
repeated_line_hashes as {{ cte_computed_once() }} (
    select line_hash
    from (
        select
            {{ row_hash(['person_id', 'employer_id', 'period_start', 'period_end']) }}
                as line_hash
        from december_lines
    ) as hashed
    group by line_hash
    having count(*) > 1
),

duplicate_keys as {{ cte_computed_once() }} (
    select
        december_lines.person_id,
        december_lines.employer_id,
        december_lines.period_start,
        december_lines.period_end
    from december_lines
    inner join repeated_line_hashes
        on
            {{ row_hash(['december_lines.person_id', 'december_lines.employer_id',
                'december_lines.period_start', 'december_lines.period_end']) }}
            = repeated_line_hashes.line_hash
    group by
        december_lines.person_id,
        december_lines.employer_id,
        december_lines.period_start,
        december_lines.period_end
    having count(*) > 1
),

lines_validated as (
    select
        december_lines.person_id,
        december_lines.employer_id,
        december_lines.paid_hours,
        {{ measurement_year_of('december_lines.period_end') }} as measurement_year,
        {{ employment_form('december_lines.relation_type') }} as employment_form,
        {{ payroll_line_rejection_reason(
            'december_lines', 'duplicate_keys.person_id is not null'
        ) }} as rejection_reason
    from december_lines
    left join duplicate_keys
        on
            december_lines.person_id = duplicate_keys.person_id
            and december_lines.employer_id = duplicate_keys.employer_id
            and december_lines.period_start = duplicate_keys.period_start
            and december_lines.period_end = duplicate_keys.period_end
    where {{ is_in_reference_month('december_lines.period_end') }}
),

-- Valid lines with an employment form (sheltered_internal has none: rule 4), summed before
-- they meet the register and the employers: both depend on the person or employer and year.
countable_hours as (
    select
        measurement_year,
        person_id,
        employer_id,
        employment_form,
        sum(paid_hours) as paid_hours
    from lines_validated
    where rejection_reason is null and employment_form is not null
    group by measurement_year, person_id, employer_id, employment_form
),

-- Rule 3, and for formal hours the employer's row of the measurement year with its sector
-- (rule 4): `regular` is the one relation type of the form `formal`.
counted_hours as (
    select
        countable_hours.measurement_year,
        countable_hours.person_id,
        countable_hours.employer_id,
        countable_hours.employment_form,
        employers.sector as employer_sector,
        employers.government_subsector,
        employers.labour_market_region,
        countable_hours.paid_hours
    from countable_hours
    left join employers
        on
            countable_hours.employer_id = employers.employer_id
            and countable_hours.measurement_year = employers.employer_year
            and countable_hours.employment_form = 'formal'
    where
        {{ is_registered_on_reference_day('countable_hours.person_id',
            'countable_hours.measurement_year', 'register') }}
        and (countable_hours.employment_form = 'loan' or employers.sector is not null)
),

final as (
    select
        cast(measurement_year as integer) as measurement_year,
        person_id,
        employer_id,
        employment_form,
        employer_sector,
        government_subsector,
        labour_market_region,
        cast(paid_hours as decimal(38, 2)) as paid_hours
    from counted_hours
)

{{ with_input_fingerprint('final') }}
