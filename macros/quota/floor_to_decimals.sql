{#- numerator / denominator rounded DOWN (towards minus infinity) to `decimals` decimals, exactly:
    both are scaled to whole numbers of millionths (the operands are exact numbers, integers or
    decimals with at most six decimals) and divided as 128-bit integers, so that a value on a
    boundary (1.93 exactly, a shortfall of 2.0 jobs) is never lost to floating point, as
    floor(x / y * 100) / 100 in doubles may lose it. Returns a decimal(38, decimals); null when
    either operand is null or the denominator is 0. -#}
{% macro floor_to_decimals(numerator, denominator, decimals) -%}
    {%- set dividend = 'cast(cast(' ~ numerator ~ ' as decimal(38, 6)) * '
        ~ (1000000 * 10 ** decimals) ~ ' as hugeint)' -%}
    {%- set divisor = 'cast(cast(' ~ denominator ~ ' as decimal(38, 6)) * 1000000 as hugeint)' -%}
    (
        cast(
            {{ dividend }} // nullif({{ divisor }}, 0)
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
