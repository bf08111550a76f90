"""Shared fixtures: dbt builds into temporary warehouses, never into the developer's own."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
# What a copy of the project needs to build; the rest (.venv, target, logs) stays behind.
# Debian's Chromium for the browser tests (report, docs site), started so that it makes no request
# of its own: without the background-networking flags it calls Google's hosts at every start.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
PROJECT_CONTENT = (
    "dbt_project.yml",
    "profiles.yml",
    "pyproject.toml",  # dbt-score's settings and rules, for the coverage gates on a copy
    "models",
    "seeds",
    "macros",
    "tests",
    "analyses",
    "src",
)


def banenafspraak(*args: str) -> list[str]:
    """The console script banenafspraak of the environment that runs the tests, with `args`
    (`python -m banenafspraak`: the same program). It works on the dbt project of the folder it
    is run in (banenafspraak.project), so a run in a copy of the project measures the copy."""
    return [sys.executable, "-m", "banenafspraak", *args]


def executable(name: str) -> str:
    """A console script of the virtual environment that runs the tests."""
    candidate = BIN_DIR / name
    return str(candidate) if candidate.exists() else name


@dataclass
class DbtRun:
    """One `dbt` invocation in a project folder, with its own warehouse and target folder."""

    project_dir: Path
    warehouse: Path
    target_dir: Path
    returncode: int
    output: str

    # A copy of run_results.json kept apart, for a run whose target folder later invocations
    # reuse (the session's `built`: check_coverage generates the docs into it).
    results_file: Path | None = None

    @property
    def run_results(self) -> dict:
        return json.loads((self.results_file or self.target_dir / "run_results.json").read_text())

    def statuses(self) -> dict[str, str]:
        """Status per node name (model, test, unit test, seed) of the last invocation."""
        return {
            result["unique_id"].split(".")[-1]
            if result["unique_id"].startswith("unit_test.")
            else result["unique_id"].split(".")[2]: result["status"]
            for result in self.run_results["results"]
        }

    def failed_nodes(self) -> set[str]:
        return {name for name, status in self.statuses().items() if status in ("fail", "error")}

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)


# dbt parses the whole project (about 6 s) when its target folder holds no partial_parse.msgpack,
# and every test build has its own target folder. A build of the project, or of an altered copy
# of it (copy_project), therefore starts from the manifest of one `dbt parse` per worker, made
# when first needed: dbt then parses only what differs (the payroll variables, the files a copy
# altered, added or removed), and nothing when nothing does. dbt compares each file's checksum,
# reparses from the copy's own files, and loads seeds from the copy's folder (a seed's saved
# path to the original is only its fallback when the copy has no such file, and a removed file
# is a removed node), as when a project folder is moved. dbt reuses a saved manifest only when
# the profile's connection details are the same, so every build names its warehouse by the same
# relative path, from its own work folder as the working directory.
_SAVED_MANIFEST: dict[str, Path] = {}
# The copies of the project made by copy_project, which start from the saved manifest too.
_COPIES: set[Path] = set()
WAREHOUSE_NAME = "warehouse.duckdb"


@pytest.fixture(scope="session", autouse=True)
def _parse_folder(tmp_path_factory) -> None:
    _SAVED_MANIFEST["folder"] = tmp_path_factory.mktemp("parse")


def dbt_command(project_dir: Path, work_dir: Path, *args: str) -> list[str]:
    return [
        executable("dbt"),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]


def dbt_env() -> dict[str, str]:
    env = {**os.environ, "BANENAFSPRAAK_DB": WAREHOUSE_NAME, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for name in ("BANENAFSPRAAK_PAYROLL_DIR", "BANENAFSPRAAK_PAYROLL_FORMAT"):
        env.pop(name, None)
    return env


def saved_manifest() -> Path:
    """The partial_parse.msgpack of `dbt parse` of the project, made once per worker."""
    if "manifest" not in _SAVED_MANIFEST:
        work = _SAVED_MANIFEST["folder"]
        completed = subprocess.run(
            dbt_command(PROJECT_DIR, work, "parse"),
            cwd=work,
            env=dbt_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, f"dbt parse failed:\n{completed.stdout[-4000:]}"
        _SAVED_MANIFEST["manifest"] = work / "target" / "partial_parse.msgpack"
    return _SAVED_MANIFEST["manifest"]


def run_dbt(
    project_dir: Path,
    work_dir: Path,
    *args: str,
    payroll_dir: Path | None = None,
    payroll_format: str | None = "parquet",
) -> DbtRun:
    """Run dbt in `project_dir`, writing the warehouse, target and logs under `work_dir`.

    With `payroll_dir`, dbt measures from the person-level files in it, in `payroll_format`
    (BANENAFSPRAAK_PAYROLL_FORMAT); with payroll_format=None the variable is unset and the
    files' kind decides.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    target_dir = work_dir / "target"
    env = dbt_env()
    if payroll_dir is not None:
        env["BANENAFSPRAAK_PAYROLL_DIR"] = str(payroll_dir)
        if payroll_format is not None:
            env["BANENAFSPRAAK_PAYROLL_FORMAT"] = payroll_format
    parsed_like_the_project = project_dir.resolve() in (PROJECT_DIR, *_COPIES)
    if parsed_like_the_project and not (target_dir / "partial_parse.msgpack").exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved_manifest(), target_dir / "partial_parse.msgpack")
    completed = subprocess.run(
        dbt_command(project_dir, work_dir, *args),
        cwd=work_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtRun(
        project_dir,
        work_dir / WAREHOUSE_NAME,
        target_dir,
        completed.returncode,
        completed.stdout + completed.stderr,
    )


def copy_project(destination: Path) -> Path:
    """A throw-away copy of the project, for builds on altered input."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_CONTENT:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy2(source, destination / name)
    _COPIES.add(destination.resolve())
    return destination


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> DbtRun:
    """`dbt build` of the project as it is, on the embedded seeds, in a temporary warehouse."""
    run = run_dbt(PROJECT_DIR, tmp_path_factory.mktemp("build"), "build")
    assert run.returncode == 0, f"dbt build failed:\n{run.output[-4000:]}"
    run.results_file = run.target_dir.parent / "build_run_results.json"
    shutil.copyfile(run.target_dir / "run_results.json", run.results_file)
    return run


@pytest.fixture(scope="session")
def published_figures() -> list[dict[str, str]]:
    """The published figures as the repo holds them (the seed), not typed into tests."""
    return read_csv(PROJECT_DIR / "seeds" / "published_figures.csv")


# --- two workers (pytest-xdist, --dist loadgroup) ------------------------------------------------
# Each test runs in a work unit (an xdist group), and a worker runs a whole unit, so that a
# module-scoped build is made once: the tests of a module that share a module-scoped fixture,
# directly or through another, form one unit; a test that uses none is a unit with the other
# cases of its function. A test may name its unit itself (the portability suite does: one unit
# for PostgreSQL, one for both Spark targets, one for DuckDB's own checks). The units are handed
# out in this order, the longest first (their minutes on the 2-core machine in brackets), so
# that no long unit starts last; the rest follow in file order.
LONGEST_FIRST = (
    "test_portability.py::spark",  # a Spark session on the seed, then a cluster on person-level data (12)
    "test_incremental.py",  # six incremental builds in turn (5)
    "test_portability.py::postgres",  # both inputs (2.5)
    "test_lint_and_coverage.py::test_sqlfluff_finds_no_violations",  # all, then input-dependent files (1.5)
    "test_bad_input_catalogue.py",  # its incremental bases and main jobs (2 each)
)


def work_units(items: list[pytest.Item]) -> dict[str, str]:
    """The unit of each test (node id -> unit name), by module-scoped fixtures shared."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def own(item: pytest.Item) -> str:
        return f"{item.path.name}::{getattr(item, 'originalname', item.name)}"

    for item in items:
        module = item.path.name
        shared = [
            f"{module}::{name}"
            for name, definitions in item._fixtureinfo.name2fixturedefs.items()
            if definitions and definitions[-1].scope == "module"
        ]
        for key in shared:
            parent[find(key)] = find(own(item))
    return {item.nodeid: find(own(item)) for item in items}


def rank(unit: str) -> int:
    return next((i for i, prefix in enumerate(LONGEST_FIRST) if unit.startswith(prefix)), len(LONGEST_FIRST))


# First: pytest-xdist's worker turns each xdist_group mark into the suffix of the test's node id
# in its own pytest_collection_modifyitems, and a mark added after it groups nothing.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    units = work_units(items)
    for item in items:
        marker = item.get_closest_marker("xdist_group")
        if marker is None:
            item.add_marker(pytest.mark.xdist_group(units[item.nodeid]))
        else:
            units[item.nodeid] = marker.args[0] if marker.args else marker.kwargs["name"]
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the order only matters to the distribution
        items.sort(key=lambda item: rank(units[item.nodeid]))


def pytest_collection_finish(session: pytest.Session) -> None:
    """On a worker: every test must carry its unit in its node id, where pytest-xdist's
    loadgroup scheduler reads it; without, tests of one unit run on both workers, and each
    worker makes the unit's builds again (requirements-dev.txt, pytest's pin)."""
    if os.environ.get("PYTEST_XDIST_WORKER") and session.config.getvalue("loadgroup"):
        lost = [item.nodeid for item in session.items if "@" not in item.nodeid]
        if lost:
            raise pytest.UsageError(
                f"{len(lost)} tests lost their work unit (first: {lost[0]}): pytest-xdist's "
                "--dist loadgroup no longer groups them on this pytest."
            )
