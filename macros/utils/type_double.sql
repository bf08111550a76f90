{#- An 8-byte floating point type. type_double() is FLOAT, which is 4 bytes on DuckDB and
    would lose jobs to single precision (0.24 + 0.76 = 0.99999998). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
