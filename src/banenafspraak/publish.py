"""Publish the marts for BI tools: a separate DuckDB file, Parquet files and a manifest.

Usage (from the project root, in the virtual environment):

    banenafspraak publish                       # working warehouse -> published/
    banenafspraak publish --working-db target/banenafspraak.duckdb \\
        --published-db published/banenafspraak.duckdb

Why a separate file: DuckDB allows one writer per file, and a BI tool that holds a file open (even
read-only) blocks every writer of it, so a BI tool on the working warehouse would stop the next
`dbt build`. BI tools read the published file instead; `dbt build` never touches it, and each
publish replaces it whole with one atomic rename. A reader that has the old file open keeps
reading the old, complete version; a reader that opens the file after the rename reads the new one.
There is never a moment at which the path holds a half-written file. Before the renames, Great
Expectations validates the candidate file against the mart contracts (validate_with_gx:
`banenafspraak validate --published-db <candidate>`); a candidate that fails is removed, the
published files stay as they were, and the error names each failed expectation.

Layout, beside the published file (default `published/banenafspraak.duckdb`):

    published/
        banenafspraak.duckdb          schema `marts`: the marts of MARTS below, with comments;
                                      schema `publication`: vintages, input_fingerprints, revisions
        parquet/<mart>.parquet        one Parquet file per mart, rows in grain order
        manifest.json                 per mart: rows, grain, columns, sha256 of the content
        revisions.parquet             publication.revisions: the figures the latest vintage revised
        vintages/<id>/vintage.json    every publication (vintage): when, input fingerprints, git
        vintages/<id>/<mart>.parquet  commit, tool versions, and the marts as they were
        .publish.lock                 held while a publish runs (empty file)

The published file is written in DuckDB storage version v1.0.0 (storage number 64), so DuckDB
clients from 1.0 on open it; the working warehouse, written by DuckDB 2.0, is not readable by them.
The manifest is written last. Its checksums depend on the content only (column names and types,
then the rows ordered by the grain), not on the file bytes, so two builds of the same input give
the same manifest, byte for byte.

Vintages (docs/revisions.md): every publish that changes something keeps the published state as a
vintage with id `<sequence>-<UTC time>`, e.g. `0003-2026-12-04T19-30-00Z` (the sequence, four
digits or more, orders them). When the marts' checksums and the input fingerprints (the working
warehouse's intermediate.int_input_fingerprints; when that table is absent, the marts alone) equal
the latest vintage's, no vintage is added and no published file is touched. A new vintage is
compared with the one before it: `publication.revisions` lists every figure that changed (a
herziening), with the inputs whose fingerprints changed as the reason.

    banenafspraak publish vintages                      # list the vintages
    banenafspraak publish revisions                     # latest against the one before it
    banenafspraak publish revisions --against 0001-2026-01-05T10-00-00Z   # or --against 1

Paths: the command-line options are relative to the current directory; the environment variables
BANENAFSPRAAK_DB and BANENAFSPRAAK_PUBLISHED_DB, like profiles.yml, are relative to the project
root.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path

import duckdb

from banenafspraak.project import PROJECT_DIR

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
PARQUET_OPTIONS = "format parquet, compression snappy, parquet_version v1"
# Great Expectations validates the candidate file against the mart contracts before it replaces
# the published one: `banenafspraak validate`, in a child process (GX and its import, some
# seconds, stay out of this one).
VALIDATOR = (sys.executable, "-m", "banenafspraak", "validate")

# Vintages: published/vintages/<id>/ holds vintage.json and one Parquet file per mart.
VINTAGES_DIR_NAME = "vintages"
VINTAGE_FILE = "vintage.json"
VINTAGE_ID = re.compile(r"^(\d{4,})-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$")
REVISIONS_PARQUET = "revisions.parquet"
# Where the dbt build records what each measurement year was built from (one row per year and
# input); absent in warehouses built before the model existed: the fingerprints are then unknown.
FINGERPRINTS_SCHEMA = "intermediate"
FINGERPRINTS_TABLE = "int_input_fingerprints"
FINGERPRINT_COLUMNS = ("measurement_year", "input_name", "n_rows", "paid_hours", "fingerprint")
TOOLS = ("dbt-core", "dbt-duckdb", "duckdb")
# Schema `publication` of the published file: per table its comment and columns (name, type,
# comment). The revisions columns are also those of `banenafspraak publish revisions`.
PUBLICATION_SCHEMA = "publication"
PUBLICATION_TABLES: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "vintages": (
        "Every publication (vintage) of the marts, oldest first; the marts as each vintage "
        "published them are in vintages/<vintage_id>/ beside this file.",
        (
            ("vintage_id", "varchar not null", "Id: <sequence>-<UTC time>, sortable."),
            ("sequence", "integer not null", "1 for the first vintage, then one more each."),
            ("published_at", "timestamp not null", "When it was published, UTC."),
            ("git_commit", "varchar", "The project's git commit; null outside a git checkout."),
            ("git_dirty", "boolean", "Whether the work tree had uncommitted changes."),
            ("dbt_core_version", "varchar", "dbt-core of the publishing environment."),
            ("dbt_duckdb_version", "varchar", "dbt-duckdb of the publishing environment."),
            ("duckdb_version", "varchar", "DuckDB of the publishing process."),
            ("python_version", "varchar", "Python of the publishing process."),
            (
                "input_fingerprints_known",
                "boolean not null",
                "False when the working warehouse had no intermediate.int_input_fingerprints.",
            ),
            ("is_current", "boolean not null", "True for the vintage the marts schema holds."),
            ("metadata", "varchar not null", "Its vintage.json, as text."),
        ),
    ),
    "input_fingerprints": (
        "Per vintage, measurement year and input: what the figures were built from "
        "(intermediate.int_input_fingerprints of the build that was published).",
        (
            ("vintage_id", "varchar not null", "The vintage."),
            ("measurement_year", "integer", "The measurement year (meetjaar); null: no year."),
            ("input_name", "varchar not null", "The input (file or seed)."),
            ("n_rows", "bigint", "Its rows that can affect the year."),
            ("paid_hours", "decimal(38, 2)", "Their paid hours; null where the input has none."),
            ("fingerprint", "varchar", "Order-independent hash of the rows' contents."),
        ),
    ),
    "revisions": (
        "Herzieningen: every published figure that differs between the current vintage and the "
        "one before it (change revised), and rows only one of them holds (added, removed).",
        (
            ("revision_number", "bigint not null", "Order: mart, key, column."),
            ("mart", "varchar not null", "The mart (schema marts)."),
            ("grain_key", "varchar not null", "The row's key columns as text: name=value, ..."),
            ("measurement_year", "integer", "The row's measurement year, if the mart has one."),
            ("column_name", "varchar", "The figure's column; null for an added or removed row."),
            ("change", "varchar not null", "revised, added (a new row) or removed (a row gone)."),
            ("old_value", "varchar", "The value in the old vintage, as text."),
            ("new_value", "varchar", "The value in the new vintage, as text."),
            ("old_vintage_id", "varchar not null", "The vintage compared against."),
            ("new_vintage_id", "varchar not null", "The current vintage."),
            (
                "why",
                "varchar not null",
                "The inputs whose fingerprints changed for the row's year, else for other years "
                "(via), else: no input changed, with the git commits of both vintages.",
            ),
        ),
    ),
}

WORKING = "working"
STAGED = "staged"
CURRENT = "current_publication"


class PublishError(Exception):
    """Publishing was refused or failed; the published files were left as they were."""


@dataclass(frozen=True)
class MartSummary:
    rows: int
    sha256: str
    grain: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Vintage:
    """One publication as kept in vintages/<id>/: its vintage.json and the marts' Parquet files."""

    id: str
    path: Path
    metadata: dict

    @property
    def sequence(self) -> int:
        return int(self.metadata["sequence"])

    def checksums(self) -> dict[str, str]:
        return {name: mart["sha256"] for name, mart in self.metadata["marts"].items()}

    def fingerprints(self) -> dict[tuple[int | None, str], tuple] | None:
        """(measurement year, input) -> (rows, paid hours, fingerprint); None when unknown."""
        if not self.metadata["input_fingerprints_known"]:
            return None
        return {
            (row["measurement_year"], row["input_name"]): (
                row["n_rows"],
                row["paid_hours"],
                row["fingerprint"],
            )
            for row in self.metadata["input_fingerprints"]
        }

    def commit(self) -> str:
        """The git commit, short, for a reason text: `a54b632f0e1c (dirty)`, or `unknown`."""
        git = self.metadata["git"]
        if not git["commit"]:
            return "unknown"
        return git["commit"][:12] + (" (dirty)" if git["dirty"] else "")

    def parquet(self, mart: str) -> Path:
        return self.path / f"{mart}.parquet"


