{#- The measurement year a report shows: var `report_year` when given, else the latest year in
    `relation` (a CTE or model with a measurement_year column). Returns a one-row select. -#}
{% macro report_year(relation) -%}
    {%- if var('report_year', none) is not none -%}
        select {{ var('report_year') }} as measurement_year
    {%- else -%}
        select max(measurement_year) as measurement_year
        from {{ relation }}
    {%- endif -%}
{%- endmacro %}
