{#- Whether the marts are to reproduce the published figures: var `compare_published_figures`
    when set; by default on for the embedded seed and off for person-level input, whose
    population (generated or a test set) cannot match them. A real national extract should
    match: its user sets the var to true. -#}
{% macro compare_published_figures() -%}
    {%- set configured = var('compare_published_figures') -%}
    {%- if configured is none -%}
        {{ return(measurement_input() == 'aggregated') }}
    {%- else -%}
        {{ return(configured in [true, 'true', 'True', 1, '1']) }}
    {%- endif -%}
{%- endmacro %}
