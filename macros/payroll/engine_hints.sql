{#- Engine-specific pieces of the payroll classification, dispatched per adapter. -#}

{#- A CTE that the engine should inline into each consumer (re-reading the files is cheaper than
    storing 30 million lines) or compute once (a small result used twice). Spark has no hint. -#}
{% macro cte_inlined() -%}
    {{ return(adapter.dispatch('cte_inlined')()) }}
{%- endmacro %}

{% macro default__cte_inlined() -%}
    not materialized
{%- endmacro %}

{% macro spark__cte_inlined() -%}
{%- endmacro %}

{% macro cte_computed_once() -%}
    {{ return(adapter.dispatch('cte_computed_once')()) }}
{%- endmacro %}

{% macro default__cte_computed_once() -%}
    materialized
{%- endmacro %}

{% macro spark__cte_computed_once() -%}
{%- endmacro %}

{#- A 64-bit hash of several columns: equal rows give equal hashes; different rows almost never
    do, and the classification checks candidates exactly. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro postgres__row_hash(columns) -%}
    hashtextextended(concat_ws('|', {{ columns | join(', ') }}), 0)
{%- endmacro %}

{#- An order-independent fingerprint of a group of rows: the sum of their 64-bit hashes, exact
    in a decimal(38, 0) (30 million hashes stay below 10^27). A row added, removed or changed
    changes it; rows that swap places do not. As text, so that it is compared as it is. -#}
{% macro content_hash(columns) -%}
    cast(sum(cast({{ row_hash(columns) }} as decimal(38, 0))) as {{ dbt.type_string() }})
{%- endmacro %}
