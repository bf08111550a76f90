"""Publish the marts for BI tools: a separate DuckDB file, Parquet files and a manifest.

Usage (from the project root, in the virtual environment):

    python scripts/publish.py                       # working warehouse -> published/
    python scripts/publish.py --working-db target/banenafspraak.duckdb \\
        --published-db published/banenafspraak.duckdb

Why a separate file: DuckDB allows one writer per file, and a BI tool that holds a file open (even
read-only) blocks every writer of it, so a BI tool on the working warehouse would stop the next
`dbt build`. BI tools read the published file instead; `dbt build` never touches it, and each
publish replaces it whole with one atomic rename. A reader that has the old file open keeps
reading the old, complete version; a reader that opens the file after the rename reads the new one.
There is never a moment at which the path holds a half-written file.

Layout, beside the published file (default `published/banenafspraak.duckdb`):

    published/
        banenafspraak.duckdb          schema `marts` only: the marts of MARTS below, with comments
        parquet/<mart>.parquet        one Parquet file per mart, rows in grain order
        manifest.json                 per mart: rows, grain, columns, sha256 of the content
        .publish.lock                 held while a publish runs (empty file)

The published file is written in DuckDB storage version v1.0.0 (storage number 64), so DuckDB
clients from 1.0 on open it; the working warehouse, written by DuckDB 2.0, is not readable by them.
The manifest is written last. Its checksums depend on the content only (column names and types,
then the rows ordered by the grain), not on the file bytes, so two builds of the same input give
the same manifest, byte for byte.

Paths: the command-line options are relative to the current directory; the environment variables
BANENAFSPRAAK_DB and BANENAFSPRAAK_PUBLISHED_DB, like profiles.yml, are relative to the project
root.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WORKING_DB = Path("target") / "banenafspraak.duckdb"
DEFAULT_PUBLISHED_DB = Path("published") / "banenafspraak.duckdb"

SCHEMA = "marts"
# The marts BI tools read, each with its grain (the primary key tested in the marts' YAML).
# Not mart_quota_levy: it is per employer (the levy is assessed per fiscal number), so it holds
# target-group hours per employer, outside the disclosure control of the published breakdowns;
# it stays in the working warehouse for whoever administers the levy.
MARTS: dict[str, tuple[str, ...]] = {
    "fct_jobs": ("measurement_year", "sector", "employment_form"),
    "mart_baseline_comparison": ("measurement_year", "sector", "employment_form"),
    "mart_year_on_year": ("measurement_year", "sector", "employment_form"),
    "mart_formal_loan_breakdown": ("measurement_year", "sector", "employment_form"),
    "mart_government_subsectors": ("measurement_year", "employment_form", "government_subsector"),
    "mart_regions": ("measurement_year", "labour_market_region", "sector"),
    "mart_quota_percentages": ("quota_year", "sector"),
    "mart_target_projection": ("sector", "year"),
    "mart_merged_measurement": ("measurement_year", "employment_form"),
}
# Storage version of the published file: 'v1.0.0' is storage number 64, which every DuckDB from
# 0.10 on reads. DuckDB 2.0 writes new files as v2.0.0 (storage number 69) unless told otherwise,
# and DuckDB 1.x refuses those.
STORAGE_VERSION = "v1.0.0"
MANIFEST_NAME = "manifest.json"
PARQUET_DIR_NAME = "parquet"
LOCK_NAME = ".publish.lock"

WORKING = "working"
STAGED = "staged"


class PublishError(Exception):
    """Publishing was refused or failed; the published files were left as they were."""


@dataclass(frozen=True)
class MartSummary:
    rows: int
    sha256: str
    grain: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PublishResult:
    published_db: Path
    parquet_files: dict[str, Path]
    manifest: Path
    marts: dict[str, MartSummary] = field(default_factory=dict)

    def checksums(self) -> dict[str, str]:
        return {name: mart.sha256 for name, mart in self.marts.items()}


# --- paths -------------------------------------------------------------------------------------


def _from_env(variable: str, default: Path) -> Path:
    """A path from the environment, relative paths against the project root (as profiles.yml)."""
    configured = os.environ.get(variable)
    path = Path(configured) if configured else default
    return path if path.is_absolute() else PROJECT_DIR / path


def working_db_path() -> Path:
    """The warehouse `dbt build` writes: BANENAFSPRAAK_DB, default target/banenafspraak.duckdb."""
    return _from_env("BANENAFSPRAAK_DB", DEFAULT_WORKING_DB)


def published_db_path() -> Path:
    """The file BI tools read: BANENAFSPRAAK_PUBLISHED_DB, default published/<name>.duckdb."""
    return _from_env("BANENAFSPRAAK_PUBLISHED_DB", DEFAULT_PUBLISHED_DB)


def parquet_dir(published_db: Path) -> Path:
    return published_db.parent / PARQUET_DIR_NAME


def manifest_path(published_db: Path) -> Path:
    return published_db.parent / MANIFEST_NAME


def _temp_name(final: Path) -> Path:
    """`.name.<pid>.tmp` beside `final`: same directory, so os.replace is one atomic rename."""
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


# --- content checksum ----------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def rows_checksum(columns: list[tuple[str, str]] | tuple, rows) -> tuple[int, str]:
    """Row count and sha256 of a table's content: its column names and types, then its rows.

    Each row is one line of JSON; floats are written as Python's shortest round-trip repr, so the
    digest changes if and only if a value changes, whichever DuckDB version read the rows.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([list(column) for column in columns]).encode() + b"\n")
    count = 0
    for row in rows:
        digest.update(json.dumps(list(row), default=str, ensure_ascii=False).encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def _fetch_in_batches(cursor, size: int = 10_000) -> Iterator[tuple]:
    while batch := cursor.fetchmany(size):
        yield from batch


def _order_by(grain: tuple[str, ...], columns: list[tuple[str, str]]) -> str:
    """Grain first (unique, tested), then the other columns, so the order is total regardless."""
    names = [*grain, *(name for name, _ in columns if name not in grain)]
    return ", ".join(_quote(name) for name in names)


def relation_checksum(connection, relation: str, grain: tuple[str, ...]) -> MartSummary:
    """Checksum of a relation (`"db"."marts"."t"` or `read_parquet('...')`) in grain order."""
    described = connection.execute(f"describe select * from {relation}").fetchall()
    columns = [(row[0], row[1]) for row in described]
    cursor = connection.execute(f"select * from {relation} order by {_order_by(grain, columns)}")
    count, sha = rows_checksum(columns, _fetch_in_batches(cursor))
    return MartSummary(rows=count, sha256=sha, grain=grain, columns=tuple(columns))


def mart_checksums(connection, database: str | None = None) -> dict[str, MartSummary]:
    """Checksums of the marts (MARTS) in `database` (default: the connection's own database)."""
    prefix = f"{_quote(database)}." if database else ""
    return {
        name: relation_checksum(connection, f"{prefix}{_quote(SCHEMA)}.{_quote(name)}", grain)
        for name, grain in MARTS.items()
    }


# --- file system helpers -----------------------------------------------------------------------


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make renames in `path` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _stale_temp_files(published_db: Path) -> list[Path]:
    """Temp files of earlier publishes that were killed before their rename."""
    directory = published_db.parent
    stale = [
        *directory.glob(f".{published_db.name}.*.tmp*"),
        *directory.glob(f".{MANIFEST_NAME}.*.tmp"),
    ]
    if parquet_dir(published_db).is_dir():
        stale += parquet_dir(published_db).glob(".*.parquet.*.tmp")
    return sorted(stale)


@contextlib.contextmanager
def _publish_lock(published_db: Path) -> Iterator[None]:
    """One publish at a time per folder; the temp-file cleanup relies on it."""
    lock_file = published_db.parent / LOCK_NAME
    handle = open(lock_file, "a+")  # noqa: SIM115 - held for the whole publish
    try:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, publishes must not overlap
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"Another publish into {published_db.parent} is running (it holds {lock_file}). "
                "Wait for it to finish, then publish again if you still need to."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


# --- publish -----------------------------------------------------------------------------------


def _attach_working(connection, working_db: Path) -> None:
    try:
        connection.execute(f"attach {_literal(str(working_db))} as {WORKING} (read_only)")
    except duckdb.Error as error:
        raise PublishError(
            f"Cannot open the working warehouse {working_db} read-only: {error}\n"
            "If a `dbt build` (or another program writing it) is running, wait until it has "
            "finished and publish again. Nothing was published."
        ) from None


def _mart_metadata(connection) -> dict[str, dict]:
    """Columns (name, type, nullable, comment) and table comment of each mart in the warehouse."""
    present = {
        name: comment
        for name, comment in connection.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = ? and schema_name = ?",
            [WORKING, SCHEMA],
        ).fetchall()
    }
    present.update(
        {
            name: comment
            for name, comment in connection.execute(
                "select view_name, comment from duckdb_views() "
                "where database_name = ? and schema_name = ?",
                [WORKING, SCHEMA],
            ).fetchall()
            if name not in present
        }
    )
    metadata = {}
    for name in MARTS:
        if name not in present:
            continue
        columns = connection.execute(
            "select column_name, data_type, is_nullable, comment from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
            [WORKING, SCHEMA, name],
        ).fetchall()
        metadata[name] = {"comment": present[name], "columns": columns}
    return metadata


