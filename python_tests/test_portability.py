"""Portability: `dbt build` on every target (PostgreSQL, Spark in the dbt process, a standalone
Spark cluster over Thrift), on the embedded seed and on small generated person-level data (the
two Spark targets share the inputs between them), each build passing all its tests, and the
marts (and semantic models) of every target equal to DuckDB's value by value: unrounded
figures within 1e-9 relative, rounded figures, text, dates and booleans exactly (the rule is in
portability.py).

The builds run lazily, once per worker that needs them: the tests of PostgreSQL, and those of
both Spark targets, are work units of pytest-xdist (conftest.py), each worker building the
DuckDB references of the inputs it compares; one Spark runs at a time. Per target its inputs
(portability.TARGET_INPUTS): PostgreSQL on both, in one throw-away server; Spark in the dbt
process on the seed, in a fresh state folder; a Spark cluster on the person-level data, stopped
after its build. Each input thus runs on every engine, and Spark's SQL once per input. Each
target's marts are read into Python right after its build, while its server still runs.

No engine is skipped: when Java 17 or PostgreSQL is missing, or a server does not come up, the
target's tests fail with the reason (CI must not pass without having compared). Each test
prints its build's seconds.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtRun, banenafspraak, run_dbt
from portability import (
    REFERENCE,
    TARGET_INPUTS,
    TARGETS,
    Relation,
    Table,
    build_problem,
    compare_engines,
    compare_tables,
    compared_relations,
    create_database,
    drop_spark_schemas,
    read_duckdb,
    read_manifest,
    read_postgres,
    read_spark_warehouse,
    read_thrift,
    run_dbt_target,
    summarise,
    written_schemas,
)

from banenafspraak.engines import (
    PostgresServer,
    SparkCluster,
    load_payroll_into_postgres,
    require_java,
    require_postgres_bin,
    spark_session_env,
)

# About 45,000 payroll lines: seven years, so that the baseline (2012), the targets (from 2015),
# the projection's trend years, the quota years 2017-2018 and cells on both sides of the
# disclosure threshold all occur.
POPULATION = ("--persons", "1000", "--years", "2012-2018")
PUBLISHED_FIGURES_TEST = "assert_marts_reproduce_published_figures"


@dataclass
class Build:
    """One `dbt build` of one target on one input, and the compared relations read from it."""

    target: str
    input_name: str
    run: DbtRun | None = None
    seconds: float = 0.0
    # Seconds spent before the build: starting a server, loading the person-level input.
    setup_seconds: float = 0.0
    relations: list[Relation] = field(default_factory=list)
    # Every schema the build writes to (the custom schemas and the target's own).
    schemas: set[str] = field(default_factory=set)
    tables: dict = field(default_factory=dict)
    # Built and read (whether or not the build passed).
    finished: bool = False
    # What went wrong around the build (engine unavailable, server failure), else None.
    problem: str | None = None

    def timing(self) -> str:
        setup = f" (+ {self.setup_seconds:.0f} s setup)" if self.setup_seconds else ""
        return f"{self.target} {self.input_name}: dbt build {self.seconds:.0f} s{setup}"


class Builds:
    """Every build of the module, each made once, when first asked for."""

    def __init__(self, root: Path, payroll_dir: Path) -> None:
        self.root = root
        self.payroll_dir = payroll_dir
        self.references: dict[str, Build] = {}
        self.targets: dict[str, dict[str, Build]] = {}

    def payroll_for(self, input_name: str) -> Path | None:
        return self.payroll_dir if input_name == "person_level" else None

    def reference(self, input_name: str) -> Build:
        if input_name not in self.references:
            build = Build(REFERENCE, input_name)
            started = time.monotonic()
            build.run = run_dbt(
                PROJECT_DIR,
                self.root / REFERENCE / input_name,
                "build",
                payroll_dir=self.payroll_for(input_name),
            )
            build.seconds = time.monotonic() - started
            if build_problem(build.run) is None:
                manifest = read_manifest(build.run)
                build.relations = compared_relations(manifest)
                build.schemas = written_schemas(manifest)
                build.tables = read_duckdb(build.run.warehouse, build.relations)
            self.references[input_name] = build
        return self.references[input_name]

    def of(self, target: str) -> dict[str, Build]:
        if target not in self.targets:
            for input_name in TARGET_INPUTS[target]:
                self.reference(input_name)
            builds = {name: Build(target, name) for name in TARGET_INPUTS[target]}
            builder = {
                "postgres": self._postgres,
                "spark": self._spark,
                "spark_cluster": self._spark_cluster,
            }[target]
            try:
                builder(builds)
            except Exception as error:  # EngineUnavailable above all: reported by the tests
                # The builds not finished when it happened fail with it; when all had finished
                # (a server that does not stop), all do.
                unfinished = [build for build in builds.values() if not build.finished]
                for build in unfinished or builds.values():
                    build.problem = f"{type(error).__name__}: {error}"
            self.targets[target] = builds
        return self.targets[target]

    def _build(
        self, build: Build, engine_env: dict[str, str], work: Path, read, extra_args: tuple[str, ...] = ()
    ) -> None:
        """`dbt build` on the build's target and input, then its relations read by `read`."""
        build.relations = self.references[build.input_name].relations
        started = time.monotonic()
        build.run = run_dbt_target(
            build.target,
            PROJECT_DIR,
            work,
            "build",
            *extra_args,
            engine_env=engine_env,
            payroll_dir=self.payroll_for(build.input_name),
        )
        build.seconds = time.monotonic() - started
        build.tables = read(build.relations)
        build.finished = True

    def _postgres(self, builds: dict[str, Build]) -> None:
        require_postgres_bin()
        started = time.monotonic()
        with PostgresServer(self.root / "postgres" / "server") as server:
            next(iter(builds.values())).setup_seconds = time.monotonic() - started
            for input_name, build in builds.items():
                started = time.monotonic()
                # A database per input, so that a failed build cannot leave the other input's
                # marts to be compared.
                env = {
                    **server.env,
                    "BANENAFSPRAAK_PG_DATABASE": create_database(server.env, f"banenafspraak_{input_name}"),
                }
                if input_name == "person_level":
                    load_payroll_into_postgres(self.payroll_dir, env)
                build.setup_seconds += time.monotonic() - started
                self._build(
                    build,
                    env,
                    self.root / "postgres" / input_name,
                    lambda relations, env=env: read_postgres(env, relations),
                )

    def _spark(self, builds: dict[str, Build]) -> None:
        require_java()
        for input_name, build in builds.items():
            # A fresh state folder (warehouse and Derby metastore) per build.
            env = spark_session_env(self.root / "spark" / input_name / "state")
            warehouse = Path(env["BANENAFSPRAAK_SPARK_STATE"]) / "warehouse"
            self._build(
                build,
                env,
                self.root / "spark" / input_name,
                lambda relations, warehouse=warehouse: read_spark_warehouse(warehouse, relations),
            )

    def _spark_cluster(self, builds: dict[str, Build]) -> None:
        require_java()
        started = time.monotonic()
        # One cluster for the target's builds (TARGET_INPUTS): the schemas are fixed, and a
        # later build replaces each relation of an earlier one.
        with SparkCluster(self.root / "spark_cluster" / "cluster") as cluster:
            next(iter(builds.values())).setup_seconds = time.monotonic() - started
            for input_name, build in builds.items():
                # Drop what an earlier build made, so that a failed build cannot leave the other
                # input's marts to be compared.
                started = time.monotonic()
                drop_spark_schemas(cluster.env, self.references[input_name].schemas)
                build.setup_seconds += time.monotonic() - started
                # Without unit tests: over Thrift, dbt-spark's unit test materialization now and
                # then reads no result from the `create temporary view` of its expected rows
                # ("'NoneType' object is not iterable"), a different unit test each run. The unit
                # tests run on the same Spark SQL in the `spark` build above.
                self._build(
                    build,
                    cluster.env,
                    self.root / "spark_cluster" / input_name,
                    lambda relations: read_thrift(cluster.env, relations),
                    extra_args=("--exclude-resource-type", "unit_test"),
                )


