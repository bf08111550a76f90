{#- CONTRACT rule 7, written once: the extra jobs of a cell are its jobs minus the jobs of the
    same series (the same values of series_columns) in the baseline year (nulmeting). Selects
    every column of `cells`, then baseline_jobs and extra_jobs (unrounded; rule 8 rounds).
    Without `measured_years`, a series with no row in the baseline year has no baseline (null);
    with it (a relation with a measurement_year column), such a series had no jobs then (0),
    unless the baseline year itself is not measured (null). -#}
{% macro compare_with_baseline(cells, series_columns, measured_years=none) -%}
    select
        compared.*,
        compared.jobs - compared.baseline_jobs as extra_jobs
    from (
        select
            cells.*,
            {% if measured_years is none -%}
                baseline.jobs as baseline_jobs
            {%- else -%}
                case
                    when baseline_year.is_measured then coalesce(baseline.jobs, 0)
                end as baseline_jobs
            {%- endif %}
        from {{ cells }} as cells
        {% if measured_years is not none -%}
            cross join (
                select count(*) > 0 as is_measured
                from {{ measured_years }}
                where measurement_year = {{ var('baseline_year') }}
            ) as baseline_year
        {% endif -%}
        left join {{ cells }} as baseline
            on
                baseline.measurement_year = {{ var('baseline_year') }}
                {%- for column in series_columns %}
                and cells.{{ column }} is not distinct from baseline.{{ column }}
                {%- endfor %}
    ) as compared
{%- endmacro %}
