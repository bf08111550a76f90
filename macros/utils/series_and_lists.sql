{#- The whole numbers 0 .. below - 1 as a derived table with one column `n`, for `below` a
    power of ten: cross joins of the ten digits. Written out because generate_series and
    unnest are DuckDB's and PostgreSQL's, not Spark's. -#}
{% macro whole_numbers(below) -%}
    {%- set n_digits = ((below | string) | length) - 1 -%}
    {%- if below != 10 ** n_digits or n_digits < 1 -%}
        {{ exceptions.raise_compiler_error('whole_numbers: `below` must be 10, 100, 1000, ...; got ' ~ below) }}
    {%- endif -%}
    (
        select
            {% for position in range(n_digits) -%}
                digit_{{ position }}.d * {{ 10 ** position }}{{ ' + ' if not loop.last }}
            {%- endfor %} as n
        from
            {% for position in range(n_digits) -%}
                (
                    {% for digit in range(10) -%}
                        select {{ digit }} as d{{ ' union all ' if not loop.last }}
                    {%- endfor %}
                ) as digit_{{ position }}{{ ' cross join ' if not loop.last }}
            {% endfor %}
    )
{%- endmacro %}


{#- An aggregate: the values of `measure` (text of equal length, such as years) in ascending
    order, joined by `separator`. Spark's collect_list has no order, so it sorts the list. -#}
{% macro sorted_list(measure, separator=', ') -%}
    {{ return(adapter.dispatch('sorted_list', 'banenafspraak')(measure, separator)) }}
{%- endmacro %}

{% macro default__sorted_list(measure, separator) -%}
    string_agg({{ measure }}, {{ sql_string(separator) }} order by {{ measure }})
{%- endmacro %}

{% macro spark__sorted_list(measure, separator) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ sql_string(separator) }})
{%- endmacro %}
