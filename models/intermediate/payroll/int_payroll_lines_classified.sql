{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_by_measurement_year()
    )
}}

{#- Every payroll line ends up in exactly one place (CONTRACT section 4): counted, excluded by a
    rule, or rejected, summed per measurement year, outcome, reason, relation type and sector,
    and a counted line also per person and employer, with the employer's government subsector
    and labour market region: the one place where a line is classified, read by the letter's
    measurement (int_december_hours_aggregated), the reconciliation and the breakdowns below
    sector level (mart_government_subsectors, mart_regions).
    The rules, in this order:
      rejected  the line is unusable (macro payroll_line_rejection_reason): a missing id or one
                that looks like a BSN, a bad period, a duplicate, bad hours, an unknown
                relation type;
      excluded  rule 2: the period does not end in December (outside_reference_month);
                rule 4: sheltered_internal lines never count (sheltered_internal);
                rule 3: the person is not in the register on 31 December (not_in_register);
      rejected  rule 4: a regular line whose employer has no sector that year;
      counted   everything else, with its employment form and (formal) the employer's sector.
    For speed at national scale (30 million lines): duplicates are found by sorting one 64-bit
    hash per line and checking equal neighbours exactly; the lines are read once more and
    summed in one aggregation (a valid December line per person and employer, every other line
    without), and only those sums meet the register and the employers.
    Incremental by measurement year: see macro payroll_years_filter. -#}
{%- set is_duplicate = '(payroll_lines.person_id, payroll_lines.employer_id, '
    ~ 'payroll_lines.period_start, payroll_lines.period_end) in (select person_id, employer_id, '
    ~ 'period_start, period_end from duplicate_keys)' %}

with

payroll_lines as {{ cte_inlined() }} (
    select * from {{ ref('stg_payroll__payroll_lines') }}
    where {{ payroll_years_filter('period_end', announce=true) }}
),

register as (
    select * from {{ ref('stg_payroll__target_group_register') }}
),

employers as (
    select * from {{ ref('stg_payroll__employers') }}
),

-- Hashes that occur more than once: candidates for duplicate lines (almost always none).
repeated_line_hashes as {{ cte_computed_once() }} (
    select distinct line_hash
    from (
        select
            line_hash,
            lag(line_hash) over (order by line_hash) as previous_line_hash
        from (
            select
                {{ row_hash(['person_id', 'employer_id', 'period_start', 'period_end']) }}
                    as line_hash
            from payroll_lines
        ) as hashed
    ) as neighbours
    where line_hash = previous_line_hash
),

duplicate_keys as {{ cte_computed_once() }} (
    select
        payroll_lines.person_id,
        payroll_lines.employer_id,
        payroll_lines.period_start,
        payroll_lines.period_end
    from payroll_lines
    inner join repeated_line_hashes
        on
            {{ row_hash(['payroll_lines.person_id', 'payroll_lines.employer_id',
                'payroll_lines.period_start', 'payroll_lines.period_end']) }}
            = repeated_line_hashes.line_hash
    group by
        payroll_lines.person_id,
        payroll_lines.employer_id,
        payroll_lines.period_start,
        payroll_lines.period_end
    having count(*) > 1
),

-- A line is a duplicate when its key is one of duplicate_keys: an IN subquery rather than a left
-- join, so that the engine builds its hash table on the few duplicate keys and streams the lines
-- past it (DuckDB, misjudging the keys' size, built a left join's table on the 30 million lines).
validated as {{ cte_inlined() }} (
    select
        payroll_lines.*,
        {{ measurement_year_of('payroll_lines.period_end') }} as measurement_year,
        coalesce({{ is_in_reference_month('payroll_lines.period_end') }}, false)
            as is_reference_month,
        {{ payroll_line_rejection_reason('payroll_lines', is_duplicate) }} as rejection_reason
    from payroll_lines
),

-- Every line summed once, in one pass: a valid line of the reference month with its person and
-- employer (rules 3 and 4 need them), every other line without.
lines_summed as (
    select
        measurement_year,
        is_reference_month,
        rejection_reason,
        case when rejection_reason is null then relation_type end as relation_type,
        case when rejection_reason is null and is_reference_month then person_id end
            as person_id,
        case when rejection_reason is null and is_reference_month then employer_id end
            as employer_id,
        count(*) as n_lines,
        sum(paid_hours) as paid_hours
    from validated
    group by
        measurement_year,
        is_reference_month,
        rejection_reason,
        case when rejection_reason is null then relation_type end,
        case when rejection_reason is null and is_reference_month then person_id end,
        case when rejection_reason is null and is_reference_month then employer_id end
),

-- Rejected lines, and valid lines outside the reference month.
other_lines_classified as (
    select
        measurement_year,
        is_reference_month,
        relation_type,
        {{ employment_form('relation_type') }} as employment_form,
        cast(null as {{ dbt.type_string() }}) as employer_sector,
        case when rejection_reason is null then 'excluded' else 'rejected' end as outcome,
        coalesce(rejection_reason, 'outside_reference_month') as reason,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_string() }}) as employer_id,
        cast(null as {{ dbt.type_string() }}) as government_subsector,
        cast(null as {{ dbt.type_string() }}) as labour_market_region,
        n_lines,
        paid_hours
    from lines_summed
    where rejection_reason is not null or not is_reference_month
),

