{#- The merged measurement (rule_merged_measurement) of the reform bill (Kamerstuk 36 449): no
    market/government split, so no split key. It reads the December hours directly and must
    never ref the split keys or a model built on them (int_jobs_allocated,
    int_extra_jobs_computed, fct_jobs, the split marts): a year with loan hours but no split
    key still gets its merged figures. -#}
with

december_hours as (
    select * from {{ ref('int_december_hours_aggregated') }}
),

targets_with_total as (
    select * from {{ ref('int_targets_with_total') }}
),

measured_years as (
    select distinct measurement_year
    from december_hours
),

employment_forms as (
    select 'formal' as employment_form
    union all
    select 'loan' as employment_form
),

-- Every measured year gets both forms; a form without hours has zero. The formal hours of
-- both sectors are summed; the loan hours are counted whole.
form_hours as (
    select
        measured_years.measurement_year,
        employment_forms.employment_form,
        coalesce(sum(december_hours.paid_hours), 0) as paid_hours
    from measured_years
    cross join employment_forms
    left join december_hours
        on
            measured_years.measurement_year = december_hours.measurement_year
            and employment_forms.employment_form = december_hours.employment_form
    group by measured_years.measurement_year, employment_forms.employment_form
),

form_jobs as (
    select
        measurement_year,
        employment_form,
        cast(paid_hours as decimal(38, 2)) as paid_hours,
        {{ hours_to_jobs('paid_hours') }} as jobs
    from form_hours
),

-- The total is the sum of the unrounded forms (rule 8).
jobs_with_total as (
    select
        measurement_year,
        employment_form,
        paid_hours,
        jobs
    from form_jobs
    union all
    select
        measurement_year,
        'total' as employment_form,
        cast(sum(paid_hours) as decimal(38, 2)) as paid_hours,
        sum(jobs) as jobs
    from form_jobs
    group by measurement_year
),

jobs_compared as (
    {{ compare_with_baseline('jobs_with_total', ['employment_form']) }}
),

-- One target for the whole job agreement: the market's plus the government's.
merged_targets as (
    select
        measurement_year,
        target_extra_jobs
    from targets_with_total
    where sector = 'total'
),

compared as (
    select
        jobs_compared.measurement_year,
        jobs_compared.employment_form,
        jobs_compared.paid_hours,
        jobs_compared.jobs,
        jobs_compared.baseline_jobs,
        jobs_compared.extra_jobs,
        {{ round_half_away_from_zero('jobs_compared.extra_jobs') }} as extra_jobs_rounded,
        merged_targets.target_extra_jobs
    from jobs_compared
    left join merged_targets
        on
            jobs_compared.measurement_year = merged_targets.measurement_year
            and jobs_compared.employment_form = 'total'
),

final as (
    select
        measurement_year,
        employment_form,
        paid_hours,
        jobs,
        baseline_jobs,
        extra_jobs,
        extra_jobs_rounded,
        target_extra_jobs,
        cast(target_extra_jobs - extra_jobs_rounded as integer) as target_shortfall,
        extra_jobs_rounded >= target_extra_jobs as target_met
    from compared
)

select * from final
