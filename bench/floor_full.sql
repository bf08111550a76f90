-- The floor of the full build: bench/floor.sql (the letter: validation, classification,
-- reconciliation, jobs), which bench/benchmark.py runs first in the same connection, and then
-- this script, the work of the marts beyond the letter, by hand in DuckDB with the rules of the
-- dbt models: the input fingerprints, the government subsectors and the regions under disclosure
-- control, the merged measurement, the projection to 2026, and the quota levy with its
-- percentages. The marts (and the fingerprints) are written as tables of the script's database,
-- as dbt writes them into its warehouse. It reads the temp tables classified (the December
-- outcomes) and jobs (fct_jobs) of the letter. Like dbt's audit gate, it relies on the letter
-- having rejected no line: a rejected line is a problem the letter reports, and then nothing
-- here counts. $payroll_dir and $seeds_dir are replaced by bench/benchmark.py. No semicolon in
-- comments or strings: the runner splits the script on them.

create temp table register_spells as
-- The register merged into spells that do not overlap, so that a date falls in at most one:
-- a plain join then tells whether a person is registered on it (rule 3, and the quota levy).
with ordered as (
    select
        person_id, valid_from, coalesce(valid_to, date '9999-12-31') as valid_to,
        max(coalesce(valid_to, date '9999-12-31')) over (
            partition by person_id order by valid_from, valid_to
            rows between unbounded preceding and 1 preceding
        ) as earlier_valid_to
    from read_parquet('$payroll_dir/target_group_register*.parquet')
),
numbered as (
    select *, sum(case when earlier_valid_to >= valid_from then 0 else 1 end) over (
        partition by person_id order by valid_from, valid_to
        rows between unbounded preceding and current row
    ) as spell
    from ordered
)
select person_id, min(valid_from) as valid_from, max(valid_to) as valid_to
from numbered group by person_id, spell;

create temp table employers as
select
    nullif(trim(employer_id), '') as employer_id, year, sector,
    nullif(trim(government_subsector), '') as government_subsector, size_class,
    labour_market_region, total_paid_hours
from read_parquet('$payroll_dir/employers*.parquet', union_by_name = true);

create temp table quota_parameters as
select * from read_csv('$seeds_dir/quota_parameters.csv', header = true, types = {
    'quota_year': 'integer', 'baseline_jobs_a': 'integer', 'counted_extra_jobs_b': 'integer',
    'is_activated': 'boolean', 'published_quota_percentage': 'decimal(5, 2)'});

create temp table targets as
select measurement_year, sector, target_extra_jobs from read_csv(
    '$seeds_dir/targets.csv', header = true,
    types = {'measurement_year': 'integer', 'target_extra_jobs': 'integer'})
union all
-- Both sectors together, only in a year where both have a target.
select measurement_year, 'total', sum(target_extra_jobs)::integer from read_csv(
    '$seeds_dir/targets.csv', header = true,
    types = {'measurement_year': 'integer', 'target_extra_jobs': 'integer'})
group by measurement_year having count(distinct sector) = 2;

-- The years in which some December hours count (the measured years), and whether the baseline
-- year 2012 is one.
create temp table measured_years as
select distinct measurement_year from classified where outcome = 'counted';

-- The input fingerprints (int_input_fingerprints): per measurement year, the lines of the
-- payroll files (all months) with each file's MD5, and the register rows and employers that can
-- affect the year, each with its rows and an order-independent hash of their contents.
create table int_input_fingerprints as
with lines_by_file_and_year as (
    select year(period_end) as measurement_year, regexp_extract(filename, '[^/\\]*$') as file_name,
        count(*) as n_rows, sum(paid_hours) as paid_hours
    from read_parquet('$payroll_dir/payroll_lines*.parquet', filename = true)
    group by all
),
digests as (
    select regexp_extract(filename, '[^/\\]*$') as file_name, md5(content) as digest
    from read_blob('$payroll_dir/payroll_lines*.parquet')
),
payroll_lines as (
    select measurement_year, 'payroll_lines' as input_name, sum(n_rows) as n_rows,
        sum(paid_hours) as paid_hours,
        string_agg(file_name || '=' || digest, chr(59) order by file_name || '=' || digest) as fingerprint
    from lines_by_file_and_year join digests using (file_name)
    group by measurement_year
),
years as (select measurement_year from payroll_lines where measurement_year is not null),
register as (
    select nullif(trim(person_id), '') as person_id, basis, valid_from, valid_to
    from read_parquet('$payroll_dir/target_group_register*.parquet')
),
split_keys as (
    select * from read_csv('$seeds_dir/split_keys.csv', header = true,
        types = {'measurement_year': 'integer', 'share': 'double'})
)
select * from payroll_lines
union all
select y.measurement_year, 'target_group_register', count(r.person_id), null,
    sum(hash(r.person_id, r.basis, r.valid_from, r.valid_to, false)::decimal(38, 0))::varchar
