{#- One place for the column types that YAML names (model contracts, seed column_types) and
    that mean something else, or nothing, on another engine. The YAML keeps DuckDB's spelling
    (`varchar`, `double`); this macro gives each engine's own:

    | YAML      | DuckDB  | PostgreSQL       | Spark                                   |
    |-----------|---------|------------------|-----------------------------------------|
    | varchar   | varchar | varchar          | string (Spark's varchar needs a length) |
    | double    | double  | double precision | double                                  |

    dbt passes contract types to the engine verbatim, twice: in `cast(null as <type>)` (the
    contract check) and in PostgreSQL's `create table (<column> <type>)`. The two overrides
    below route both through this macro. -#}
{% macro engine_type(data_type) -%}
    {{ return(adapter.dispatch('engine_type', 'banenafspraak')(data_type)) }}
{%- endmacro %}

{% macro default__engine_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro postgres__engine_type(data_type) -%}
    {%- set normalised = data_type | trim | lower -%}
    {{ return({'double': 'double precision', 'hugeint': 'numeric(38, 0)'}.get(normalised, data_type)) }}
{%- endmacro %}

{% macro spark__engine_type(data_type) -%}
    {%- set normalised = data_type | trim | lower -%}
    {{ return({'varchar': 'string', 'text': 'string', 'hugeint': 'decimal(38, 0)'}.get(normalised, data_type)) }}
{%- endmacro %}


{#- dbt's cast, used by the contract check for every YAML column type. -#}
{% macro postgres__cast(field, type) -%}
    cast({{ field }} as {{ engine_type(type) }})
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ engine_type(type) }})
{%- endmacro %}


{#- PostgreSQL creates a contracted table from its YAML columns first; same columns and
    constraints as dbt's own macro, with each type through engine_type. -#}
{% macro postgres__get_table_columns_and_constraints() -%}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set typed = column.copy() -%}
        {%- do typed.update({'data_type': engine_type(column['data_type'])}) -%}
        {%- do columns.update({name: typed}) -%}
    {%- endfor -%}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    (
    {% for c in raw_column_constraints -%}
      {{ c }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}


{#- A seed's table is created and filled with the seed's column_types verbatim: map them first
    (in place, so the load that follows sees them too), then let the adapter do the rest. This
    overrides dbt's create_csv_table, which only dispatches. -#}
{% macro create_csv_table(model, agate_table) -%}
    {%- set column_types = model['config'].get('column_types') or {} -%}
    {%- for name, data_type in column_types.items() -%}
        {%- do column_types.update({name: engine_type(data_type)}) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('create_csv_table', 'dbt')(model, agate_table)) }}
{%- endmacro %}


{#- Spark: dbt-spark's session cursor puts seed values into the insert between bare quotes,
    so a value with a quote in it (a source like "art. 3.29 ('2023 en verder')") breaks the
    statement. The same insert as dbt-spark's, with each value written as an escaped literal. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_types = model['config'].get('column_types') or {} -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set data_type = column_types.get(col_name)
                        or adapter.convert_type(agate_table, loop.index0) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ engine_type(data_type) }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}


{#- A seed value as a Spark SQL literal: null, a number, or a string with its backslashes and
    quotes escaped (Spark reads backslash escapes in string literals). -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number and value is not boolean -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string).replace('\\', '\\\\').replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
