{#- CONTRACT rule 6: a measurement year with loan hours and no split key (verdeelsleutel) is an
    error, never a silent carry-forward. It also depends on int_jobs_allocated, the first model
    that needs the key: dbt build then skips only what is built on the split key, and the
    merged measurement (no split, mart_merged_measurement) is still built. -#}
-- depends_on: {{ ref('int_jobs_allocated') }}
with

loan_years as (
    select distinct measurement_year
    from {{ ref('int_december_hours_aggregated') }}
    where employment_form = 'loan'
),

split_key_years as (
    select distinct measurement_year from {{ ref('stg_seeds__split_keys') }}
),

final as (
    select
        loan_years.measurement_year,
        {{ dbt.concat([
            "'Measurement year '", "cast(loan_years.measurement_year as " ~ dbt.type_string() ~ ")",
            "' has loan hours (inleenverbanden) but no split key in seeds/split_keys.csv, so its '",
            "'loan jobs cannot be split over market and government. Add the year''s market and '",
            "'government shares, with their provenance (published, or assumed and why).'",
        ]) }} as message
    from loan_years
    left join split_key_years
        on loan_years.measurement_year = split_key_years.measurement_year
    where split_key_years.measurement_year is null
)

select * from final
