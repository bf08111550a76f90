{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='measurement_year',
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where measurement_year is null{% endif %}",
    )
}}

{#- Every payroll line ends up in exactly one place (CONTRACT section 4): counted, excluded by a
    rule, or rejected, summed per measurement year, outcome, reason, relation type and sector.
    The rules applied here in this order:
      rejected  the line is unusable: a missing id or period, an unreadable or negative number of
                hours, more hours than the period holds, a period that ends before it starts or
                is longer than five weeks, an unknown relation type, or the same person,
                employer and period more than once (all copies are rejected);
      excluded  rule 2: the period does not end in December (outside_reference_month);
                rule 4: sheltered_internal lines never count (sheltered_internal);
                rule 3: the person is not in the register on 31 December (not_in_register);
      rejected  rule 4: a regular line whose employer has no sector that year;
      counted   everything else, with its employment form and (formal) the employer's sector.
    Incremental by measurement year: see macro payroll_years_filter. -#}

with

payroll_lines as (
    select * from {{ ref('stg_payroll__payroll_lines') }}
    where {{ payroll_years_filter('period_end', ref('stg_payroll__payroll_lines')) }}
),

register as (
    select * from {{ ref('stg_payroll__target_group_register') }}
),

employers as (
    select * from {{ ref('stg_payroll__employers') }}
),

-- One pass over the lines: grouping on the line's key finds duplicates and keeps the hours.
lines_by_key as (
    select
        person_id,
        employer_id,
        period_start,
        period_end,
        count(*) as n_lines,
        count(paid_hours) as n_lines_with_hours,
        sum(paid_hours) as paid_hours,
        min(paid_hours) as smallest_paid_hours,
        max(case when paid_hours_unreadable then 1 else 0 end) as any_hours_unreadable,
        min(relation_type) as relation_type
    from payroll_lines
    group by person_id, employer_id, period_start, period_end
),

validated as (
    select
        *,
        {{ measurement_year_of('period_end') }} as measurement_year,
        {{ is_in_reference_month('period_end') }} as is_reference_month,
        case
            when person_id is null then 'missing_person_id'
            when employer_id is null then 'missing_employer_id'
            when period_start is null or period_end is null then 'missing_or_unreadable_period'
            when period_end < period_start then 'period_ends_before_it_starts'
            when {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 > 35
                then 'period_longer_than_five_weeks'
            when n_lines > 1 then 'duplicate_line'
            when any_hours_unreadable = 1 then 'unreadable_paid_hours'
            when n_lines_with_hours < n_lines then 'missing_paid_hours'
            when smallest_paid_hours < 0 then 'negative_paid_hours'
            when paid_hours > 24 * ({{ dbt.datediff('period_start', 'period_end', 'day') }} + 1)
                then 'paid_hours_exceed_period'
            when relation_type is null then 'missing_relation_type'
            when
                {{ employment_form('relation_type') }} is null
                and relation_type != 'sheltered_internal'
                then 'unknown_relation_type'
        end as rejection_reason
    from lines_by_key
),

-- Only valid lines of the reference month meet the register and the employers.
reference_month_lines as (
    select
        validated.*,
        {{ employment_form('validated.relation_type') }} as employment_form,
        employers.sector as employer_sector,
        exists (
            select 1
            from register
            where
                register.person_id = validated.person_id
                and register.valid_from <= {{ reference_day('validated.measurement_year') }}
                and (
                    register.valid_to is null
                    or register.valid_to >= {{ reference_day('validated.measurement_year') }}
                )
        ) as is_registered
    from validated
    left join employers
        on
            validated.employer_id = employers.employer_id
            and validated.measurement_year = employers.employer_year
            and validated.relation_type = 'regular'
    where validated.rejection_reason is null and validated.is_reference_month
),

reference_month_classified as (
    select
        measurement_year,
        is_reference_month,
        relation_type,
        employment_form,
        case when employment_form = 'formal' then employer_sector end as employer_sector,
        n_lines,
        paid_hours,
        case
            when relation_type = 'sheltered_internal' then 'excluded'
            when not is_registered then 'excluded'
            when employment_form = 'formal' and employer_sector is null then 'rejected'
            else 'counted'
        end as outcome,
        case
            when relation_type = 'sheltered_internal' then 'sheltered_internal'
            when not is_registered then 'not_in_register'
            when employment_form = 'formal' and employer_sector is null
                then 'employer_without_sector'
        end as reason
    from reference_month_lines
),

other_lines_classified as (
    select
        measurement_year,
        is_reference_month,
        case when rejection_reason is null then relation_type end as relation_type,
        case when rejection_reason is null then {{ employment_form('relation_type') }} end
            as employment_form,
        cast(null as {{ dbt.type_string() }}) as employer_sector,
        n_lines,
        paid_hours,
        case when rejection_reason is null then 'excluded' else 'rejected' end as outcome,
        coalesce(rejection_reason, 'outside_reference_month') as reason
    from validated
    where rejection_reason is not null or not is_reference_month
),

unioned as (
    select * from reference_month_classified
    union all
    select * from other_lines_classified
),

final as (
    select
        measurement_year,
        is_reference_month,
        outcome,
        reason,
        relation_type,
        employment_form,
        employer_sector,
        cast(sum(n_lines) as bigint) as n_lines,
        cast(sum(paid_hours) as decimal(38, 2)) as paid_hours
    from unioned
    group by
        measurement_year,
        is_reference_month,
        outcome,
        reason,
        relation_type,
        employment_form,
        employer_sector
)

select * from final
