{#- The first check of every build (on-run-start hook in dbt_project.yml): can the input be read
    at all? Before a seed is loaded or a payroll file is scanned, each input file is checked for
    what makes every later step fail or, worse, read wrong: a missing file, an empty file, a
    header without rows, a missing or renamed column, a Parquet column of the wrong type, and
    (CSV) lines that cannot be parsed: the wrong number of fields, text that is not UTF-8, an
    unterminated quote, and (seeds) a value that is not of the column's type.

    Every unreadable line is written to audit.unreadable_input_lines (emptied first, so it always
    describes the last build). All problems are then raised together as one message, and dbt
    stops before it builds anything: the marts keep the figures of the last good build.

    The seeds' columns and types are their `column_types` in dbt_project.yml; the payroll
    files' columns and types are the columns of source `payroll` (CONTRACT 1b). A source column
    with `meta: {optional: true}` (employers.total_paid_hours) may be absent from a file; when
    present, it is checked like any other. A payroll CSV is
    checked for its structure only: a value that does not parse there is not fatal but rejects
    its line, with the reason, in the classification (audit_rejected_rows).

    The payroll files are those of the format macro payroll_format_found finds (set by
    BANENAFSPRAAK_PAYROLL_FORMAT, or the kind of the files in the folder); a folder with files
    of both kinds or an unknown format is one of the problems. -#}
{% macro check_input_files() %}
    {{ return(adapter.dispatch('check_input_files', 'banenafspraak')()) }}
{%- endmacro %}


{#- Spark and PostgreSQL cannot read the files the check reads (PostgreSQL runs elsewhere and
    reads no Parquet; the check leans on DuckDB's CSV reader and its store_rejects). There the
    check runs in DuckDB before the build: banenafspraak run --target <name> does
    `dbt run-operation check_input_files --target duckdb` first. The build itself goes on. -#}
{% macro default__check_input_files() %}
    {%- if execute -%}
        {%- do log('Input files are checked by DuckDB before a build on ' ~ target.type
            ~ ' (banenafspraak run --target ' ~ target.name ~ ').', info=false) -%}
    {%- endif -%}
    {{ return('select 1') }}
{%- endmacro %}


{% macro duckdb__check_input_files() %}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- do run_query(
        'create schema if not exists audit; '
        ~ 'create or replace table audit.unreadable_input_lines ('
        ~ 'input_name varchar, file_name varchar, line_number bigint, error_type varchar, '
        ~ 'column_name varchar, problem varchar, csv_line varchar)'
    ) -%}
    {%- set problems = [] -%}

    {%- for node in graph.nodes.values() if node.resource_type == 'seed' -%}
        {%- do problems.extend(check_csv_file(
            'seed ' ~ node.name,
            node.root_path ~ '/' ~ node.original_file_path,
            node.original_file_path,
            node.config.column_types,
            check_values=true,
        )) -%}
    {%- endfor -%}

    {%- set found = payroll_format_found() if payroll_dir() != '' else {} -%}
    {%- if found.problem -%}
        {%- do problems.append(found.problem) -%}
    {%- elif found -%}
        {%- set extension = found.format -%}
        {%- for source in graph.sources.values() if source.source_name == 'payroll' -%}
            {%- set expected = {} -%}
            {%- set optional = [] -%}
            {%- for column in source.columns.values() -%}
                {%- do expected.update({column.name: column.data_type}) -%}
                {%- if is_optional_column(column) -%}
                    {%- do optional.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set files = payroll_files([source.name ~ '*.' ~ extension]) -%}
            {%- if files | length == 0 -%}
                {%- do problems.append(
                    'No ' ~ source.name ~ ' file in ' ~ payroll_dir() ~ ': expected one or more '
                    ~ 'files named ' ~ source.name ~ '*.' ~ extension ~ '. Check '
                    ~ 'BANENAFSPRAAK_PAYROLL_DIR, the file names, and BANENAFSPRAAK_PAYROLL_FORMAT '
                    ~ {
                        'set': '(now ' ~ extension ~ ')',
                        'detected': '(unset: ' ~ extension ~ ', the kind of the other files)',
                        'assumed': '(unset, and no file of either kind, CSV or Parquet, is there)',
                    }[found.how] ~ '.'
                ) -%}
            {%- endif -%}
            {%- for file in files -%}
                {%- if extension == 'csv' -%}
                    {%- do problems.extend(check_csv_file(
                        source.name, file, file, expected, check_values=false, optional=optional
                    )) -%}
                {%- else -%}
                    {%- do problems.extend(
                        check_parquet_file(source.name, file, expected, optional=optional)
                    ) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}

    {%- if problems | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            'The input cannot be read, so nothing was built; the marts keep the figures of the '
            ~ 'last good build.\n  - ' ~ problems | join('\n  - ')
        ) }}
    {%- endif -%}
    {{ return('select 1') }}
{%- endmacro %}


