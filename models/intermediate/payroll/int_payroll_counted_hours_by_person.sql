{{ config(materialized='table') }}

{#- The counted December hours per person, employer and employment form, with the employer's
    government subsector and labour market region (formal hours only): what the breakdowns below
    sector level (marts/breakdowns) count persons and jobs from. No rule is applied here: the
    lines were classified once, in int_payroll_lines_classified, which keeps the person and
    employer of every counted line; this sums its counted rows over the relation types of a
    form. A table, so that the two breakdowns and the grain test read it once each, without
    reading the payroll files. Waits for the audit, like the measurement: with a rejected input
    row nothing is broken down. -#}
-- depends_on: {{ ref('audit_rejected_rows') }}

with

counted_lines as (
    select * from {{ ref('int_payroll_lines_classified') }}
    where outcome = 'counted'
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
        cast(sum(paid_hours) as decimal(38, 2)) as paid_hours
    from counted_lines
    group by
        measurement_year,
        person_id,
        employer_id,
        employment_form,
        employer_sector,
        government_subsector,
        labour_market_region
)

select * from final