@dataclass(frozen=True)
class PublishResult:
    published_db: Path
    parquet_files: dict[str, Path]
    manifest: Path
    marts: dict[str, MartSummary] = field(default_factory=dict)
    # The vintage the published files hold now, and the one before it (None: the first).
    vintage: Vintage | None = None
    previous: Vintage | None = None
    # False: the state equalled the latest vintage, so no vintage was added.
    new_vintage: bool = True
    # False: every published file was left as it was (nothing changed).
    rewritten: bool = True
    # Rows of publication.revisions: the current vintage against the previous one.
    revisions: int = 0

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


def vintages_dir(published_db: Path) -> Path:
    return published_db.parent / VINTAGES_DIR_NAME


def revisions_path(published_db: Path) -> Path:
    return published_db.parent / REVISIONS_PARQUET


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
        *directory.glob(f".{REVISIONS_PARQUET}.*.tmp"),
    ]
    for folder in (parquet_dir(published_db), vintages_dir(published_db)):
        if folder.is_dir():
            stale += folder.glob(".*.tmp")
    return sorted(stale)


def _remove(path: Path) -> None:
    """A staged file or vintage folder, if it is still there."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


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


# --- vintages ----------------------------------------------------------------------------------


def list_vintages(published_db: Path) -> list[Vintage]:
    """The vintages beside `published_db`, oldest first (folders being written are skipped)."""
    folder = vintages_dir(published_db)
    if not folder.is_dir():
        return []
    vintages = []
    for path in folder.iterdir():
        if not (VINTAGE_ID.match(path.name) and (path / VINTAGE_FILE).is_file()):
            continue
        try:
            metadata = json.loads((path / VINTAGE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PublishError(
                f"Cannot read the vintage {path / VINTAGE_FILE}: {error}. Restore it from a "
                "backup, or move its folder out of vintages/ to leave that vintage out."
            ) from None
        vintages.append(Vintage(id=path.name, path=path, metadata=metadata))
    return sorted(vintages, key=lambda vintage: vintage.sequence)


def find_vintage(vintages: list[Vintage], wanted: str) -> Vintage:
    """A vintage by its id or by its sequence number (`3` or `0003`)."""
    for vintage in vintages:
        if wanted == vintage.id or (wanted.isdigit() and int(wanted) == vintage.sequence):
            return vintage
    known = ", ".join(vintage.id for vintage in vintages) or "none yet"
    raise PublishError(f"There is no vintage {wanted!r}. The known vintages: {known}.")


def _vintage_id(sequence: int, at: datetime) -> str:
    return f"{sequence:04d}-{at.strftime('%Y-%m-%dT%H-%M-%SZ')}"


def input_fingerprints(connection, database: str = WORKING) -> list[dict] | None:
    """The rows of intermediate.int_input_fingerprints in `database`, or None if it has none."""
    (present,) = connection.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [database, FINGERPRINTS_SCHEMA, FINGERPRINTS_TABLE],
    ).fetchone()
    if not present:
        return None
    relation = f"{_quote(database)}.{_quote(FINGERPRINTS_SCHEMA)}.{_quote(FINGERPRINTS_TABLE)}"
    rows = connection.execute(
        f"select {', '.join(map(_quote, FINGERPRINT_COLUMNS))} from {relation} "
        "order by measurement_year nulls first, input_name"
    ).fetchall()
    return [
        {
            "measurement_year": year,
            "input_name": name,
            "n_rows": n_rows,
            "paid_hours": None if hours is None else str(hours),
            "fingerprint": fingerprint,
        }
        for year, name, n_rows, hours, fingerprint in rows
    ]


def _git(*args: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout if completed.returncode == 0 else None


def project_git_state() -> dict:
    """The project's commit (`git rev-parse HEAD`) and whether the work tree differs from it;
    both null when the project is not a git checkout (or git is missing)."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = _git("status", "--porcelain")
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def tool_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in TOOLS:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = None
    versions["duckdb"] = duckdb.__version__
    versions["python"] = platform.python_version()
    return versions


