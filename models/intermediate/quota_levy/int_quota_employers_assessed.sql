{#- Per quota year and employer with a sector that year (employers file), for the years and
    sectors of seed quota_parameters: the employer's total paid hours, whether it is
    quota-liable, and its target-group paid hours (int_payroll_employer_year_hours). On the
    embedded seed there are no employer files: then no rows. -#}
with

quota_parameters as (
    select * from {{ ref('stg_seeds__quota_parameters') }}
),

employers as (
    select
        employer_id,
        employer_year as quota_year,
        sector,
        total_paid_hours
    from {{ ref('stg_payroll__employers') }}
),

employer_year_hours as (
    select
        measurement_year as quota_year,
        employer_id,
        target_group_paid_hours,
        lent_out_target_group_paid_hours
    from {{ ref('int_payroll_employer_year_hours') }}
),

assessed as (
    select
        employers.quota_year,
        employers.employer_id,
        employers.sector,
        cast(employers.total_paid_hours as decimal(18, 2)) as total_paid_hours,
        employers.total_paid_hours >= {{ var('quota_liable_from_hours') }} as is_quota_liable,
        coalesce(employer_year_hours.target_group_paid_hours, 0) as target_group_paid_hours,
        coalesce(employer_year_hours.lent_out_target_group_paid_hours, 0)
            as lent_out_target_group_paid_hours,
        quota_parameters.is_activated
    from employers
    inner join quota_parameters
        on
            employers.quota_year = quota_parameters.quota_year
            and employers.sector = quota_parameters.sector
    left join employer_year_hours
        on
            employers.quota_year = employer_year_hours.quota_year
            and employers.employer_id = employer_year_hours.employer_id
),

final as (
    select
        quota_year,
        employer_id,
        sector,
        total_paid_hours,
        is_quota_liable,
        cast(target_group_paid_hours as decimal(38, 2)) as target_group_paid_hours,
        cast(lent_out_target_group_paid_hours as decimal(38, 2))
            as lent_out_target_group_paid_hours,
        is_activated
    from assessed
)

select * from final
