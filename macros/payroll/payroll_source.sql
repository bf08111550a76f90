{#- The rows of one person-level dataset (`payroll_lines`, `target_group_register`,
    `employers`) with the column `filename` (the file each row came from), on every engine:

    DuckDB      source('payroll', name): read_parquet / read_csv of the files in
                BANENAFSPRAAK_PAYROLL_DIR (the source's external_location), filename = true.
    Spark       the same Parquet files, read in place: parquet.`<folder>/<name>*.parquet`, with
                input_file_name(); files with and without an optional column are merged by
                name (spark.sql.parquet.mergeSchema in profiles.yml).
    PostgreSQL  the table payroll_input.<name>, which scripts/engines.py loads from the same
                Parquet files (PostgreSQL reads no Parquet), with the column filename.

    CSV input (BANENAFSPRAAK_PAYROLL_FORMAT=csv) is read by DuckDB only. -#}
{% macro payroll_source(name) -%}
    {%- set relation = source('payroll', name) -%}
    {%- if target.type != 'duckdb' and env_var('BANENAFSPRAAK_PAYROLL_FORMAT', 'parquet') != 'parquet' -%}
        {{ exceptions.raise_compiler_error(
            'BANENAFSPRAAK_PAYROLL_FORMAT=' ~ env_var('BANENAFSPRAAK_PAYROLL_FORMAT')
            ~ ': person-level CSV files are read by the duckdb target only. On ' ~ target.type
            ~ ', deliver Parquet files (docs/CONTRACT.md, section 1b).'
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('payroll_source', 'banenafspraak')(name, relation)) }}
{%- endmacro %}

{% macro default__payroll_source(name, relation) -%}
    {{ relation }}
{%- endmacro %}

{% macro spark__payroll_source(name, relation) -%}
    (
        select
            *,
            input_file_name() as filename
        from parquet.`{{ payroll_dir() }}/{{ name }}*.parquet`
    )
{%- endmacro %}


{#- The columns a person-level dataset has as delivered (lower case): an optional column
    (employers.total_paid_hours) may be absent. Asked of the engine at run time. -#}
{% macro delivered_columns(name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set probe = run_query('select * from ' ~ payroll_source(name) ~ ' as delivered where 1 = 0') -%}
    {{ return(probe.column_names | map('lower') | list) }}
{%- endmacro %}