@pytest.fixture(scope="module")
def payroll_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("portability_payroll") / "data"
    subprocess.run(
        [*banenafspraak("generate-payroll"), "--out", str(folder), *POPULATION],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="module")
def builds(tmp_path_factory, payroll_dir) -> Builds:
    return Builds(tmp_path_factory.mktemp("portability"), payroll_dir)


def reference_or_fail(builds: Builds, input_name: str) -> Build:
    reference = builds.reference(input_name)
    problem = build_problem(reference.run)
    if problem:
        pytest.fail(f"The DuckDB reference build ({input_name}) failed: {problem}")
    return reference


def on_worker_of(target: str) -> pytest.MarkDecorator:
    """The target's tests form a work unit of pytest-xdist (conftest.py): a worker builds only
    the references and the targets it compares. Both Spark targets share one unit, so that the
    two Spark builds run one after the other (side by side, on 2 cores, each took twice as
    long), while the other worker runs the rest of the suite."""
    unit = "spark" if target.startswith("spark") else target
    return pytest.mark.xdist_group(f"test_portability.py::{unit}")


CASES = [
    pytest.param(target, input_name, id=f"{target}-{input_name}", marks=on_worker_of(target))
    for target in TARGETS
    for input_name in TARGET_INPUTS[target]
]


@pytest.mark.parametrize(("target", "input_name"), CASES)
def test_the_marts_equal_duckdbs(builds, target, input_name):
    reference = reference_or_fail(builds, input_name)
    build = builds.of(target)[input_name]
    print(build.timing())
    if build.problem and build.run is None:
        pytest.fail(f"{target} ({input_name}): {build.problem}", pytrace=False)
    failures = []
    problem = build_problem(build.run)
    if problem:
        failures.append(f"dbt build --target {target} on the {input_name} input did not pass: {problem}")
    if build.problem:
        failures.append(f"{target} ({input_name}): {build.problem}")
    differences = compare_engines(target, reference.relations, reference.tables, build.tables)
    if differences:
        # After a failed build, the first few are enough: the build's output says more.
        failures.append(
            f"{len(differences)} differences between DuckDB and {target} "
            f"({input_name} input):\n" + summarise(differences, limit=10 if problem else 40)
        )
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
    compared = {relation.name for relation in reference.relations if relation.name in build.tables}
    rows = sum(len(reference.tables[name].rows) for name in compared)
    print(f"{target} {input_name}: {len(compared)} relations, {rows} rows equal to DuckDB's")
    assert {"fct_jobs", "mart_baseline_comparison"} <= compared, compared


