{#- Which measurement years an incremental payroll model processes, as a filter on the
    period-end column of the staged payroll lines (rule_input_fingerprints):
      full build or --full-refresh   every year;
      otherwise                      every year whose input fingerprint differs from the one the
                                     model recorded with that year's rows (a corrected year, a
                                     new payroll month, a new year), and the years of var
                                     rebuild_years.
    Lines without a period end belong to no year: they are processed every time (and
    rejected). The filter is a literal date range, so that Parquet statistics skip the files
    and row groups of the other years. `announce`: print the years and why (one model does). -#}
{% macro payroll_years_filter(period_end_column, announce=false) -%}
    {%- if not is_incremental() -%}
        true
    {%- else -%}
        {%- set plan = payroll_years_to_build(announce=announce) -%}
        {{ period_end_in_years(period_end_column, plan.years + [none]) }}
    {%- endif -%}
{%- endmacro %}


{#- The combined fingerprint of the payroll inputs per measurement year, as a subquery with
    columns measurement_year and input_fingerprint: the text `<input> <rows> <paid hours>
    <hash>` of payroll_lines, target_group_register and employers, joined by ', '. What each
    incremental payroll model records with its rows. -#}
{% macro payroll_year_fingerprints() -%}
    (
        select
            measurement_year,
            {{ sorted_list(dbt.concat([
                'input_name', "' '", 'cast(n_rows as ' ~ dbt.type_string() ~ ')', "' '",
                "coalesce(cast(paid_hours as " ~ dbt.type_string() ~ "), '-')", "' '",
                'fingerprint'
            ])) }} as input_fingerprint
        from {{ ref('int_input_fingerprints') }}
        where
            measurement_year is not null
            and input_name in ('payroll_lines', 'target_group_register', 'employers')
        group by measurement_year
    )
{%- endmacro %}


{#- The plan of an incremental build of the model being built (`this`): which measurement
    years to process, which to delete (no longer delivered), and why, compared per year with
    the fingerprints the model recorded. Returns {'years': [...], 'removed': [...],
    'reasons': {year: text}}. Raises when var on_revised_input is 'refuse' and a year that
    was built has changed (a revision), unless var rebuild_years names it. -#}
{% macro payroll_years_to_build(announce=false) -%}
    {%- set plan = {'years': [], 'removed': [], 'reasons': {}} -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(plan) }}
    {%- endif -%}
    {%- set recorded_columns = adapter.get_columns_in_relation(this) | map(attribute='name')
        | map('lower') | list -%}
    {%- if 'input_fingerprint' not in recorded_columns -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ' was built before input fingerprints were recorded with each '
            ~ 'measurement year, so the build cannot tell which years changed. Rebuild it once: '
            ~ 'dbt build --full-refresh.'
        ) }}
    {%- endif -%}
    {%- set compared = run_query(
        'select coalesce(delivered.measurement_year, recorded.measurement_year), '
        ~ 'delivered.input_fingerprint, recorded.input_fingerprint from '
        ~ payroll_year_fingerprints() ~ ' as delivered full outer join ('
        ~ 'select distinct measurement_year, input_fingerprint from ' ~ this
        ~ ' where measurement_year is not null) as recorded'
        ~ ' on delivered.measurement_year = recorded.measurement_year order by 1'
    ) -%}
    {%- set asked = var('rebuild_years') | map('int') | list -%}
    {%- set revised = [] -%}
    {%- for row in compared.rows -%}
        {%- set year = row[0] | int -%}
        {%- set delivered = row[1] -%}
        {%- set recorded = row[2] -%}
        {%- if delivered != recorded and year not in plan.reasons -%}
            {%- do plan.reasons.update({year: describe_input_change(recorded, delivered)}) -%}
            {%- if recorded is not none -%}
                {%- do revised.append(year) -%}
            {%- endif -%}
            {%- if delivered is none -%}
                {%- do plan.removed.append(year) -%}
            {%- else -%}
                {%- do plan.years.append(year) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for year in asked if year not in plan.reasons -%}
        {%- do plan.reasons.update({year: 'asked for (var rebuild_years)'}) -%}
        {%- do plan.years.append(year) -%}
    {%- endfor -%}
    {%- set refused = revised | reject('in', asked) | list -%}
    {%- if refused | length > 0 and var('on_revised_input') == 'refuse' -%}
        {%- set lines = [] -%}
        {%- for year in refused -%}
            {%- do lines.append(year ~ ': ' ~ plan.reasons[year]) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            'The input of measurement year' ~ ('s ' if refused | length > 1 else ' ')
            ~ refused | join(', ') ~ ' changed since ' ~ ('they were' if refused | length > 1
            else 'it was') ~ ' built, and var on_revised_input is refuse: nothing was rebuilt, '
            ~ 'the marts keep the figures of the last build.\n  - ' ~ lines | join('\n  - ')
            ~ '\nTo accept the revision, build with --vars \'{rebuild_years: ['
            ~ refused | join(', ') ~ ']}\' (or without on_revised_input: refuse).'
        ) }}
    {%- endif -%}
    {%- if announce -%}
        {%- if plan.reasons | length == 0 -%}
            {%- do log('Payroll input: no measurement year changed since it was built; '
                ~ 'no year is rebuilt.', info=true) -%}
        {%- else -%}
            {%- do log('Payroll input: measurement years rebuilt, and why:', info=true) -%}
            {%- for year in plan.reasons | sort -%}
                {%- do log('  ' ~ year ~ ': ' ~ plan.reasons[year], info=true) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(plan) }}
{%- endmacro %}


