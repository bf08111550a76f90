{#- The rejected rows of the person-level files, one row each (CONTRACT section 4). Register
    and employer rows are always checked here (small files). Payroll lines are checked again
    line by line only for the measurement years in which int_payroll_lines_classified rejected
    lines, normally none, so that the national file is not read a second time. The line rules
    are the classification's own (macros payroll_line_rejection_reason and
    is_registered_on_reference_day); duplicates are found here by counting each key. -#}
-- depends_on: {{ ref('int_payroll_lines_classified') }}

{%- set rejected_years = [] -%}
{%- if execute -%}
    {%- set classified = load_relation(ref('int_payroll_lines_classified')) -%}
    {%- if classified is not none -%}
        {%- set found = run_query(
            'select distinct measurement_year from ' ~ classified ~ " where outcome = 'rejected'"
        ) -%}
        {%- set rejected_years = found.columns[0].values() | list -%}
    {%- endif -%}
{%- endif %}
{%- set is_duplicate = 'count(*) over (partition by payroll_lines.person_id, '
    ~ 'payroll_lines.employer_id, payroll_lines.period_start, payroll_lines.period_end) > 1' %}

with

payroll_lines as (
    select * from {{ ref('stg_payroll__payroll_lines') }}
    where {{ period_end_in_years('period_end', rejected_years) }}
),

register as (
    select * from {{ ref('stg_payroll__target_group_register') }}
),

employers as (
    select * from {{ ref('stg_payroll__employers') }}
),

government_subsectors as (
    select * from {{ ref('stg_seeds__government_subsectors') }}
),

payroll_lines_checked as (
    select
        payroll_lines.*,
        {{ measurement_year_of('payroll_lines.period_end') }} as measurement_year,
        {{ payroll_line_rejection_reason('payroll_lines', is_duplicate) }} as line_reason
    from payroll_lines
),

payroll_lines_rejected as (
    select
        'payroll_lines' as input_name,
        payroll_lines_checked.file_name,
        {{ dbt.concat([
            "'person '", "coalesce(nullif(payroll_lines_checked.person_id, ''), '?')",
            "', employer '", "coalesce(nullif(payroll_lines_checked.employer_id, ''), '?')",
            "', period '",
            "coalesce(cast(payroll_lines_checked.period_start as " ~ dbt.type_string() ~ "), '?')",
            "' to '",
            "coalesce(cast(payroll_lines_checked.period_end as " ~ dbt.type_string() ~ "), '?')",
        ]) }} as row_key,
        payroll_lines_checked.measurement_year,
        payroll_lines_checked.paid_hours,
        coalesce(
            payroll_lines_checked.line_reason,
            -- CONTRACT rule 4, for a valid, registered, regular December line.
            case
                when
                    {{ is_in_reference_month('payroll_lines_checked.period_end') }}
                    and payroll_lines_checked.relation_type = 'regular'
                    and employers.sector is null
                    and {{ is_registered_on_reference_day(
                        'payroll_lines_checked.person_id',
                        'payroll_lines_checked.measurement_year', 'register') }}
                    then 'employer_without_sector'
            end
        ) as reason
    from payroll_lines_checked
    left join employers
        on
            payroll_lines_checked.employer_id = employers.employer_id
            and payroll_lines_checked.measurement_year = employers.employer_year
),

register_rejected as (
    select
        'target_group_register' as input_name,
        file_name,
        {{ dbt.concat([
            "'person '", "coalesce(person_id, '?')", "', from '",
            "coalesce(cast(valid_from as " ~ dbt.type_string() ~ "), '?')",
        ]) }} as row_key,
        cast(null as integer) as measurement_year,
        cast(null as decimal(18, 2)) as paid_hours,
        case
            when person_id is null then 'missing_person_id'
            when {{ looks_like_a_bsn('person_id') }} then 'identifier_looks_like_a_bsn'
            when
                basis is null
                or basis not in ({{ sql_list(register_bases()) }})
                then 'unknown_basis'
            when valid_from is null then 'missing_or_unreadable_valid_from'
            when valid_to_unreadable then 'unreadable_valid_to'
            when valid_to < valid_from then 'register_row_ends_before_it_starts'
            when count(*) over (partition by person_id, valid_from) > 1 then 'duplicate_row'
        end as reason
    from register
),

employers_rejected as (
    select
        'employers' as input_name,
        employers.file_name,
        {{ dbt.concat([
            "'employer '", "coalesce(employers.employer_id, '?')", "', year '",
            "coalesce(cast(employers.employer_year as " ~ dbt.type_string() ~ "), '?')",
        ]) }} as row_key,
        employers.employer_year as measurement_year,
        cast(null as decimal(18, 2)) as paid_hours,
        case
            when employers.employer_id is null then 'missing_employer_id'
            when {{ looks_like_a_bsn('employers.employer_id') }} then 'identifier_looks_like_a_bsn'
            when employers.employer_year is null then 'missing_or_unreadable_year'
            when employers.sector is null or employers.sector not in ('market', 'government')
                then 'unknown_sector'
            when employers.sector = 'market' and employers.government_subsector is not null
                then 'market_employer_with_a_subsector'
            when
                employers.sector = 'government'
                and government_subsectors.government_subsector is null
                then 'unknown_government_subsector'
            when employers.total_paid_hours_unreadable or employers.total_paid_hours < 0
                then 'unreadable_total_paid_hours'
            when
                count(*) over (partition by employers.employer_id, employers.employer_year) > 1
                then 'duplicate_row'
        end as reason
    from employers
    left join government_subsectors
        on employers.government_subsector = government_subsectors.government_subsector
),

unioned as (
    select * from payroll_lines_rejected
    union all
    select * from register_rejected
    union all
    select * from employers_rejected
),

final as (
    select * from unioned
    where reason is not null
)

select * from final
