{#- CONTRACT rule 3: the day on which register membership counts for measurement year Y,
    31 December Y (the last day of the reference month December Y, rule 1). -#}
{% macro reference_day(year_expression) -%}
    cast(
        {{ dbt.concat(["cast(" ~ year_expression ~ " as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }}
        as date
    )
{%- endmacro %}