SEED_TARGETS = (REFERENCE, *(target for target in TARGETS if "seed" in TARGET_INPUTS[target]))


@pytest.mark.parametrize("target", [pytest.param(t, marks=on_worker_of(t)) for t in SEED_TARGETS])
def test_the_published_figures_are_reproduced_on_every_target(builds, target):
    """The singular test assert_marts_reproduce_published_figures passed in the seed build of
    DuckDB and of every target built on the seed (PostgreSQL and Spark)."""
    assert {"postgres", "spark"} <= set(SEED_TARGETS), SEED_TARGETS
    build = builds.reference("seed") if target == REFERENCE else builds.of(target)["seed"]
    print(build.timing())
    if build.run is None:
        pytest.fail(f"{target}: no build: {(build.problem or '').splitlines()[0]}", pytrace=False)
    try:
        status = build.run.statuses().get(PUBLISHED_FIGURES_TEST, "not run")
    except (OSError, ValueError):
        status = "not run (no run_results.json)"
    assert status == "pass", f"{target}: {PUBLISHED_FIGURES_TEST} {status}"


# --- the comparison itself ---------------------------------------------------------------------

REFERENCE_TABLE = Table(
    columns=[
        "measurement_year",
        "sector",
        "extra_jobs",
        "extra_jobs_rounded",
        "share",
        "reference_day",
        "target_met",
    ],
    types=["INTEGER", "VARCHAR", "DOUBLE", "INTEGER", "DECIMAL(6,4)", "DATE", "BOOLEAN"],
    rows=[
        (2021, "market", 12345.678901234, 12346, Decimal("0.7500"), date(2021, 12, 31), True),
        (2022, "market", 23456.789012345, 23457, Decimal("0.7600"), date(2022, 12, 31), False),
        (2022, "government", None, 811, Decimal("0.2400"), date(2022, 12, 31), None),
    ],
)


def test_the_comparison_reports_a_rounded_value_off_by_one_and_a_float_off_by_1e_6():
    # Another engine's drivers: decimals as Decimal or text, dates as ISO text, rows in another
    # order, and floats that differ within the tolerance (1e-12 relative): all equal.
    other = Table(
        REFERENCE_TABLE.columns,
        [
            (Decimal("2022"), "government", None, Decimal("811"), "0.24", "2022-12-31", None),
            (2022, "market", 23456.789012345 * (1 + 1e-6), 23457, Decimal("0.76"), date(2022, 12, 31), False),
            (2021, "market", 12345.678901234 * (1 + 1e-12), 12347, 0.75, date(2021, 12, 31), True),
        ],
    )
    differences = compare_tables(
        "postgres", "mart_baseline_comparison", REFERENCE_TABLE, other, key=("measurement_year", "sector")
    )
    assert len(differences) == 2, differences
    rounded = next(d for d in differences if "extra_jobs_rounded" in d)
    unrounded = next(d for d in differences if "column extra_jobs " in d)
    for message, values in (
        (rounded, ("12346", "12347")),
        (unrounded, ("23456.789012345", str(23456.789012345 * (1 + 1e-6)))),
    ):
        assert message.startswith("postgres: mart_baseline_comparison: key (measurement_year=")
        assert all(value in message for value in values), message
    assert "key (measurement_year=2021, sector='market'): column extra_jobs_rounded" in rounded
    assert "key (measurement_year=2022, sector='market'): column extra_jobs (float)" in unrounded


def test_the_comparison_reports_columns_rows_and_nulls():
    other = Table(
        [
            "measurement_year",
            "sector",
            "extra_jobs",
            "extra_jobs_rounded",
            "share",
            "target_met",
            "reference_day",
        ],
        [
            (2021, "market", 12345.678901234, 12346, Decimal("0.75"), True, "2021-12-31"),
            (2022, "market", 23456.789012345, None, Decimal("0.76"), False, "2022-12-31"),
        ],
    )
    differences = compare_tables(
        "spark", "mart_x", REFERENCE_TABLE, other, key=("measurement_year", "sector")
    )
    text = "\n".join(differences)
    assert "spark: mart_x: columns differ" in text
    assert "duckdb has 3 rows, spark 2" in text
    assert "sector='government') is missing in spark" in text
    assert "column extra_jobs_rounded (number): duckdb 23457, spark None" in text
    assert len(differences) == 4, differences
    # Unreadable relations are differences too.
    relations = [Relation("mart_x", "marts", "mart_x", "table", ("measurement_year", "sector"))]
    assert compare_engines(
        "spark", relations, {"mart_x": REFERENCE_TABLE}, {"mart_x": "cannot be read: no such table"}
    ) == ["spark: mart_x: cannot be read: no such table"]
