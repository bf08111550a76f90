"""Helpers of the portability suite (test_portability.py): `dbt build` on another target, the
marts read back from each engine into Python, and their value-by-value comparison with DuckDB's.

The comparison rule (the issue's): same column names in the same order, same number of rows,
rows matched by the grain (the columns of the model's `primary_key` data test, else every column
that is not a float), and per value: both null or both not null; float columns (DOUBLE or FLOAT in
DuckDB: unrounded figures) equal within 1e-9 relative; every other column (integers, decimals:
the rounded figures; text, dates, booleans) exactly equal once the drivers' Python types are
normalised (Decimal, int, float and the text PyHive returns for decimals compare as decimals;
dates as ISO text).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
from conftest import DbtRun, dbt_command

# The targets compared with DuckDB (under pytest-xdist, PostgreSQL and Spark are a work unit each).
TARGETS = ("postgres", "spark", "spark_cluster")
# The two inputs: the embedded seed, and small generated person-level data.
INPUTS = ("seed", "person_level")
# The inputs each target is built on. Both Spark targets run the same Spark SQL (only the
# connection differs: in the dbt process, or a cluster over Thrift), so each input is built once
# on Spark: the seed in the dbt process (with the unit tests, which the cluster skips), the
# person-level files on the cluster. A Spark build takes minutes (the seed in the dbt process:
# 2.5 on an idle 2-core machine); this keeps every input on every engine at half the cost.
TARGET_INPUTS = {
    "postgres": INPUTS,
    "spark": ("seed",),
    "spark_cluster": ("person_level",),
}
# Folders of the models compared: every mart, and the semantic layer's models (cheap: small).
COMPARED_FOLDERS = ("marts", "semantic")
# A dbt build that takes longer than this is stopped: CI has a fixed time budget. The slowest
# build, Spark's on the person-level data, takes 5.3 min on an idle 2-core machine, 11.5 min
# when another Spark run shares it, and was stopped at 15 min with three runs sharing it.
BUILD_TIMEOUT_SECONDS = 1800
REFERENCE = "duckdb"
REL_TOL = 1e-9
ABS_TOL = 1e-9
# Mismatches listed in full in one failure message; the rest are counted.
MAX_LISTED = 40


# --- dbt on a target ---------------------------------------------------------------------------


def run_dbt_target(
    target: str,
    project_dir: Path,
    work_dir: Path,
    *args: str,
    engine_env: dict[str, str] | None = None,
    payroll_dir: Path | None = None,
    timeout: float = BUILD_TIMEOUT_SECONDS,
) -> DbtRun:
    """Run `dbt <args> --target <target>` in `project_dir` with the engine's environment added,
    writing dbt's target folder and logs (and DuckDB's warehouse, for target duckdb) under
    `work_dir`. The conftest's run_dbt, with a target and extra environment.

    Every BANENAFSPRAAK_* variable of the calling environment is dropped first, so a developer's
    own settings (schema, warehouse, payroll folder) never leak into a test build. A build that
    runs longer than `timeout` is killed with its process group (a local Spark's JVM included)
    and returns exit code -9 with what it printed.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse = work_dir / "warehouse.duckdb"
    target_dir = work_dir / "target"
    env = {key: value for key, value in os.environ.items() if not key.startswith("BANENAFSPRAAK_")}
    env.update(
        {
            "BANENAFSPRAAK_DB": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
        }
    )
    env.update(engine_env or {})
    if payroll_dir is not None:
        env["BANENAFSPRAAK_PAYROLL_DIR"] = str(payroll_dir)
        env["BANENAFSPRAAK_PAYROLL_FORMAT"] = "parquet"
    command = [*dbt_command(project_dir, work_dir, *args), "--target", target]
    process = subprocess.Popen(
        command,
        cwd=project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        output += f"\n[portability] dbt on target {target} killed after {timeout:.0f} s"
        return DbtRun(project_dir, warehouse, target_dir, -9, output)
    return DbtRun(project_dir, warehouse, target_dir, process.returncode, output)


def build_problem(run: DbtRun) -> str | None:
    """Why a `dbt build` does not count as passed (exit code, failing nodes), with the end of its
    output; None when it passed."""
    problems = []
    if run.returncode != 0:
        problems.append(f"exit code {run.returncode}")
    try:
        failed = sorted(run.failed_nodes())
    except (OSError, ValueError, KeyError):
        failed = []
        problems.append("no readable run_results.json")
    if failed:
        problems.append("failing nodes: " + ", ".join(failed))
    if not problems:
        return None
    return "; ".join(problems) + ". End of dbt's output:\n" + run.output[-4000:]


# --- what is compared --------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """One model compared across engines."""

    name: str
    schema: str
    identifier: str
    materialized: str
    # The grain: the primary_key test's columns; empty when the model has none.
    key: tuple[str, ...] = ()


def compared_relations(manifest: dict) -> list[Relation]:
    """Every enabled model under models/marts/ and models/semantic/ of a build's manifest, with
    the columns of its primary_key data test (its grain)."""
    keys: dict[str, tuple[str, ...]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and metadata.get("name") == "primary_key":
            attached = node.get("attached_node") or node["depends_on"]["nodes"][0]
            keys[attached] = tuple(metadata["kwargs"]["columns"])
    relations = [
        Relation(
            node["name"],
            node["schema"],
            node["alias"] or node["name"],
            node["config"]["materialized"],
            keys.get(unique_id, ()),
        )
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["config"].get("enabled", True)
        and len(node["fqn"]) > 1
        and node["fqn"][1] in COMPARED_FOLDERS
    ]
    return sorted(relations, key=lambda relation: (relation.schema, relation.name))


def written_schemas(manifest: dict) -> set[str]:
    """Every schema a build writes to: those of its models, seeds and snapshots."""
    return {
        node["schema"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def read_manifest(run: DbtRun) -> dict:
    return json.loads((run.target_dir / "manifest.json").read_text())


def first_line(error: Exception) -> str:
    """The first line of an error's text: drivers add the query and a caret below it."""
    # PyHive's errors carry Thrift's whole response; its status holds the server's message.
    status = getattr(error.args[0], "status", None) if error.args else None
    text = (getattr(status, "errorMessage", None) or str(error)).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line if len(line) <= 400 else line[:400] + " ..."


# --- preparing an engine for a build ------------------------------------------------------------


def pg_connection_settings(engine_env: dict[str, str], database: str | None = None) -> dict:
    """psycopg2.connect's arguments for the target `postgres` (the BANENAFSPRAAK_PG_* variables
    of `engine_env`, defaults as in profiles.yml)."""

    def setting(name: str, default: str) -> str:
        return engine_env.get(f"BANENAFSPRAAK_PG_{name}", default)

    return {
        "host": setting("HOST", "127.0.0.1"),
        "port": int(setting("PORT", "5432")),
        "user": setting("USER", "banenafspraak"),
        "password": setting("PASSWORD", ""),
        "dbname": database or setting("DATABASE", "banenafspraak"),
        "connect_timeout": 10,
    }


def create_database(engine_env: dict[str, str], name: str) -> str:
    """Create database `name` (dropped first when it exists) on the PostgreSQL server of
    `engine_env`; return its name."""
    import psycopg2

    connection = psycopg2.connect(**pg_connection_settings(engine_env, "postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}"')
            cursor.execute(f'create database "{name}"')
    finally:
        connection.close()
    return name


def drop_spark_schemas(engine_env: dict[str, str], schemas: set[str]) -> None:
    """Drop `schemas` with everything in them on the Spark cluster behind the Thrift port of
    `engine_env`."""
    from pyhive import hive

    port = int(engine_env.get("BANENAFSPRAAK_THRIFT_PORT", "10000"))
    connection = hive.connect(host="127.0.0.1", port=port, username="banenafspraak")
    try:
        cursor = connection.cursor()
        for schema in sorted(schemas):
            cursor.execute(f"drop schema if exists `{schema}` cascade")
        cursor.close()
    finally:
        connection.close()


# --- reading the relations from each engine ----------------------------------------------------


@dataclass
class Table:
    """A relation read into Python: column names in order, rows, and (DuckDB only) the types."""

    columns: list[str]
    rows: list[tuple]
    types: list[str] = field(default_factory=list)


# A relation that could not be read: the reason, reported as a difference.
Unreadable = str


def read_duckdb(warehouse: Path, relations: list[Relation]) -> dict[str, Table | Unreadable]:
    """The reference: each relation from a DuckDB warehouse (read-only), with its column types."""
    tables: dict[str, Table | Unreadable] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for relation in relations:
            try:
                types = [
                    data_type
                    for (data_type,) in connection.execute(
                        "select data_type from duckdb_columns() where database_name = current_database() "
                        "and schema_name = ? and table_name = ? order by column_index",
                        [relation.schema, relation.identifier],
                    ).fetchall()
                ]
                cursor = connection.execute(f'select * from "{relation.schema}"."{relation.identifier}"')
                columns = [column[0] for column in cursor.description]
                tables[relation.name] = Table(columns, cursor.fetchall(), types)
            except duckdb.Error as error:
                tables[relation.name] = f"cannot be read from DuckDB: {error}"
    return tables


def read_postgres(engine_env: dict[str, str], relations: list[Relation]) -> dict[str, Table | Unreadable]:
    """Each relation from the PostgreSQL server the target `postgres` connects to (the
    BANENAFSPRAAK_PG_* variables of `engine_env`, defaults as in profiles.yml)."""
    import psycopg2

    tables: dict[str, Table | Unreadable] = {}
    connection = psycopg2.connect(**pg_connection_settings(engine_env))
    try:
        connection.autocommit = True
        for relation in relations:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f'select * from "{relation.schema}"."{relation.identifier}"')
                    columns = [column.name for column in cursor.description]
                    tables[relation.name] = Table(columns, cursor.fetchall())
            except psycopg2.Error as error:
                tables[relation.name] = f"cannot be read from PostgreSQL: {first_line(error)}"
    finally:
        connection.close()
    return tables


def read_spark_warehouse(warehouse: Path, relations: list[Relation]) -> dict[str, Table | Unreadable]:
    """Each table of a Spark warehouse folder after the dbt process (and its local Spark) ended.

    A Spark table is a folder of Parquet files, <warehouse>/<schema>.db/<table>/part-*.parquet,
    so DuckDB's read_parquet reads it without starting another Spark. A view is a query kept in
    the Derby metastore, which only a Spark can run: views are not read here (the semantic
    layer's sem_* views; the same views are compared on spark_cluster through Thrift).
    """
    tables: dict[str, Table | Unreadable] = {}
    with duckdb.connect() as connection:
        for relation in relations:
            if relation.materialized == "view":
                continue
            folder = warehouse / f"{relation.schema}.db" / relation.identifier
            files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
            if not files:
                what = "holds no Parquet file" if folder.is_dir() else "does not exist"
                tables[relation.name] = (
                    f"cannot be read from the Spark warehouse: {folder.name}/ {what} "
                    f"(in {folder.parent.name}/)"
                )
                continue
            try:
                cursor = connection.execute("select * from read_parquet(?)", [[str(path) for path in files]])
                columns = [column[0] for column in cursor.description]
                tables[relation.name] = Table(columns, cursor.fetchall())
            except duckdb.Error as error:
                tables[relation.name] = f"cannot be read from the Spark warehouse: {first_line(error)}"
    return tables


def read_thrift(engine_env: dict[str, str], relations: list[Relation]) -> dict[str, Table | Unreadable]:
    """Each relation through the Thrift server of a running Spark cluster (PyHive), as a BI
    client reads it. The port is the target's (BANENAFSPRAAK_THRIFT_PORT, default 10000)."""
    from pyhive import hive

    tables: dict[str, Table | Unreadable] = {}
    port = int(engine_env.get("BANENAFSPRAAK_THRIFT_PORT", "10000"))
    connection = hive.connect(host="127.0.0.1", port=port, username="banenafspraak")
    try:
        for relation in relations:
            cursor = connection.cursor()
            try:
                name = f"`{relation.schema}`.`{relation.identifier}`"
                cursor.execute(f"select * from {name}")
                # Hive may prefix column names with the table name; Spark's server does not.
                columns = [column[0].split(".")[-1] for column in cursor.description]
                try:
                    rows = cursor.fetchall()
                except TypeError:
                    # Spark 3.5's Thrift server may answer an empty result without any column
                    # data, which PyHive cannot unpack ('NoneType' object is not iterable;
                    # apache/kyuubi#7106). Only a count of zero makes that an empty table.
                    cursor.execute(f"select count(*) from {name}")
                    if cursor.fetchall() != [(0,)]:
                        raise
                    rows = []
                tables[relation.name] = Table(columns, rows)
            except Exception as error:  # PyHive raises its own and Thrift's exception types
                tables[relation.name] = f"cannot be read through Thrift: {first_line(error)}"
            finally:
                cursor.close()
    finally:
        connection.close()
    return tables


# --- the comparison ----------------------------------------------------------------------------


def kind_of(duckdb_type: str) -> str:
    """How a DuckDB column type is compared: float, number, date, boolean or text."""
    base = duckdb_type.upper().split("(")[0].strip()
    if base in ("DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8"):
        return "float"
    if base in (
        "DECIMAL",
        "NUMERIC",
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    ):
        return "number"
    if base == "DATE":
        return "date"
    if base == "BOOLEAN":
        return "boolean"
    return "text"


class Unnormalised(tuple):
    """A value a driver returned that does not fit the column's kind: never equal to a fitting one."""


def normalise(value, kind: str):
    """A driver's value as comparable Python: Decimal for numbers, float for floats, ISO text for
    dates, bool for booleans, str for text; None stays None."""
    if value is None:
        return None
    try:
        if kind == "float":
            if isinstance(value, bool):
                raise TypeError
            return float(value)
        if kind == "number":
            if isinstance(value, bool):
                raise TypeError
            return Decimal(str(value))
        if kind == "date":
            if isinstance(value, datetime):
                raise TypeError
            if isinstance(value, date):
                return value.isoformat()
            return date.fromisoformat(str(value)).isoformat()
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise TypeError
        if isinstance(value, str):
            return value
        raise TypeError
    except (TypeError, ValueError, InvalidOperation):
        return Unnormalised((type(value).__name__, repr(value)))


def values_equal(reference, other, kind: str) -> bool:
    """Equality of two normalised values of one column."""
    if reference is None or other is None:
        return reference is None and other is None
    if isinstance(reference, Unnormalised) or isinstance(other, Unnormalised):
        return False
    if kind == "float":
        return math.isclose(reference, other, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return reference == other


def keyed_rows(table: Table, kinds: list[str], key: tuple[str, ...]) -> tuple[dict, list]:
    """Rows by their key (normalised key values), and the keys that occur more than once.

    Without a key, the key is every column that is not a float, and rows sharing it are told
    apart by their place when sorted by the float columns.
    """
    positions = {name: index for index, name in enumerate(table.columns)}
    if key:
        key_positions = [positions[name] for name in key]
    else:
        key_positions = [index for index, kind in enumerate(kinds) if kind != "float"]
    by_key: dict[tuple, list[tuple]] = {}
    for row in table.rows:
        normalised = tuple(normalise(value, kinds[index]) for index, value in enumerate(row))
        by_key.setdefault(tuple(normalised[i] for i in key_positions), []).append((normalised, row))
    duplicates = [k for k, rows in by_key.items() if len(rows) > 1]
    if key:
        return {k: rows[0] for k, rows in by_key.items()}, duplicates
    keyed = {}
    for k, rows in by_key.items():
        rows.sort(
            key=lambda pair: tuple(
                (value is None, value if isinstance(value, float) else 0.0)
                for value, kind in zip(pair[0], kinds)
                if kind == "float"
            )
        )
        for place, pair in enumerate(rows):
            keyed[k + ((place,) if len(rows) > 1 else ())] = pair
    return keyed, []


def show_key(names: tuple[str, ...], values: tuple) -> str:
    """A key as `(name=value, ...)`: numbers plain, text quoted, null as null."""

    def shown(value) -> str:
        if value is None:
            return "null"
        if isinstance(value, Decimal):
            return str(value)
        return repr(value)

    pairs = [f"{name}={shown(value)}" for name, value in zip(names, values)]
    pairs += [f"#{value}" for value in values[len(names) :]]  # the place among rows sharing a key
    return "(" + ", ".join(pairs) + ")"


def compare_tables(
    target: str, mart: str, reference: Table, other: Table, key: tuple[str, ...] = ()
) -> list[str]:
    """Every difference between a relation read from DuckDB (`reference`, with types) and the
    same relation read from `target`, one line each naming target, mart, key, column and both
    values. Empty when they are equal by the suite's rule."""
    where = f"{target}: {mart}"
    differences = []
    if other.columns != reference.columns:
        differences.append(f"{where}: columns differ: duckdb {reference.columns}, {target} {other.columns}")
    kind_by_name = {name: kind_of(t) for name, t in zip(reference.columns, reference.types)}
    if other.columns != reference.columns:
        # Compare the values of what both have, by name, in the reference's order.
        shared = [name for name in reference.columns if name in other.columns]
        if not shared or len(set(other.columns)) != len(other.columns):
            return differences
        reference = project(reference, shared)
        other = project(other, shared)
    kinds = [kind_by_name[name] for name in reference.columns]
    if len(other.rows) != len(reference.rows):
        differences.append(f"{where}: duckdb has {len(reference.rows)} rows, {target} {len(other.rows)}")
    key = tuple(name for name in key if name in reference.columns)
    key_names = key or tuple(name for name, kind in zip(reference.columns, kinds) if kind != "float")
    reference_rows, reference_duplicates = keyed_rows(reference, kinds, key)
    other_rows, other_duplicates = keyed_rows(other, kinds, key)
    for duplicate in reference_duplicates:
        differences.append(f"{where}: key {show_key(key_names, duplicate)} occurs more than once in duckdb")
    for duplicate in other_duplicates:
        differences.append(f"{where}: key {show_key(key_names, duplicate)} occurs more than once in {target}")
    for row_key in reference_rows:
        if row_key not in other_rows:
            differences.append(f"{where}: key {show_key(key_names, row_key)} is missing in {target}")
    for row_key in other_rows:
        if row_key not in reference_rows:
            differences.append(f"{where}: key {show_key(key_names, row_key)} is in {target}, not in duckdb")
    for row_key, (reference_values, reference_raw) in reference_rows.items():
        if row_key not in other_rows:
            continue
        other_values, other_raw = other_rows[row_key]
        for index, name in enumerate(reference.columns):
            if not values_equal(reference_values[index], other_values[index], kinds[index]):
                differences.append(
                    f"{where}: key {show_key(key_names, row_key)}: column {name} ({kinds[index]}): "
                    f"duckdb {reference_raw[index]!r}, {target} {other_raw[index]!r}"
                )
    return differences


def project(table: Table, columns: list[str]) -> Table:
    """`table` with only `columns`, in that order."""
    positions = [table.columns.index(name) for name in columns]
    types = [table.types[i] for i in positions] if table.types else []
    return Table(columns, [tuple(row[i] for i in positions) for row in table.rows], types)


def compare_engines(
    target: str,
    relations: list[Relation],
    reference: dict[str, Table | Unreadable],
    other: dict[str, Table | Unreadable],
) -> list[str]:
    """The differences of every compared relation between DuckDB and `target`. A relation absent
    from `other` (a view on the local Spark: see read_spark_warehouse) is not compared."""
    differences = []
    for relation in relations:
        if relation.name not in other:
            continue
        theirs, ours = other[relation.name], reference.get(relation.name)
        if isinstance(ours, str) or ours is None:
            differences.append(f"{target}: {relation.name}: the DuckDB reference {ours or 'is missing'}")
        elif isinstance(theirs, str):
            differences.append(f"{target}: {relation.name}: {theirs}")
        else:
            differences.extend(compare_tables(target, relation.name, ours, theirs, relation.key))
    return differences


def summarise(differences: list[str], limit: int = MAX_LISTED) -> str:
    """The differences as one message: the first `limit` in full, then how many more."""
    shown = differences[:limit]
    more = len(differences) - len(shown)
    return "\n".join(shown + ([f"... and {more} more differences"] if more else []))
