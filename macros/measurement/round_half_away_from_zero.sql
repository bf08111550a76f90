{#- CONTRACT rule 8: every published figure is its own unrounded value rounded half away from zero
    to a whole job (724.5 -> 725, -314.5 -> -315). Written out instead of round(), whose tie rule
    differs between engines and types (PostgreSQL rounds a double half to even). -#}
{% macro round_half_away_from_zero(value) -%}
    cast(sign({{ value }}) * floor(abs({{ value }}) + 0.5) as integer)
{%- endmacro %}
