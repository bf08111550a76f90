{#- The incremental configuration of the payroll models that are rebuilt per measurement year
    (macro payroll_years_filter chooses the years):
      DuckDB, PostgreSQL  delete+insert on unique_key measurement_year: the years in the new
                          batch are deleted, then inserted;
      Spark               insert_overwrite of the table partitioned by measurement_year: the
                          partitions in the new batch are replaced. Spark's Parquet tables
                          (no Delta offline) have no merge or delete, and append with a
                          unique_key would silently add the years twice.
    Both with a pre-hook (macro delete_stale_measurement_years) for the rows that no new batch
    replaces. Used as config(materialized='incremental', **incremental_by_measurement_year()). -#}
{% macro incremental_by_measurement_year() -%}
    {%- set config = adapter.dispatch('incremental_by_measurement_year', 'banenafspraak')() -%}
    {%- do config.update({
        'pre_hook': '{% if is_incremental() %}{{ delete_stale_measurement_years() }}{% endif %}'
    }) -%}
    {{ return(config) }}
{%- endmacro %}

{% macro default__incremental_by_measurement_year() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'measurement_year'}) }}
{%- endmacro %}

{% macro spark__incremental_by_measurement_year() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['measurement_year']}) }}
{%- endmacro %}


{#- Before an incremental build of a payroll model: remove the rows that the new batch would
    not replace: those without a measurement year (lines without a period end, processed again
    by every build) and those of the years no longer delivered (macro payroll_years_to_build).
    On Spark they are partitions, dropped; the rows without a year are the null partition. -#}
{% macro delete_stale_measurement_years() -%}
    {%- set removed = payroll_years_to_build().removed -%}
    {{ return(adapter.dispatch('delete_stale_measurement_years', 'banenafspraak')(removed)) }}
{%- endmacro %}

{% macro default__delete_stale_measurement_years(removed) -%}
    delete from {{ this }}
    where
        measurement_year is null
        {%- if removed | length > 0 %}
        or measurement_year in ({{ removed | join(', ') }})
        {%- endif %}
{%- endmacro %}

{#- Spark runs one statement a hook: the partitions of removed years are dropped here. -#}
{% macro spark__delete_stale_measurement_years(removed) -%}
    {%- for year in removed -%}
        {%- do run_query('alter table ' ~ this ~ ' drop if exists partition (measurement_year = '
            ~ year ~ ')') -%}
    {%- endfor -%}
    alter table {{ this }} drop if exists partition (measurement_year = '__HIVE_DEFAULT_PARTITION__')
{%- endmacro %}
