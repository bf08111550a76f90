"""The quota levy (quotumheffing): the quota percentage per year and sector, and the shortfall
and levy per employer, on hand-made person-level files whose outcome is worked out below from
the rule (docs/reference.md, "Quota levy"; models/docs/rules_quota_levy.md), in exact
fractions; the optional total_paid_hours of the employers file; the quota parameters seed.

The rule, as this test computes it:
  quota percentage = (A + B) x 1,331 / employee hours x 100, rounded down to two decimals, where
      employee hours = the total paid hours of the sector's quota-liable employers that year;
  quota-liable      = total paid hours >= 40,575 (25 x 1,623);
  shortfall         = quota% / 100 x total paid hours / 1,331 - target-group hours / 1,331,
                      rounded down to one decimal, not below 0 (quota-liable employers only);
  levy              = shortfall x EUR 5,000 where the quota is activated (government from 2018),
                      what-if levy = the same whether activated or not.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun, copy_project, read_csv, run_dbt, write_csv
from payroll_files import COLUMNS, write_dataset

# Statutory numbers (docs/reference.md), typed here from the reference, not read from the project.
HOURS_PER_JOB = 1331
LIABLE_FROM_HOURS = Decimal("40575")
LEVY_PER_JOB = 5000
# A and B per sector and year (docs/reference.md); government B '2024 on: 25,000', market
# '2026 on: 100,000'.
A = {"government": 12196, "market": 35397}
B = {
    "government": dict(
        zip(range(2017, 2027), (8750, 11250, 13750, 16250, 18750, 21250, 23750, 25000, 25000, 25000))
    ),
    "market": dict(
        zip(range(2017, 2027), (19500, 27000, 35500, 45000, 55000, 65000, 75000, 85000, 95000, 100000))
    ),
}
PUBLISHED = {(2018, "government"): Decimal("1.93"), (2024, "government"): Decimal("2.76")}
SEED_STATUS = "missing: employers.total_paid_hours (person-level input)"


# --- The rule, in exact arithmetic -----------------------------------------------------------


def floor_to(value: Fraction, decimals: int) -> Decimal:
    return Decimal(math.floor(value * 10**decimals)) / Decimal(10**decimals)


def cents(value: Fraction, rounding) -> Decimal:
    return Decimal(rounding(value * 100)) / 100


def quota_hours(year: int, sector: str) -> int:
    return (A[sector] + B[sector][year]) * HOURS_PER_JOB


def quota_percentage(year: int, sector: str, employee_hours: Decimal) -> Decimal:
    return floor_to(Fraction(100 * quota_hours(year, sector)) / Fraction(employee_hours), 2)


def implied_window(year: int, sector: str) -> tuple[Fraction, Fraction]:
    """Employee hours in (low, high] give the published percentage."""
    published = Fraction(PUBLISHED[(year, sector)])
    hours = Fraction(100 * quota_hours(year, sector))
    return hours / (published + Fraction(1, 100)), hours / published


def shortfall(percentage: Decimal, total_hours: Decimal, target_group_hours: Decimal) -> Decimal:
    jobs = (Fraction(percentage) * Fraction(total_hours) / 100 - Fraction(target_group_hours)) / HOURS_PER_JOB
    return max(floor_to(jobs, 1), Decimal("0.0"))


# --- Hand-made person-level input ------------------------------------------------------------

OPEN = None
ALWAYS = date(2010, 1, 1)


def month(year: int, number: int) -> tuple[date, date]:
    last = date(year + (number == 12), number % 12 + 1, 1) - date.resolution
    return date(year, number, 1), last


def line(person, employer, period, hours, relation="regular"):
    return (person, employer, *period, relation, Decimal(hours))


def employer(employer_id, year, sector, total_hours, subsector=None):
    if sector == "government" and subsector is None:
        subsector = "gemeenten"
    return (
        employer_id,
        year,
        sector,
        subsector,
        "large",
        "Twente",
        None if total_hours is None else Decimal(total_hours),
    )


REGISTER = [
    *[(person, "wajong", ALWAYS, OPEN) for person in ("P01", "P02", "P03", "P04", "P05", "P06")],
    ("P05", "indicatie", date(2015, 1, 1), OPEN),  # overlaps: P05's hours count once
    ("P_REG", "indicatie", date(2018, 6, 15), date(2018, 9, 30)),  # registered June-September
]
BASELINE = [employer("E_BASE", 2012, "market", "100000")]
BASELINE_LINES = [line("P01", "E_BASE", month(2012, 12), "110.92")]

# Build A (Parquet): the government's 2018 employee hours at the upper end of the window that
# gives the published 1.93 %, its 2024 hours one cent above the window of 2.76 %.
LOW_2018, HIGH_2018 = implied_window(2018, "government")
LOW_2024, HIGH_2024 = implied_window(2024, "government")
EMPLOYEE_HOURS_A = {2018: cents(HIGH_2018, math.floor), 2024: cents(HIGH_2024, math.ceil)}
GOVERNMENT_2018 = {  # employer: (total paid hours, target-group hours)
    "G_EXACT": (Decimal("40575.00"), Decimal(0)),  # exactly 40,575 h: liable
    "G_BELOW": (Decimal("40574.99"), Decimal(0)),  # one cent less: not liable
    "G_FLOOR": (Decimal("200000.00"), Decimal("945.11")),  # shortfall 2.19 exactly: 2.1
    "G_EDGE": (Decimal("41500.00"), Decimal("268.55")),  # 0.4 exactly (0.39999... in doubles)
    "G_ABOVE": (Decimal("100000.00"), Decimal("2000")),  # above its quota: 0
    "G_REG": (Decimal("50000.00"), Decimal("400")),  # 4 registered months of 12
}
LIABLE_2018 = sum(total for total, _ in GOVERNMENT_2018.values() if total >= LIABLE_FROM_HOURS)
GOVERNMENT_2018["G_FILL"] = (EMPLOYEE_HOURS_A[2018] - LIABLE_2018, Decimal(0))
MARKET_2018 = {
    "M_FILL": (Decimal("5000000000.00"), Decimal(0)),
    "M_SHORT": (Decimal("300000.00"), Decimal("1000")),
    "A_AGENCY": (Decimal("60000.00"), Decimal(0)),  # a temp agency: its loan lines count
}  # at the (unnamed) hirer


def population_a() -> dict[str, list[tuple]]:
    employers = list(BASELINE)
    employers += [employer(e, 2018, "government", total) for e, (total, _) in GOVERNMENT_2018.items()]
    employers += [employer(e, 2018, "market", total) for e, (total, _) in MARKET_2018.items()]
    employers += [
        employer("G_REG", 2017, "government", "50000.00"),  # 2017: not national
        employer("G_FILL24", 2024, "government", EMPLOYEE_HOURS_A[2024]),
    ]
    lines = list(BASELINE_LINES) + [
        line("P03", "G_FLOOR", month(2018, 11), "500"),
        line("P03", "G_FLOOR", month(2018, 12), "445.11"),
        line("P_OUT", "G_FLOOR", month(2018, 5), "100"),  # not registered
        line("P04", "G_EDGE", month(2018, 3), "268.55"),
        *[line("P05", "G_ABOVE", month(2018, m), "500") for m in (1, 2, 3, 4)],
        line("P05", "G_ABOVE", month(2018, 6), "300", "sheltered_internal"),  # never counts
        *[line("P_REG", "G_REG", month(2018, m), "100") for m in range(1, 13)],
        line("P01", "G_REG", (date(2018, 12, 17), date(2019, 1, 13)), "80"),  # ends in 2019
        *[line("P06", "M_SHORT", month(2018, m), "500") for m in (1, 2)],
        line("P02", "A_AGENCY", month(2018, 12), "100", "temp_agency"),
    ]
    return {"payroll_lines": lines, "target_group_register": REGISTER, "employers": employers}


# Build B (CSV): 2018 one cent below the window (the lower end is excluded), 2024 one cent inside.
EMPLOYEE_HOURS_B = {2018: cents(LOW_2018, math.floor), 2024: cents(LOW_2024, math.ceil)}
EDGE_2024 = (Decimal("40575.00"), Decimal("454.37"))  # 0.5 exactly at 2.76 % (0.4999... in doubles)


def population_b() -> dict[str, list[tuple]]:
    employers = list(BASELINE) + [
        employer("G_FILL", 2018, "government", EMPLOYEE_HOURS_B[2018]),
        employer("G_EDGE24", 2024, "government", EDGE_2024[0]),
        employer("G_FILL24", 2024, "government", EMPLOYEE_HOURS_B[2024] - EDGE_2024[0]),
    ]
    lines = list(BASELINE_LINES) + [line("P04", "G_EDGE24", month(2024, 3), EDGE_2024[1])]
    return {"payroll_lines": lines, "target_group_register": REGISTER, "employers": employers}


def write_population(folder: Path, population: dict[str, list[tuple]], fmt: str) -> None:
    for name, rows in population.items():
        write_dataset(folder, name, rows, fmt)


def write_employers_without_total_hours(
    folder: Path, rows: list[tuple], fmt: str, file_name: str = "employers"
) -> Path:
    """An employers file without the optional column total_paid_hours (CONTRACT 1b)."""
    columns = [c for c in COLUMNS["employers"] if c != "total_paid_hours"]
    path = write_dataset(
        folder,
        "employers",
        [row[: len(columns)] + (None,) for row in rows],
        fmt,
        file_name=f"{file_name}_full",
    )
    target = folder / f"{file_name}.{fmt}"
    options = "format parquet" if fmt == "parquet" else "format csv, header true"
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select {', '.join(columns)} from {reader}('{path}')) to '{target}' ({options})"
        )
    path.unlink()
    return target


def build(folder: Path, fmt: str, *args: str) -> DbtRun:
    return run_dbt(
        PROJECT_DIR,
        folder / "work",
        "build",
        *args,
        payroll_dir=folder / "input",
        payroll_format=fmt,
    )


def rows(run: DbtRun, sql: str) -> list[dict]:
    with run.connect() as connection:
        result = connection.execute(sql)
        names = [column[0] for column in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]


def percentages(run: DbtRun) -> dict[tuple[int, str], dict]:
    return {
        (row["quota_year"], row["sector"]): row
        for row in rows(run, "select * from marts.mart_quota_percentages")
    }


def levy(run: DbtRun) -> dict[tuple[int, str], dict]:
    return {
        (row["quota_year"], row["employer_id"]): row
        for row in rows(run, "select * from marts.mart_quota_levy")
    }


def one_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = re.sub(r"^\d\d:\d\d:\d\d\s+", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def build_a(tmp_path_factory) -> DbtRun:
    folder = tmp_path_factory.mktemp("quota_a")
    write_population(folder / "input", population_a(), "parquet")
    # A second employers file, for 2019, without the optional column.
    write_employers_without_total_hours(
        folder / "input",
        [employer("G_REG", 2019, "government", None), employer("M_SHORT", 2019, "market", None)],
        "parquet",
        file_name="employers_2019",
    )
    run = build(folder, "parquet")
    assert run.returncode == 0, run.output[-5000:]
    return run


@pytest.fixture(scope="module")
def build_b(tmp_path_factory) -> DbtRun:
    folder = tmp_path_factory.mktemp("quota_b")
    write_population(folder / "input", population_b(), "csv")
    write_employers_without_total_hours(
        folder / "input", [employer("G_X", 2019, "government", None)], "csv", file_name="employers_2019"
    )
    run = build(folder, "csv")
    assert run.returncode == 0, run.output[-5000:]
    return run


# --- The quota percentage --------------------------------------------------------------------


def test_the_quota_parameters_are_the_reference_values_on_every_row(built):
    found = percentages(built)
    assert set(found) == {(year, sector) for year in range(2017, 2027) for sector in ("market", "government")}
    for (year, sector), row in found.items():
        assert (row["baseline_jobs_a"], row["counted_extra_jobs_b"]) == (A[sector], B[sector][year])
        assert row["is_activated"] == (sector == "government" and year >= 2018)
        assert row["published_quota_percentage"] == PUBLISHED.get((year, sector))


def test_on_the_seed_input_every_row_names_the_missing_input(built):
    found = percentages(built)
    for (year, sector), row in found.items():
        assert row["input_status"] == SEED_STATUS
        for column in (
            "employee_hours",
            "quota_percentage",
            "reproduces_published",
            "liable_employers",
            "levy_eur",
            "what_if_levy_eur",
        ):
            assert row[column] is None, (year, sector, column)
    # The window that a national input must hit, straight from the published percentage.
    for key in PUBLISHED:
        low, high = implied_window(*key)
        assert found[key]["implied_employee_hours_min"] == pytest.approx(float(low), rel=1e-12)
        assert found[key]["implied_employee_hours_max"] == pytest.approx(float(high), rel=1e-12)
    assert levy(built) == {}


def test_inside_the_implied_window_the_published_percentage_is_reproduced(build_a, build_b):
    inside = {(2018, "a"): build_a, (2024, "b"): build_b}
    for (year, which), run in inside.items():
        row = percentages(run)[(year, "government")]
        hours = (EMPLOYEE_HOURS_A if which == "a" else EMPLOYEE_HOURS_B)[year]
        low, high = implied_window(year, "government")
        assert low < hours <= high
        assert row["input_status"] == "complete"
        assert row["employee_hours"] == float(hours)
        assert row["quota_percentage"] == PUBLISHED[(year, "government")]
        assert row["reproduces_published"] is True


def test_just_outside_the_implied_window_it_is_not(build_a, build_b):
    outside = {(2024, "a"): build_a, (2018, "b"): build_b}
    for (year, which), run in outside.items():
        row = percentages(run)[(year, "government")]
        hours = (EMPLOYEE_HOURS_A if which == "a" else EMPLOYEE_HOURS_B)[year]
        low, high = implied_window(year, "government")
        assert not low < hours <= high
        assert min(abs(Fraction(hours) - low), abs(Fraction(hours) - high)) <= Fraction(1, 100)
        assert row["quota_percentage"] == quota_percentage(year, "government", hours)
        assert row["quota_percentage"] != PUBLISHED[(year, "government")]
        assert row["reproduces_published"] is False


def test_only_quota_liable_employers_count_in_the_employee_hours(build_a):
    row = percentages(build_a)[(2018, "government")]
    liable = sum(total for total, _ in GOVERNMENT_2018.values() if total >= LIABLE_FROM_HOURS)
    assert Decimal(str(row["employee_hours"])) == liable == EMPLOYEE_HOURS_A[2018]
    assert row["liable_employers"] == len(GOVERNMENT_2018) - 1  # all but G_BELOW
    market = percentages(build_a)[(2018, "market")]
    market_hours = sum(total for total, _ in MARKET_2018.values())
    assert market["quota_percentage"] == quota_percentage(2018, "market", market_hours)
    assert market["reproduces_published"] is None  # nothing published for the market


def test_missing_input_is_named_and_no_figure_is_made_up(build_a, build_b):
    found = percentages(build_a)
    assert found[(2017, "market")]["input_status"] == (
        "missing: employers rows of the market sector for 2017"
    )
    # 2017: G_REG's 50,000 hours are far below (A + B) x 1,331: not a national population.
    assert found[(2017, "government")]["input_status"].startswith("not national:")
    # 2019: the employers file of that year has no total_paid_hours column.
    for sector in ("government", "market"):
        assert found[(2019, sector)]["input_status"] == (
            "missing: employers.total_paid_hours for 1 of 1 employers"
        )
    assert percentages(build_b)[(2019, "government")]["input_status"] == (
        "missing: employers.total_paid_hours for 1 of 1 employers"
    )
    for run in (build_a, build_b):
        for row in percentages(run).values():
            complete = row["input_status"] == "complete"
            assert (row["quota_percentage"] is not None) == complete
            assert (row["employee_hours"] is not None) == complete
            assert (row["what_if_levy_eur"] is not None) == complete


# --- The levy per employer -------------------------------------------------------------------


def expected_employer(
    year: int, sector: str, total: Decimal, target_group: Decimal, employee_hours: Decimal
) -> dict:
    percentage = quota_percentage(year, sector, employee_hours)
    liable = total >= LIABLE_FROM_HOURS
    short = shortfall(percentage, total, target_group) if liable else None
    activated = sector == "government" and year >= 2018
    return {
        "is_quota_liable": liable,
        "quota_percentage": percentage,
        "target_group_paid_hours": target_group,
        "shortfall_jobs": short,
        "levy_eur": short * LEVY_PER_JOB if short is not None and activated else None,
        "what_if_levy_eur": short * LEVY_PER_JOB if short is not None else None,
        "input_status": "complete",
    }


def test_shortfall_and_levy_per_employer_follow_the_rule(build_a):
    found = levy(build_a)
    market_hours = sum(total for total, _ in MARKET_2018.values())
    cases = [
        (e, "government", total, tg, EMPLOYEE_HOURS_A[2018]) for e, (total, tg) in GOVERNMENT_2018.items()
    ]
    cases += [(e, "market", total, tg, market_hours) for e, (total, tg) in MARKET_2018.items()]
    for employer_id, sector, total, target_group, employee_hours in cases:
        row = found[(2018, employer_id)]
        expected = expected_employer(2018, sector, total, target_group, employee_hours)
        assert row["total_paid_hours"] == total
        assert {key: row[key] for key in expected} == expected, employer_id
        assert row["counted_jobs"] == pytest.approx(float(target_group) / HOURS_PER_JOB)
        if expected["is_quota_liable"]:
            assert row["required_jobs"] == pytest.approx(
                float(expected["quota_percentage"]) / 100 * float(total) / HOURS_PER_JOB
            )
        else:
            assert row["required_jobs"] is None


def test_the_hand_made_cases_are_the_ones_named(build_a):
    """The named edge cases hold as intended, so that the comparison above tests them."""
    found = levy(build_a)
    assert found[(2018, "G_EXACT")]["is_quota_liable"] is True
    assert found[(2018, "G_BELOW")]["is_quota_liable"] is False
    assert found[(2018, "G_BELOW")]["shortfall_jobs"] is None
    assert found[(2018, "G_FLOOR")]["shortfall_jobs"] == Decimal("2.1")  # 2.19 rounded down
    assert found[(2018, "G_EDGE")]["shortfall_jobs"] == Decimal("0.4")  # not 0.3
    assert found[(2018, "G_ABOVE")]["shortfall_jobs"] == Decimal("0.0")
    assert found[(2018, "G_ABOVE")]["levy_eur"] == Decimal("0.00")
    assert found[(2018, "M_SHORT")]["levy_eur"] is None  # market: what-if only
    assert found[(2018, "M_SHORT")]["what_if_levy_eur"] > 0
    # The float trap of G_EDGE: in doubles the shortfall falls just below 0.4.
    doubles = 1.93 / 100 * 41500.0 / HOURS_PER_JOB - 268.55 / HOURS_PER_JOB
    assert math.floor(doubles * 10) / 10 == 0.3


def test_the_sector_levy_is_the_sum_over_its_employers(build_a):
    government = percentages(build_a)[(2018, "government")]
    expected = [
        expected_employer(2018, "government", total, tg, EMPLOYEE_HOURS_A[2018])
        for total, tg in GOVERNMENT_2018.values()
    ]
    total_levy = sum(e["levy_eur"] for e in expected if e["levy_eur"] is not None)
    assert government["levy_eur"] == total_levy == government["what_if_levy_eur"]
    market = percentages(build_a)[(2018, "market")]
    market_hours = sum(total for total, _ in MARKET_2018.values())
    what_if = sum(
        expected_employer(2018, "market", total, tg, market_hours)["what_if_levy_eur"]
        for total, tg in MARKET_2018.values()
    )
    assert market["levy_eur"] is None and market["what_if_levy_eur"] == what_if > 0


def test_an_exact_boundary_shortfall_is_not_lost_to_floating_point(build_b):
    row = levy(build_b)[(2024, "G_EDGE24")]
    assert row["quota_percentage"] == Decimal("2.76")
    assert row["shortfall_jobs"] == shortfall(Decimal("2.76"), *EDGE_2024) == Decimal("0.5")
    assert row["levy_eur"] == Decimal("2500.00")


def test_target_group_hours_count_per_period_at_the_paying_employer(build_a):
    hours = {
        (row["measurement_year"], row["employer_id"]): row
        for row in rows(build_a, "select * from intermediate.int_payroll_employer_year_hours")
    }
    # Registered on the period's last day: June-September of P_REG's twelve months.
    assert hours[(2018, "G_REG")]["target_group_paid_hours"] == Decimal("400.00")
    # A period that starts in December 2018 and ends in January 2019 belongs to 2019.
    assert hours[(2019, "G_REG")]["target_group_paid_hours"] == Decimal("80.00")
    # Overlapping registrations count the hours once; sheltered_internal work never.
    assert hours[(2018, "G_ABOVE")]["target_group_paid_hours"] == Decimal("2000.00")
    # A person outside the register: nothing.
    assert hours[(2018, "G_FLOOR")]["target_group_paid_hours"] == Decimal("945.11")
    # Temp-agency work counts at the hirer, whom the extract does not name: not at the agency.
    assert hours[(2018, "A_AGENCY")]["target_group_paid_hours"] == Decimal("0.00")
    assert hours[(2018, "A_AGENCY")]["lent_out_target_group_paid_hours"] == Decimal("100.00")
    found = levy(build_a)
    assert found[(2019, "G_REG")]["input_status"] == "missing: total_paid_hours"
    assert found[(2019, "G_REG")]["target_group_paid_hours"] == Decimal("80.00")
    assert found[(2019, "G_REG")]["shortfall_jobs"] is None
    assert {year for year, _ in found} <= set(range(2017, 2027))  # no quota before 2017


def test_an_incremental_build_gives_the_same_quota_marts(build_a, tmp_path):
    before = (percentages(build_a), levy(build_a))
    again = run_dbt(
        build_a.project_dir,
        build_a.warehouse.parent,
        "build",
        payroll_dir=build_a.warehouse.parent.parent / "input",
    )
    assert again.returncode == 0, again.output[-3000:]
    statuses = again.statuses()
    assert statuses["int_payroll_employer_year_hours"] == "success"
    assert (percentages(again), levy(again)) == before


# --- total_paid_hours is optional; of the wrong type, it is an error -------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_an_employers_file_without_total_paid_hours_builds_and_says_so(fmt, tmp_path):
    folder = tmp_path / "input"
    write_dataset(
        folder, "payroll_lines", BASELINE_LINES + [line("P03", "G_ONE", month(2018, 12), "100")], fmt
    )
    write_dataset(folder, "target_group_register", REGISTER, fmt)
    write_employers_without_total_hours(folder, BASELINE + [employer("G_ONE", 2018, "government", None)], fmt)
    run = build(tmp_path, fmt)
    assert run.returncode == 0, run.output[-5000:]
    found = percentages(run)
    assert len(found) == 20
    assert found[(2018, "government")]["input_status"] == (
        "missing: employers.total_paid_hours for 1 of 1 employers"
    )
    assert found[(2018, "government")]["quota_percentage"] is None
    row = levy(run)[(2018, "G_ONE")]
    assert row["total_paid_hours"] is None and row["is_quota_liable"] is None
    assert row["target_group_paid_hours"] == Decimal("100.00")
    assert row["shortfall_jobs"] is None and row["levy_eur"] is None
    assert row["input_status"] == "missing: total_paid_hours"


def test_a_parquet_total_paid_hours_of_the_wrong_type_stops_the_build(tmp_path):
    folder = tmp_path / "input"
    write_population(
        folder,
        {"payroll_lines": BASELINE_LINES, "target_group_register": REGISTER, "employers": BASELINE},
        "parquet",
    )
    path = folder / "employers.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create table t as select * from read_parquet('{path}')")
        connection.execute(
            "copy (select * replace (cast(total_paid_hours as varchar) as "
            f"total_paid_hours) from t) to '{path}' (format parquet)"
        )
    run = build(tmp_path, "parquet")
    assert run.returncode != 0
    text = one_line(run.output)
    assert "The input cannot be read, so nothing was built" in text
    assert (
        "employers.parquet: column total_paid_hours is VARCHAR, where the contract has "
        "decimal(18, 2). Write it as a number column."
    ) in text


def test_a_csv_total_paid_hours_that_is_not_a_number_rejects_its_row(tmp_path):
    folder = tmp_path / "input"
    write_population(
        folder,
        {"payroll_lines": BASELINE_LINES, "target_group_register": REGISTER, "employers": BASELINE},
        "csv",
    )
    with (folder / "employers.csv").open("a", encoding="utf-8") as handle:
        handle.write("G_BAD,2018,government,gemeenten,large,Twente,lots\n")
    run = build(tmp_path, "csv")
    assert run.returncode != 0
    assert (
        "employers (employers.csv): 1 row rejected for total paid hours that are not a number of 0 or more"
    ) in one_line(run.output)
    statuses = run.statuses()
    for mart in ("mart_quota_percentages", "mart_quota_levy"):
        assert statuses.get(mart) in (None, "skipped"), f"{mart} was built from bad input"


# --- The quota parameters seed: bad input ----------------------------------------------------


def rewrite_seed(project: Path, change) -> Path:
    path = project / "seeds" / "quota_parameters.csv"
    path.write_bytes(change(path.read_bytes()))
    return path


QUOTA_SEED_CASES = {
    "renamed_column": (
        lambda content: content.replace(b"counted_extra_jobs_b", b"extra_jobs_b", 1),
        "seeds/quota_parameters.csv lacks the column counted_extra_jobs_b and has extra_jobs_b, "
        "which the project does not know: renamed?",
    ),
    "not_a_whole_number": (
        lambda content: content + b"2027,market,35397,many,false,,published,test\n",
        "seeds/quota_parameters.csv has 1 line that cannot be read: line {last_line}: the value "
        "of counted_extra_jobs_b is not a integer",
    ),
}


@pytest.mark.parametrize("case", list(QUOTA_SEED_CASES))
def test_a_quota_parameters_seed_that_cannot_be_read_stops_the_build(case, tmp_path):
    change, message = QUOTA_SEED_CASES[case]
    project = copy_project(tmp_path / "project")
    path = rewrite_seed(project, change)
    message = message.format(last_line=len(path.read_bytes().splitlines()))
    run = run_dbt(project, tmp_path / "work", "build")
    assert run.returncode != 0
    text = one_line(run.output)
    assert "The input cannot be read, so nothing was built" in text
    assert message in text, text[-1500:]


def test_a_duplicate_quota_parameters_row_fails_the_grain_test(tmp_path):
    project = copy_project(tmp_path / "project")
    path = project / "seeds" / "quota_parameters.csv"
    parameters = read_csv(path)
    write_csv(path, parameters + [dict(parameters[0], counted_extra_jobs_b="1")])
    run = run_dbt(project, tmp_path / "work", "build", "--select", "quota_parameters+")
    assert run.returncode != 0
    assert "primary_key_quota_parameters_quota_year__sector" in run.failed_nodes()
    assert run.statuses().get("mart_quota_percentages") in (None, "skipped")
