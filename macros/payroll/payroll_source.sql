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


{#- All columns of a person-level dataset, and `column` (of `data_type`, null) when no file
    has it: an optional column (employers.total_paid_hours) may be absent.
      DuckDB  a union by name with an empty relation that has the column: no query at compile
              time, so a build that never reads the files (lint, docs) does not need them.
      others  the engine is asked which columns the files have (a query that returns no rows),
              and the column is added as null when it is not among them. -#}
{% macro with_optional_column(relation, column, data_type) -%}
    {{ return(adapter.dispatch('with_optional_column', 'banenafspraak')(relation, column, data_type)) }}
{%- endmacro %}

{% macro duckdb__with_optional_column(relation, column, data_type) -%}
    select * from {{ relation }}
    union all by name
    select cast(null as {{ data_type }}) as {{ column }}
    where false
{%- endmacro %}

{% macro default__with_optional_column(relation, column, data_type) -%}
    {%- set delivered = [] -%}
    {%- if execute -%}
        {%- set probe = run_query('select * from ' ~ relation ~ ' as delivered where 1 = 0') -%}
        {%- set delivered = probe.column_names | map('lower') | list -%}
    {%- endif -%}
    select
        delivered.*
        {%- if execute and column not in delivered %},
        cast(null as {{ data_type }}) as {{ column }}
        {%- endif %}
    from {{ relation }} as delivered
{%- endmacro %}