def _write_database(connection, staged_db: Path, metadata: dict[str, dict]) -> None:
    """The published DuckDB file under a temp name: schema marts, the marts, their comments."""
    connection.execute(
        f"attach {_literal(str(staged_db))} as {STAGED} "
        f"(storage_version {_literal(STORAGE_VERSION)})"
    )
    try:
        connection.execute(f"create schema {STAGED}.{SCHEMA}")
        for name, grain in MARTS.items():
            meta = metadata[name]
            target = f"{STAGED}.{SCHEMA}.{_quote(name)}"
            definitions = ", ".join(
                f"{_quote(column)} {data_type}{'' if nullable else ' not null'}"
                for column, data_type, nullable, _ in meta["columns"]
            )
            connection.execute(f"create table {target} ({definitions})")
            columns = [(column, data_type) for column, data_type, _, _ in meta["columns"]]
            connection.execute(
                f"insert into {target} select * from {WORKING}.{SCHEMA}.{_quote(name)} "
                f"order by {_order_by(grain, columns)}"
            )
            if meta["comment"]:
                connection.execute(f"comment on table {target} is {_literal(meta['comment'])}")
            for column, _, _, comment in meta["columns"]:
                if comment:
                    connection.execute(
                        f"comment on column {target}.{_quote(column)} is {_literal(comment)}"
                    )
        connection.execute(f"checkpoint {STAGED}")
    finally:
        connection.execute(f"detach {STAGED}")
    wal = staged_db.with_name(staged_db.name + ".wal")
    if wal.exists():
        raise PublishError(
            f"DuckDB left a write-ahead log {wal} after the checkpoint; not publishing."
        )
    _fsync_file(staged_db)


