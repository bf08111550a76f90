{#- The rows of one person-level dataset (`payroll_lines`, `target_group_register`,
    `employers`) with the column `filename` (the file each row came from), on every engine, in
    the format payroll_format finds (which also refuses CSV on an engine other than DuckDB):

    DuckDB      read_parquet / read_csv of the files `<name>*.parquet` or `<name>*.csv` in
                BANENAFSPRAAK_PAYROLL_DIR, built here at execution time because the files decide
                the format (the sources' YAML is rendered while parsing, before anything can
                look at them). CSV is read as text, typed in staging (payroll_input_cast). Both
                readers merge files by column name, so a file without an optional column is read
                with it empty (Parquet statistics still prune).
    Spark       the same Parquet files, read in place: parquet.`<folder>/<name>*.parquet`, with
                input_file_name(); files with and without an optional column are merged by
                name (spark.sql.parquet.mergeSchema in profiles.yml).
    PostgreSQL  the table payroll_input.<name>, which src/banenafspraak/engines.py loads from the same
                Parquet files (PostgreSQL reads no Parquet), with the column filename.

    Without a payroll folder (the measurement on the aggregated seed) every engine reads an
    empty relation with the contract's columns (payroll_source_empty), so that the payroll
    models exist and are built on every input, empty.

    source('payroll', name) is called on every engine, so that dbt knows each staging model's
    source. -#}
{% macro payroll_source(name) -%}
    {%- set relation = source('payroll', name) -%}
    {%- if payroll_dir() == '' -%}
        {{ return(payroll_source_empty(name)) }}
    {%- endif -%}
    {%- set data_format = payroll_format() -%}
    {{ return(adapter.dispatch('payroll_source', 'banenafspraak')(name, relation, data_format)) }}
{%- endmacro %}

{#- No rows, with the columns of source `payroll`.`name` as its YAML types them (engine_type),
    and `filename`. -#}
{% macro payroll_source_empty(name) -%}
    {%- set columns = [] -%}
    {%- if not execute -%}
        {#- While parsing (no graph yet) the SQL is thrown away. -#}
        {{ return('(select 1 as parsing where 1 = 0)') }}
    {%- endif -%}
    {%- for source in graph.sources.values()
        if source.source_name == 'payroll' and source.name == name -%}
        {%- for column in source.columns.values() -%}
            {%- do columns.append('cast(null as ' ~ engine_type(column.data_type) ~ ') as '
                ~ column.name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as filename') -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' where 1 = 0)') }}
{%- endmacro %}

{% macro default__payroll_source(name, relation, data_format) -%}
    {{ relation }}
{%- endmacro %}

{#- The files of one person-level dataset on DuckDB, as a quoted glob:
    '<BANENAFSPRAAK_PAYROLL_DIR>/<name>*.<format>'. -#}
{% macro payroll_files_glob(name, data_format) -%}
    {{ return(sql_string(payroll_dir() ~ '/' ~ name ~ '*.' ~ data_format)) }}
{%- endmacro %}

{% macro duckdb__payroll_source(name, relation, data_format) -%}
    {%- set files = payroll_files_glob(name, data_format) -%}
    {%- if data_format == 'csv' -%}
        read_csv({{ files }}, header = true, all_varchar = true, delim = ',', quote = '"',
            escape = '"', union_by_name = true, filename = true)
    {%- else -%}
        read_parquet({{ files }}, union_by_name = true, filename = true)
    {%- endif -%}
{%- endmacro %}

{% macro spark__payroll_source(name, relation, data_format) -%}
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


{#- One digest per file of the payroll `lines` (the staged lines: a relation or CTE), as a
    derived table (file_name, digest): what int_input_fingerprints records for the files that
    hold a year's lines.
      DuckDB  the MD5 of the file's bytes (read_blob), which `md5sum` on the file gives too:
              one read of the bytes, without decoding them, and exact: any change of the file
              changes it (so does rewriting the same lines in other bytes, which only rebuilds
              a year that did not need it).
      others  Spark reads the files but has no reader of whole files in dbt's SQL, and
              PostgreSQL has tables, not files: the order-independent hash of the staged lines
              of each file (macro content_hash), one pass over the lines. -#}
{% macro payroll_line_file_digests(lines) -%}
    {{ return(adapter.dispatch('payroll_line_file_digests', 'banenafspraak')(lines)) }}
{%- endmacro %}

{% macro default__payroll_line_file_digests(lines) -%}
    (
        select
            file_name,
            {{ content_hash(['person_id', 'employer_id', 'period_start', 'period_end',
                'relation_type', 'paid_hours', 'paid_hours_unreadable']) }} as digest
        from {{ lines }}
        group by file_name
    )
{%- endmacro %}

{% macro duckdb__payroll_line_file_digests(lines) -%}
    {%- if payroll_dir() == '' -%}
        {{ return(default__payroll_line_file_digests(lines)) }}
    {%- endif %}
    (
        select
            {{ file_name_of('filename') }} as file_name,
            md5(content) as digest
        from read_blob({{ payroll_files_glob('payroll_lines', payroll_format()) }})
    )
{%- endmacro %}
