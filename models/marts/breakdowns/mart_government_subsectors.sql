{#- The government's jobs per subsector (overheidssector), as the Minister of BZK reports them
    (rule_government_subsectors), under disclosure control (macro disclosure_control): the
    cells of int_government_subsector_cells (formal jobs per subsector, one loan row per year),
    each suppressed or published. The seed has no subsector detail: no rows there. -#}
with

-- The cells with their baseline and extra jobs, counted in int_government_subsector_cells.
cells_with_extra_jobs as (
    select * from {{ ref('int_government_subsector_cells') }}
),

cells_protected as (
    {{ disclosure_control(
        'cells_with_extra_jobs',
        series_columns=['employment_form', 'government_subsector'],
        sum_columns=['employment_form'],
        value_columns=['jobs', 'baseline_jobs', 'extra_jobs', 'extra_jobs_rounded'],
    ) }}
),

final as (
    select
        cast(measurement_year as integer) as measurement_year,
        cast(employment_form as {{ dbt.type_string() }}) as employment_form,
        cast(government_subsector as {{ dbt.type_string() }}) as government_subsector,
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
