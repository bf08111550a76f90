{#- CONTRACT rule 1: the baseline year (nulmeting, var baseline_year) must be in the input, or
    no extra jobs can be computed. -#}
with

input_years as (
    select distinct measurement_year from {{ ref('int_december_hours_aggregated') }}
),

final as (
    select
        {{ var('baseline_year') }} as baseline_year,
        {{ dbt.concat([
            "'The baseline year " ~ var('baseline_year') ~ " (var baseline_year) has no paid '",
            "'hours in the input, so no extra jobs can be computed. The input must include '",
            "'December " ~ var('baseline_year') ~ ": restore its rows in seeds/december_hours.csv, '",
            "'or deliver payroll files that cover it.'",
        ]) }} as message
    where not exists (
        select 1 from input_years
        where measurement_year = {{ var('baseline_year') }}
    )
)

select * from final
