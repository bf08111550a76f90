{#- dbt.safe_cast on DuckDB: `try_cast`, null where the value does not parse. dbt-duckdb does
    not implement it, and dbt's default is a plain `cast`, which stops the query at the first
    unreadable value instead of letting the row be rejected with its reason. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
