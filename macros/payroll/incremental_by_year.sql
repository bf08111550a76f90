{#- The incremental configuration of the payroll models that are rebuilt per measurement year
    (macro payroll_years_filter chooses the years):
      DuckDB, PostgreSQL  delete+insert on unique_key measurement_year: the years in the new
                          batch are deleted, then inserted;
      Spark               insert_overwrite of the table partitioned by measurement_year: the
                          partitions in the new batch are replaced. Spark's Parquet tables
                          (no Delta offline) have no merge or delete, and append with a
                          unique_key would silently add the years twice.
    Used as config(materialized='incremental', **incremental_by_measurement_year()). -#}
{% macro incremental_by_measurement_year() -%}
    {{ return(adapter.dispatch('incremental_by_measurement_year', 'banenafspraak')()) }}
{%- endmacro %}

{% macro default__incremental_by_measurement_year() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'measurement_year'}) }}
{%- endmacro %}

{% macro spark__incremental_by_measurement_year() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['measurement_year']}) }}
{%- endmacro %}


{#- Before an incremental build of the classification: remove the rows of lines without a
    period end (measurement_year null), which every build processes again. On Spark they are
    the table's null partition, which insert_overwrite replaces only when the new batch has such
    lines: it is dropped instead. -#}
{% macro delete_rows_without_measurement_year() -%}
    {{ return(adapter.dispatch('delete_rows_without_measurement_year', 'banenafspraak')()) }}
{%- endmacro %}

{% macro default__delete_rows_without_measurement_year() -%}
    delete from {{ this }} where measurement_year is null
{%- endmacro %}

{% macro spark__delete_rows_without_measurement_year() -%}
    alter table {{ this }} drop if exists partition (measurement_year = '__HIVE_DEFAULT_PARTITION__')
{%- endmacro %}