from years y left join register r
    on r.valid_from is null or (year(r.valid_from) <= y.measurement_year
        and (r.valid_to is null or year(r.valid_to) >= y.measurement_year))
group by y.measurement_year
union all
select y.measurement_year, 'employers', count(e.employer_id), sum(e.total_paid_hours),
    sum(hash(e.employer_id, e.year, e.sector, e.government_subsector, e.size_class,
        e.labour_market_region, e.total_paid_hours, false)::decimal(38, 0))::varchar
from years y left join employers e on e.year = y.measurement_year or e.year is null
group by y.measurement_year
union all
select measurement_year, 'split_keys', count(*), null,
    sum(hash(measurement_year, sector, share)::decimal(38, 0))::varchar
from split_keys group by measurement_year
union all
select measurement_year, 'targets', count(*), null,
    sum(hash(measurement_year, sector, target_extra_jobs)::decimal(38, 0))::varchar
from targets where sector != 'total' group by measurement_year;

-- The breakdowns below sector level: the counted December lines (registered on 31 December,
-- not sheltered_internal, a regular line at an employer with a sector) with their person and
-- their employer's subsector and region, December's row groups only.
create temp table counted_december_lines as
select
    year(l.period_end) as measurement_year, l.person_id, l.paid_hours,
    case when l.relation_type = 'regular' then 'formal' else 'loan' end as employment_form,
    e.sector, e.government_subsector, e.labour_market_region
from read_parquet('$payroll_dir/payroll_lines*.parquet') l
join register_spells s
    on s.person_id = l.person_id
    and make_date(year(l.period_end), 12, 31) between s.valid_from and s.valid_to
left join employers e
    on l.relation_type = 'regular' and e.employer_id = l.employer_id and e.year = year(l.period_end)
-- Not sheltered_internal: the other relation types are regular and the two loans (the letter
-- rejects any other). Written so, an IN list would keep DuckDB from skipping the other months.
where month(l.period_end) = 12 and l.relation_type != 'sheltered_internal'
    and (l.relation_type != 'regular' or e.sector is not null);

-- One cell a row, both marts stacked: breakdown, year, s1 (the form of a subsector, the sector of
-- a region: the cells of equal year and s1 add up to a published total) and s2 (the subsector,
-- the region), the persons with paid hours, the jobs. A person counts behind a cell when they
-- have paid hours in it. The loan row of the subsectors is the government's loan jobs of fct_jobs.
create temp table cells as
with cells as (
    select 'subsectors' as breakdown, measurement_year, 'formal' as s1, government_subsector as s2,
        count(distinct person_id) filter (where paid_hours > 0) as persons,
        sum(paid_hours)::double / 110.92 as jobs
    from counted_december_lines where employment_form = 'formal' and sector = 'government'
    group by all
    union all
    select 'subsectors', p.measurement_year, 'loan', null, p.persons, j.jobs
    from (
        select measurement_year, count(distinct person_id) filter (where paid_hours > 0) as persons
        from counted_december_lines where employment_form = 'loan' group by all
    ) p
    left join jobs j
        on j.measurement_year = p.measurement_year and j.sector = 'government'
        and j.employment_form = 'loan'
    union all
    select 'regions', measurement_year, sector, labour_market_region,
        count(distinct person_id) filter (where paid_hours > 0), sum(paid_hours)::double / 110.92
    from counted_december_lines where employment_form = 'formal'
    group by all
),
with_persons as (select * from cells where persons > 0)
-- Extra jobs against the same series in 2012 (0 when it had no cell then, none when 2012 is not
-- measured), rounded half away from zero (rule 8).
select c.*, b.baseline_jobs, c.jobs - b.baseline_jobs as extra_jobs,
    (sign(c.jobs - b.baseline_jobs) * floor(round(abs(c.jobs - b.baseline_jobs), 6) + 0.5))::integer
        as extra_jobs_rounded
