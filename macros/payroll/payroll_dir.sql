{#- The folder of the person-level input (environment variable BANENAFSPRAAK_PAYROLL_DIR);
    empty when the measurement runs on the aggregated seed. -#}
{% macro payroll_dir() -%}
    {{ return(env_var('BANENAFSPRAAK_PAYROLL_DIR', '')) }}
{%- endmacro %}

{#- The name of an input file without its folder, from the `filename` column: what the
    audit shows, and never a machine path. -#}
{% macro file_name_of(filename_column) -%}
    {{ return(adapter.dispatch('file_name_of', 'banenafspraak')(filename_column)) }}
{%- endmacro %}

{% macro default__file_name_of(filename_column) -%}
    regexp_extract({{ filename_column }}, '[^/\\]*$')
{%- endmacro %}

{#- Spark's regexp_extract returns group 1 unless told 0 (the whole match); its string
    literals read backslash escapes, so the class needs four. -#}
{% macro spark__file_name_of(filename_column) -%}
    regexp_extract({{ filename_column }}, '[^/\\\\]*$', 0)
{%- endmacro %}

{% macro postgres__file_name_of(filename_column) -%}
    substring({{ filename_column }} from '[^/\\]*$')
{%- endmacro %}

{#- The bases of a registration in the target group register (CONTRACT 1b). -#}
{% macro register_bases() -%}
    {{ return(['wajong', 'wsw', 'participatiewet', 'indicatie', 'wiw_id']) }}
{%- endmacro %}
