{#- Which measurement years an incremental payroll model processes, as a filter on the
    period-end column of `lines` (the staged payroll lines).
      full build or --full-refresh   every year;
      var rebuild_years given        those years (a correction of their files);
      a year newer than the model    only the new years (a new measurement year);
      otherwise                      the latest year in the model (a new payroll month).
    Lines without a period end belong to no year: they are processed every time (and
    rejected). The filter is a literal date range, so that Parquet statistics skip the files
    and row groups of the other years; finding the newest year reads one column. -#}
{% macro payroll_years_filter(period_end_column, lines) -%}
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
        {%- set first_year = none -%}
        {%- if execute -%}
            {%- set latest = run_query(
                'select (select max(measurement_year) from ' ~ this ~ '), '
                ~ '(select ' ~ measurement_year_of('max(period_end)') ~ ' from ' ~ lines ~ ')'
            ) -%}
            {%- set latest_in_model = latest.columns[0].values()[0] -%}
            {%- set latest_in_input = latest.columns[1].values()[0] -%}
            {%- if latest_in_model is not none and latest_in_input is not none -%}
                {%- if latest_in_input > latest_in_model -%}
                    {%- set first_year = latest_in_model + 1 -%}
                {%- else -%}
                    {%- set first_year = latest_in_model -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
        {%- if first_year is none -%}
            true
        {%- else -%}
            ({{ period_end_column }} is null
            or {{ period_end_column }} >= cast('{{ first_year }}-01-01' as date))
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
