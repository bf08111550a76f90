{#- The paid hours in December that count, per year, employment form and (formal only)
    employer sector. The one point where the input is chosen (macro measurement_input): the
    counted person-level payroll lines, or the aggregated seed.
    It waits for the audit: when test no_input_row_is_rejected fails, nothing is measured. -#}
-- depends_on: {{ ref('int_input_rows_rejected_summed') }}
with

december_hours as (
    {% if measurement_input() == 'person_level' -%}
        select * from {{ ref('int_payroll_lines_classified') }}
        where outcome = 'counted'
    {%- else -%}
        select * from {{ ref('stg_seeds__december_hours') }}
        where employment_form is not null
    {%- endif %}
),

aggregated as (
    select
        measurement_year,
        employment_form,
        employer_sector,
        sum(paid_hours) as paid_hours
    from december_hours
    group by measurement_year, employment_form, employer_sector
)

select * from aggregated
