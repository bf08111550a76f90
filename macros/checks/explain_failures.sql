{#- The last step of every build (on-run-end hook in dbt_project.yml): for each data test that
    failed, print what is wrong in words, under the name of the test. Our tests return a
    `message` column on their failing rows (what is wrong, where, what to do); for another
    test the first failing rows are printed as they are. dbt itself only says how many rows a
    test returned. -#}
{% macro explain_failures(results) %}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set failed = [] -%}
    {%- for result in results
        if result.status == 'fail' and result.node.resource_type == 'test'
        and result.node.compiled_code -%}
        {%- do failed.append(result) -%}
    {%- endfor -%}
    {%- if failed | length > 0 -%}
        {%- do log('', info=True) -%}
        {%- do log('What the failing tests found (the marts keep the figures of the last good build):', info=True) -%}
    {%- endif -%}
    {%- for result in failed -%}
        {%- set rows = run_query(
            'select * from (' ~ result.node.compiled_code ~ ') as failing_rows limit 31'
        ) -%}
        {%- do log('  ' ~ result.node.name ~ ':', info=True) -%}
        {%- for row in rows.rows[:30] -%}
            {%- if 'message' in rows.column_names -%}
                {%- do log('    - ' ~ row['message'], info=True) -%}
            {%- else -%}
                {%- set cells = [] -%}
                {%- for name in rows.column_names -%}
                    {%- do cells.append(name ~ '=' ~ row[name]) -%}
                {%- endfor -%}
                {%- do log('    - ' ~ cells | join(', '), info=True) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if rows.rows | length > 30 -%}
            {%- do log('    - ... (more rows: dbt show --select ' ~ result.node.name ~ ')', info=True) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('select 1') }}
{%- endmacro %}
