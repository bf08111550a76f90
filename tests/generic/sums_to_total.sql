{#- Totals within rounding (CONTRACT rule 8). For every combination of `group_by`, the rows whose
    `split_column` is one of `parts` add up to the row whose `split_column` is `total`:
    exactly before rounding (within a relative `tolerance` for floating point) and within
    `max_rounding_difference` jobs after each figure was rounded on its own. A part or total that
    is missing is a failure too. -#}
{% test sums_to_total(
    model,
    column_name,
    rounded_column_name,
    split_column,
    parts,
    total,
    group_by,
    tolerance=1e-9,
    max_rounding_difference=1
) %}
    {%- set group_csv = group_by | join(', ') %}

    with

    parts as (
        select
            {{ group_csv }},
            count(*) as n_parts,
            sum({{ column_name }}) as parts_value,
            sum({{ rounded_column_name }}) as parts_rounded
        from {{ model }}
        where {{ split_column }} in ('{{ parts | join("', '") }}')
        group by {{ group_csv }}
    ),

    totals as (
        select
            {{ group_csv }},
            {{ column_name }} as total_value,
            {{ rounded_column_name }} as total_rounded
        from {{ model }}
        where {{ split_column }} = '{{ total }}'
    ),

    compared as (
        select
            {% for column in group_by -%}
                coalesce(parts.{{ column }}, totals.{{ column }}) as {{ column }},
            {% endfor -%}
            parts.n_parts,
            parts.parts_value,
            totals.total_value,
            parts.parts_rounded,
            totals.total_rounded
        from parts
        full outer join totals
            on
                {% for column in group_by -%}
                    parts.{{ column }} = totals.{{ column }}
                    {%- if not loop.last %} and {% endif %}
                {% endfor %}
    )

    select
        *,
        {{ dbt.concat([
            "'" ~ model.identifier ~ ", ('",
            "cast(" ~ group_by | join(" as " ~ dbt.type_string() ~ ") || ', ' || cast(") ~ " as " ~ dbt.type_string() ~ ")",
            "'): the " ~ column_name ~ " of " ~ parts | join(' + ') ~ " add up to '",
            "coalesce(cast(parts_value as " ~ dbt.type_string() ~ "), 'nothing')",
            "' (rounded '", "coalesce(cast(parts_rounded as " ~ dbt.type_string() ~ "), '-')",
            "'), the " ~ total ~ " row says '",
            "coalesce(cast(total_value as " ~ dbt.type_string() ~ "), 'nothing')",
            "' (rounded '", "coalesce(cast(total_rounded as " ~ dbt.type_string() ~ "), '-')",
            "'): totals are sums of unrounded values (CONTRACT rule 8).'",
        ]) }} as message
    from compared
    where
        n_parts is null
        or n_parts != {{ parts | length }}
        or total_value is null
        or abs(parts_value - total_value)
        > {{ tolerance }} * (case when abs(total_value) > 1 then abs(total_value) else 1 end)
        or abs(parts_rounded - total_rounded) > {{ max_rounding_difference }}
{% endtest %}
