-- The floor of the benchmark: the same job as `dbt build` on person-level input, written by hand
-- as one DuckDB script over the same files, with no dbt. It validates every payroll line the
-- way the project does (duplicates included, found the same way: sorted 64-bit hashes checked
-- exactly), applies the measurement rules, reconciles the December hours and computes jobs per
-- year, sector and form. $payroll_dir and $seeds_dir are replaced by bench/benchmark.py.

create temp table classified as
with lines as not materialized (
    select * from read_parquet('$payroll_dir/payroll_lines*.parquet')
),
repeated_hashes as materialized (
    select distinct h from (
        select h, lag(h) over (order by h) as previous_h
        from (select hash(person_id, employer_id, period_start, period_end) as h from lines)
    )
    where h = previous_h
),
duplicate_keys as materialized (
    select l.person_id, l.employer_id, l.period_start, l.period_end
    from lines l
    join repeated_hashes r on hash(l.person_id, l.employer_id, l.period_start, l.period_end) = r.h
    group by all
    having count(*) > 1
),
validated as not materialized (
    select
        l.*,
        year(l.period_end) as measurement_year,
        month(l.period_end) = 12 as is_reference_month,
        case
            when l.person_id is null or l.person_id = '' then 'missing_person_id'
            when l.employer_id is null or l.employer_id = '' then 'missing_employer_id'
            -- A BSN: nine digits passing the 11-test (pseudonymous ids only).
            when (length(l.person_id) = 9 and coalesce((9 * try_cast(substr(l.person_id, 1, 1) as integer) + 8 * try_cast(substr(l.person_id, 2, 1) as integer) + 7 * try_cast(substr(l.person_id, 3, 1) as integer) + 6 * try_cast(substr(l.person_id, 4, 1) as integer) + 5 * try_cast(substr(l.person_id, 5, 1) as integer) + 4 * try_cast(substr(l.person_id, 6, 1) as integer) + 3 * try_cast(substr(l.person_id, 7, 1) as integer) + 2 * try_cast(substr(l.person_id, 8, 1) as integer) + -1 * try_cast(substr(l.person_id, 9, 1) as integer)) % 11 = 0, false))
                or (length(l.employer_id) = 9 and coalesce((9 * try_cast(substr(l.employer_id, 1, 1) as integer) + 8 * try_cast(substr(l.employer_id, 2, 1) as integer) + 7 * try_cast(substr(l.employer_id, 3, 1) as integer) + 6 * try_cast(substr(l.employer_id, 4, 1) as integer) + 5 * try_cast(substr(l.employer_id, 5, 1) as integer) + 4 * try_cast(substr(l.employer_id, 6, 1) as integer) + 3 * try_cast(substr(l.employer_id, 7, 1) as integer) + 2 * try_cast(substr(l.employer_id, 8, 1) as integer) + -1 * try_cast(substr(l.employer_id, 9, 1) as integer)) % 11 = 0, false))
                then 'identifier_looks_like_a_bsn'
            when l.period_start is null or l.period_end is null then 'missing_period'
            when l.period_end < l.period_start then 'period_ends_before_it_starts'
            when l.period_end - l.period_start >= 35 then 'period_longer_than_five_weeks'
            when d.person_id is not null then 'duplicate_line'
            when l.paid_hours is null then 'missing_paid_hours'
            when l.paid_hours < 0 then 'negative_paid_hours'
            when l.paid_hours > 24 * (l.period_end - l.period_start + 1) then 'paid_hours_exceed_period'
            when l.relation_type is null then 'missing_relation_type'
            when l.relation_type not in ('regular', 'temp_agency', 'sheltered_secondment', 'sheltered_internal')
                then 'unknown_relation_type'
        end as rejection_reason
    from lines l
    left join duplicate_keys d
        on l.person_id = d.person_id and l.employer_id = d.employer_id
        and l.period_start = d.period_start and l.period_end = d.period_end
),
register as (select * from read_parquet('$payroll_dir/target_group_register*.parquet')),
employers as (select * from read_parquet('$payroll_dir/employers*.parquet'))
select
    measurement_year, is_reference_month,
    case when rejection_reason is null then 'excluded' else 'rejected' end as outcome,
    coalesce(rejection_reason, 'outside_reference_month') as reason,
    null as employment_form, null as employer_sector,
    count(*) as n_lines, sum(paid_hours) as paid_hours