def _verify_database(connection, staged_db: Path, expected: dict[str, MartSummary]) -> None:
    """Read the staged file back: storage version, schemas and content as intended."""
    connection.execute(f"attach {_literal(str(staged_db))} as {STAGED} (read_only)")
    try:
        (tags,) = connection.execute(
            "select tags from duckdb_databases() where database_name = ?", [STAGED]
        ).fetchone()
        version = (tags or {}).get("storage_version", "")
        if not version.startswith(STORAGE_VERSION):
            raise PublishError(
                f"The staged file {staged_db} has storage version {version!r}, "
                f"not {STORAGE_VERSION}."
            )
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ? "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = ? and not internal",
            [STAGED, STAGED],
        ).fetchall()
        if sorted(tables) != sorted((SCHEMA, name) for name in MARTS):
            raise PublishError(
                f"The staged file {staged_db} holds {sorted(tables)}, not the marts only."
            )
        found = mart_checksums(connection, STAGED)
        if found != expected:
            raise PublishError(f"The staged file {staged_db} does not read back as the marts.")
    finally:
        connection.execute(f"detach {STAGED}")


def _write_parquet(connection, name: str, staged: Path, expected: MartSummary) -> None:
    """One mart as Parquet (format version 1, snappy: what most readers take), in grain order."""
    grain = expected.grain
    order = _order_by(grain, list(expected.columns))
    connection.execute(
        f"copy (select * from {WORKING}.{SCHEMA}.{_quote(name)} order by {order}) "
        f"to {_literal(str(staged))} (format parquet, compression snappy, parquet_version v1)"
    )
    found = relation_checksum(connection, f"read_parquet({_literal(str(staged))})", grain)
    if found != expected:
        raise PublishError(f"The staged Parquet file {staged} does not read back as {name}.")
    _fsync_file(staged)


