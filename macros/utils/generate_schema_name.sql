{#- Use the configured schema name as it is (`marts`, not `main_marts`), so BI tools find the marts
    in a schema with a stable name. Without a custom schema, the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
