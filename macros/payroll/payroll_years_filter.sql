{#- Which measurement years an incremental payroll model processes, as a filter on a period-end
    column. A full build (or --full-refresh): every year. An incremental build: the years in
    var `rebuild_years` when given (a correction of those years' files), otherwise the latest
    year already in the model and every later one (a new payroll month or a new year). Lines
    without a period end belong to no year; they are processed every time (and rejected).
    The filter is a literal date range, so that Parquet statistics skip the other years. -#}
{% macro payroll_years_filter(period_end_column) -%}
    {%- if not is_incremental() -%}
        true
    {%- elif var('rebuild_years') | length > 0 -%}
        (
            {{ period_end_column }} is null
            {%- for year in var('rebuild_years') %}
                or (
                    {{ period_end_column }} >= cast('{{ year }}-01-01' as date)
                    and {{ period_end_column }} < cast('{{ year + 1 }}-01-01' as date)
                )
            {%- endfor %}
        )
    {%- else -%}
        {%- set latest_year = none -%}
        {%- if execute -%}
            {%- set result = run_query('select max(measurement_year) from ' ~ this) -%}
            {%- set latest_year = result.columns[0].values()[0] -%}
        {%- endif -%}
        {%- if latest_year is none -%}
            true
        {%- else -%}
            ({{ period_end_column }} is null
            or {{ period_end_column }} >= cast('{{ latest_year }}-01-01' as date))
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
