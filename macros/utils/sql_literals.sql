{#- A SQL string literal. -#}
{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}


{#- A list of texts as a SQL list of string literals, for `in (...)`. -#}
{% macro sql_list(texts) -%}
    {%- for text in texts -%}{{ sql_string(text) }}{% if not loop.last %}, {% endif %}{%- endfor -%}
{%- endmacro %}
