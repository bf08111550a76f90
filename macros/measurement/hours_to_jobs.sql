{#- CONTRACT rule 5: jobs = paid hours in December / the statutory hours of one December job.
    The one place where hours become jobs. No cap per person. -#}
{% macro hours_to_jobs(hours_column) -%}
    cast({{ hours_column }} as {{ type_double() }})
    / cast({{ var('hours_per_december_job') }} as {{ type_double() }})
{%- endmacro %}
