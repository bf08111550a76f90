{#- A SQL string literal. -#}
{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}


{#- A list of texts as a SQL list of string literals, for `in (...)`. -#}
{% macro sql_list(texts) -%}
    {%- for text in texts -%}{{ sql_string(text) }}{% if not loop.last %}, {% endif %}{%- endfor -%}
{%- endmacro %}


{#- A list of values as SQL literals, for `in (...)`: booleans as true/false, the rest as
    string literals. -#}
{% macro sql_values(values) -%}
    {%- for value in values -%}
        {%- if value is sameas true or value is sameas false -%}{{ value | string | lower }}
        {%- else -%}{{ sql_string(value) }}{%- endif -%}
        {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}
{%- endmacro %}