from with_persons c
cross join lateral (
    select case when exists (select 1 from measured_years where measurement_year = 2012)
        then coalesce((select jobs from with_persons b where b.breakdown = c.breakdown
            and b.measurement_year = 2012 and b.s1 is not distinct from c.s1
            and b.s2 is not distinct from c.s2), 0) end as baseline_jobs
) b;

-- Disclosure control: a series with a cell of fewer than 10 persons is hidden (every year)
-- then, until no sum changes, a sum (year and s1) that hides exactly one cell also hides its
-- unhidden cell with the fewest persons (ties: the smallest series), with its whole series.
create temp table cells_protected as
with recursive rounds (breakdown, measurement_year, s1, s2, persons, hidden, changed) as (
    select breakdown, measurement_year, s1, s2, persons,
        bool_or(persons < 10) over (partition by breakdown, s1, s2), true
    from cells
    union all
    select breakdown, measurement_year, s1, s2, persons, now_hidden,
        bool_or(now_hidden != hidden) over ()
    from (
        select *, bool_or(hidden or (n_hidden = 1 and rank_among_same = 1))
            over (partition by breakdown, s1, s2) as now_hidden
        from (
            select *,
                count(*) filter (where hidden) over (partition by breakdown, measurement_year, s1)
                    as n_hidden,
                row_number() over (
                    partition by breakdown, measurement_year, s1, hidden order by persons, s1, s2
                ) as rank_among_same
            from rounds where changed
        )
    )
)
select
    c.breakdown, c.measurement_year, c.s1, c.s2,
    case when not r.hidden then c.persons end as persons,
    case when not r.hidden then c.jobs end as jobs,
    case when not r.hidden then c.baseline_jobs end as baseline_jobs,
    case when not r.hidden then c.extra_jobs end as extra_jobs,
    case when not r.hidden then c.extra_jobs_rounded end as extra_jobs_rounded,
    r.hidden as is_suppressed,
    case when c.persons < 10 then 'fewer_than_min_persons' when r.hidden then 'secondary' end
        as suppression_reason
from cells c
join (select * from rounds where not changed) r
    on r.breakdown = c.breakdown and r.measurement_year = c.measurement_year
    and r.s1 is not distinct from c.s1 and r.s2 is not distinct from c.s2;

create table mart_government_subsectors as
select measurement_year::integer as measurement_year, s1 as employment_form,
    s2 as government_subsector, persons::integer as persons, jobs, baseline_jobs, extra_jobs,
    extra_jobs_rounded, is_suppressed, suppression_reason
from cells_protected where breakdown = 'subsectors';

create table mart_regions as
select measurement_year::integer as measurement_year, s2 as labour_market_region, s1 as sector,
    persons::integer as persons, jobs, baseline_jobs, extra_jobs, extra_jobs_rounded,
    is_suppressed, suppression_reason
from cells_protected where breakdown = 'regions';

-- The merged measurement: formal hours of both sectors and loan hours whole, no split key,
-- both forms every measured year, the total the sum of the unrounded forms, against 2012.
create table mart_merged_measurement as
with forms as (
    select y.measurement_year, f.employment_form,
        coalesce(sum(c.paid_hours), 0)::decimal(38, 2) as paid_hours,
        coalesce(sum(c.paid_hours), 0)::double / 110.92 as jobs
    from measured_years y
    cross join (values ('formal'), ('loan')) f (employment_form)
    left join classified c
        on c.outcome = 'counted' and c.measurement_year = y.measurement_year
        and c.employment_form = f.employment_form
    group by all
),
with_total as (
    select * from forms
    union all
    select measurement_year, 'total', sum(paid_hours), sum(jobs) from forms group by all
),
compared as (
    select c.*, b.jobs as baseline_jobs, c.jobs - b.jobs as extra_jobs,
        (sign(c.jobs - b.jobs) * floor(round(abs(c.jobs - b.jobs), 6) + 0.5))::integer
            as extra_jobs_rounded
    from with_total c
    left join with_total b on b.measurement_year = 2012 and b.employment_form = c.employment_form
)
select c.*, t.target_extra_jobs, (t.target_extra_jobs - c.extra_jobs_rounded)::integer
    as target_shortfall, c.extra_jobs_rounded >= t.target_extra_jobs as target_met
