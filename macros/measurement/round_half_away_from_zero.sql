{#- CONTRACT rule 8: every published figure is its own unrounded value rounded half away from zero
    to a whole job (724.5 -> 725, -314.5 -> -315). Written out instead of round(), whose tie rule
    differs between engines and types (PostgreSQL rounds a double half to even). The value is
    first rounded to a millionth of a job, so that floating-point noise does not move an exact tie:
    8,892.5 reached as a sum of two doubles is 8,892.4999999999927, and must still become 8,893. -#}
{% macro round_half_away_from_zero(value) -%}
    cast(sign({{ value }}) * floor({{ round_to_millionths('abs(' ~ value ~ ')') }} + 0.5) as integer)
{%- endmacro %}


{#- round(x, 6). PostgreSQL rounds only numeric to decimals, not double precision. -#}
{% macro round_to_millionths(value) -%}
    {{ return(adapter.dispatch('round_to_millionths', 'banenafspraak')(value)) }}
{%- endmacro %}

{% macro default__round_to_millionths(value) -%}
    round({{ value }}, 6)
{%- endmacro %}

{% macro postgres__round_to_millionths(value) -%}
    round(cast({{ value }} as numeric), 6)
{%- endmacro %}