def _manifest_text(published_db: Path, marts: dict[str, MartSummary]) -> str:
    """Deterministic: no timestamps, no absolute paths, keys in a fixed order."""
    manifest = {
        "database": published_db.name,
        "schema": SCHEMA,
        "duckdb_storage_version": STORAGE_VERSION,
        "checksum": (
            "sha256 of the column names and types, then one JSON line per row in grain order"
        ),
        "marts": {
            name: {
                "rows": mart.rows,
                "sha256": mart.sha256,
                "grain": list(mart.grain),
                "columns": {column: data_type for column, data_type in mart.columns},
                "parquet": f"{PARQUET_DIR_NAME}/{name}.parquet",
            }
            for name, mart in marts.items()
        },
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def publish(working_db: Path, published_db: Path) -> PublishResult:
    """Publish the marts of `working_db` to `published_db`, its Parquet folder and manifest.

    Everything is first written and verified under temp names; only then are the files renamed
    over the published ones (database, Parquet files, manifest last). On any failure before the
    renames the published files are left exactly as they were.
    """
    working_db = Path(working_db).resolve()
    published_db = Path(published_db).resolve()
    if not working_db.is_file():
        raise PublishError(
            f"Cannot publish: the working warehouse {working_db} does not exist. "
            "Build it first (`python scripts/run_measurement.py`, or `dbt build`), or point "
            "BANENAFSPRAAK_DB / --working-db at the warehouse you built. Nothing was published."
        )
    if published_db == working_db:
        raise PublishError(
            f"Cannot publish {working_db} onto itself: BANENAFSPRAAK_PUBLISHED_DB (--published-db) "
            "must name another file than the working warehouse."
        )
    published_db.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir(published_db).mkdir(exist_ok=True)

    with _publish_lock(published_db):
        for stale in _stale_temp_files(published_db):
            stale.unlink(missing_ok=True)

        staged_db = _temp_name(published_db)
        staged_parquet = {
            name: _temp_name(parquet_dir(published_db) / f"{name}.parquet") for name in MARTS
        }
        staged_manifest = _temp_name(manifest_path(published_db))
        staged_files = [staged_db, *staged_parquet.values(), staged_manifest]
        try:
            with duckdb.connect() as connection:
                _attach_working(connection, working_db)
                metadata = _mart_metadata(connection)
                missing = [name for name in MARTS if name not in metadata]
                if missing:
                    raise PublishError(
                        f"Cannot publish: the working warehouse {working_db} lacks "
                        f"{', '.join(f'{SCHEMA}.{name}' for name in missing)}. The last "
                        "`dbt build` into it failed or did not build every mart; run a full "
                        "`dbt build` (or `python scripts/run_measurement.py`) and publish again. "
                        "Nothing was published."
                    )
                marts = mart_checksums(connection, WORKING)

                _write_database(connection, staged_db, metadata)
                _verify_database(connection, staged_db, marts)
                for name in MARTS:
                    _write_parquet(connection, name, staged_parquet[name], marts[name])

            staged_manifest.write_text(_manifest_text(published_db, marts), encoding="utf-8")
            _fsync_file(staged_manifest)

            # The renames: each one atomic; the manifest last, so it never names content that is
            # not in place yet.
            os.replace(staged_db, published_db)
            _fsync_dir(published_db.parent)
            parquet_files = {}
            for name, staged in staged_parquet.items():
                parquet_files[name] = parquet_dir(published_db) / f"{name}.parquet"
                os.replace(staged, parquet_files[name])
            _fsync_dir(parquet_dir(published_db))
            os.replace(staged_manifest, manifest_path(published_db))
            _fsync_dir(published_db.parent)
        finally:
            for staged in staged_files:
                staged.unlink(missing_ok=True)
                staged.with_name(staged.name + ".wal").unlink(missing_ok=True)

    return PublishResult(
        published_db=published_db,
        parquet_files=parquet_files,
        manifest=manifest_path(published_db),
        marts=marts,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--working-db", type=Path, help="the warehouse dbt built (default: BANENAFSPRAAK_DB)"
    )
    parser.add_argument(
        "--published-db",
        type=Path,
        help="the file BI tools read (default: BANENAFSPRAAK_PUBLISHED_DB, "
        "else published/banenafspraak.duckdb)",
    )
    args = parser.parse_args(argv)
    working_db = args.working_db.resolve() if args.working_db else working_db_path()
    published_db = args.published_db.resolve() if args.published_db else published_db_path()
    try:
        result = publish(working_db, published_db)
    except PublishError as error:
        print(error, file=sys.stderr)
        return 1
    print(describe(result))
    return 0


def describe(result: PublishResult) -> str:
    rows = ", ".join(f"{name} {mart.rows}" for name, mart in result.marts.items())
    parquet = result.published_db.parent / PARQUET_DIR_NAME
    return (
        f"Published the marts to {result.published_db} (DuckDB storage {STORAGE_VERSION}), "
        f"{parquet}/ and {result.manifest.name}; rows: {rows}."
    )


if __name__ == "__main__":
    sys.exit(main())
