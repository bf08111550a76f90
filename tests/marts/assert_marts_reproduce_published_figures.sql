{#- Every published, revised or derived figure in the published figures seed is reproduced by the
    marts, with zero tolerance. A figure the marts do not hold (a year or cell missing) fails too.
    Targets of years that are not measured yet are checked against the targets seed.
    Runs when macro compare_published_figures() says so (off for person-level input). -#}
{{ config(enabled=compare_published_figures()) }}

with

published_figures as (
    select * from {{ ref('stg_seeds__published_figures') }}
),

baseline_comparison as (
    select * from {{ ref('mart_baseline_comparison') }}
),

year_on_year as (
    select * from {{ ref('mart_year_on_year') }}
),

formal_loan_breakdown as (
    select * from {{ ref('mart_formal_loan_breakdown') }}
),

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

measured_years as (
    select distinct measurement_year from baseline_comparison
),

checked_figures as (
    select * from published_figures
    where status in ('published', 'revised', 'derived')
),

compared as (
    select
        checked_figures.measurement_year,
        checked_figures.sector,
        checked_figures.employment_form,
        checked_figures.metric,
        checked_figures.status,
        checked_figures.published_value,
        case checked_figures.metric
            when 'extra_jobs' then cast(baseline_comparison.extra_jobs_rounded as decimal(18, 4))
            when 'jobs' then cast(baseline_comparison.jobs_rounded as decimal(18, 4))
            when 'yoy_delta' then cast(year_on_year.delta_rounded as decimal(18, 4))
            when 'split_key_share'
                then cast(formal_loan_breakdown.split_key_share as decimal(18, 4))
            when 'target_extra_jobs'
                then cast(
                    case
                        when measured_years.measurement_year is not null
                            then baseline_comparison.target_extra_jobs
                        else targets.target_extra_jobs
                    end as decimal(18, 4)
                )
        end as reproduced_value
    from checked_figures
    left join baseline_comparison
        on
            checked_figures.measurement_year = baseline_comparison.measurement_year
            and checked_figures.sector = baseline_comparison.sector
            and checked_figures.employment_form = baseline_comparison.employment_form
    left join year_on_year
        on
            checked_figures.measurement_year = year_on_year.measurement_year
            and checked_figures.sector = year_on_year.sector
            and checked_figures.employment_form = year_on_year.employment_form
    left join formal_loan_breakdown
        on
            checked_figures.measurement_year = formal_loan_breakdown.measurement_year
            and checked_figures.sector = formal_loan_breakdown.sector
            and checked_figures.employment_form = formal_loan_breakdown.employment_form
    left join targets
        on
            checked_figures.measurement_year = targets.measurement_year
            and checked_figures.sector = targets.sector
    left join measured_years
        on checked_figures.measurement_year = measured_years.measurement_year
),

final as (
    select
        *,
        {{ dbt.concat([
            "cast(measurement_year as " ~ dbt.type_string() ~ ")", "' '", "sector", "' '",
            "employment_form", "' '", "metric", "': published '",
            "cast(published_value as " ~ dbt.type_string() ~ ")", "' ('", "status", "'), the marts give '",
            "coalesce(cast(reproduced_value as " ~ dbt.type_string() ~ "), 'nothing')",
            "'. Check the seed or model you changed; the marts must match every published figure.'",
        ]) }} as message
    from compared
    where reproduced_value is null or reproduced_value != published_value
)

select * from final
