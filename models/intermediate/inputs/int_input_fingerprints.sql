{{ config(materialized='table') }}

{#- What each measurement year's figures are built from, fingerprinted (rule_input_fingerprints):
    per year and input, the rows that can affect that year, their number, their paid hours and
    a hash of their contents. On person-level input:
      payroll_lines          the lines whose period ends in the year (all months: the
                             reconciliation reads them all), and, as year null, the lines
                             without a readable period end: their number, their hours, and
                             the digest of each file that holds them (macro
                             payroll_line_file_digests: on DuckDB the MD5 of the file), so
                             that a change in a file rebuilds the years it holds;
      target_group_register  the registrations whose validity overlaps the year, and those
                             without a readable valid_from (they could cover any year);
      employers              the employers' rows of the year, and those without a year.
    On the embedded seed: december_hours. On both: split_keys and targets. The inputs but
    the payroll lines are small; their hash is order-independent over the rows (macro
    content_hash).
    One pass over each input; the incremental payroll models compare these with the
    fingerprints they recorded (macro payroll_years_filter), and publish keeps them with each
    vintage. -#}

with

register as (
    select * from {{ ref('stg_payroll__target_group_register') }}
),

employers as (
    select * from {{ ref('stg_payroll__employers') }}
),

payroll_lines_by_file_and_year as (
    select
        measurement_year,
        file_name,
        n_lines as n_rows,
        paid_hours
    from {{ ref('int_payroll_lines_by_file_and_year') }}
),

-- On DuckDB the digests read the files' bytes, not the staged lines: the ref is an argument,
-- not an import CTE, so that no CTE goes unused.
file_digests as (
    select * from {{ payroll_line_file_digests(ref('stg_payroll__payroll_lines')) }} as digests
),

payroll_lines_by_year as (
    select
        by_file.measurement_year,
        'payroll_lines' as input_name,
        sum(by_file.n_rows) as n_rows,
        sum(by_file.paid_hours) as paid_hours,
        {{ sorted_list(dbt.concat(['by_file.file_name', "'='", 'file_digests.digest']),
            separator=';') }} as fingerprint
    from payroll_lines_by_file_and_year as by_file
    inner join file_digests on by_file.file_name = file_digests.file_name
    group by by_file.measurement_year
),

payroll_years as (
    select measurement_year from payroll_lines_by_year
    where measurement_year is not null
),

register_by_year as (
    select
        payroll_years.measurement_year,
        'target_group_register' as input_name,
        count(register.person_id) as n_rows,
        cast(null as decimal(38, 2)) as paid_hours,
        {{ content_hash(['register.person_id', 'register.basis', 'register.valid_from',
            'register.valid_to', 'register.valid_to_unreadable']) }} as fingerprint
    from payroll_years
    left join register
        on
            register.valid_from is null
            or (
                {{ measurement_year_of('register.valid_from') }}
                <= payroll_years.measurement_year
                and (
                    register.valid_to is null
                    or {{ measurement_year_of('register.valid_to') }}
                    >= payroll_years.measurement_year
                )
            )
    group by payroll_years.measurement_year
),

employers_by_year as (
    select
        payroll_years.measurement_year,
        'employers' as input_name,
        count(employers.employer_id) as n_rows,
        sum(employers.total_paid_hours) as paid_hours,
        {{ content_hash(['employers.employer_id', 'employers.employer_year', 'employers.sector',
            'employers.government_subsector', 'employers.size_class',
            'employers.labour_market_region', 'employers.total_paid_hours',
            'employers.total_paid_hours_unreadable']) }} as fingerprint
    from payroll_years
    left join employers
        on
            payroll_years.measurement_year = employers.employer_year
            or employers.employer_year is null
    group by payroll_years.measurement_year
),

december_hours as (
    select * from {{ ref('stg_seeds__december_hours') }}
),

december_hours_by_year as (
    select
        measurement_year,
        'december_hours' as input_name,
        count(*) as n_rows,
        sum(paid_hours) as paid_hours,
        {{ content_hash(['measurement_year', 'relation_type', 'employer_sector',
            'paid_hours']) }} as fingerprint
    from december_hours
    group by measurement_year
),

split_keys as (
    select * from {{ ref('stg_seeds__split_keys') }}
),

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

split_keys_by_year as (
    select
        measurement_year,
        'split_keys' as input_name,
        count(*) as n_rows,
        cast(null as decimal(38, 2)) as paid_hours,
        {{ content_hash(['measurement_year', 'sector', 'share']) }} as fingerprint
    from split_keys
    group by measurement_year
),

targets_by_year as (
    select
        measurement_year,
        'targets' as input_name,
        count(*) as n_rows,
        cast(null as decimal(38, 2)) as paid_hours,
        {{ content_hash(['measurement_year', 'sector', 'target_extra_jobs']) }} as fingerprint
    from targets
    group by measurement_year
),

-- Each input of the chosen measurement (macro measurement_input): on the seed the payroll
-- inputs are empty, and on person-level input the December hours seed is not read.
unioned as (
    select * from payroll_lines_by_year
    union all
    select * from register_by_year
    union all
    select * from employers_by_year
    union all
    select * from december_hours_by_year
    where {{ measurement_input() == 'aggregated' }}
    union all
    select * from split_keys_by_year
    union all
    select * from targets_by_year
),

final as (
    select
        cast(measurement_year as integer) as measurement_year,
        cast(input_name as {{ dbt.type_string() }}) as input_name,
        cast(n_rows as bigint) as n_rows,
        cast(paid_hours as decimal(38, 2)) as paid_hours,
        cast(fingerprint as {{ dbt.type_string() }}) as fingerprint
    from unioned
)

select * from final
