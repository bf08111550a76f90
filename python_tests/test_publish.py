"""The publish step: BI tools read a separate file holding the marts only, replaced atomically.

What is checked, each against a real file and, where it matters, a real second process:
- the published DuckDB file holds schema `marts`, with the same tables, columns, types, comments
  and rows as the working warehouse, and schema `publication` (vintages, input fingerprints,
  revisions) and nothing else; the Parquet files hold the same rows;
- the manifest's checksums depend on the content only: the same warehouse, or two builds of the
  same input, give the same manifest byte for byte, and one changed value changes one checksum;
- a DuckDB 1.x client (1.1.3, in a throw-away virtual environment) reads the published file and
  its Parquet files, and cannot read the working warehouse (so the check can fail);
- a reader holding the published file open through a full `run_measurement.py` run keeps reading
  the old, complete marts, and readers that open the file anew see old then new, nothing between;
- a run killed (SIGKILL) during `dbt build`, a failed build and a failed validation leave every
  published file byte-identical; the run after the kill publishes;
- vintages (docs/revisions.md): the first publish keeps vintage 1 with its metadata and the marts;
  an unchanged warehouse adds no vintage and touches no file; a changed value adds a vintage whose
  revisions name the figure, its old and new value and why; `publish.py revisions --against`
  prints them; a publish that fails leaves no vintage behind.

dbt builds here: the session's `built` and three runs of `run_measurement.py` (one killed early),
each in a copy of the project, so that nothing (dbt's target and logs, the validation hook's Data
Docs) is written into the project tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, banenafspraak, copy_project, read_csv, write_csv

from banenafspraak import publish as publisher
from banenafspraak import run_measurement

MARTS = (
    "fct_jobs",
    "mart_baseline_comparison",
    "mart_year_on_year",
    "mart_formal_loan_breakdown",
    "mart_government_subsectors",
    "mart_regions",
    "mart_quota_percentages",
    "mart_target_projection",
    "mart_merged_measurement",
)
# Rows compared in one total order, whatever each mart's grain: every column, left to right.
GRAIN = "all"
# The year column of each mart whose rows are not per measurement year.
YEAR_COLUMN = {"mart_target_projection": "year", "mart_quota_percentages": "quota_year"}
OLD_DUCKDB = "duckdb==1.1.3"
DB_NAME = "banenafspraak.duckdb"
PUBLICATION_TABLES = ("input_fingerprints", "revisions", "vintages")
FINGERPRINTS = "intermediate.int_input_fingerprints"


# --- helpers -------------------------------------------------------------------------------------


def mart_rows(connection, catalog: str | None = None) -> dict[str, list[tuple]]:
    prefix = f'"{catalog}".' if catalog else ""
    return {
        mart: connection.execute(f"select * from {prefix}marts.{mart} order by {GRAIN}").fetchall()
        for mart in MARTS
    }


def column_catalog(connection) -> list[tuple]:
    """Per published mart column: name, type, nullability, position and comment; and each
    published mart's table comment."""
    columns = connection.execute(
        "select table_name, column_name, data_type, is_nullable, column_index, comment "
        "from duckdb_columns() where database_name = current_database() and schema_name = 'marts' "
        "and list_contains(?, table_name) order by table_name, column_index",
        [list(MARTS)],
    ).fetchall()
    tables = connection.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'marts' "
        "and list_contains(?, table_name) order by table_name",
        [list(MARTS)],
    ).fetchall()
    return [*columns, *tables]


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under `folder` (temp files included) with the sha256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run_env(work: Path, published_db: Path) -> dict[str, str]:
    """Environment for a run of run_measurement.py that writes nothing outside `work`."""
    env = {
        **os.environ,
        "BANENAFSPRAAK_DB": str(work / "warehouse.duckdb"),
        "BANENAFSPRAAK_PUBLISHED_DB": str(published_db),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("BANENAFSPRAAK_PAYROLL_DIR", None)
    return env


def project_copy(destination: Path) -> Path:
    """A copy of the project to run run_measurement.py in, with the GX project when there is one:
    the validation hook writes Data Docs under gx/uncommitted/, which must stay out of the tree."""
    copy_project(destination)
    if (PROJECT_DIR / "gx").is_dir():
        shutil.copytree(PROJECT_DIR / "gx", destination / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    return destination


def run_measurement_command(project_dir: Path, *args: str) -> list[str]:
    """The main job, run in `project_dir` (a copy of the project): it measures that copy."""
    return banenafspraak("run", *args)


def copy_warehouse(built, destination: Path, sql: str = "") -> Path:
    """A copy of the built warehouse (a DbtRun, or a warehouse's path), optionally altered by
    `sql`."""
    shutil.copy2(getattr(built, "warehouse", built), destination)
    if sql:
        with duckdb.connect(str(destination)) as connection:
            connection.execute(sql)
    return destination


def without_latest_year(built, destination: Path) -> Path:
    """The warehouse as a publication of a year earlier would have it: the latest year removed."""
    deletes = "".join(
        f"delete from marts.{mart} where {YEAR_COLUMN.get(mart, 'measurement_year')} = "
        f"(select max(measurement_year) from marts.fct_jobs);"
        for mart in reversed(MARTS)
    )
    return copy_warehouse(built, destination, deletes)


@pytest.fixture(scope="module")
def published(built, tmp_path_factory) -> publisher.PublishResult:
    """The built warehouse, published into a temporary folder."""
    return publisher.publish(built.warehouse, tmp_path_factory.mktemp("published") / DB_NAME)


# --- content -------------------------------------------------------------------------------------


def test_the_published_file_holds_the_marts_and_the_publication_only(built, published):
    with duckdb.connect(str(published.published_db), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
        schemas_with_objects = connection.execute(
            "select distinct schema_name from duckdb_tables() where not internal union "
            "select distinct schema_name from duckdb_views() where not internal"
        ).fetchall()
        published_rows = mart_rows(connection)
        published_columns = column_catalog(connection)
    assert sorted(relations) == sorted(
        [("marts", mart, "BASE TABLE") for mart in MARTS]
        + [("publication", table, "BASE TABLE") for table in PUBLICATION_TABLES]
    )
    assert sorted(schemas_with_objects) == [("marts",), ("publication",)]

    with built.connect() as connection:
        assert mart_rows(connection) == published_rows
        assert column_catalog(connection) == published_columns
        working = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    # The quota levy per employer is built in the working warehouse and never published.
    assert working == set(MARTS) | {"mart_quota_levy"}
    # On the seed, only the breakdowns that need person-level input are empty.
    empty = sorted(mart for mart, rows in published_rows.items() if not rows)
    assert empty == ["mart_government_subsectors", "mart_regions"], empty
    # Types, not-null constraints and the dbt descriptions came along.
    assert {row[3] for row in published_columns if len(row) == 6} == {True, False}
    assert all(row[-1] for row in published_columns), "every column and table keeps its comment"


def test_the_published_file_uses_storage_version_64(published):
    """DuckDB 2.0 writes storage version 69 unless told; 64 (v1.0.0) is what 1.x clients read."""
    header = published.published_db.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64


def test_the_parquet_files_equal_the_marts(built, published):
    parquet_dir = published.published_db.parent / "parquet"
    files = sorted(path.name for path in parquet_dir.iterdir())
    assert files == sorted(f"{mart}.parquet" for mart in MARTS)
    with built.connect() as connection:
        expected = mart_rows(connection)
        expected_types = {mart: connection.execute(f"describe marts.{mart}").fetchall() for mart in MARTS}
    with duckdb.connect() as connection:
        for mart in MARTS:
            path = str(parquet_dir / f"{mart}.parquet")
            assert published.parquet_files[mart] == parquet_dir / f"{mart}.parquet"
            rows = connection.execute(f"select * from read_parquet(?) order by {GRAIN}", [path]).fetchall()
            assert rows == expected[mart], mart
            types = connection.execute(f"describe select * from read_parquet('{path}')").fetchall()
            assert [t[:2] for t in types] == [t[:2] for t in expected_types[mart]], mart


def test_the_manifest_counts_the_rows_and_is_the_same_for_the_same_warehouse(built, published, tmp_path):
    manifest = json.loads(published.manifest.read_text())
    with built.connect() as connection:
        counts = {
            mart: connection.execute(f"select count(*) from marts.{mart}").fetchone()[0] for mart in MARTS
        }
    assert {m: entry["rows"] for m, entry in manifest["marts"].items()} == counts
    assert manifest["duckdb_storage_version"] == "v1.0.0"

    # Publish the same warehouse again, elsewhere and over the first publication: same bytes.
    again = publisher.publish(built.warehouse, tmp_path / "again" / DB_NAME)
    assert again.manifest.read_bytes() == published.manifest.read_bytes()
    over = publisher.publish(built.warehouse, published.published_db)
    assert over.checksums() == published.checksums()
    assert over.manifest.read_bytes() == again.manifest.read_bytes()


def test_one_changed_value_changes_that_marts_checksum_only(built, published, tmp_path):
    changed = copy_warehouse(
        built,
        tmp_path / "changed.duckdb",
        "update marts.fct_jobs set jobs = jobs + 1e-9 "
        "where (measurement_year, sector, employment_form) = (2016, 'market', 'formal')",
    )
    result = publisher.publish(changed, tmp_path / "published" / DB_NAME)
    before, after = published.checksums(), result.checksums()
    assert [mart for mart in MARTS if before[mart] != after[mart]] == ["fct_jobs"]


# --- refusals and leftovers ----------------------------------------------------------------------


def test_publish_refuses_a_missing_warehouse_and_a_missing_mart(built, tmp_path):
    published_db = tmp_path / "published" / DB_NAME
    publisher.publish(built.warehouse, published_db)
    before = folder_state(published_db.parent)

    missing = tmp_path / "never_built.duckdb"
    with pytest.raises(publisher.PublishError, match="does not exist") as refused:
        publisher.publish(missing, published_db)
    assert str(missing) in str(refused.value)

    incomplete = copy_warehouse(built, tmp_path / "incomplete.duckdb", "drop table marts.mart_year_on_year")
    with pytest.raises(publisher.PublishError, match="lacks marts.mart_year_on_year") as refused:
        publisher.publish(incomplete, published_db)
    assert str(incomplete) in str(refused.value) and "dbt build" in str(refused.value)
    assert folder_state(published_db.parent) == before

    # The command line says the same, on stderr, with a non-zero exit code.
    completed = subprocess.run(
        [
            *banenafspraak("publish"),
            "--working-db",
            str(missing),
            "--published-db",
            str(published_db),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert completed.returncode == 1
    assert "does not exist" in completed.stderr and str(missing) in completed.stderr
    assert folder_state(published_db.parent) == before


def test_a_publish_removes_the_temp_files_of_killed_publishes(built, tmp_path):
    published_db = tmp_path / "published" / DB_NAME
    (published_db.parent / "parquet").mkdir(parents=True)
    leftovers = [
        published_db.parent / f".{DB_NAME}.4242.tmp",
        published_db.parent / f".{DB_NAME}.4242.tmp.wal",
        published_db.parent / ".manifest.json.4242.tmp",
        published_db.parent / "parquet" / ".fct_jobs.parquet.4242.tmp",
    ]
    leftovers += [
        published_db.parent / ".revisions.parquet.4242.tmp",
        published_db.parent / "vintages" / ".0001-2026-01-01T00-00-00Z.4242.tmp" / "x.parquet",
    ]
    for leftover in leftovers:
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_bytes(b"half written")
    result = publisher.publish(built.warehouse, published_db)
    assert not [leftover for leftover in leftovers if leftover.exists()]
    assert sorted((published_db.parent / "vintages").iterdir()) == [result.vintage.path]
    vintage = f"vintages/{result.vintage.id}"
    assert sorted(folder_state(published_db.parent)) == sorted(
        [
            ".publish.lock",
            DB_NAME,
            "manifest.json",
            "revisions.parquet",
            *(f"parquet/{m}.parquet" for m in MARTS),
            f"{vintage}/vintage.json",
            *(f"{vintage}/{m}.parquet" for m in MARTS),
        ]
    )


# --- vintages and revisions ----------------------------------------------------------------------

# The cells the revision tests change, and the input whose fingerprint they change with one.
CHANGED_CELL = {"measurement_year": 2016, "sector": "market", "employment_form": "formal"}
NEXT_YEAR_CELL = {**CHANGED_CELL, "measurement_year": 2017}


def where(cell: dict) -> str:
    return " and ".join(
        f"{column} = {value!r}" if isinstance(value, str) else f"{column} = {value}"
        for column, value in cell.items()
    )


def grain_key(cell: dict) -> str:
    return ", ".join(f"{column}={value}" for column, value in cell.items())


def value_text(warehouse: Path, mart: str, column: str, cell: dict) -> str:
    """A figure as text, as DuckDB casts it (what publication.revisions holds)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (text,) = connection.execute(
            f"select cast({column} as varchar) from marts.{mart} where {where(cell)}"
        ).fetchone()
    return text


def fingerprint_rows(warehouse: Path) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cursor = connection.execute(
            f"select * from {FINGERPRINTS} order by measurement_year nulls first, input_name"
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def an_input_of(warehouse: Path, year: int) -> str:
    """An input the warehouse fingerprinted for `year` (which depends on the kind of input)."""
    return next(row["input_name"] for row in fingerprint_rows(warehouse) if row["measurement_year"] == year)


@pytest.fixture(scope="module")
def fingerprinted(built, tmp_path_factory) -> Path:
    """A copy of the built warehouse that has intermediate.int_input_fingerprints: the build's own
    when it makes one, else one made here (one row per year and seed, as the model's grain)."""
    warehouse = copy_warehouse(built, tmp_path_factory.mktemp("fingerprinted") / "w.duckdb")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create schema if not exists intermediate; "
            f"create table if not exists {FINGERPRINTS} as "
            "select measurement_year, input_name, count(*) as n_rows, "
            "cast(sum(paid_hours) as decimal(38, 2)) as paid_hours, "
            "cast(sum(hash(measurement_year, sector, employment_form, jobs)) as varchar) "
            "as fingerprint from marts.fct_jobs, (values ('december_hours'), ('split_keys')) "
            "as inputs(input_name) group by all"
        )
    return warehouse


def changed_copy(
    warehouse: Path,
    destination: Path,
    changes: list[tuple[str, str, dict]],
    input_changed: tuple[int, str] | None = None,
) -> Path:
    """A copy with 1 added to each (mart, column, cell) and, optionally, the fingerprint of
    (year, input) altered, as when that input's rows for the year changed."""
    sql = "".join(
        f"update marts.{mart} set {column} = {column} + 1 where {where(cell)};"
        for mart, column, cell in changes
    )
    if input_changed:
        year, name = input_changed
        sql += (
            f"update {FINGERPRINTS} set fingerprint = fingerprint || '-changed' "
            f"where measurement_year = {year} and input_name = '{name}';"
        )
    return copy_warehouse(warehouse, destination, sql)


def published_revisions(published_db: Path) -> list[dict]:
    with duckdb.connect(str(published_db), read_only=True) as connection:
        cursor = connection.execute("select * from publication.revisions order by revision_number")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    parquet = duckdb.sql(
        f"select * from read_parquet('{published_db.parent / 'revisions.parquet'}') order by revision_number"
    ).fetchall()
    assert parquet == [tuple(row.values()) for row in rows], "revisions.parquet differs"
    return rows


def git_head() -> tuple[str | None, bool | None]:
    """The project's commit and dirtiness, asked of git here, not of publish.py."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    if head.returncode != 0:
        return None, None
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )
    return head.stdout.strip(), bool(status.stdout.strip())


def test_a_first_publish_keeps_vintage_1_with_its_metadata_and_marts(fingerprinted, tmp_path):
    published_db = tmp_path / "published" / DB_NAME
    before, git_before = datetime.now(UTC).replace(microsecond=0), git_head()
    result = publisher.publish(fingerprinted, published_db)
    after, git_after = datetime.now(UTC), git_head()

    folders = sorted((published_db.parent / "vintages").iterdir())
    assert folders == [result.vintage.path] and result.new_vintage and result.previous is None
    vintage = json.loads((result.vintage.path / "vintage.json").read_text())
    assert vintage["vintage_id"] == result.vintage.path.name and vintage["sequence"] == 1
    assert result.vintage.path.name.startswith("0001-")
    published_at = datetime.strptime(vintage["published_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert before <= published_at.replace(tzinfo=UTC) <= after
    assert result.vintage.path.name == "0001-" + published_at.strftime("%Y-%m-%dT%H-%M-%SZ")
    # Others may commit or edit meanwhile: the state before or after the publish.
    assert vintage["git"] in [{"commit": c, "dirty": d} for c, d in (git_before, git_after)]
    commit, dirty = vintage["git"]["commit"], vintage["git"]["dirty"]
    assert vintage["tools"] == {
        "dbt-core": version("dbt-core"),
        "dbt-duckdb": version("dbt-duckdb"),
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
    }
    expected_prints = [
        {**row, "paid_hours": None if row["paid_hours"] is None else str(row["paid_hours"])}
        for row in fingerprint_rows(fingerprinted)
    ]
    assert expected_prints and vintage["input_fingerprints"] == expected_prints
    assert vintage["input_fingerprints_known"] is True
    manifest = json.loads(result.manifest.read_text())
    assert {m: e["sha256"] for m, e in vintage["marts"].items()} == {
        m: e["sha256"] for m, e in manifest["marts"].items()
    }

    # The marts as they were: each vintage Parquet file is the published one, and its rows the
    # published file's.
    with duckdb.connect(str(published_db), read_only=True) as connection:
        published_rows = mart_rows(connection)
        vintages = connection.execute(
            "select vintage_id, sequence, published_at, git_commit, git_dirty, is_current, "
            "input_fingerprints_known, metadata from publication.vintages"
        ).fetchall()
        (prints,) = connection.execute(
            "select count(*) from publication.input_fingerprints where vintage_id = ?",
            [result.vintage.id],
        ).fetchone()
        for mart in MARTS:
            path = result.vintage.path / f"{mart}.parquet"
            assert path.read_bytes() == (published_db.parent / "parquet" / path.name).read_bytes()
            rows = connection.execute(
                f"select * from read_parquet(?) order by {GRAIN}", [str(path)]
            ).fetchall()
            assert rows == published_rows[mart], mart
    assert vintages == [
        (
            result.vintage.id,
            1,
            published_at,
            commit,
            dirty,
            True,
            True,
            (result.vintage.path / "vintage.json").read_text(),
        )
    ]
    assert prints == len(expected_prints)
    assert published_revisions(published_db) == [] and result.revisions == 0


def test_an_unchanged_warehouse_adds_no_vintage_and_touches_no_file(fingerprinted, tmp_path, capsys):
    published_db = tmp_path / "published" / DB_NAME
    first = publisher.publish(fingerprinted, published_db)
    files = sorted(path for path in published_db.parent.rglob("*") if path.is_file())
    before = folder_state(published_db.parent)
    stats = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in files}

    # The command line, as run_measurement.py prints it: one line.
    argv = ["--working-db", str(fingerprinted), "--published-db", str(published_db)]
    assert publisher.main(argv) == 0
    assert capsys.readouterr().out == (f"nothing changed since vintage {first.vintage.id}: no new vintage\n")
    # Without the fingerprints table (an older build) the marts alone decide: still unchanged.
    unknown = copy_warehouse(fingerprinted, tmp_path / "unknown.duckdb", f"drop table {FINGERPRINTS}")
    again = publisher.publish(unknown, published_db)
    assert not again.rewritten and again.vintage.id == first.vintage.id
    assert folder_state(published_db.parent) == before
    assert {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in files} == stats

    # The control: a changed input fingerprint alone is a new vintage, with no revised figure.
    year = 2016
    name = an_input_of(fingerprinted, year)
    changed = changed_copy(fingerprinted, tmp_path / "inputs.duckdb", [], (year, name))
    result = publisher.publish(changed, published_db)
    assert result.new_vintage and result.vintage.sequence == 2
    assert result.checksums() == first.checksums() and published_revisions(published_db) == []
    assert folder_state(published_db.parent) != before


def test_a_changed_value_is_a_new_vintage_whose_revisions_say_old_new_and_why(fingerprinted, tmp_path):
    published_db = tmp_path / "published" / DB_NAME
    first = publisher.publish(fingerprinted, published_db)
    year = CHANGED_CELL["measurement_year"]
    name = an_input_of(fingerprinted, year)
    changes = [("fct_jobs", "jobs", CHANGED_CELL), ("mart_year_on_year", "delta", NEXT_YEAR_CELL)]
    changed = changed_copy(fingerprinted, tmp_path / "changed.duckdb", changes, (year, name))
    result = publisher.publish(changed, published_db)

    assert result.new_vintage and result.previous.id == first.vintage.id
    assert result.vintage.sequence == 2 and result.vintage.id > first.vintage.id
    assert [v.id for v in publisher.list_vintages(published_db)] == [first.vintage.id, result.vintage.id]
    expected = [
        {
            "revision_number": number,
            "mart": mart,
            "grain_key": grain_key(cell),
            "measurement_year": cell["measurement_year"],
            "column_name": column,
            "change": "revised",
            "old_value": value_text(fingerprinted, mart, column, cell),
            "new_value": value_text(changed, mart, column, cell),
            "old_vintage_id": first.vintage.id,
            "new_vintage_id": result.vintage.id,
            # The changed input's own year; the next year depends on it (year on year).
            "why": f"{name} changed in {year}" if cell is CHANGED_CELL else f"via {year}: {name}",
        }
        for number, (mart, column, cell) in enumerate(changes, start=1)
    ]
    assert published_revisions(published_db) == expected
    assert result.revisions == len(expected)
    with duckdb.connect(str(published_db), read_only=True) as connection:
        assert connection.execute(
            "select vintage_id, is_current from publication.vintages order by sequence"
        ).fetchall() == [(first.vintage.id, False), (result.vintage.id, True)]

    # A value changed with no input changed: the reason is the code, named by its commits.
    third = changed_copy(changed, tmp_path / "third.duckdb", [("fct_jobs", "jobs", CHANGED_CELL)])
    publisher.publish(third, published_db)
    commit = result.vintage.commit()
    (row,) = published_revisions(published_db)
    assert (row["mart"], row["old_value"], row["new_value"]) == (
        "fct_jobs",
        expected[0]["new_value"],
        value_text(third, "fct_jobs", "jobs", CHANGED_CELL),
    )
    assert row["why"] == f"no input changed (code or rules changed: commit {commit} -> {commit})"


def test_removed_rows_and_the_revisions_command_against_the_first_vintage(fingerprinted, tmp_path, capsys):
    published_db = tmp_path / "published" / DB_NAME
    first = publisher.publish(fingerprinted, published_db)
    changes = [("fct_jobs", "jobs", CHANGED_CELL)]
    changed = changed_copy(fingerprinted, tmp_path / "changed.duckdb", changes)
    publisher.publish(changed, published_db)
    latest = (
        "delete from marts.mart_merged_measurement where measurement_year = "
        "(select max(measurement_year) from marts.mart_merged_measurement)"
    )
    with duckdb.connect(str(changed), read_only=True) as connection:
        removed = connection.execute(
            "select measurement_year, employment_form from marts.mart_merged_measurement "
            "where measurement_year = (select max(measurement_year) "
            "from marts.mart_merged_measurement) order by employment_form"
        ).fetchall()
    third = publisher.publish(copy_warehouse(changed, tmp_path / "third.duckdb", latest), published_db)
    # Against the previous vintage: only the removed rows (the changed cell was changed before).
    rows = published_revisions(published_db)
    assert [(r["mart"], r["grain_key"], r["change"], r["column_name"]) for r in rows] == [
        ("mart_merged_measurement", f"measurement_year={y}, employment_form={form}", "removed", None)
        for y, form in removed
    ]

    def command(*args: str) -> subprocess.CompletedProcess:
        """publish.py in this process (main), as the script's own process would run it."""
        argv = [*args, "--published-db", str(published_db)]
        code = publisher.main(argv)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out, err)

    # Against the first: the changed cell and the removed rows, one line each; the script itself.
    printed = subprocess.run(
        [
            *banenafspraak("publish"),
            "revisions",
            "--against",
            first.vintage.id,
            "--published-db",
            str(published_db),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert printed.returncode == 0, printed.stderr
    old = value_text(fingerprinted, "fct_jobs", "jobs", CHANGED_CELL)
    new = value_text(changed, "fct_jobs", "jobs", CHANGED_CELL)
    lines = printed.stdout.splitlines()
    assert lines[0] == (f"Vintage {third.vintage.id} against {first.vintage.id}: {1 + len(removed)} changed.")
    cell_lines = [line for line in lines if grain_key(CHANGED_CELL) in line]
    assert len(cell_lines) == 1 and cell_lines[0].split()[:8] == [
        "fct_jobs",
        *grain_key(CHANGED_CELL).split(),
        "jobs",
        "revised",
        old,
        new,
    ]
    assert old in cell_lines[0] and new in cell_lines[0] and "no input changed" in cell_lines[0]
    assert sum(" removed " in line for line in lines) == len(removed)
    # The sequence number names a vintage too; the list names them all.
    assert command("revisions", "--against", "1").stdout == printed.stdout
    listed = command("vintages")
    assert listed.returncode == 0 and command("revisions", "--list").stdout == listed.stdout
    assert [line.split()[0] for line in listed.stdout.splitlines()[2:]] == [
        v.id for v in publisher.list_vintages(published_db)
    ]
    # An unknown id: exit code 1, and the known ids.
    unknown = command("revisions", "--against", "0009-2000-01-01T00-00-00Z")
    assert unknown.returncode == 1 and "There is no vintage '0009-2000-01-01T00-00-00Z'" in (unknown.stderr)
    assert all(v.id in unknown.stderr for v in publisher.list_vintages(published_db))


def test_a_failed_publish_leaves_no_vintage_and_a_missing_file_is_restored(
    fingerprinted, tmp_path, monkeypatch
):
    published_db = tmp_path / "published" / DB_NAME
    first = publisher.publish(fingerprinted, published_db)
    before = folder_state(published_db.parent)
    changed = changed_copy(fingerprinted, tmp_path / "changed.duckdb", [("fct_jobs", "jobs", CHANGED_CELL)])

    def fail(*args, **kwargs):
        raise publisher.PublishError("the staged file does not read back (test)")

    with monkeypatch.context() as patched:
        patched.setattr(publisher, "_verify_database", fail)
        with pytest.raises(publisher.PublishError, match="test"):
            publisher.publish(changed, published_db)
    assert folder_state(published_db.parent) == before
    assert [p.name for p in (published_db.parent / "vintages").iterdir()] == [first.vintage.id]

    # The published file gone (or left by a publish killed between its renames): the same state
    # rewrites it, as the latest vintage, without adding one.
    published_db.unlink()
    restored = publisher.publish(fingerprinted, published_db)
    assert restored.rewritten and not restored.new_vintage
    assert restored.vintage.id == first.vintage.id
    assert folder_state(published_db.parent) == before


# --- a DuckDB 1.x client -------------------------------------------------------------------------

OLD_CLIENT = textwrap.dedent(
    """
    import json, sys
    import duckdb
    published_db, parquet_dir, working_db, marts, grain = sys.argv[1:6]
    out = {"version": duckdb.__version__, "marts": {}, "parquet": {}}
    with duckdb.connect(published_db, read_only=True) as connection:
        out["tables"] = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
        out["vintages"] = connection.execute(
            "select vintage_id, is_current from publication.vintages"
        ).fetchall()
        for mart in marts.split(","):
            rows = connection.execute(f"select * from marts.{mart} order by {grain}").fetchall()
            out["marts"][mart] = {
                "columns": connection.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall(),
                "rows": rows,
            }
            out["parquet"][mart] = connection.execute(
                f"select * from read_parquet('{parquet_dir}/{mart}.parquet') order by {grain}"
            ).fetchall()
    try:
        duckdb.connect(working_db, read_only=True).close()
        out["working_error"] = None
    except duckdb.Error as error:
        out["working_error"] = str(error)
    print(json.dumps(out, default=str))
    """
)


def test_a_duckdb_1x_client_reads_the_published_file(built, published, tmp_path):
    venv = tmp_path / "duckdb1"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", OLD_DUCKDB],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    completed = subprocess.run(
        [
            str(python),
            "-c",
            OLD_CLIENT,
            str(published.published_db),
            str(published.published_db.parent / "parquet"),
            str(built.warehouse),
            ",".join(MARTS),
            GRAIN,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    seen = json.loads(completed.stdout)

    assert seen["version"] == OLD_DUCKDB.split("==")[1]
    assert sorted(map(tuple, seen["tables"])) == sorted(
        [("marts", mart) for mart in MARTS] + [("publication", table) for table in PUBLICATION_TABLES]
    )
    assert seen["vintages"] == [[published.vintage.id, True]]
    with built.connect() as connection:
        expected = mart_rows(connection)
    manifest = json.loads(published.manifest.read_text())
    for mart in MARTS:
        rows = seen["marts"][mart]["rows"]
        # As the client wrote them: through JSON, decimals as text.
        assert rows == json.loads(json.dumps([list(row) for row in expected[mart]], default=str)), mart
        assert seen["parquet"][mart] == rows, mart
        # The 1.x client's rows give the manifest's checksum.
        columns = [tuple(column) for column in seen["marts"][mart]["columns"]]
        assert publisher.rows_checksum(columns, rows) == (
            manifest["marts"][mart]["rows"],
            manifest["marts"][mart]["sha256"],
        ), mart
    # The control: the working warehouse (DuckDB 2.0 storage) is what 1.x cannot open.
    assert seen["working_error"] and "version" in seen["working_error"].lower()


# --- readers, kills and failures through run_measurement.py --------------------------------------

READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb
    from banenafspraak import publish
    published_db, mode, stop, log = sys.argv[1:5]

    def state(connection):
        return {name: mart.sha256 for name, mart in publish.mart_checksums(connection).items()}

    held = duckdb.connect(published_db, read_only=True) if mode == "held" else None
    with open(log, "a") as out:
        while True:
            record = {"at": time.time()}
            try:
                if held is not None:
                    record["state"] = state(held)
                else:
                    with duckdb.connect(published_db, read_only=True) as connection:
                        record["state"] = state(connection)
            except Exception as error:
                record["error"] = repr(error)
            out.write(json.dumps(record) + "\\n")
            out.flush()
            if os.path.exists(stop):
                break
            time.sleep(0.02)
    """
)


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_readers_see_complete_marts_through_a_full_run(built, tmp_path):
    """One reader keeps its connection open through build and publish, one reconnects each read."""
    published_db = tmp_path / "published" / DB_NAME
    old = publisher.publish(without_latest_year(built, tmp_path / "old.duckdb"), published_db)
    new = publisher.publish(built.warehouse, tmp_path / "reference" / DB_NAME)
    old_state, new_state = old.checksums(), new.checksums()
    assert old_state != new_state

    project = project_copy(tmp_path / "project")
    stop = tmp_path / "stop"
    logs = {mode: tmp_path / f"{mode}.jsonl" for mode in ("held", "fresh")}
    readers = {
        mode: subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(published_db),
                mode,
                str(stop),
                str(logs[mode]),
            ],
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        for mode in logs
    }
    try:
        for mode, log in logs.items():
            wait_for(lambda log=log: read_log(log), 60, f"the {mode} reader's first read")
        run = subprocess.run(
            run_measurement_command(project),
            cwd=project,
            env=run_env(tmp_path / "run", published_db),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        finished = time.time()
        for mode, log in logs.items():
            wait_for(
                lambda log=log: sum(r["at"] > finished for r in read_log(log)) >= 3,
                60,
                f"the {mode} reader to read after the run",
            )
    finally:
        stop.touch()
        for reader in readers.values():
            try:
                reader.wait(timeout=30)
            except subprocess.TimeoutExpired:
                reader.kill()
                reader.wait()

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert all(reader.returncode == 0 for reader in readers.values())
    with built.connect() as connection:
        latest = max(row[0] for row in mart_rows(connection)["fct_jobs"])
    assert f"Tabel 1: resultaten eind {latest}" in run.stdout

    held, fresh = read_log(logs["held"]), read_log(logs["fresh"])
    assert not [r for r in held + fresh if "error" in r]
    # The open connection reads the old file throughout: complete, never the new content mixed in.
    assert all(r["state"] == old_state for r in held)
    # A reader that opens the file anew sees the old marts, then the new ones; nothing else.
    states = [r["state"] for r in fresh]
    assert all(s in (old_state, new_state) for s in states)
    assert new_state in states, "the reconnecting reader never saw the new publication"
    switch = states.index(new_state)
    assert states[0] == old_state and all(s == new_state for s in states[switch:])
    # The run built the same input as `built`: the same checksums, the same manifest.
    assert (published_db.parent / "manifest.json").read_bytes() == new.manifest.read_bytes()


def test_a_run_killed_during_the_build_leaves_the_published_files_untouched(built, published, tmp_path):
    published_db = tmp_path / "published" / DB_NAME
    # An older state: the rerun, on the same input as `built`, then has a new vintage to publish.
    publisher.publish(without_latest_year(built, tmp_path / "old.duckdb"), published_db)
    before = folder_state(published_db.parent)
    inode = published_db.stat().st_ino
    project = project_copy(tmp_path / "project")
    work = tmp_path / "run"
    work.mkdir()
    env = run_env(work, published_db)
    output = tmp_path / "killed_run.log"

    with output.open("w") as log:
        run = subprocess.Popen(
            run_measurement_command(project),
            cwd=project,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # The build has started once dbt has created the warehouse and started a node.
        wait_for(
            lambda: Path(env["BANENAFSPRAAK_DB"]).exists() and " START " in output.read_text(),
            180,
            "dbt build to start",
        )
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    assert run.returncode == -signal.SIGKILL
    printed = output.read_text()
    assert "Completed successfully" not in printed and "Published the marts" not in printed

    def group_gone() -> bool:
        try:
            os.killpg(run.pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(group_gone, 30, "the killed process group to disappear")
    assert folder_state(published_db.parent) == before
    assert published_db.stat().st_ino == inode

    # The next run, on the warehouse the killed build left behind, succeeds and publishes.
    rerun = subprocess.run(
        run_measurement_command(project),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "Published the marts" in rerun.stdout and "New vintage 0002-" in rerun.stdout
    assert published_db.stat().st_ino != inode, "the published file was replaced"
    # Same input, same content: the manifest of this build equals that of `built`.
    assert published.manifest.read_bytes() == (published_db.parent / "manifest.json").read_bytes()
    with duckdb.connect(str(published_db), read_only=True) as connection:
        published_rows = mart_rows(connection)
    with built.connect() as connection:
        assert published_rows == mart_rows(connection)


def test_a_failed_build_leaves_the_published_files_untouched(built, tmp_path):
    project = project_copy(tmp_path / "project")
    split_keys = project / "seeds" / "split_keys.csv"
    rows = read_csv(split_keys)
    rows[0]["share"] = "1.5"
    write_csv(split_keys, rows)

    # The published folder holds an older publication; the working warehouse still holds the
    # good marts of an earlier build, which the failed build leaves in place (dbt skips the models
    # downstream of the failing test): publishing after a failure would replace the older files.
    published_db = tmp_path / "published" / DB_NAME
    publisher.publish(without_latest_year(built, tmp_path / "old.duckdb"), published_db)
    before = folder_state(published_db.parent)
    env = run_env(tmp_path / "run", published_db)
    Path(env["BANENAFSPRAAK_DB"]).parent.mkdir()
    copy_warehouse(built, Path(env["BANENAFSPRAAK_DB"]))

    run = subprocess.run(
        run_measurement_command(project),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode != 0
    assert "dbt build failed" in run.stderr and "Nothing was published" in run.stderr
    assert str(published_db) in run.stderr
    assert folder_state(published_db.parent) == before


# --- the order of the steps in run_measurement.py (in-process, dbt replaced by a stub) ------------


@pytest.fixture
def stubbed_run(built, tmp_path, monkeypatch):
    """run_measurement.main with dbt stubbed: the warehouse is a copy of `built`, the published
    folder holds an older publication, and the validator (publish.VALIDATOR) is a script whose
    exit code is chosen, recording its arguments and whether the candidate it was given exists
    beside a published manifest that is still the old one."""
    working = copy_warehouse(built, tmp_path / "warehouse.duckdb")
    published_db = tmp_path / "published" / DB_NAME
    publisher.publish(without_latest_year(built, tmp_path / "old.duckdb"), published_db)
    monkeypatch.setenv("BANENAFSPRAAK_DB", str(working))
    monkeypatch.setenv("BANENAFSPRAAK_PUBLISHED_DB", str(published_db))

    calls: list[tuple] = []
    monkeypatch.setattr(run_measurement, "invoke_dbt", lambda args, **_: calls.append(("dbt", *args)))
    monkeypatch.setattr(
        run_measurement,
        "print_letter_tables",
        lambda year, published_db=None: calls.append(("print", published_db)),
    )
    validator = tmp_path / "validate_marts.py"
    monkeypatch.setattr(publisher, "VALIDATOR", (sys.executable, str(validator)))
    old_manifest = (published_db.parent / "manifest.json").read_text()

    def run(*argv: str, validator_exit: int = 0):
        record = str(tmp_path / "validated")
        validator.write_text(
            "import pathlib, sys\n"
            "candidate = pathlib.Path(sys.argv[2])\n"
            "manifest = (candidate.parent / 'manifest.json').read_text()\n"
            f"state = (candidate.is_file(), manifest == {old_manifest!r})\n"
            f"open({record!r}, 'a').write(' '.join(sys.argv[1:]) + f' {{state}}\\n')\n"
            "print('FAILED fct_jobs: a stubbed expectation' if "
            f"{validator_exit} else 'All stubbed expectations passed.')\n"
            f"sys.exit({validator_exit})\n"
        )
        calls.clear()
        run_measurement.main(list(argv))
        validated = tmp_path / "validated"
        return calls, (validated.read_text().splitlines() if validated.exists() else [])

    return run, working, published_db


def test_a_failed_validation_leaves_the_published_files_untouched(stubbed_run):
    run, _, published_db = stubbed_run
    before = folder_state(published_db.parent)
    with pytest.raises(SystemExit) as exited:
        run(validator_exit=3)
    message = str(exited.value.code)
    assert message.startswith("FAILED fct_jobs: a stubbed expectation\nGreat Expectations refused")
    assert "exit code 3" in message
    assert f"Nothing was published: {published_db}, its Parquet files and manifest" in message
    assert folder_state(published_db.parent) == before


def test_build_validate_publish_print_in_that_order(stubbed_run, built):
    run, working, published_db = stubbed_run
    calls, validated = run()
    assert calls == [("dbt", "build"), ("print", published_db)]
    # Great Expectations saw the candidate beside the published file, before it replaced it.
    candidate = published_db.with_name(f".{DB_NAME}.{os.getpid()}.tmp")
    assert validated == [f"--published-db {candidate} (True, True)"]
    assert not candidate.exists()
    with duckdb.connect(str(published_db), read_only=True) as connection, built.connect() as source:
        assert mart_rows(connection) == mart_rows(source)


@pytest.mark.parametrize(
    "argv, validator_exit, dbt_calls, validations",
    [
        (("--skip-build",), 0, [], 0),
        (("--skip-publish",), 0, [("dbt", "build")], 0),
    ],
)
def test_skip_build_and_skip_publish(stubbed_run, argv, validator_exit, dbt_calls, validations):
    run, _, published_db = stubbed_run
    before = folder_state(published_db.parent)
    calls, validated = run(*argv, validator_exit=validator_exit)
    assert [c for c in calls if c[0] == "dbt"] == dbt_calls
    assert len(validated) == validations
    publishes = not argv
    assert calls[-1] == ("print", published_db if publishes else None)
    assert (folder_state(published_db.parent) != before) == publishes


def test_a_second_run_on_an_unchanged_state_builds_validates_and_publishes_nothing(
    stubbed_run, tmp_path, monkeypatch
):
    """After a run that published, the next run fingerprints the input (a real `dbt run
    --select +int_input_fingerprints` on the warehouse) and, nothing having changed, only prints.
    A warehouse whose marts no longer are the recorded ones (another build wrote it) is built
    again; so is a record of another project state."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    run, working, published_db = stubbed_run
    _, validated = run()
    assert len(validated) == 1
    record = run_measurement.state_path(working)
    assert record.is_file()
    before = folder_state(published_db.parent)

    # (The validator's record of its runs grows by one line a validation.)
    calls, validated = run()
    assert calls == [("print", published_db)]
    assert len(validated) == 1, "the marts were validated again"
    assert folder_state(published_db.parent) == before

    with duckdb.connect(str(working)) as connection:
        connection.execute(
            "delete from marts.fct_jobs where measurement_year = (select min(measurement_year) "
            "from marts.fct_jobs)"
        )
    calls, validated = run()
    assert calls[0] == ("dbt", "build") and len(validated) == 2

    state = json.loads(record.read_text())
    state["project_digest"] = "0" * 64
    record.write_text(json.dumps(state))
    calls, _ = run()
    assert calls[0] == ("dbt", "build")