-- Valid lines of the reference month meet the register (rule 3) and the employers (rule 4).
reference_month_lines as (
    select
        lines_summed.measurement_year,
        lines_summed.person_id,
        lines_summed.employer_id,
        lines_summed.relation_type,
        lines_summed.n_lines,
        lines_summed.paid_hours,
        {{ employment_form('lines_summed.relation_type') }} as employment_form,
        employers.sector as employer_sector,
        employers.government_subsector,
        employers.labour_market_region,
        {{ is_registered_on_reference_day('lines_summed.person_id', 'lines_summed.measurement_year',
            'register') }} as is_registered
    from lines_summed
    left join employers
        on
            lines_summed.employer_id = employers.employer_id
            and lines_summed.measurement_year = employers.employer_year
            and lines_summed.relation_type = 'regular'
    where lines_summed.rejection_reason is null and lines_summed.is_reference_month
),

reference_month_outcomes as (
    select
        measurement_year,
        person_id,
        employer_id,
        relation_type,
        employment_form,
        case when employment_form = 'formal' then employer_sector end as employer_sector,
        government_subsector,
        labour_market_region,
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
        end as reason,
        n_lines,
        paid_hours
    from reference_month_lines
),

-- A counted line keeps its person and employer (and the employer's subsector and region, which
-- only formal lines have); the other December lines are summed without them.
reference_month_classified as (
    select
        measurement_year,
        true as is_reference_month,
        relation_type,
        employment_form,
        employer_sector,
        outcome,
        reason,
        case when outcome = 'counted' then person_id end as person_id,
        case when outcome = 'counted' then employer_id end as employer_id,
        case when outcome = 'counted' and employment_form = 'formal' then government_subsector end
            as government_subsector,
        case when outcome = 'counted' and employment_form = 'formal' then labour_market_region end
            as labour_market_region,
        n_lines,
        paid_hours
    from reference_month_outcomes
),

reference_month_summed as (
    select
        measurement_year,
        is_reference_month,
        relation_type,
        employment_form,
        employer_sector,
        outcome,
        reason,
        person_id,
        employer_id,
        government_subsector,
        labour_market_region,
        sum(n_lines) as n_lines,
        sum(paid_hours) as paid_hours
    from reference_month_classified
    group by
        measurement_year,
        is_reference_month,
        relation_type,
        employment_form,
        employer_sector,
        outcome,
        reason,
        person_id,
        employer_id,
        government_subsector,
        labour_market_region
),

unioned as (
    select * from reference_month_summed
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
        person_id,
        employer_id,
        government_subsector,
        labour_market_region,
        cast(n_lines as bigint) as n_lines,
        cast(paid_hours as decimal(38, 2)) as paid_hours
    from unioned
)

{{ with_input_fingerprint('final') }}
