"""The semantic layer: `mf query` (MetricFlow) on a built warehouse gives the marts' figures.

MetricFlow reads `target/semantic_manifest.json` under the dbt project root (a fixed path) and
connects through profiles.yml. The test gives it a copy of the project whose target/ holds the
semantic manifest of the `built` run, and a copy of that run's warehouse, so no other test's open
connection can lock it. Every expected value is read from the marts, never typed in.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import copy_project, executable

TOLERANCE = 1e-6
SECTORS = ("market", "government")
FORMS = ("formal", "loan")


@dataclass
class SemanticLayer:
    project_dir: Path
    warehouse: Path
    marts: dict[str, list[dict]]

    def query(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "BANENAFSPRAAK_DB": str(self.warehouse),
            "DBT_PROJECT_DIR": str(self.project_dir),
            "DBT_PROFILES_DIR": str(self.project_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        env.pop("BANENAFSPRAAK_PAYROLL_DIR", None)
        completed = subprocess.run(
            [executable("mf"), "query", *args, "--quiet"],
            cwd=self.project_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if check:
            assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
        return completed

    def rows(self, *args: str) -> list[dict]:
        """The result of `mf query ARGS` as dicts: years as int, numbers as float, null as None."""
        out = self.project_dir / "query.csv"
        out.unlink(missing_ok=True)
        self.query(*args, "--csv", str(out))
        if not out.exists():  # mf writes no file for a query without rows
            return []
        with out.open(newline="", encoding="utf-8") as handle:
            return [{key: parse(key, value) for key, value in row.items()} for row in csv.DictReader(handle)]


def parse(key: str, value: str):
    if value == "":
        return None
    if key.startswith("metric_time"):
        return int(value[:4])
    if key in ("sector", "employment_form") or key.endswith("__is_projection"):
        return value
    return float(value)


def read_marts(warehouse: Path) -> dict[str, list[dict]]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts = {}
        for table in (
            "fct_jobs",
            "mart_baseline_comparison",
            "mart_year_on_year",
            "mart_merged_measurement",
            "mart_target_projection",
        ):
            cursor = connection.execute(f"select * from marts.{table}")
            columns = [column[0] for column in cursor.description]
            marts[table] = [dict(zip(columns, row)) for row in cursor.fetchall()]
        return marts
    finally:
        connection.close()


@pytest.fixture(scope="module")
def semantic_layer(built, tmp_path_factory) -> SemanticLayer:
    assert shutil.which(executable("mf")), "mf not found: install dbt-metricflow (requirements)"
    work = tmp_path_factory.mktemp("semantic_layer")
    project = copy_project(work / "project")
    (project / "target").mkdir()
    shutil.copy2(built.target_dir / "semantic_manifest.json", project / "target")
    # Same file name as the build's: the semantic manifest names the relations with the
    # database name DuckDB derives from it.
    warehouse = work / built.warehouse.name
    shutil.copy2(built.warehouse, warehouse)
    wal = built.warehouse.with_name(built.warehouse.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, warehouse.with_name(warehouse.name + ".wal"))
    return SemanticLayer(project, warehouse, read_marts(warehouse))


def mart(layer: SemanticLayer, table: str, **where) -> dict:
    matches = [row for row in layer.marts[table] if all(row[k] == v for k, v in where.items())]
    assert len(matches) == 1, (table, where, len(matches))
    return matches[0]


def close(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return abs(actual - expected) <= TOLERANCE * max(1.0, abs(expected))


def assert_close(actual, expected, what) -> None:
    assert close(actual, expected), f"{what}: mf says {actual}, the marts {expected}"


def test_the_semantic_manifest_holds_the_metrics_and_saved_queries(built):
    manifest = json.loads((built.target_dir / "semantic_manifest.json").read_text())
    metrics = {metric["name"] for metric in manifest["metrics"]}
    assert {
        "jobs",
        "extra_jobs",
        "target_extra_jobs",
        "target_shortfall",
        "achievement_rate",
        "year_on_year_delta",
        "loan_jobs",
        "loan_share",
        "merged_extra_jobs",
        "merged_target_shortfall",
        "projected_extra_jobs",
        "subsector_extra_jobs",
        "region_extra_jobs",
        "quota_levy_eur",
        "what_if_quota_levy_eur",
        "quota_liable_employers",
    } <= metrics
    assert {query["name"] for query in manifest["saved_queries"]} == {
        "letter_table_1",
        "target_series",
        "road_to_2026",
        "merged_measurement",
    }


def test_metrics_by_year_and_sector_equal_the_marts(semantic_layer):
    layer = semantic_layer
    rows = layer.rows(
        "--metrics",
        "extra_jobs,jobs,target_extra_jobs,target_shortfall,achievement_rate,year_on_year_delta,loan_share",
        "--group-by",
        "metric_time__year,sector",
    )
    years = sorted({row["measurement_year"] for row in layer.marts["fct_jobs"]})
    # One row per year and sector: the total rows of the marts are not counted in.
    assert sorted((row["metric_time__year"], row["sector"]) for row in rows) == sorted(
        (year, sector) for year in years for sector in SECTORS
    )
    for row in rows:
        year, sector = row["metric_time__year"], row["sector"]
        total = mart(
            layer, "mart_baseline_comparison", measurement_year=year, sector=sector, employment_form="total"
        )
        loan = mart(
            layer, "mart_baseline_comparison", measurement_year=year, sector=sector, employment_form="loan"
        )
        previous = [
            r
            for r in layer.marts["mart_year_on_year"]
            if (r["measurement_year"], r["sector"], r["employment_form"]) == (year, sector, "total")
        ]
        cell = f"{year} {sector}"
        assert_close(row["extra_jobs"], total["extra_jobs"], f"extra_jobs {cell}")
        assert_close(row["jobs"], total["jobs"], f"jobs {cell}")
        assert_close(row["target_extra_jobs"], total["target_extra_jobs"], f"target {cell}")
        assert_close(row["target_shortfall"], total["target_shortfall"], f"target_shortfall {cell}")
        expected_rate = (
            total["extra_jobs"] / total["target_extra_jobs"] if total["target_extra_jobs"] else None
        )
        assert_close(row["achievement_rate"], expected_rate, f"achievement_rate {cell}")
        assert_close(row["loan_share"], loan["jobs"] / total["jobs"], f"loan_share {cell}")
        assert_close(
            row["year_on_year_delta"],
            previous[0]["delta"] if previous else None,
            f"year_on_year_delta {cell}",
        )
    assert any(row["target_extra_jobs"] is not None for row in rows)
    assert any(row["year_on_year_delta"] is not None for row in rows)


def test_metrics_by_year_sum_both_sectors_like_the_total_rows(semantic_layer):
    layer = semantic_layer
    rows = layer.rows(
        "--metrics",
        "extra_jobs,target_extra_jobs,target_shortfall,achievement_rate,year_on_year_delta,loan_share",
        "--group-by",
        "metric_time__year",
    )
    assert len(rows) == len({row["measurement_year"] for row in layer.marts["fct_jobs"]})
    for row in rows:
        year = row["metric_time__year"]
        total = mart(
            layer, "mart_baseline_comparison", measurement_year=year, sector="total", employment_form="total"
        )
        loan = mart(
            layer, "mart_baseline_comparison", measurement_year=year, sector="total", employment_form="loan"
        )
        previous = [
            r
            for r in layer.marts["mart_year_on_year"]
            if (r["measurement_year"], r["sector"], r["employment_form"]) == (year, "total", "total")
        ]
        assert_close(row["extra_jobs"], total["extra_jobs"], f"extra_jobs {year}")
        assert_close(row["target_extra_jobs"], total["target_extra_jobs"], f"target {year}")
        # Rounded at the query's grain: the total's own rounding, not the sum of two roundings.
        assert_close(row["target_shortfall"], total["target_shortfall"], f"shortfall {year}")
        expected_rate = (
            total["extra_jobs"] / total["target_extra_jobs"] if total["target_extra_jobs"] else None
        )
        assert_close(row["achievement_rate"], expected_rate, f"achievement_rate {year}")
        assert_close(row["loan_share"], loan["jobs"] / total["jobs"], f"loan_share {year}")
        assert_close(
            row["year_on_year_delta"],
            previous[0]["delta"] if previous else None,
            f"year_on_year_delta {year}",
        )


def test_cells_by_sector_and_employment_form_equal_the_marts(semantic_layer):
    layer = semantic_layer
    rows = layer.rows(
        "--metrics",
        "extra_jobs,jobs,loan_jobs,loan_share",
        "--group-by",
        "metric_time__year,sector,employment_form",
    )
    assert len(rows) == len(layer.marts["fct_jobs"])
    for row in rows:
        key = dict(
            measurement_year=row["metric_time__year"],
            sector=row["sector"],
            employment_form=row["employment_form"],
        )
        cell = " ".join(str(value) for value in key.values())
        assert_close(row["jobs"], mart(layer, "fct_jobs", **key)["jobs"], f"jobs {cell}")
        assert_close(
            row["extra_jobs"],
            mart(layer, "mart_baseline_comparison", **key)["extra_jobs"],
            f"extra_jobs {cell}",
        )
        is_loan = row["employment_form"] == "loan"
        assert_close(row["loan_jobs"], row["jobs"] if is_loan else 0.0, f"loan_jobs {cell}")
        assert row["loan_share"] == (1.0 if is_loan else 0.0), cell


def test_without_time_a_stock_reports_the_latest_year_not_a_sum_over_years(semantic_layer):
    layer = semantic_layer
    [row] = layer.rows("--metrics", "extra_jobs,jobs")
    latest = max(row["measurement_year"] for row in layer.marts["fct_jobs"])
    total = mart(
        layer, "mart_baseline_comparison", measurement_year=latest, sector="total", employment_form="total"
    )
    assert_close(row["extra_jobs"], total["extra_jobs"], f"extra_jobs {latest}")
    assert_close(row["jobs"], total["jobs"], f"jobs {latest}")


def test_a_target_has_no_employment_form(semantic_layer):
    completed = semantic_layer.query(
        "--metrics",
        "target_extra_jobs",
        "--group-by",
        "metric_time__year,employment_form",
        check=False,
    )
    assert completed.returncode != 0
    assert "employment_form" in completed.stdout + completed.stderr


def test_saved_query_letter_table_1_gives_the_cells_of_a_year(semantic_layer):
    layer = semantic_layer
    year = max(row["measurement_year"] for row in layer.marts["fct_jobs"])
    rows = layer.rows(
        "--saved-query",
        "letter_table_1",
        "--where",
        f"{{{{ TimeDimension('metric_time', 'year') }}}} = '{year}-01-01'",
    )
    assert sorted((row["sector"], row["employment_form"]) for row in rows) == sorted(
        (sector, form) for sector in SECTORS for form in FORMS
    )
    for row in rows:
        assert row["metric_time__year"] == year
        expected = mart(
            layer,
            "mart_baseline_comparison",
            measurement_year=year,
            sector=row["sector"],
            employment_form=row["employment_form"],
        )
        assert_close(
            row["extra_jobs"],
            expected["extra_jobs"],
            f"letter_table_1 {year} {row['sector']} {row['employment_form']}",
        )


def test_saved_query_target_series_follows_the_marts(semantic_layer):
    layer = semantic_layer
    rows = layer.rows("--saved-query", "target_series")
    keys = [(row["metric_time__year"], row["sector"]) for row in rows]
    assert keys == sorted(keys), "ordered by year and sector"
    assert len(rows) == len(SECTORS) * len({r["measurement_year"] for r in layer.marts["fct_jobs"]})
    for row in rows:
        expected = mart(
            layer,
            "mart_baseline_comparison",
            measurement_year=row["metric_time__year"],
            sector=row["sector"],
            employment_form="total",
        )
        for metric in ("extra_jobs", "target_extra_jobs", "target_shortfall"):
            assert_close(
                row[metric],
                expected[metric],
                f"target_series {row['metric_time__year']} {row['sector']} {metric}",
            )


def test_saved_query_merged_measurement_follows_its_mart(semantic_layer):
    layer = semantic_layer
    rows = layer.rows("--saved-query", "merged_measurement")
    totals = {
        row["measurement_year"]: row
        for row in layer.marts["mart_merged_measurement"]
        if row["employment_form"] == "total"
    }
    assert [row["metric_time__year"] for row in rows] == sorted(totals)
    for row in rows:
        expected = totals[row["metric_time__year"]]
        year = row["metric_time__year"]
        assert_close(row["merged_extra_jobs"], expected["extra_jobs"], f"merged {year}")
        # The shortfall against the one target: empty before the first year with a target.
        assert_close(
            row["merged_target_shortfall"],
            None if expected["target_shortfall"] is None else float(expected["target_shortfall"]),
            f"merged shortfall {year}",
        )
    assert any(row["merged_target_shortfall"] is not None for row in rows)


def test_merged_extra_jobs_equal_extra_jobs_of_both_sectors(semantic_layer):
    layer = semantic_layer
    merged = layer.rows("--metrics", "merged_extra_jobs", "--group-by", "metric_time__year,employment_form")
    split = layer.rows("--metrics", "extra_jobs", "--group-by", "metric_time__year,employment_form")
    as_dict = {(r["metric_time__year"], r["employment_form"]): r["extra_jobs"] for r in split}
    assert len(merged) == len(as_dict)
    for row in merged:
        key = (row["metric_time__year"], row["employment_form"])
        assert_close(row["merged_extra_jobs"], as_dict[key], f"merged {key}")


def test_saved_query_road_to_2026_follows_the_projection_mart(semantic_layer):
    layer = semantic_layer
    rows = layer.rows("--saved-query", "road_to_2026")
    expected = {
        (row["year"], row["sector"]): row["trend_extra_jobs"]
        for row in layer.marts["mart_target_projection"]
        if row["sector"] != "total"
    }
    assert sorted((row["metric_time__year"], row["sector"]) for row in rows) == sorted(expected)
    for row in rows:
        key = (row["metric_time__year"], row["sector"])
        assert_close(row["projected_extra_jobs"], expected[key], f"projection {key}")
    # Summed over the two sectors, the trend of the total (least squares is linear).
    [both] = layer.rows("--metrics", "projected_extra_jobs")
    horizon = max(year for year, _ in expected)
    total = [
        row
        for row in layer.marts["mart_target_projection"]
        if row["sector"] == "total" and row["year"] == horizon
    ]
    assert_close(both["projected_extra_jobs"], total[0]["trend_extra_jobs"], "projection total")


def test_person_level_metrics_are_empty_on_the_seed(semantic_layer):
    """The seed has no subsector, region or employer detail: the metrics say nothing, not 0."""
    for metric in ("subsector_extra_jobs", "region_extra_jobs", "quota_levy_eur", "what_if_quota_levy_eur"):
        rows = semantic_layer.rows("--metrics", metric, "--group-by", "metric_time__year")
        assert all(row[metric] is None for row in rows), (metric, rows)
