{#- CONTRACT rules 1 and 2: a payroll line belongs to the measurement year of its period end,
    and counts when that period end falls in December (the reference month). ANSI extract(),
    which DuckDB, PostgreSQL and Spark all read. -#}
{% macro measurement_year_of(period_end_column) -%}
    cast(extract(year from {{ period_end_column }}) as integer)
{%- endmacro %}

{% macro is_in_reference_month(period_end_column) -%}
    (extract(month from {{ period_end_column }}) = 12)
{%- endmacro %}
