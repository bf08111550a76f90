{#- Disclosure control (statistische geheimhouding) of a breakdown: the rule of doc block
    rule_disclosure_control, written once for every mart below sector level.

    `cells` is a relation or CTE with one row per measurement_year and series (the
    `series_columns`; a series is one subsector, or one region in one sector, over all years),
    with its `persons` (at least 1: a cell without persons has no row) and its
    `value_columns`. Per measurement year, the cells with equal `sum_columns` add up to a figure
    published elsewhere (the sector total of fct_jobs): one sum.

      primary    a cell of 1 to var(disclosure_min_persons) - 1 persons is suppressed, with all
                 the cells of its series (every year, the baseline year included: extra jobs link
                 each year to the baseline);
      secondary  a sum that hides exactly one cell would give it away (total minus the
                 published cells). So the sum also hides its unsuppressed cell with the fewest
                 persons (ties: the smallest series key), again with its whole series. That
                 series may have a cell in a year in which its sum hid nothing, and make that
                 sum hide one cell: the step is repeated, `rounds` times (a round without such
                 a sum changes nothing). Each round after the first is needed only because the
                 previous one reached a year of the group in which nothing was hidden, so the
                 group's measured years + 1 rounds always suffice (var disclosure_rounds, 16: 2012-2026;
                 a unit test on three years needs four, and every round costs an engine that
                 plans them all at once, such as Spark, seconds). A sum
                 of one cell is the published total itself: it stays hiding one cell.

    Returns a query: the cells with the value columns and `persons` null where suppressed,
    `is_suppressed`, and `suppression_reason` (`fewer_than_min_persons` for a cell with too few
    persons of its own, `secondary` for the other suppressed cells, null). -#}
{% macro disclosure_control(cells, series_columns, sum_columns, value_columns, rounds=none) -%}
    {%- set rounds = rounds or var('disclosure_rounds') -%}
    {%- set min_persons = var('disclosure_min_persons') -%}
    {%- set series_csv = series_columns | join(', ') -%}
    {%- set sum_keys = ['measurement_year'] + sum_columns -%}
    with

    protected_cells as {{ cte_computed_once() }} (
        select
            measurement_year,
            {{ series_csv }},
            persons
        from {{ cells }}
    ),

    suppressed_series_0 as {{ cte_computed_once() }} (
        select distinct
            {{ series_csv }},
            true as is_series_suppressed
        from protected_cells
        where persons < {{ min_persons }}
    ),
    {%- for round in range(1, rounds + 1) %}
        {%- set previous = 'suppressed_series_' ~ (round - 1) %}

    -- Round {{ round }}: every sum that hides exactly one cell also hides its smallest other
    -- cell, with that cell's series. The previous round is read once (an engine that inlines
    -- CTEs, like Spark, would otherwise copy it into the plan three times a round: 3^16).
    marked_{{ round }} as (
        select
            protected_cells.*,
            {{ previous }}.is_series_suppressed is not null as is_suppressed
        from protected_cells
        left join {{ previous }}
            on {{ null_safe_equal(series_columns, 'protected_cells', previous) }}
    ),

    ranked_{{ round }} as (
        select
            {{ series_csv }},
            is_suppressed,
            sum(case when is_suppressed then 1 else 0 end) over (
                partition by {{ sum_keys | join(', ') }}
            ) as n_hidden_in_sum,
            row_number() over (
                partition by {{ sum_keys | join(', ') }}, is_suppressed
                order by persons, {{ series_csv }}
            ) as rank_among_same
        from marked_{{ round }}
    ),

    suppressed_series_{{ round }} as {{ cte_computed_once() }} (
        select distinct
            {{ series_csv }},
            true as is_series_suppressed
        from ranked_{{ round }}
        where
            is_suppressed
            or (n_hidden_in_sum = 1 and rank_among_same = 1)
    ),
    {%- endfor %}

    final as (
        select
            cells.measurement_year,
            {%- for column in series_columns %}
            cells.{{ column }},
            {%- endfor %}
            case when suppressed.is_series_suppressed is null then cells.persons end as persons,
            {%- for column in value_columns %}
            case when suppressed.is_series_suppressed is null then cells.{{ column }} end
                as {{ column }},
            {%- endfor %}
            suppressed.is_series_suppressed is not null as is_suppressed,
            case
                when cells.persons < {{ min_persons }} then 'fewer_than_min_persons'
                when suppressed.is_series_suppressed then 'secondary'
            end as suppression_reason
        from {{ cells }} as cells
        left join suppressed_series_{{ rounds }} as suppressed
            on {{ null_safe_equal(series_columns, 'cells', 'suppressed') }}
    )

    select * from final
{%- endmacro %}


{#- A join condition on equal columns of two relations in which null equals null (a loan row
    has no subsector, an employer may have no region). -#}
{% macro null_safe_equal(columns, left, right) -%}
    {%- for column in columns -%}
        {% if not loop.first %} and {% endif -%}
        {{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
    {%- endfor -%}
{%- endmacro %}