from compared c
left join targets t
    on t.sector = 'total' and t.measurement_year = c.measurement_year
    and c.employment_form = 'total';

-- The road to 2026: per sector (market, government, total) the extra jobs of both forms
-- against 2012 (int_extra_jobs_computed), the least-squares line through the last three
-- measured years after 2012 from exact decimal sums, projected up to 2026.
create table mart_target_projection as
with sector_jobs as (
    select y.measurement_year, s.sector, coalesce(sum(j.jobs), 0) as jobs
    from measured_years y
    cross join (values ('market'), ('government')) s (sector)
    left join jobs j on j.measurement_year = y.measurement_year and j.sector = s.sector
    group by all
),
with_total as (
    select * from sector_jobs
    union all
    select measurement_year, 'total', sum(jobs) from sector_jobs group by all
),
extra as (
    select c.measurement_year, c.sector, c.jobs - b.jobs as extra_jobs
    from with_total c left join with_total b on b.measurement_year = 2012 and b.sector = c.sector
),
trend_years as (
    select measurement_year from measured_years where measurement_year > 2012
    order by measurement_year desc limit 3
),
window_ as (
    select count(*) as n_trend_years, min(t.measurement_year) as first_trend_year,
        max(t.measurement_year) as last_trend_year,
        string_agg(t.measurement_year::varchar, ', ' order by t.measurement_year) as listed,
        (select max(measurement_year) from measured_years) as last_measured_year
    from trend_years t
),
projection_window as (
    select *, n_trend_years = 3 as has_trend,
        coalesce(first_trend_year, last_measured_year) as first_year,
        greatest(2026, last_measured_year) as last_year,
        case
            when n_trend_years = 0 then 'no trend: no measured year after the baseline 2012, '
                || 'the trend needs 3 (var projection_trend_years)' || chr(59) || ' not a forecast'
            when n_trend_years < 3 then 'no trend: ' || n_trend_years::varchar
                || ' measured year(s) after the baseline (' || listed || '), the trend needs 3 '
                || '(var projection_trend_years)' || chr(59) || ' not a forecast'
            when last_trend_year - first_trend_year + 1 = n_trend_years then 'linear trend of '
                || first_trend_year::varchar || '-' || last_trend_year::varchar
                || ', projected' || chr(59) || ' not a forecast'
            else 'linear trend of ' || listed || ', projected' || chr(59) || ' not a forecast'
        end as projection_label
    from window_
),
sums as (
    select e.sector, w.first_trend_year, count(*) as n,
        sum(e.measurement_year - w.first_trend_year) as sx,
        sum(e.extra_jobs::decimal(24, 9)) as sy,
        sum((e.measurement_year - w.first_trend_year) * e.extra_jobs::decimal(24, 9)) as sxy,
        sum((e.measurement_year - w.first_trend_year) * (e.measurement_year - w.first_trend_year))
            as sxx
    from extra e join trend_years using (measurement_year) cross join projection_window w
    group by all
),
lines as (
    select sector,
        (n::double * sxy::double - sx::double * sy::double) / nullif((n * sxx - sx * sx)::double, 0)
            as slope,
        first_trend_year + sx::double / n as mean_year, sy::double / n as mean_extra_jobs
    from sums
),
projected as (
    select s.sector, y.year, y.year > w.last_measured_year as is_projection,
        e.extra_jobs as measured_extra_jobs,
        case when w.has_trend then l.mean_extra_jobs + l.slope * (y.year - l.mean_year) end
            as trend_extra_jobs,
        t.target_extra_jobs, w.last_measured_year,
        case when w.has_trend then l.slope end as trend_slope_per_year,
        case when w.last_measured_year < 2026 then (h.target_extra_jobs - last.extra_jobs)
            / (2026 - w.last_measured_year) end as needed_extra_jobs_per_year,
        w.projection_label
    from (select distinct sector from extra) s
    cross join projection_window w
    cross join lateral (select (w.first_year + range)::integer as year
        from range(w.last_year - w.first_year + 1)) y
    left join extra e on e.sector = s.sector and e.measurement_year = y.year
    left join lines l on l.sector = s.sector
    left join targets t on t.sector = s.sector and t.measurement_year = y.year
    left join extra last on last.sector = s.sector and last.measurement_year = w.last_measured_year
    left join targets h on h.sector = s.sector and h.measurement_year = 2026
),
rounded as (
    select *,
        (sign(trend_extra_jobs) * floor(round(abs(trend_extra_jobs), 6) + 0.5))::integer
            as trend_extra_jobs_rounded,
        (sign(needed_extra_jobs_per_year) * floor(round(abs(needed_extra_jobs_per_year), 6) + 0.5))
            ::integer as needed_extra_jobs_per_year_rounded
    from projected
)
select sector, year, is_projection, measured_extra_jobs, trend_extra_jobs,
    trend_extra_jobs_rounded, target_extra_jobs,
    (target_extra_jobs - trend_extra_jobs_rounded)::integer as gap_to_target, last_measured_year,
    trend_slope_per_year, needed_extra_jobs_per_year, needed_extra_jobs_per_year_rounded,
    projection_label