{#- In words, what changed between two combined fingerprints of a year (macro
    payroll_year_fingerprints): `payroll_lines changed (1 line more; paid hours 100.00 ->
    108.00)`, `a new year (...)`, `no longer delivered (...)`. -#}
{% macro describe_input_change(recorded, delivered) -%}
    {%- if recorded is none -%}
        {{ return('a new year (' ~ describe_fingerprint(delivered) ~ ')') }}
    {%- elif delivered is none -%}
        {{ return('no longer delivered (it had ' ~ describe_fingerprint(recorded) ~ ')') }}
    {%- endif -%}
    {%- set before = parse_fingerprint(recorded) -%}
    {%- set after = parse_fingerprint(delivered) -%}
    {%- set changes = [] -%}
    {%- for name in ['payroll_lines', 'target_group_register', 'employers'] -%}
        {%- set old = before.get(name) -%}
        {%- set new = after.get(name) -%}
        {%- if old != new -%}
            {%- set noun = 'line' if name == 'payroll_lines' else 'row' -%}
            {%- set details = [] -%}
            {%- set difference = (new.rows if new else 0) - (old.rows if old else 0) -%}
            {%- if difference == 0 -%}
                {%- do details.append('same number of ' ~ noun ~ 's, other contents') -%}
            {%- else -%}
                {%- do details.append(
                    (difference | abs) ~ ' ' ~ noun ~ ('s' if difference | abs != 1 else '')
                    ~ (' more' if difference > 0 else ' fewer')) -%}
            {%- endif -%}
            {%- if old and new and old.hours != new.hours -%}
                {%- do details.append('paid hours ' ~ old.hours ~ ' -> ' ~ new.hours) -%}
            {%- endif -%}
            {%- if name == 'payroll_lines' and old and new -%}
                {%- set files = changed_files(old.hash, new.hash) -%}
                {%- if files -%}
                    {%- do details.append('in ' ~ files | join(', ')) -%}
                {%- endif -%}
            {%- endif -%}
            {%- do changes.append(name ~ ' changed (' ~ details | join('; ') ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changes | join(', ')) }}
{%- endmacro %}


{#- The files whose digest differs between two fingerprints of a year's payroll lines
    (`<file>=<digest>;...`, int_input_fingerprints), or that only one of them has. -#}
{% macro changed_files(recorded, delivered) -%}
    {%- set before = file_digests_of(recorded) -%}
    {%- set after = file_digests_of(delivered) -%}
    {%- set files = [] -%}
    {%- for file in ((before.keys() | list) + (after.keys() | list)) | unique | sort
        if before.get(file) != after.get(file) -%}
        {%- do files.append(file) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}


{#- `<file>=<digest>;...` as {file: digest}. -#}
{% macro file_digests_of(text) -%}
    {%- set digests = {} -%}
    {%- for part in (text or '').split(';') if '=' in part -%}
        {%- set pair = part.rsplit('=', 1) -%}
        {%- do digests.update({pair[0]: pair[1]}) -%}
    {%- endfor -%}
    {{ return(digests) }}
{%- endmacro %}


{#- A combined fingerprint as {input: {'rows': n, 'hours': text, 'hash': text}}. -#}
{% macro parse_fingerprint(text) -%}
    {%- set parsed = {} -%}
    {%- for part in text.split(', ') -%}
        {%- set fields = part.split(' ', 3) -%}
        {%- do parsed.update({fields[0]: {'rows': fields[1] | int, 'hours': fields[2],
            'hash': fields[3]}}) -%}
    {%- endfor -%}
    {{ return(parsed) }}
{%- endmacro %}


{#- A combined fingerprint in words: `1,234 payroll lines, 56 register rows, 7 employers`. -#}
{% macro describe_fingerprint(text) -%}
    {%- set parsed = parse_fingerprint(text) -%}
    {%- set words = {'payroll_lines': 'payroll lines', 'target_group_register': 'register rows',
        'employers': 'employer rows'} -%}
    {%- set parts = [] -%}
    {%- for name, label in words.items() if name in parsed -%}
        {%- do parts.append(parsed[name].rows ~ ' ' ~ label) -%}
    {%- endfor -%}
    {{ return(parts | join(', ')) }}
{%- endmacro %}


{#- The last select of an incremental payroll model: the rows of `relation` (its final CTE)
    with the input fingerprint of their measurement year (macro payroll_year_fingerprints),
    which the next build compares with the input to find the years that changed. -#}
{% macro with_input_fingerprint(relation) -%}
    select
        {{ relation }}.*,
        fingerprints.input_fingerprint
    from {{ relation }}
    left join {{ payroll_year_fingerprints() }} as fingerprints
        on {{ relation }}.measurement_year = fingerprints.measurement_year
{%- endmacro %}
