"""The outlook marts: the road to 2026 (mart_target_projection, a projection, not a forecast) and
the merged measurement without the market/government split (mart_merged_measurement).

Expected values are computed here, independently of the SQL: the trend with numpy's polyfit on the
unrounded extra jobs that mart_baseline_comparison holds, the targets from seeds/targets.csv, and
the merged figures from seeds/december_hours.csv in exact decimals.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import PROJECT_DIR, DbtRun, copy_project, read_csv, run_dbt, write_csv

VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
BASELINE_YEAR = VARS["baseline_year"]
TREND_YEARS = VARS["projection_trend_years"]
HORIZON_YEAR = VARS["projection_horizon_year"]
JOB_HOURS = Decimal(str(VARS["hours_per_december_job"]))
SECTORS = ("market", "government", "total")
FORMS = ("formal", "loan", "total")
# Floating-point noise allowed between two computations of the same unrounded figure.
TOLERANCE = 1e-6
# Only measurement marts here: the seed copies below need not reproduce the published figures.
NO_PUBLISHED_FIGURES = ("--vars", "{compare_published_figures: false}")


def round_half_away_from_zero(value: float) -> int:
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def rows(run: DbtRun, sql: str) -> list[dict]:
    with run.connect() as connection:
        relation = connection.sql(sql)
        return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def targets_from_seed(project: Path = PROJECT_DIR) -> dict[tuple[str, int], int]:
    """(sector, year) -> target; `total` where both sectors have one."""
    targets: dict[tuple[str, int], int] = {}
    by_year: dict[int, dict[str, int]] = defaultdict(dict)
    for row in read_csv(project / "seeds" / "targets.csv"):
        year, value = int(row["measurement_year"]), int(row["target_extra_jobs"])
        targets[(row["sector"], year)] = value
        by_year[year][row["sector"]] = value
    for year, sectors in by_year.items():
        if set(sectors) == {"market", "government"}:
            targets[("total", year)] = sum(sectors.values())
    return targets


def sector_extra_jobs(run: DbtRun) -> dict[str, dict[int, float]]:
    """sector -> year -> unrounded extra jobs (both forms) from mart_baseline_comparison."""
    found: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows(
        run,
        "select measurement_year, sector, extra_jobs "
        "from marts.mart_baseline_comparison where employment_form = 'total'",
    ):
        found[row["sector"]][row["measurement_year"]] = row["extra_jobs"]
    return found


def projection(run: DbtRun) -> dict[tuple[str, int], dict]:
    return {
        (row["sector"], row["year"]): row for row in rows(run, "select * from marts.mart_target_projection")
    }


def merged(run: DbtRun) -> dict[tuple[int, str], dict]:
    return {
        (row["measurement_year"], row["employment_form"]): row
        for row in rows(run, "select * from marts.mart_merged_measurement")
    }


def drop_seed_rows(project: Path, seed: str, keep) -> None:
    path = project / "seeds" / f"{seed}.csv"
    write_csv(path, [row for row in read_csv(path) if keep(row)])


# --- mart_target_projection: the road to 2026 -------------------------------------------------


def test_the_projection_is_the_least_squares_trend_of_the_last_measured_years(built):
    measured = sector_extra_jobs(built)
    targets = targets_from_seed()
    got = projection(built)
    years = sorted(measured["total"])
    last_year = years[-1]
    trend_years = [year for year in years if year > BASELINE_YEAR][-TREND_YEARS:]
    assert len(trend_years) == TREND_YEARS
    all_years = range(trend_years[0], max(HORIZON_YEAR, last_year) + 1)

    assert set(got) == {(sector, year) for sector in SECTORS for year in all_years}
    for sector in SECTORS:
        slope, intercept = np.polyfit(trend_years, [measured[sector][y] for y in trend_years], 1)
        needed = (targets[(sector, HORIZON_YEAR)] - measured[sector][last_year]) / (HORIZON_YEAR - last_year)
        for year in all_years:
            row = got[(sector, year)]
            trend = intercept + slope * year
            assert row["trend_extra_jobs"] == pytest.approx(trend, rel=1e-9, abs=TOLERANCE)
            assert row["trend_extra_jobs_rounded"] == round_half_away_from_zero(trend)
            assert row["trend_slope_per_year"] == pytest.approx(slope, rel=1e-9)
            assert row["is_projection"] is (year > last_year)
            if year > last_year:
                assert row["measured_extra_jobs"] is None
            else:
                assert row["measured_extra_jobs"] == pytest.approx(measured[sector][year], abs=TOLERANCE)
            target = targets.get((sector, year))
            assert row["target_extra_jobs"] == target
            expected_gap = None if target is None else target - round_half_away_from_zero(trend)
            assert row["gap_to_target"] == expected_gap
            assert row["last_measured_year"] == last_year
            assert row["needed_extra_jobs_per_year"] == pytest.approx(needed, rel=1e-12)
            assert row["needed_extra_jobs_per_year_rounded"] == round_half_away_from_zero(needed)
            assert row["projection_label"] == (
                f"linear trend of {trend_years[0]}-{trend_years[-1]}, projected; not a forecast"
            )
    # The total sector's target at the horizon: 100,000 market + 25,000 government.
    assert got[("total", HORIZON_YEAR)]["target_extra_jobs"] == (
        targets[("market", HORIZON_YEAR)] + targets[("government", HORIZON_YEAR)]
    )


def test_the_projection_docs_say_it_is_not_a_forecast(built):
    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    node = manifest["nodes"]["model.banenafspraak.mart_target_projection"]
    assert "PROJECTION" in node["description"] and "NOT a forecast" in node["description"]
    assert "a projection, never a forecast" in node["description"]  # the rule block, joined in


@pytest.fixture(scope="module")
def too_few_years(tmp_path_factory) -> tuple[Path, DbtRun]:
    """A copy with the baseline and only TREND_YEARS - 1 measured years after it."""
    root = tmp_path_factory.mktemp("too_few_years")
    project = copy_project(root / "project")
    kept = BASELINE_YEAR + TREND_YEARS - 1
    drop_seed_rows(project, "december_hours", lambda row: int(row["measurement_year"]) <= kept)
    run = run_dbt(project, root / "work", "build", *NO_PUBLISHED_FIGURES)
    return project, run


def test_too_few_measured_years_give_rows_that_say_so_and_the_build_passes(too_few_years):
    project, run = too_few_years
    assert run.returncode == 0, run.output[-4000:]
    measured = sector_extra_jobs(run)
    targets = targets_from_seed(project)
    got = projection(run)
    after_baseline = list(range(BASELINE_YEAR + 1, BASELINE_YEAR + TREND_YEARS))
    last_year = after_baseline[-1]
    listed = ", ".join(str(year) for year in after_baseline)

    assert set(got) == {
        (sector, year) for sector in SECTORS for year in range(after_baseline[0], HORIZON_YEAR + 1)
    }
    for (sector, year), row in got.items():
        assert row["projection_label"] == (
            f"no trend: {len(after_baseline)} measured year(s) after the baseline ({listed}), the "
            f"trend needs {TREND_YEARS} (var projection_trend_years); not a forecast"
        )
        assert row["trend_extra_jobs"] is None and row["trend_extra_jobs_rounded"] is None
        assert row["trend_slope_per_year"] is None and row["gap_to_target"] is None
        assert row["is_projection"] is (year > last_year)
        if year in measured[sector]:
            assert row["measured_extra_jobs"] == pytest.approx(measured[sector][year], abs=TOLERANCE)
        else:
            assert row["measured_extra_jobs"] is None
        assert row["target_extra_jobs"] == targets.get((sector, year))
        needed = (targets[(sector, HORIZON_YEAR)] - measured[sector][last_year]) / (HORIZON_YEAR - last_year)
        assert row["needed_extra_jobs_per_year"] == pytest.approx(needed, rel=1e-12)


def test_a_trend_of_fewer_than_two_years_stops_the_build_with_a_clear_message(tmp_path):
    run = run_dbt(PROJECT_DIR, tmp_path, "parse", "--vars", "{projection_trend_years: 1}")
    assert run.returncode != 0
    assert "var projection_trend_years is 1, but a linear trend needs at least 2" in run.output


# --- mart_merged_measurement: no market/government split --------------------------------------


def exact_merged_figures(project: Path = PROJECT_DIR) -> dict[tuple[int, str], dict]:
    """The merged measurement from the seed's hours, in exact decimals."""
    hours: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    forms = {"regular": "formal", "temp_agency": "loan", "sheltered_secondment": "loan"}
    for row in read_csv(project / "seeds" / "december_hours.csv"):
        if row["relation_type"] in forms:
            year = int(row["measurement_year"])
            hours[(year, forms[row["relation_type"]])] += Decimal(row["paid_hours"])
            hours[(year, "total")] += Decimal(row["paid_hours"])
    figures = {}
    for (year, form), paid_hours in hours.items():
        extra = (paid_hours - hours[(BASELINE_YEAR, form)]) / JOB_HOURS
        figures[(year, form)] = {
            "paid_hours": paid_hours,
            "jobs": paid_hours / JOB_HOURS,
            "extra_jobs": extra,
            "extra_jobs_rounded": int(extra.to_integral_value(rounding=ROUND_HALF_UP)),
        }
    return figures