from rounded;

-- The quota levy. Per quota year and employer, the paid hours of target-group members: lines
-- of a person registered on the last day of the period, regular at the employer, loans apart.
-- Only the quota years are read (Parquet statistics skip the earlier years).
set variable first_quota_year = (select min(quota_year) from quota_parameters);

create temp table employer_year_hours as
select
    year(l.period_end) as quota_year, l.employer_id,
    coalesce(sum(l.paid_hours) filter (where l.relation_type = 'regular'), 0)
        as target_group_paid_hours,
    coalesce(sum(l.paid_hours) filter (where l.relation_type != 'regular'), 0)
        as lent_out_target_group_paid_hours
from read_parquet('$payroll_dir/payroll_lines*.parquet') l
join register_spells s
    on s.person_id = l.person_id and l.period_end between s.valid_from and s.valid_to
where l.period_end >= make_date(getvariable('first_quota_year'), 1, 1)
    and l.relation_type != 'sheltered_internal'
group by all;

-- The employers of the quota years and sectors, liable from 40,575 paid hours.
create temp table employers_assessed as
select e.year as quota_year, e.employer_id, e.sector, e.total_paid_hours,
    e.total_paid_hours >= 40575 as is_quota_liable,
    coalesce(h.target_group_paid_hours, 0) as target_group_paid_hours, p.is_activated
from employers e
join quota_parameters p on p.quota_year = e.year and p.sector = e.sector
left join employer_year_hours h on h.quota_year = e.year and h.employer_id = e.employer_id;

