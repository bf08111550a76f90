{#- Accepted values for several columns of a model in one query: fails on every row where a
    column holds a value outside its list. A null fails too, unless the column's list holds
    null (`~` in YAML). A YAML true/false is compared as a boolean, everything else as text
    (Spark does not compare a boolean column with 'True'). -#}
{% test accepted_values_by_column(model, values_by_column) %}
    {%- for column, values in values_by_column.items() %}
        {%- set listed = values | reject('none') | list %}
        {%- if not loop.first %}

    union all
        {%- endif %}

    select
        '{{ column }}' as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as unexpected_value,
        count(*) as n_rows,
        {{ dbt.concat([
            "'" ~ model.identifier ~ ": '", "cast(count(*) as " ~ dbt.type_string() ~ ")",
            "' rows have " ~ column ~ " = '",
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'null')",
            "', which is not one of: " ~ (values | map('string') | join(', ') | replace("'", "''")) ~ "'",
        ]) }} as message
    from {{ model }}
    where
        {%- if listed %}
        {{ column }} not in ({{ sql_values(listed) }})
        {%- else %}
        false
        {%- endif %}
        {%- if none not in values %}
        or {{ column }} is null
        {%- endif %}
    group by {{ column }}
    {%- endfor %}
{% endtest %}
