"""The format of the person-level files (macro payroll_format): with BANENAFSPRAAK_PAYROLL_FORMAT
unset the kind of the files in the folder decides, a folder with both kinds is refused, and the
variable, when set, chooses (parquet or csv, nothing else). Plain `dbt` runs, as a data engineer
would type them, on the hand-made population of test_person_level_rules."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from conftest import PROJECT_DIR, run_dbt
from test_bad_input_catalogue import one_line
from test_person_level_rules import EMPLOYERS, LINES, REGISTER, write_population

KINDS = {"csv": ".csv", "parquet": ".parquet"}
STAGED = ("stg_payroll__payroll_lines", "stg_payroll__target_group_register", "stg_payroll__employers")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """The same population as CSV, as Parquet, and as both in one folder."""
    root = tmp_path_factory.mktemp("payroll_format")
    for kind in KINDS:
        write_population(root / kind, kind)
        write_population(root / "both", kind)
    return root


@pytest.fixture(scope="module")
def builds(folders):
    """A build of each one-kind folder with the variable unset, and of the folder with both kinds
    with the variable choosing CSV. The CSV folder is built with its tests; the other two
    without (seeds and models only), their marts compared with it: the Parquet input's tests run
    in every other person-level test."""
    without_tests = ("--exclude-resource-type", "test", "unit_test")
    runs = {}
    for name, folder, chosen, options in (
        ("csv", "csv", None, ()),
        ("parquet", "parquet", None, without_tests),
        ("both_csv_chosen", "both", "csv", without_tests),
    ):
        runs[name] = run_dbt(
            PROJECT_DIR,
            folders / "work" / name,
            "build",
            *options,
            payroll_dir=folders / folder,
            payroll_format=chosen,
        )
    return runs


def files_of_kind(folder, kind: str) -> set[str]:
    return {path.name for path in folder.iterdir() if path.suffix == KINDS[kind]}


def files_read(run) -> set[str]:
    """The input files the staging models read, by the file name they record per row."""
    with run.connect() as connection:
        return {
            name
            for model in STAGED
            for (name,) in connection.execute(f"select distinct file_name from staging.{model}").fetchall()
        }


def marts(run) -> dict[str, list[tuple]]:
    with run.connect() as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            table: connection.execute(f"select * from marts.{table} order by all").fetchall()
            for table in tables
        }


def relations_outside_audit(run) -> list[tuple]:
    """What a run put in its (new) warehouse besides the input check's own audit table."""
    if not run.warehouse.exists():
        return []
    with run.connect() as connection:
        return connection.execute(
            "select table_schema, table_name from information_schema.tables where table_schema <> 'audit'"
        ).fetchall()


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_kind_of_the_files_decides_when_the_variable_is_unset(kind, builds, folders):
    run = builds[kind]
    assert run.returncode == 0, run.output[-5000:]
    assert files_read(run) == files_of_kind(folders / kind, kind)


def test_csv_and_parquet_folders_give_the_same_marts(builds):
    for run in builds.values():
        assert run.returncode == 0, run.output[-5000:]
    from_csv = marts(builds["csv"])
    assert from_csv["fct_jobs"], "the population measured no jobs"
    assert from_csv == marts(builds["parquet"])


def test_the_variable_chooses_in_a_folder_with_both_kinds(builds, folders):
    run = builds["both_csv_chosen"]
    assert run.returncode == 0, run.output[-5000:]
    assert files_read(run) == files_of_kind(folders / "both", "csv")
    assert marts(run) == marts(builds["parquet"])


def test_a_folder_with_both_kinds_is_refused_before_anything_is_built(folders, tmp_path):
    run = run_dbt(PROJECT_DIR, tmp_path, "build", payroll_dir=folders / "both", payroll_format=None)
    assert run.returncode != 0
    text = one_line(run.output)
    assert "The input cannot be read, so nothing was built" in text, text[-3000:]
    named = re.search(
        r"holds person-level files of both kinds: CSV \(([^)]*)\) and Parquet "
        r"\(([^)]*)\)",
        text,
    )
    assert named, text[-3000:]
    for kind, names in zip(KINDS, named.groups()):
        assert set(names.split(", ")) == files_of_kind(folders / "both", kind)
    assert "remove the files of one kind" in text
    assert "BANENAFSPRAAK_PAYROLL_FORMAT=csv or BANENAFSPRAAK_PAYROLL_FORMAT=parquet" in text
    assert relations_outside_audit(run) == []


def test_an_unknown_format_is_refused(folders, tmp_path):
    run = run_dbt(PROJECT_DIR, tmp_path, "build", payroll_dir=folders / "csv", payroll_format="xlsx")
    assert run.returncode != 0
    text = one_line(run.output)
    assert "BANENAFSPRAAK_PAYROLL_FORMAT=xlsx is not a format of the person-level input" in text
    assert "set it to parquet or csv" in text, text[-3000:]
    assert relations_outside_audit(run) == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_another_engine_is_refused_detected_csv_and_accepts_parquet(kind, builds, folders):
    """What banenafspraak run asks DuckDB before a build on Spark or PostgreSQL (in the
    build's folders, where dbt parses partially)."""
    run = run_dbt(
        PROJECT_DIR,
        builds[kind].warehouse.parent,
        "run-operation",
        "payroll_format",
        "--args",
        json.dumps({"engine": "spark"}),
        payroll_dir=folders / kind,
        payroll_format=None,
    )
    text = one_line(run.output)
    if kind == "csv":
        assert run.returncode != 0
        assert "read by the duckdb target only. On spark, deliver Parquet files" in text
        for name in files_of_kind(folders / kind, kind):
            assert name in text
    else:
        assert run.returncode == 0, text[-3000:]


def test_source_freshness_reads_a_csv_folder_with_the_variable_unset(builds, folders):
    run = run_dbt(
        PROJECT_DIR,
        builds["csv"].warehouse.parent,
        "source",
        "freshness",
        payroll_dir=folders / "csv",
        payroll_format=None,
    )
    assert run.returncode == 0, run.output[-3000:]
    results = json.loads((run.target_dir / "sources.json").read_text())["results"]
    latest = {result["unique_id"].split(".")[-1]: result["max_loaded_at"][:10] for result in results}
    assert latest == {
        "payroll_lines": max(line[3] for line in LINES).isoformat(),
        "target_group_register": max(row[2] for row in REGISTER).isoformat(),
        "employers": date(max(row[1] for row in EMPLOYERS), 12, 31).isoformat(),
    }
    assert {result["status"] for result in results} <= {"pass", "warn"}
