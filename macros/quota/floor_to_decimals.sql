{#- numerator / denominator rounded DOWN (towards minus infinity) to `decimals` decimals, exactly:
    both are scaled to whole numbers of millionths (the operands are exact numbers, integers or
    decimals with at most six decimals) and divided as whole numbers (exact_integer_type,
    integer_division: 128-bit on DuckDB, numeric on PostgreSQL, 64-bit on Spark), so that a value on a
    boundary (1.93 exactly, a shortfall of 2.0 jobs) is never lost to floating point, as
    floor(x / y * 100) / 100 in doubles may lose it. Returns a decimal(38, decimals); null when
    either operand is null or the denominator is 0. -#}
{% macro floor_to_decimals(numerator, denominator, decimals) -%}
    {%- set dividend = 'cast(cast(' ~ numerator ~ ' as decimal(38, 6)) * '
        ~ (1000000 * 10 ** decimals) ~ ' as ' ~ exact_integer_type() ~ ')' -%}
    {%- set divisor = 'cast(cast(' ~ denominator ~ ' as decimal(38, 6)) * 1000000 as ' ~ exact_integer_type() ~ ')' -%}
    (
        cast(
            {{ integer_division(dividend, 'nullif(' ~ divisor ~ ', 0)') }}
            - case
                when
                    {{ dividend }} % nullif({{ divisor }}, 0) != 0
                    and ({{ dividend }} < 0) != ({{ divisor }} < 0)
                    then 1
                else 0
            end
            as decimal(38, 0)
        )
        {%- if decimals > 0 %} * {{ '0.' ~ '0' * (decimals - 1) ~ '1' }}{% endif %}
    )
{%- endmacro %}


{#- The widest whole-number type each engine divides exactly. Spark's `div` returns a 64-bit
    long: enough for 100 x 92 million hours in millionths of a hundredth (9.2e17 < 9.2e18). -#}
{% macro exact_integer_type() -%}
    {{ return(adapter.dispatch('exact_integer_type', 'banenafspraak')()) }}
{%- endmacro %}

{% macro default__exact_integer_type() -%}
    {{ return('hugeint') }}
{%- endmacro %}

{% macro postgres__exact_integer_type() -%}
    {{ return('numeric(38, 0)') }}
{%- endmacro %}

{% macro spark__exact_integer_type() -%}
    {{ return('bigint') }}
{%- endmacro %}


{#- Whole-number division, truncated towards zero. -#}
{% macro integer_division(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_division', 'banenafspraak')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_division(dividend, divisor) -%}
    ({{ dividend }} // {{ divisor }})
{%- endmacro %}

{% macro postgres__integer_division(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}

{% macro spark__integer_division(dividend, divisor) -%}
    ({{ dividend }} div {{ divisor }})
{%- endmacro %}
