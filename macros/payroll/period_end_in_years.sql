{#- A filter on the period end of payroll lines: true for lines of the given measurement years,
    written as literal date ranges so that Parquet statistics skip the other years. A year
    `none` stands for lines without a readable period end. No years: false. -#}
{% macro period_end_in_years(period_end_column, years) -%}
    {%- if years | length == 0 -%}
        false
    {%- else -%}
        (
        {%- for year in years %}
            {% if not loop.first %}or {% endif -%}
            {%- if year is none -%}
                {{ period_end_column }} is null
            {%- else -%}
                (
                    {{ period_end_column }} >= cast('{{ year }}-01-01' as date)
                    and {{ period_end_column }} < cast('{{ year + 1 }}-01-01' as date)
                )
            {%- endif -%}
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}