def test_the_merged_measurement_follows_the_hours_without_a_split_key(built):
    exact = exact_merged_figures()
    targets = targets_from_seed()
    got = merged(built)

    assert set(got) == set(exact)
    for (year, form), row in got.items():
        expected = exact[(year, form)]
        assert row["paid_hours"] == expected["paid_hours"]
        assert row["jobs"] == pytest.approx(float(expected["jobs"]), abs=TOLERANCE)
        assert row["extra_jobs"] == pytest.approx(float(expected["extra_jobs"]), abs=TOLERANCE)
        assert row["extra_jobs_rounded"] == expected["extra_jobs_rounded"], (year, form)
        target = targets.get(("total", year)) if form == "total" else None
        assert row["target_extra_jobs"] == target
        if target is None:
            assert row["target_shortfall"] is None and row["target_met"] is None
        else:
            assert row["target_shortfall"] == target - expected["extra_jobs_rounded"]
            assert row["target_met"] is (expected["extra_jobs_rounded"] >= target)


def test_the_merged_measurement_equals_the_split_total(built):
    split = {
        (row["measurement_year"], row["employment_form"]): row
        for row in rows(built, "select * from marts.mart_baseline_comparison where sector = 'total'")
    }
    exact = exact_merged_figures()
    got = merged(built)

    assert set(got) == set(split)
    for key, row in got.items():
        for column in ("jobs", "baseline_jobs", "extra_jobs"):
            assert row[column] == pytest.approx(split[key][column], abs=TOLERANCE), (key, column)
        for column in ("target_extra_jobs", "extra_jobs_rounded"):
            assert row[column] == split[key][column], (key, column)
        # Both paths round the exact figure, also at an exact tie that floating-point noise
        # moves on one path (2014 formal on the seed: 8,892.5, a sum of doubles on the split path).
        assert row["extra_jobs_rounded"] == exact[key]["extra_jobs_rounded"], key


