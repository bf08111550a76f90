{#- The folder of the person-level input (environment variable BANENAFSPRAAK_PAYROLL_DIR);
    empty when the measurement runs on the aggregated seed. -#}
{% macro payroll_dir() -%}
    {{ return(env_var('BANENAFSPRAAK_PAYROLL_DIR', '')) }}
{%- endmacro %}