from validated
where rejection_reason is not null or not is_reference_month
group by all
union all
select
    measurement_year, true, outcome, reason, employment_form, employer_sector,
    count(*), sum(paid_hours)
from (
    select
        measurement_year,
        paid_hours,
        employment_form,
        employer_sector,
        case
            when relation_type = 'sheltered_internal' then 'excluded'
            when not is_registered then 'excluded'
            when relation_type = 'regular' and employer_sector is null then 'rejected'
            else 'counted'
        end as outcome,
        case
            when relation_type = 'sheltered_internal' then 'sheltered_internal'
            when not is_registered then 'not_in_register'
            when relation_type = 'regular' and employer_sector is null then 'employer_without_sector'
        end as reason
    from (
        select
            v.measurement_year,
            v.paid_hours,
            v.relation_type,
            case when v.relation_type = 'regular' then 'formal' else 'loan' end as employment_form,
            case when v.relation_type = 'regular' then e.sector end as employer_sector,
            exists (
                select 1 from register r
                where r.person_id = v.person_id
                    and r.valid_from <= make_date(v.measurement_year, 12, 31)
                    and (r.valid_to is null or r.valid_to >= make_date(v.measurement_year, 12, 31))
            ) as is_registered
        from validated v
        left join employers e
            on v.employer_id = e.employer_id and v.measurement_year = e.year
            and v.relation_type = 'regular'
        where v.rejection_reason is null and v.is_reference_month
    )
)
group by all;

-- The checks the project's data tests make on the register and the employers.
create temp table input_problems as
select 'register row ends before it starts' as problem, count(*) as n
from read_parquet('$payroll_dir/target_group_register*.parquet') where valid_to < valid_from
union all
select 'register row twice', count(*) from (
    select person_id, valid_from from read_parquet('$payroll_dir/target_group_register*.parquet')
    group by all having count(*) > 1
)
union all
select 'employer twice in a year', count(*) from (
    select employer_id, year from read_parquet('$payroll_dir/employers*.parquet')
    group by all having count(*) > 1
)
union all
select 'unknown sector', count(*) from read_parquet('$payroll_dir/employers*.parquet')
where sector not in ('market', 'government');

-- The December input, summed straight from the files, against the classification.
create temp table reconciliation as
with input as (
    select year(period_end) as measurement_year, count(*) as n_lines, sum(paid_hours) as hours
    from read_parquet('$payroll_dir/payroll_lines*.parquet')
    where month(period_end) = 12
    group by all
),
outcomes as (
    select measurement_year, sum(n_lines) as n_lines, sum(paid_hours) as hours
    from classified where is_reference_month group by all
)
select measurement_year, input.n_lines - outcomes.n_lines as unexplained_lines,
    input.hours - outcomes.hours as unexplained_hours
from input full join outcomes using (measurement_year);

create temp table jobs as
with hours as (
    select measurement_year, employment_form, employer_sector, sum(paid_hours) as paid_hours
    from classified where outcome = 'counted' group by all
),
split_keys as (select * from read_csv('$seeds_dir/split_keys.csv', header = true))
select measurement_year, employer_sector as sector, 'formal' as employment_form,
    paid_hours::double / 110.92 as jobs
from hours where employment_form = 'formal'
union all
select h.measurement_year, k.sector, 'loan', h.paid_hours::double * k.share::double / 110.92
from hours h join split_keys k using (measurement_year)
where h.employment_form = 'loan';

-- What the script reports: the problems (all must be zero).
select 'rejected lines' as problem, coalesce(sum(n_lines), 0) as n from classified
where outcome = 'rejected'
union all
select problem, n from input_problems
union all
select 'unreconciled years', count(*) from reconciliation
where unexplained_lines != 0 or unexplained_hours != 0;