def test_the_merged_measurement_reads_no_split_key(built):
    manifest = json.loads((built.target_dir / "manifest.json").read_text())
    parents = manifest["nodes"]["model.banenafspraak.mart_merged_measurement"]["depends_on"]
    assert sorted(parents["nodes"]) == [
        "model.banenafspraak.int_december_hours_aggregated",
        "model.banenafspraak.int_targets_with_total",
    ]


SPLIT_KEY_CASES = {
    # The year's government share removed: the shares of 2022 no longer add up to 1.
    "one_row_removed": (
        lambda row: (row["measurement_year"], row["sector"]) != ("2022", "government"),
        "split_key_shares_sum_to_one",
    ),
    # The year's key removed: 2022 has loan hours but no split key.
    "year_removed": (
        lambda row: row["measurement_year"] != "2022",
        "every_year_with_loan_hours_has_a_split_key",
    ),
}


@pytest.mark.parametrize("case", list(SPLIT_KEY_CASES))
def test_the_merged_measurement_builds_without_a_split_key(case, built, tmp_path):
    keep, failing_test = SPLIT_KEY_CASES[case]
    project = copy_project(tmp_path / "project")
    drop_seed_rows(project, "split_keys", keep)
    run = run_dbt(project, tmp_path / "work", "build", *NO_PUBLISHED_FIGURES)

    assert run.returncode != 0
    assert failing_test in run.failed_nodes()
    statuses = run.statuses()
    assert statuses.get("mart_baseline_comparison") in (None, "skipped")
    assert statuses.get("fct_jobs") in (None, "skipped")
    assert statuses["mart_merged_measurement"] == "success"
    assert merged(run) == merged(built)
