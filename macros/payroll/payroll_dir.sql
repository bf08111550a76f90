{#- The folder of the person-level input (environment variable BANENAFSPRAAK_PAYROLL_DIR);
    empty when the measurement runs on the aggregated seed. -#}
{% macro payroll_dir() -%}
    {{ return(env_var('BANENAFSPRAAK_PAYROLL_DIR', '')) }}
{%- endmacro %}


{#- What the measurement counts: `aggregated` (the December hours seed) or `person_level` (the
    payroll files in BANENAFSPRAAK_PAYROLL_DIR). The one switch of the graph: every model is
    built either way, and int_december_hours_aggregated reads the one chosen. Var
    `measurement_input` when set; by default person_level when a payroll folder is given. -#}
{% macro measurement_input() -%}
    {%- set chosen = var('measurement_input', none) or
        ('person_level' if payroll_dir() != '' else 'aggregated') -%}
    {%- if chosen not in ['aggregated', 'person_level'] -%}
        {{ exceptions.raise_compiler_error(
            "var measurement_input is '" ~ chosen ~ "': use aggregated (the December hours seed) "
            ~ 'or person_level (the payroll files in BANENAFSPRAAK_PAYROLL_DIR).'
        ) }}
    {%- elif chosen == 'person_level' and payroll_dir() == '' -%}
        {{ exceptions.raise_compiler_error(
            'var measurement_input is person_level, but BANENAFSPRAAK_PAYROLL_DIR is not set: '
            ~ 'name the folder of the payroll files.'
        ) }}
    {%- endif -%}
    {{ return(chosen) }}
{%- endmacro %}


{#- The format of the person-level input, `parquet` or `csv`: the one rule every reader of the
    files asks (the source's reader in payroll_source, the typing in payroll_input_cast, the
    check check_input_files), so that they cannot disagree. It stops the build with the
    problem payroll_format_found describes, if any. -#}
{% macro payroll_format(engine=none) -%}
    {%- set found = payroll_format_found(engine) -%}
    {%- if found.problem -%}
        {{ exceptions.raise_compiler_error(found.problem) }}
    {%- endif -%}
    {{ return(found.format) }}
{%- endmacro %}


{#- How the format is found, as a dict: `format` (parquet or csv), `how` (set, detected or
    assumed) and `problem` (a sentence, or none). check_input_files lists the problem with the
    other problems of the input; everyone else calls payroll_format, which raises it.

    set       BANENAFSPRAAK_PAYROLL_FORMAT is parquet or csv: that format; files of the other
              kind are not read. Any other value is a problem; an empty value counts as unset.
    detected  unset: the kind of the payroll files in the folder (payroll_lines*,
              target_group_register*, employers* ending in .csv or .parquet). A folder with
              files of both kinds is a problem that names them: which to read is not clear.
    assumed   unset, and no file to go by: parquet (check_input_files then says which files
              are missing). The files are listed only at execution time (dbt parses without
              looking at them, and the SQL rendered while parsing is thrown away, so Parquet
              stands in), and only where the engine can see the folder (payroll_files):
              PostgreSQL reads tables that src/banenafspraak/engines.py loads from Parquet files.

    Why here and not in the sources' YAML: dbt renders that YAML while parsing, with env_var
    but without macros or a way to list files, so it cannot see the files. DuckDB's reader is
    therefore built at execution time by payroll_source, and `dbt source freshness` reads
    through payroll_source as well (loaded_at_query), so the rule has no second copy. CSV is
    read by DuckDB only: for another `engine` (default: the target's type) CSV, set or
    detected, is a problem. -#}
{% macro payroll_format_found(engine=none) -%}
    {%- set engine = engine or target.type -%}
    {%- set chosen = env_var('BANENAFSPRAAK_PAYROLL_FORMAT', '') -%}
    {%- set found = {'format': 'parquet', 'how': 'assumed', 'problem': none} -%}
    {%- set by_kind = {'csv': [], 'parquet': []} -%}
    {%- if chosen != '' -%}
        {%- do found.update({'format': chosen, 'how': 'set'}) -%}
        {%- if chosen not in by_kind -%}
            {%- do found.update({'problem':
                'BANENAFSPRAAK_PAYROLL_FORMAT=' ~ chosen ~ ' is not a format of the person-level '
                ~ 'input: set it to parquet or csv, or unset it to have the kind of the files in '
                ~ payroll_dir() ~ ' decide.'
            }) -%}
            {{ return(found) }}
        {%- endif -%}
    {%- elif execute and payroll_dir() != '' -%}
        {%- set patterns = [] -%}
        {%- for extension in by_kind -%}
            {%- for name in payroll_datasets() -%}
                {%- do patterns.append(name ~ '*.' ~ extension) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for file in payroll_files(patterns) or [] -%}
            {%- do by_kind[file.split('.')[-1]].append(file.replace('\\', '/').split('/')[-1]) -%}
        {%- endfor -%}
        {%- if by_kind.csv and by_kind.parquet -%}
            {%- do found.update({'problem':
                payroll_dir() ~ ' holds person-level files of both kinds: CSV ('
                ~ by_kind.csv | join(', ') ~ ') and Parquet (' ~ by_kind.parquet | join(', ')
                ~ '). Which to read is not clear: remove the files of one kind from the folder, '
                ~ 'or choose with BANENAFSPRAAK_PAYROLL_FORMAT=csv or '
                ~ 'BANENAFSPRAAK_PAYROLL_FORMAT=parquet (the other kind is then not read).'
            }) -%}
            {{ return(found) }}
        {%- endif -%}
        {%- for extension, files in by_kind.items() if files -%}
            {%- do found.update({'format': extension, 'how': 'detected'}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if found.format == 'csv' and engine != 'duckdb' -%}
        {%- do found.update({'problem':
            ('BANENAFSPRAAK_PAYROLL_FORMAT=csv' if found.how == 'set'
             else payroll_dir() ~ ' holds CSV files (' ~ by_kind.csv | join(', ') ~ ')')
            ~ ': person-level CSV files are read by the duckdb target only. On ' ~ engine
            ~ ', deliver Parquet files (docs/CONTRACT.md, section 1b).'
        }) -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#- The datasets of the person-level input: the tables of source `payroll` (CONTRACT 1b). -#}
{% macro payroll_datasets() -%}
    {%- set names = [] -%}
    {%- for source in graph.sources.values() if source.source_name == 'payroll' -%}
        {%- do names.append(source.name) -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}


{#- The files in the payroll folder whose names match one of `patterns` (globs such as
    `employers*.csv`), sorted; none where the engine cannot see the folder. Execution time
    only: it asks the engine. -#}
{% macro payroll_files(patterns) -%}
    {{ return(adapter.dispatch('payroll_files', 'banenafspraak')(patterns)) }}
{%- endmacro %}

{% macro duckdb__payroll_files(patterns) -%}
    {%- set globs = [] -%}
    {%- for pattern in patterns -%}
        {%- do globs.append(
            'select file from glob(' ~ sql_string(payroll_dir() ~ '/' ~ pattern) ~ ')'
        ) -%}
    {%- endfor -%}
    {%- set listed = run_query(globs | join(' union all ') ~ ' order by file') -%}
    {{ return(listed.columns[0].values() | list) }}
{%- endmacro %}

{#- Spark lists the folder as it reads it (the binaryFile source reads no file's content unless
    asked for it); a glob that matches nothing is an error in a path, not in pathGlobFilter. -#}
{% macro spark__payroll_files(patterns) -%}
    {%- do run_query(
        'create or replace temporary view payroll_input_listing using binaryFile options (path '
        ~ sql_string(payroll_dir()) ~ ', pathGlobFilter '
        ~ sql_string('{' ~ patterns | join(',') ~ '}') ~ ')'
    ) -%}
    {%- set listed = run_query('select path from payroll_input_listing order by path') -%}
    {{ return(listed.columns[0].values() | list) }}
{%- endmacro %}

{#- PostgreSQL runs elsewhere and reads tables that src/banenafspraak/engines.py loads from the files. -#}
{% macro default__payroll_files(patterns) -%}
    {{ return(none) }}
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