-- The quota percentage per year and sector, (A + B) x 1,331 hours over the liable employers'
-- hours, rounded down to two decimals exactly (whole hundredths of hours, integer division).
create temp table quota_percentages as
with sector_hours as (
    select quota_year, sector, count(*) as n_employers,
        count(*) - count(total_paid_hours) as n_without_total,
        count(*) filter (where is_quota_liable) as n_liable,
        sum(total_paid_hours) filter (where is_quota_liable) as liable_hours
    from employers_assessed group by all
),
joined as (
    select p.*, (p.baseline_jobs_a + p.counted_extra_jobs_b)::decimal(38, 0) * 1331 as quota_hours,
        coalesce(h.n_employers, 0) as n_employers, coalesce(h.n_without_total, 0) as n_without_total,
        h.n_liable, h.liable_hours
    from quota_parameters p left join sector_hours h using (quota_year, sector)
),
with_status as (
    select *, case
        when n_employers = 0 then 'missing: employers rows of the ' || sector || ' sector for '
            || quota_year::varchar
        when n_without_total > 0 then 'missing: employers.total_paid_hours for '
            || n_without_total::varchar || ' of ' || n_employers::varchar || ' employers'
        when n_liable = 0
            then 'missing: a quota-liable employer (none with 40575 paid hours or more)'
        when liable_hours < quota_hours then 'not national: the employee hours are below '
            || '(A + B) x 1331, a quota percentage above 100'
        else 'complete'
    end as input_status
    from joined
)
select quota_year, sector, baseline_jobs_a, counted_extra_jobs_b, published_quota_percentage,
    is_activated, input_status, quota_hours,
    case when input_status = 'complete' then liable_hours end as employee_hours,
    case when input_status = 'complete'
        then ((quota_hours::hugeint * 1000000) // (liable_hours * 100)::hugeint)::decimal(38, 0) * 0.01
    end as quota_percentage,
    case when n_without_total = 0 then n_liable end as liable_employers
from with_status;

-- Per employer: the shortfall in jobs rounded down to one decimal (exactly, in ten-thousandths
-- of an hour), the levy of 5,000 euros a job where activated, and as a what-if.
create table mart_quota_levy as
with levy as (
    select e.*, p.quota_percentage, p.input_status as sector_input_status,
        case when e.is_quota_liable and p.quota_percentage is not null then greatest(
            (((p.quota_percentage * e.total_paid_hours - 100 * e.target_group_paid_hours)
                * 10000)::hugeint // 133100000)::decimal(38, 0) * 0.1, 0)
        end as shortfall_jobs
    from employers_assessed e join quota_percentages p using (quota_year, sector)
)
select quota_year::integer as quota_year, employer_id, sector,
    total_paid_hours::decimal(18, 2) as total_paid_hours, is_quota_liable,
    target_group_paid_hours::decimal(18, 2) as target_group_paid_hours,
    quota_percentage::decimal(5, 2) as quota_percentage,
    case when is_quota_liable
        then quota_percentage::double / 100 * total_paid_hours::double / 1331 end as required_jobs,
    target_group_paid_hours::double / 1331 as counted_jobs,
    shortfall_jobs::decimal(9, 1) as shortfall_jobs,
    (case when is_activated then shortfall_jobs * 5000 end)::decimal(18, 2) as levy_eur,
    (shortfall_jobs * 5000)::decimal(18, 2) as what_if_levy_eur,
    case
        when total_paid_hours is null then 'missing: total_paid_hours'
        when is_quota_liable and quota_percentage is null
            then 'missing: quota_percentage of the sector (' || sector_input_status || ')'
        else 'complete'
    end as input_status
from levy;

create table mart_quota_percentages as
with levy as (
    select quota_year, sector, sum(levy_eur) as levy_eur, sum(what_if_levy_eur) as what_if_levy_eur
    from mart_quota_levy group by all
)
select p.quota_year, p.sector, p.baseline_jobs_a, p.counted_extra_jobs_b,
    p.employee_hours::double as employee_hours, p.quota_percentage::decimal(5, 2) as quota_percentage,
    p.published_quota_percentage, p.quota_percentage = p.published_quota_percentage
        as reproduces_published,
    100 * p.quota_hours::double / (p.published_quota_percentage + 0.01)::double
        as implied_employee_hours_min,
    100 * p.quota_hours::double / p.published_quota_percentage::double
        as implied_employee_hours_max,
    p.is_activated, p.input_status, p.liable_employers::integer as liable_employers,
    (case when p.is_activated and p.input_status = 'complete' then coalesce(l.levy_eur, 0) end)
        ::decimal(18, 2) as levy_eur,
    (case when p.input_status = 'complete' then coalesce(l.what_if_levy_eur, 0) end)
        ::decimal(18, 2) as what_if_levy_eur
from quota_percentages p left join levy l using (quota_year, sector);

-- What this part reports: the checks the project's data tests make on the quota parameters
-- (all must be zero).
select 'quota parameters row twice' as problem, count(*) as n from (
    select quota_year, sector from quota_parameters group by all having count(*) > 1
)
union all
select 'quota parameters out of range', count(*) from quota_parameters
where sector not in ('market', 'government') or is_activated is null
    or not (baseline_jobs_a >= 0 and counted_extra_jobs_b >= 0
        and (published_quota_percentage is null
            or (published_quota_percentage > 0 and published_quota_percentage <= 100)));
