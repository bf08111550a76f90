{#- Type a column of the person-level input, by its format (payroll_format). CSV files are
    read as text, so a value that does not parse becomes null (and the line is rejected with its
    reason). Parquet columns arrive typed by the file (CONTRACT 1b) and pass through untouched:
    even a cast to the type they already have hides the files' statistics from DuckDB, and a
    filter on December would then read all twelve months instead of skipping eleven. -#}
{% macro payroll_input_cast(column, data_type) -%}
    {%- if payroll_format() == 'csv' -%}
        {{ dbt.safe_cast(column, data_type) }}
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{#- True where a value was delivered but does not parse as `data_type` (CSV only: Parquet
    values are typed by the file). -#}
{% macro payroll_input_unreadable(column, data_type) -%}
    {%- if payroll_format() == 'csv' -%}
        ({{ column }} is not null and {{ dbt.safe_cast(column, data_type) }} is null)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}
