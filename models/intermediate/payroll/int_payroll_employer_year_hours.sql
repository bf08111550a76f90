{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_measurement_year()
    )
}}

{#- Per year and employer, the paid hours of target-group members for the quota levy
    (rule_quota_target_group_hours): payroll lines whose period ends in the year, of a person in
    the register on the period's last day; regular lines count at the employer, loan lines
    (paid by a temp agency or sheltered company, counting at a hirer the extract does not name)
    are shown apart. One pass over the year's lines (a filter Parquet statistics can use), one
    hash join with the register, a sum per year, employer and employment form, which is then
    spread into columns. The register is first merged into spells that do not overlap (one per
    run of overlapping registrations of a person), so that a line meets at most one spell: a
    plain join, three times faster than a semi join, which DuckDB runs over every distinct
    person and period end. It waits for the audit, like the measurement: when any input row is
    rejected (test no_input_row_is_rejected), nothing is computed from it. Incremental by year (macro payroll_years_filter). -#}
-- depends_on: {{ ref('int_input_rows_rejected_summed') }}
{%- set open_end = "cast('9999-12-31' as date)" %}

with

payroll_lines as (
    select * from {{ ref('stg_payroll__payroll_lines') }}
    where
        {{ payroll_years_filter('period_end') }}
        and period_end is not null
),

register as (
    select * from {{ ref('stg_payroll__target_group_register') }}
),

-- Each registration with the latest end of the person's earlier registrations (open = 9999).
registrations_ordered as (
    select
        person_id,
        valid_from,
        coalesce(valid_to, {{ open_end }}) as valid_to,
        max(coalesce(valid_to, {{ open_end }})) over (
            partition by person_id
            order by valid_from, valid_to
            rows between unbounded preceding and 1 preceding
        ) as earlier_valid_to
    from register
),

-- A registration that starts after every earlier one ended starts a new spell.
registrations_numbered as (
    select
        person_id,
        valid_from,
        valid_to,
        sum(case when earlier_valid_to >= valid_from then 0 else 1 end) over (
            partition by person_id
            order by valid_from, valid_to
            rows between unbounded preceding and current row
        ) as spell_number
    from registrations_ordered
),

registration_spells as (
    select
        person_id,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to
    from registrations_numbered
    group by person_id, spell_number
),

-- Lines of persons in the register on the last day of their period.
target_group_lines as (
    select
        {{ measurement_year_of('payroll_lines.period_end') }} as measurement_year,
        payroll_lines.employer_id,
        {{ employment_form('payroll_lines.relation_type') }} as employment_form,
        payroll_lines.paid_hours
    from payroll_lines
    inner join registration_spells
        on
            payroll_lines.person_id = registration_spells.person_id
            and payroll_lines.period_end >= registration_spells.valid_from
            and payroll_lines.period_end <= registration_spells.valid_to
    where {{ employment_form('payroll_lines.relation_type') }} is not null
),

-- Summed per employment form first: the aggregation over the lines has no expression to
-- evaluate per line, and the few sums per employer are then spread into columns.
target_group_summed as (
    select
        measurement_year,
        employer_id,
        employment_form,
        sum(paid_hours) as paid_hours,
        count(*) as n_lines
    from target_group_lines
    group by measurement_year, employer_id, employment_form
),

final as (
    select
        measurement_year,
        employer_id,
        cast(
            sum(case when employment_form = 'formal' then paid_hours else 0 end)
            as decimal(38, 2)
        ) as target_group_paid_hours,
        cast(
            sum(case when employment_form = 'loan' then paid_hours else 0 end)
            as decimal(38, 2)
        ) as lent_out_target_group_paid_hours,
        cast(sum(case when employment_form = 'formal' then n_lines else 0 end) as bigint)
            as n_target_group_lines
    from target_group_summed
    group by measurement_year, employer_id
)

{{ with_input_fingerprint('final') }}
