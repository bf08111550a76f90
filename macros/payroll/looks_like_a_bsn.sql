{#- Whether an identifier looks like a Dutch citizen service number (BSN): nine digits that
    pass the 11-test (9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11). The input must hold
    pseudonymous ids only. A character that is not a digit makes its cast null, and so the
    whole test false. -#}
{% macro looks_like_a_bsn(column) -%}
    (
        length({{ column }}) = 9
        and coalesce(
            (
                {%- for weight in [9, 8, 7, 6, 5, 4, 3, 2, -1] %}
                {{ weight }} * {{ dbt.safe_cast('substr(' ~ column ~ ', ' ~ loop.index ~ ', 1)', 'integer') }}
                {%- if not loop.last %} +{% endif %}
                {%- endfor %}
            ) % 11 = 0,
            false
        )
    )
{%- endmacro %}