def _mart_entries(marts: dict[str, MartSummary], parquet_prefix: str) -> dict[str, dict]:
    """Per mart what the manifest and vintage.json say of it."""
    return {
        name: {
            "rows": mart.rows,
            "sha256": mart.sha256,
            "grain": list(mart.grain),
            "columns": {column: data_type for column, data_type in mart.columns},
            "parquet": f"{parquet_prefix}{name}.parquet",
        }
        for name, mart in marts.items()
    }


def _vintage_metadata(
    vintage_id: str,
    sequence: int,
    at: datetime,
    marts: dict[str, MartSummary],
    fingerprints: list[dict] | None,
) -> dict:
    return {
        "vintage_id": vintage_id,
        "sequence": sequence,
        "published_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": project_git_state(),
        "tools": tool_versions(),
        "input_fingerprints_known": fingerprints is not None,
        "input_fingerprints": fingerprints or [],
        "marts": _mart_entries(marts, ""),
    }


def _json_text(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _unchanged(
    latest: Vintage | None, marts: dict[str, MartSummary], fingerprints: list[dict] | None
) -> bool:
    """The marts' content and (when known now) the input fingerprints equal the latest vintage's."""
    if latest is None or latest.checksums() != {name: m.sha256 for name, m in marts.items()}:
        return False
    return fingerprints is None or (
        latest.metadata["input_fingerprints_known"] and latest.metadata["input_fingerprints"] == fingerprints
    )


def _in_place(connection, published_db: Path, latest: Vintage, manifest_text: str) -> bool:
    """Whether the published files are those of `latest`: every file there, the manifest the
    same, and the published file's current vintage `latest` (a publish killed between its
    renames leaves a mix, which the next publish rewrites)."""
    files = [published_db, manifest_path(published_db), revisions_path(published_db)]
    files += [parquet_dir(published_db) / f"{name}.parquet" for name in MARTS]
    if not all(path.is_file() for path in files):
        return False
    if manifest_path(published_db).read_text(encoding="utf-8") != manifest_text:
        return False
    try:
        connection.execute(f"attach {_literal(str(published_db))} as {CURRENT} (read_only)")
    except duckdb.Error:
        return False
    try:
        current = connection.execute(
            f"select vintage_id from {CURRENT}.{PUBLICATION_SCHEMA}.vintages where is_current"
        ).fetchall()
    except duckdb.Error:
        return False
    finally:
        connection.execute(f"detach {CURRENT}")
    return current == [(latest.id,)]


# --- revisions (herzieningen) ------------------------------------------------------------------


def _reasons(old: Vintage, new: Vintage) -> tuple[dict[int, str], str]:
    """Why figures differ between two vintages: per measurement year the inputs whose
    fingerprints changed for that year, and the reason for every other row."""
    commits = f"commit {old.commit()} -> {new.commit()}"
    old_prints, new_prints = old.fingerprints(), new.fingerprints()
    if old_prints is None or new_prints is None:
        unknown = " and ".join(v.id for v in (old, new) if v.fingerprints() is None)
        return {}, f"inputs unknown (vintage {unknown} has no input fingerprints; {commits})"
    changed: dict[int | None, list[str]] = {}
    for year, name in sorted(
        set(old_prints) | set(new_prints), key=lambda key: (key[0] is not None, key[0] or 0, key[1])
    ):
        if old_prints.get((year, name)) != new_prints.get((year, name)):
            changed.setdefault(year, []).append(name)
    if not changed:
        return {}, f"no input changed (code or rules changed: {commits})"
    by_year = {
        year: f"{', '.join(names)} changed in {year}" for year, names in changed.items() if year is not None
    }
    via = "; ".join(
        f"{'no year' if year is None else year}: {', '.join(names)}" for year, names in changed.items()
    )
    return by_year, f"via {via}"


def _parquet_columns(connection, path: Path) -> dict[str, str]:
    described = connection.execute(f"describe select * from read_parquet({_literal(str(path))})").fetchall()
    return {row[0]: row[1] for row in described}


def _mart_revisions_sql(connection, position: int, mart: str, old: Vintage, new: Vintage) -> str:
    """One mart's changed figures between two vintages: the columns of `revisions` but the
    vintage ids and the reason, plus ordering columns."""
    grain = tuple(new.metadata["marts"][mart]["grain"])
    new_relation = f"read_parquet({_literal(str(new.parquet(mart)))})"
    new_columns = _parquet_columns(connection, new.parquet(mart))
    old_columns = _parquet_columns(connection, old.parquet(mart)) if old.parquet(mart).is_file() else {}
    if all(key in old_columns for key in grain):
        old_relation = f"read_parquet({_literal(str(old.parquet(mart)))})"
    else:  # a mart new in this vintage (or with another grain): every row is added
        old_relation, old_columns = f"(select * from {new_relation} where false)", new_columns
    sides = {"o": old_columns, "n": new_columns}

    def text(alias: str, column: str) -> str:
        return (
            f"cast({alias}.{_quote(column)} as varchar)"
            if column in sides[alias]
            else ("cast(null as varchar)")
        )

    def key_text(alias: str) -> str:
        parts = [f"{_literal(key + '=')} || coalesce({text(alias, key)}, 'null')" for key in grain]
        return f"concat_ws(', ', {', '.join(parts)})"

    def year(alias: str) -> str:
        column = "measurement_year"
        return f"{alias}.{column}" if column in sides[alias] else "cast(null as integer)"

    match = " and ".join(f"o.{_quote(k)} is not distinct from n.{_quote(k)}" for k in grain)
    head = f"{position} as mart_order, {_literal(mart)} as mart"
    selects = []
    values = [c for c in new_columns if c not in grain]
    values += [c for c in old_columns if c not in grain and c not in new_columns]
    for index, column in enumerate(values):
        if column in old_columns and column in new_columns:
            differs = (
                f"o.{_quote(column)} is distinct from n.{_quote(column)}"
                if old_columns[column] == new_columns[column]
                else f"{text('o', column)} is distinct from {text('n', column)}"
            )
        else:
            differs = f"{text('o' if column in old_columns else 'n', column)} is not null"
        selects.append(
            f"select {head}, {key_text('n')} as grain_key, {year('n')} as measurement_year, "
            f"{_literal(column)} as column_name, 'revised' as change, {text('o', column)} "
            f"as old_value, {text('n', column)} as new_value, 1 as change_order, {index} as "
            f"column_position from {old_relation} as o join {new_relation} as n on {match} "
            f"where {differs}"
        )
    for change, order, present, absent in (("removed", 0, "o", "n"), ("added", 2, "n", "o")):
        relations = {"o": old_relation, "n": new_relation}
        selects.append(
            f"select {head}, {key_text(present)} as grain_key, {year(present)} as "
            f"measurement_year, cast(null as varchar) as column_name, '{change}' as change, "
            "cast(null as varchar) as old_value, cast(null as varchar) as new_value, "
            f"{order} as change_order, -1 as column_position from {relations[present]} as "
            f"{present} where not exists (select 1 from {relations[absent]} as {absent} "
            f"where {match})"
        )
    return "\nunion all\n".join(selects)


def revisions_query(connection, old: Vintage, new: Vintage) -> str:
    """SQL for the rows of publication.revisions between `old` and `new`, in their order."""
    by_year, otherwise = _reasons(old, new)
    why = "".join(f" when {year} then {_literal(reason)}" for year, reason in sorted(by_year.items()))
    why = f"case measurement_year{why} else {_literal(otherwise)} end" if why else _literal(otherwise)
    marts = "\nunion all\n".join(
        _mart_revisions_sql(connection, position, mart, old, new)
        for position, mart in enumerate(new.metadata["marts"])
    )
    return (
        "select row_number() over (order by mart_order, grain_key, change_order, "
        "column_position) as revision_number, mart, grain_key, measurement_year, column_name, "
        f"change, old_value, new_value, {_literal(old.id)} as old_vintage_id, "
        f"{_literal(new.id)} as new_vintage_id, {why} as why from ({marts}) "
        "order by revision_number"
    )


def revisions(old: Vintage, new: Vintage) -> list[dict]:
    """The figures that differ between two vintages, as rows of publication.revisions."""
    with duckdb.connect() as connection:
        cursor = connection.execute(revisions_query(connection, old, new))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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
            "select table_name, comment from duckdb_tables() where database_name = ? and schema_name = ?",
            [WORKING, SCHEMA],
        ).fetchall()
    }
    present.update(
        {
            name: comment
            for name, comment in connection.execute(
                "select view_name, comment from duckdb_views() where database_name = ? and schema_name = ?",
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


def _definitions(columns) -> str:
    """Column definitions from (name, type, ...) tuples."""
    return ", ".join(f"{_quote(column[0])} {column[1]}" for column in columns)


def _comment_on(connection, target: str, comment: str | None, columns) -> None:
    """The table's comment and its columns' comments, from (name, ..., comment) tuples."""
    if comment:
        connection.execute(f"comment on table {target} is {_literal(comment)}")
    for column in columns:
        if column[-1]:
            connection.execute(f"comment on column {target}.{_quote(column[0])} is {_literal(column[-1])}")


def _insert_rows(connection, target: str, rows: list[tuple], batch: int = 500) -> None:
    """Rows from Python, several hundred per statement (executemany costs a statement each)."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        row = "(" + ", ".join("?" * len(chunk[0])) + ")"
        connection.execute(
            f"insert into {target} values {', '.join([row] * len(chunk))}",
            [value for values in chunk for value in values],
        )


def _publication_rows(history: list[Vintage]) -> dict[str, list[tuple]]:
    """The rows of publication.vintages and publication.input_fingerprints: every vintage."""
    vintages, fingerprints = [], []
    for vintage in history:
        meta, tools = vintage.metadata, vintage.metadata["tools"]
        vintages.append(
            (
                vintage.id,
                vintage.sequence,
                datetime.strptime(meta["published_at"], "%Y-%m-%dT%H:%M:%SZ"),
                meta["git"]["commit"],
                meta["git"]["dirty"],
                tools.get("dbt-core"),
                tools.get("dbt-duckdb"),
                tools.get("duckdb"),
                tools.get("python"),
                meta["input_fingerprints_known"],
                vintage is history[-1],
                _json_text(meta),
            )
        )
        fingerprints += [
            (vintage.id, *(row[column] for column in FINGERPRINT_COLUMNS))
            for row in meta["input_fingerprints"]
        ]
    return {"vintages": vintages, "input_fingerprints": fingerprints}


REVISIONS_STAGED = "revisions_staged"


def _stage_revisions(connection, previous: Vintage | None, current: Vintage) -> int:
    """publication.revisions in a temp table of the connection: empty for the first vintage."""
    columns = PUBLICATION_TABLES["revisions"][1]
    connection.execute(f"create or replace temp table {REVISIONS_STAGED} ({_definitions(columns)})")
    if previous is not None:
        connection.execute(f"insert into {REVISIONS_STAGED} {revisions_query(connection, previous, current)}")
    (count,) = connection.execute(f"select count(*) from {REVISIONS_STAGED}").fetchone()
    return count


def _write_database(
    connection, staged_db: Path, metadata: dict[str, dict], history: list[Vintage]
) -> dict[str, int]:
    """The published DuckDB file under a temp name: schema marts, the marts, their comments;
    schema publication, its tables (revisions from the staged temp table). Returns the rows of
    each publication table."""
    connection.execute(
        f"attach {_literal(str(staged_db))} as {STAGED} (storage_version {_literal(STORAGE_VERSION)})"
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
            _comment_on(connection, target, meta["comment"], meta["columns"])
        connection.execute(f"create schema {STAGED}.{PUBLICATION_SCHEMA}")
        rows = _publication_rows(history)
        counts = {}
        for table, (comment, columns) in PUBLICATION_TABLES.items():
            target = f"{STAGED}.{PUBLICATION_SCHEMA}.{table}"
            connection.execute(f"create table {target} ({_definitions(columns)})")
            if table in rows:
                _insert_rows(connection, target, rows[table])
            else:
                connection.execute(f"insert into {target} select * from {REVISIONS_STAGED}")
            (counts[table],) = connection.execute(f"select count(*) from {target}").fetchone()
            _comment_on(connection, target, comment, columns)
        connection.execute(f"checkpoint {STAGED}")
    finally:
        connection.execute(f"detach {STAGED}")
    wal = staged_db.with_name(staged_db.name + ".wal")
    if wal.exists():
        raise PublishError(f"DuckDB left a write-ahead log {wal} after the checkpoint; not publishing.")
    _fsync_file(staged_db)
    return counts


def _verify_database(
    connection, staged_db: Path, expected: dict[str, MartSummary], counts: dict[str, int]
) -> None:
    """Read the staged file back: storage version, schemas and content as intended."""
    connection.execute(f"attach {_literal(str(staged_db))} as {STAGED} (read_only)")
    try:
        (tags,) = connection.execute(
            "select tags from duckdb_databases() where database_name = ?", [STAGED]
        ).fetchone()
        version = (tags or {}).get("storage_version", "")
        if not version.startswith(STORAGE_VERSION):
            raise PublishError(
                f"The staged file {staged_db} has storage version {version!r}, not {STORAGE_VERSION}."
            )
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ? "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = ? and not internal",
            [STAGED, STAGED],
        ).fetchall()
        intended = [(SCHEMA, name) for name in MARTS]
        intended += [(PUBLICATION_SCHEMA, table) for table in PUBLICATION_TABLES]
        if sorted(tables) != sorted(intended):
            raise PublishError(
                f"The staged file {staged_db} holds {sorted(tables)}, not the marts and the "
                "publication tables only."
            )
        found = mart_checksums(connection, STAGED)
        if found != expected:
            raise PublishError(f"The staged file {staged_db} does not read back as the marts.")
        for table, count in counts.items():
            (rows,) = connection.execute(
                f"select count(*) from {STAGED}.{PUBLICATION_SCHEMA}.{table}"
            ).fetchone()
            if rows != count:
                raise PublishError(
                    f"The staged file {staged_db} holds {rows} rows in {PUBLICATION_SCHEMA}."
                    f"{table}, not {count}."
                )
    finally:
        connection.execute(f"detach {STAGED}")


def _write_parquet(connection, relation: str, staged: Path, expected: MartSummary) -> None:
    """A relation as Parquet (format version 1, snappy: what most readers take), in grain
    order, read back and compared with `expected`."""
    order = _order_by(expected.grain, list(expected.columns))
    connection.execute(
        f"copy (select * from {relation} order by {order}) to {_literal(str(staged))} ({PARQUET_OPTIONS})"
    )
    found = relation_checksum(connection, f"read_parquet({_literal(str(staged))})", expected.grain)
    if found != expected:
        raise PublishError(f"The staged Parquet file {staged} does not read back as {relation}.")
    _fsync_file(staged)


def _manifest_text(published_db: Path, marts: dict[str, MartSummary]) -> str:
    """Deterministic: no timestamps, no absolute paths, keys in a fixed order."""
    manifest = {
        "database": published_db.name,
        "schema": SCHEMA,
        "duckdb_storage_version": STORAGE_VERSION,
        "checksum": ("sha256 of the column names and types, then one JSON line per row in grain order"),
        "marts": _mart_entries(marts, f"{PARQUET_DIR_NAME}/"),
    }
    return _json_text(manifest)


def _stage_vintage(staged: Path, staged_parquet: dict[str, Path], document: dict) -> Vintage:
    """A vintage folder under a temp name: the staged Parquet files, copied, and vintage.json."""
    staged.mkdir(parents=True)
    for name, source in staged_parquet.items():
        shutil.copyfile(source, staged / f"{name}.parquet")
        _fsync_file(staged / f"{name}.parquet")
    (staged / VINTAGE_FILE).write_text(_json_text(document), encoding="utf-8")
    _fsync_file(staged / VINTAGE_FILE)
    _fsync_dir(staged)
    return Vintage(id=document["vintage_id"], path=staged, metadata=document)


def publish(
    working_db: Path, published_db: Path, validate: Callable[[Path], None] | None = None
) -> PublishResult:
    """Publish the marts of `working_db` to `published_db`, its Parquet folder and manifest,
    keeping the state as a new vintage unless it equals the latest one.

    Everything is first written and verified under temp names, and the candidate database is
    given to `validate` (e.g. validate_with_gx), which raises PublishError to refuse it; only
    then are the files renamed over the published ones (vintage folder, database, Parquet files,
    revisions, manifest last). On any failure before the renames the published files are left
    exactly as they were. When nothing changed since the latest vintage, and the published files
    are that vintage's, no file is written (and nothing validated) at all.
    """
    working_db = Path(working_db).resolve()
    published_db = Path(published_db).resolve()
    if not working_db.is_file():
        raise PublishError(
            f"Cannot publish: the working warehouse {working_db} does not exist. "
            "Build it first (`banenafspraak run`, or `dbt build`), or point "
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
            _remove(stale)
        history = list_vintages(published_db)
        latest = history[-1] if history else None
        now = datetime.now(UTC).replace(microsecond=0)
        sequence = latest.sequence + 1 if latest else 1
        final_vintage = vintages_dir(published_db) / _vintage_id(sequence, now)

        staged_db = _temp_name(published_db)
        staged_parquet = {name: _temp_name(parquet_dir(published_db) / f"{name}.parquet") for name in MARTS}
        staged_revisions = _temp_name(revisions_path(published_db))
        staged_manifest = _temp_name(manifest_path(published_db))
        staged_vintage = _temp_name(final_vintage)
        staged_files = [
            staged_db,
            *staged_parquet.values(),
            staged_revisions,
            staged_manifest,
            staged_vintage,
        ]
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
                        "`dbt build` (or `banenafspraak run`) and publish again. "
                        "Nothing was published."
                    )
                marts = mart_checksums(connection, WORKING)
                fingerprints = input_fingerprints(connection)
                manifest_text = _manifest_text(published_db, marts)
                new_vintage = not _unchanged(latest, marts, fingerprints)
                if not new_vintage and _in_place(connection, published_db, latest, manifest_text):
                    (count,) = connection.execute(
                        "select count(*) from read_parquet(?)", [str(revisions_path(published_db))]
                    ).fetchone()
                    return PublishResult(
                        published_db=published_db,
                        parquet_files={name: parquet_dir(published_db) / f"{name}.parquet" for name in MARTS},
                        manifest=manifest_path(published_db),
                        marts=marts,
                        vintage=latest,
                        previous=history[-2] if len(history) > 1 else None,
                        new_vintage=False,
                        rewritten=False,
                        revisions=count,
                    )

                for name in MARTS:
                    relation = f"{WORKING}.{SCHEMA}.{_quote(name)}"
                    _write_parquet(connection, relation, staged_parquet[name], marts[name])
                if new_vintage:
                    document = _vintage_metadata(final_vintage.name, sequence, now, marts, fingerprints)
                    history.append(_stage_vintage(staged_vintage, staged_parquet, document))
                previous = history[-2] if len(history) > 1 else None
                revision_rows = _stage_revisions(connection, previous, history[-1])
                counts = _write_database(connection, staged_db, metadata, history)
                _verify_database(connection, staged_db, marts, counts)
                _write_parquet(
                    connection,
                    REVISIONS_STAGED,
                    staged_revisions,
                    relation_checksum(connection, REVISIONS_STAGED, ("revision_number",)),
                )

            if validate is not None:
                try:
                    validate(staged_db)
                except PublishError as error:
                    raise PublishError(
                        f"{error}\nNothing was published: {published_db}, its Parquet files and "
                        "manifest are as they were."
                    ) from None
            staged_manifest.write_text(manifest_text, encoding="utf-8")
            _fsync_file(staged_manifest)

            # The renames: each one atomic; the vintage first (a later publish finds the
            # published files not yet its own and rewrites them), the manifest last, so it never
            # names content that is not in place yet.
            if new_vintage:
                os.rename(staged_vintage, final_vintage)
                _fsync_dir(final_vintage.parent)
                history[-1] = dataclasses.replace(history[-1], path=final_vintage)
            os.replace(staged_db, published_db)
            _fsync_dir(published_db.parent)
            parquet_files = {}
            for name, staged in staged_parquet.items():
                parquet_files[name] = parquet_dir(published_db) / f"{name}.parquet"
                os.replace(staged, parquet_files[name])
            _fsync_dir(parquet_dir(published_db))
            os.replace(staged_revisions, revisions_path(published_db))
            os.replace(staged_manifest, manifest_path(published_db))
            _fsync_dir(published_db.parent)
        finally:
            for staged in staged_files:
                _remove(staged)
                staged.with_name(staged.name + ".wal").unlink(missing_ok=True)

    return PublishResult(
        published_db=published_db,
        parquet_files=parquet_files,
        manifest=manifest_path(published_db),
        marts=marts,
        vintage=history[-1],
        previous=previous,
        new_vintage=new_vintage,
        rewritten=True,
        revisions=revision_rows,
    )


def validate_with_gx(candidate: Path) -> None:
    """Great Expectations on a candidate file (VALIDATOR --published-db): prints its summary,
    raises PublishError with its failed expectations when the file breaks a mart contract."""
    completed = subprocess.run(
        [*VALIDATOR, "--published-db", str(candidate)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr).strip()
    if completed.returncode != 0:
        raise PublishError(
            f"{output}\nGreat Expectations refused the candidate file {candidate.name}: it does "
            f"not hold what the mart contracts promise (banenafspraak validate, exit code "
            f"{completed.returncode}; the lines above name each failed expectation)."
        )
    print(output)


def describe(result: PublishResult) -> str:
    if not result.rewritten:
        return f"nothing changed since vintage {result.vintage.id}: no new vintage"
    rows = ", ".join(f"{name} {mart.rows}" for name, mart in result.marts.items())
    parquet = result.published_db.parent / PARQUET_DIR_NAME
    text = (
        f"Published the marts to {result.published_db} (DuckDB storage {STORAGE_VERSION}), "
        f"{parquet}/ and {result.manifest.name}; rows: {rows}."
    )
    if not result.new_vintage:
        return text + (
            f" Nothing changed since vintage {result.vintage.id}, but the published files "
            "were not its own: they were rewritten, no new vintage."
        )
    against = (
        f"{result.revisions} rows in {PUBLICATION_SCHEMA}.revisions against vintage "
        f"{result.previous.id} (banenafspraak publish revisions)"
        if result.previous
        else "the first"
    )
    return text + f" New vintage {result.vintage.id} ({result.vintage.path.parent}/): {against}."


# --- command line ------------------------------------------------------------------------------


def _text_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain text table, as run_measurement.py prints the letter's tables."""
    from banenafspraak.run_measurement import format_table  # imported late: run_measurement imports publish

    return format_table(columns, rows)


def list_command(published_db: Path) -> str:
    """`vintages`: one line per vintage, with what changed against the one before it."""
    vintages = list_vintages(published_db)
    if not vintages:
        return f"No vintages in {vintages_dir(published_db)}: nothing was published there yet."
    rows = []
    for before, vintage in zip([None, *vintages], vintages):
        changed = [
            name
            for name, sha in vintage.checksums().items()
            if before is None or before.checksums().get(name) != sha
        ]
        fingerprints = vintage.fingerprints()
        rows.append(
            (
                vintage.id,
                vintage.metadata["published_at"],
                vintage.commit(),
                "unknown" if fingerprints is None else str(len(fingerprints)),
                "all (first)" if before is None else (", ".join(changed) or "none"),
            )
        )
    columns = ["vintage", "published_at", "commit", "input fingerprints", "marts changed"]
    return _text_table(columns, rows)


def revisions_command(published_db: Path, against: str | None) -> str:
    """`revisions`: the figures of the current vintage that differ from `against` (default:
    the vintage before it), as a table."""
    vintages = list_vintages(published_db)
    if not vintages:
        raise PublishError(
            f"No vintages in {vintages_dir(published_db)}: publish first (banenafspraak publish)."
        )
    current = vintages[-1]
    if against is None:
        if len(vintages) == 1:
            return f"Only one vintage ({current.id}): nothing to compare it with."
        old = vintages[-2]
    else:
        old = find_vintage(vintages, against)
    rows = revisions(old, current)
    title = f"Vintage {current.id} against {old.id}:"
    if not rows:
        return f"{title} no figure changed."
    table = _text_table(
        ["mart", "key", "column", "change", "old", "new", "why"],
        [
            (
                r["mart"],
                r["grain_key"],
                r["column_name"],
                r["change"],
                r["old_value"],
                r["new_value"],
                r["why"],
            )
            for r in rows
        ],
    )
    return f"{title} {len(rows)} changed.\n\n{table}"


def _published_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--published-db",
        type=Path,
        help="the file BI tools read (default: BANENAFSPRAAK_PUBLISHED_DB, "
        "else published/banenafspraak.duckdb)",
    )


def _history_command(argv: list[str]) -> int:
    """`vintages` and `revisions [--against ID] [--list]`."""
    parser = argparse.ArgumentParser(
        prog=f"publish.py {argv[0]}",
        description="List the vintages"
        if argv[0] == "vintages"
        else ("Print the figures of the current vintage that differ from another vintage"),
    )
    _published_db_option(parser)
    if argv[0] == "revisions":
        parser.add_argument(
            "--against",
            metavar="ID",
            help="the vintage to compare with: its id or sequence number (default: the one "
            "before the current vintage)",
        )
        parser.add_argument("--list", action="store_true", help="list the vintages instead")
    args = parser.parse_args(argv[1:])
    published_db = args.published_db.resolve() if args.published_db else published_db_path()
    try:
        if argv[0] == "vintages" or args.list:
            print(list_command(published_db))
        else:
            print(revisions_command(published_db, args.against))
    except PublishError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("vintages", "revisions"):
        return _history_command(argv)
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Also: `publish.py vintages` and `publish.py revisions [--against ID]` "
        "(see `publish.py revisions --help`).",
    )
    parser.add_argument("--working-db", type=Path, help="the warehouse dbt built (default: BANENAFSPRAAK_DB)")
    _published_db_option(parser)
    args = parser.parse_args(argv)
    working_db = args.working_db.resolve() if args.working_db else working_db_path()
    published_db = args.published_db.resolve() if args.published_db else published_db_path()
    try:
        result = publish(working_db, published_db, validate=validate_with_gx)
    except PublishError as error:
        print(error, file=sys.stderr)
        return 1
    print(describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
