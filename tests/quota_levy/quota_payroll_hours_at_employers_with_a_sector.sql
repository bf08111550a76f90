{#- Target-group hours in formal employment at an employer without a row in the employers file
    for that year are in no employer's quota (int_payroll_employer_year_hours): a warning per
    year and employer. (A December line of such an employer is rejected by the measurement,
    reason employer_without_sector; the other months only matter for the quota.) -#}
{{ config(severity='warn') }}
with

employer_year_hours as (
    select * from {{ ref('int_payroll_employer_year_hours') }}
),

employers as (
    select * from {{ ref('stg_payroll__employers') }}
),

final as (
    select
        employer_year_hours.measurement_year,
        employer_year_hours.employer_id,
        employer_year_hours.target_group_paid_hours,
        'Employer ' || employer_year_hours.employer_id || ' paid '
        || cast(employer_year_hours.target_group_paid_hours as {{ dbt.type_string() }})
        || ' target-group hours in '
        || cast(employer_year_hours.measurement_year as {{ dbt.type_string() }})
        || ' but has no row for that year in the employers file: they count for no quota.'
            as message
    from employer_year_hours
    left join employers
        on
            employer_year_hours.employer_id = employers.employer_id
            and employer_year_hours.measurement_year = employers.employer_year
    where employer_year_hours.target_group_paid_hours > 0 and employers.employer_id is null
)

select * from final