{#- A SQL expression: the type of the column named in `column_name`, by `expected`. -#}
{% macro column_types_case(expected) -%}
    case column_name
    {%- for name, data_type in expected.items() %} when {{ sql_string(name) }} then {{ sql_string(data_type) }}{% endfor %}
    else 'value of its type' end
{%- endmacro %}


{#- The problems of one CSV file, as sentences; its unreadable lines go to
    audit.unreadable_input_lines. `expected` maps each column to its type; `check_values` also
    rejects a value that is not of its column's type (seeds: they have no row-level rejection);
    a column in `optional` may be absent. -#}
{% macro check_csv_file(input_name, path, shown_path, expected, check_values, optional=[]) %}
    {%- set problems = [] -%}
    {%- set columns_text = columns_in_words(expected, optional) -%}
    {%- set size = run_query('select size from read_blob(' ~ sql_string(path) ~ ')').columns[0].values()[0] -%}
    {%- if size == 0 -%}
        {%- do problems.append(
            shown_path ~ ' is empty, not even a header line. It should hold the columns '
            ~ columns_text ~ '. Restore it (for a seed: git checkout ' ~ shown_path ~ ') or deliver it again.'
        ) -%}
        {{ return(problems) }}
    {%- endif -%}

    {#- The header as written: the first line, read whole (no dialect sniffing, which gives up
        on a badly broken file), without a UTF-8 byte order mark. -#}
    {%- set first_line = run_query(
        'select line from read_csv(' ~ sql_string(path) ~ ', header = false, auto_detect = false, '
        ~ "delim = chr(31), quote = '', escape = '', columns = {'line': 'varchar'}, "
        ~ 'store_rejects = true) limit 1'
    ).columns[0].values()[0] or '' -%}
    {%- do run_query('drop table if exists reject_errors; drop table if exists reject_scans') -%}
    {%- set header = [] -%}
    {%- for name in first_line.replace('\ufeff', '').split(',') -%}
        {%- do header.append(name.strip().strip('"')) -%}
    {%- endfor -%}
    {%- set missing = expected.keys() | reject('in', header) | reject('in', optional) | list -%}
    {%- set unknown = header | reject('in', expected.keys() | list) | list -%}
    {%- if missing | length > 0 -%}
        {%- set sentence = shown_path ~ ' lacks the column' ~ ('s ' if missing | length > 1 else ' ')
            ~ missing | join(', ') -%}
        {%- if unknown | length > 0 -%}
            {%- set sentence = sentence ~ ' and has ' ~ unknown | join(', ')
                ~ ', which the project does not know: renamed?' -%}
        {%- else -%}
            {%- set sentence = sentence ~ '.' -%}
        {%- endif -%}
        {%- do problems.append(
            sentence ~ ' Its first line reads "' ~ first_line[:120] ~ '"; the columns must be '
            ~ columns_text ~ ' (docs/CONTRACT.md, section 1).'
        ) -%}
        {{ return(problems) }}
    {%- endif -%}

    {#- Every line parsed with the header's own columns in the header's order; failures are
        stored by DuckDB (store_rejects) instead of stopping the read at the first. -#}
    {%- set column_spec = [] -%}
    {%- for name in header -%}
        {%- set data_type = (expected.get(name) if check_values else none) or 'varchar' -%}
        {%- do column_spec.append(sql_string(name) ~ ': ' ~ sql_string(data_type)) -%}
    {%- endfor -%}
    {%- set counted = run_query(
        'select count(*), max(columns(*)) from read_csv(' ~ sql_string(path) ~ ', header = true, '
        ~ "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        ~ 'columns = {' ~ column_spec | join(', ') ~ '}, store_rejects = true)'
    ) -%}
    {%- set n_rows = counted.columns[0].values()[0] -%}
    {%- set rejected = run_query(
        'insert into audit.unreadable_input_lines '
        ~ 'select ' ~ sql_string(input_name) ~ ', ' ~ sql_string(shown_path) ~ ', line, error_type, '
        ~ 'column_name, '
        ~ "case error_type "
        ~ "when 'CAST' then 'the value of ' || column_name || ' is not a ' || "
        ~ column_types_case(expected) ~ ' '
        ~ "when 'TOO MANY COLUMNS' then 'more fields than the header' "
        ~ "when 'MISSING COLUMNS' then 'fewer fields than the header' "
        ~ "when 'INVALID ENCODING' then 'not UTF-8 text' "
        ~ "when 'UNQUOTED VALUE' then 'a quote that is not closed' "
        ~ "else lower(error_type) end, "
        ~ 'csv_line '
        ~ 'from (select *, row_number() over (partition by line order by column_idx) as nth '
        ~ 'from reject_errors) '
        ~ 'where nth = 1 '
        ~ 'returning line_number, problem, csv_line'
    ) -%}
    {#- DuckDB keeps adding to its reject tables: start afresh for the next file. -#}
    {%- do run_query('drop table if exists reject_errors; drop table if exists reject_scans') -%}
    {%- if rejected.rows | length > 0 -%}
        {%- set examples = [] -%}
        {%- for row in (rejected.rows | sort(attribute='line_number'))[:5] -%}
            {%- do examples.append('line ' ~ row[0] ~ ': ' ~ row[1] ~ ' ("' ~ (row[2] or '')[:60] ~ '")') -%}
        {%- endfor -%}
        {%- do problems.append(
            shown_path ~ ' has ' ~ rejected.rows | length ~ ' line'
            ~ ('s' if rejected.rows | length > 1 else '') ~ ' that cannot be read: '
            ~ examples | join('; ') ~ ('; ...' if rejected.rows | length > 5 else '')
            ~ '. All are listed in audit.unreadable_input_lines. Correct them (a CSV must be UTF-8, '
            ~ 'comma-separated, with one field per column) and build again.'
        ) -%}
    {%- elif n_rows == 0 -%}
        {%- do problems.append(
            shown_path ~ ' has a header but no rows. Restore it (for a seed: git checkout '
            ~ shown_path ~ ') or deliver it again.'
        ) -%}
    {%- endif -%}
    {{ return(problems) }}
{%- endmacro %}


{#- The problems of one Parquet file: no rows, a missing column (one in `optional` may be
    absent), or a column whose type is of another kind than the contract's (text, date,
    number). -#}
{% macro check_parquet_file(input_name, path, expected, optional=[]) %}
    {%- set problems = [] -%}
    {%- set described = run_query('describe select * from read_parquet(' ~ sql_string(path) ~ ')') -%}
    {%- set found = {} -%}
    {%- for row in described.rows -%}
        {%- do found.update({row[0]: row[1] | upper}) -%}
    {%- endfor -%}
    {%- set missing = expected.keys() | reject('in', found.keys() | list) | reject('in', optional)
        | list -%}
    {%- if missing | length > 0 -%}
        {%- set unknown = found.keys() | reject('in', expected.keys() | list) | list -%}
        {%- do problems.append(
            path ~ ' lacks the column' ~ ('s ' if missing | length > 1 else ' ') ~ missing | join(', ')
            ~ ((' and has ' ~ unknown | join(', ') ~ ', which the project does not know: renamed?')
               if unknown | length > 0 else '.')
            ~ ' The columns of ' ~ input_name ~ ' must be ' ~ columns_in_words(expected, optional)
            ~ ' (docs/CONTRACT.md, section 1b).'
        ) -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- for name, data_type in expected.items() if name in found -%}
        {%- set kind = parquet_type_kind(data_type) -%}
        {%- if parquet_type_kind(found[name]) != kind -%}
            {%- do problems.append(
                path ~ ': column ' ~ name ~ ' is ' ~ found[name] ~ ', where the contract has '
                ~ data_type ~ '. Write it as a ' ~ kind ~ ' column.'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set n_rows = run_query('select count(*) from read_parquet(' ~ sql_string(path) ~ ')').columns[0].values()[0] -%}
    {%- if n_rows == 0 -%}
        {%- do problems.append(path ~ ' holds no rows. Deliver the file again, or remove it from the folder.') -%}
    {%- endif -%}
    {{ return(problems) }}
{%- endmacro %}


{#- The kind of a column type: text, date or number. -#}
{% macro parquet_type_kind(data_type) -%}
    {%- set upper = (data_type or '') | upper -%}
    {%- if upper.startswith('VARCHAR') or upper.startswith('TEXT') or upper.startswith('STRING') -%}
        {{ return('text') }}
    {%- elif upper.startswith('DATE') -%}
        {{ return('date') }}
    {%- else -%}
        {{ return('number') }}
    {%- endif -%}
{%- endmacro %}



{#- Whether a source column may be absent from an input file: `meta: {optional: true}`, under
    the column's `config:` or on the column itself. -#}
{% macro is_optional_column(column) -%}
    {%- set config_meta = (column.config or {}).get('meta') or {} -%}
    {%- set meta = column.meta or {} -%}
    {{ return((config_meta.get('optional') or meta.get('optional')) in [true, 'true']) }}
{%- endmacro %}


{#- The columns of an input, for messages: `a, b, c (optional)`. -#}
{% macro columns_in_words(expected, optional) -%}
    {%- set words = [] -%}
    {%- for name in expected.keys() -%}
        {%- do words.append(name ~ (' (optional)' if name in optional else '')) -%}
    {%- endfor -%}
    {{ return(words | join(', ')) }}
{%- endmacro %}
