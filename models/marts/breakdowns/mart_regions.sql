{#- Formal jobs per labour market region (arbeidsmarktregio) and sector (rule_regions), under
    disclosure control (macro disclosure_control): the cells of int_region_cells, each
    suppressed or published. The seed has no region detail: no rows there. -#}
with

-- The cells with their baseline and extra jobs, counted in int_region_cells.
cells_with_extra_jobs as (
    select * from {{ ref('int_region_cells') }}
),

cells_protected as (
    {{ disclosure_control(
        'cells_with_extra_jobs',
        series_columns=['sector', 'labour_market_region'],
        sum_columns=['sector'],
        value_columns=['jobs', 'baseline_jobs', 'extra_jobs', 'extra_jobs_rounded'],
    ) }}
),

final as (
    select
        cast(measurement_year as integer) as measurement_year,
        cast(labour_market_region as {{ dbt.type_string() }}) as labour_market_region,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(persons as integer) as persons,
        cast(jobs as {{ type_double() }}) as jobs,
        cast(baseline_jobs as {{ type_double() }}) as baseline_jobs,
        cast(extra_jobs as {{ type_double() }}) as extra_jobs,
        cast(extra_jobs_rounded as integer) as extra_jobs_rounded,
        is_suppressed,
        cast(suppression_reason as {{ dbt.type_string() }}) as suppression_reason
    from cells_protected
)

select * from final
