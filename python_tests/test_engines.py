"""banenafspraak.engines without a build: the throw-away PostgreSQL server, the Parquet loader for
target `postgres`, the Spark session environment and the messages when an engine is missing.

Needs Debian's postgresql (initdb, pg_ctl); skipped where it is not installed. A Spark cluster
is started by the portability suite, not here.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from payroll_files import COLUMNS, write_dataset

from banenafspraak import engines
from banenafspraak.engines import (
    EngineUnavailable,
    PostgresServer,
    load_payroll_into_postgres,
    require_java,
    require_postgres_bin,
    spark_session_env,
)

try:
    require_postgres_bin()
    HAVE_POSTGRES = True
except EngineUnavailable:
    HAVE_POSTGRES = False
needs_postgres = pytest.mark.skipif(not HAVE_POSTGRES, reason="PostgreSQL (initdb) not installed")


def processes_mentioning(text: str) -> list[int]:
    """PIDs of living processes whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command and engines.pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with PostgresServer(tmp_path_factory.mktemp("postgres")) as running:
        yield running
    assert not processes_mentioning(str(running.data_dir))


def pg_query(server: PostgresServer, sql: str) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=server.port, user="banenafspraak", dbname="banenafspraak"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------
# PostgresServer


@needs_postgres
def test_postgres_server_starts_and_stops_without_leaving_a_process(tmp_path):
    server = PostgresServer(tmp_path / "state")
    server.start()
    try:
        pid = server.pid
        assert pid is not None and engines.pid_alive(pid)
        assert server.env == {
            "BANENAFSPRAAK_PG_HOST": "127.0.0.1",
            "BANENAFSPRAAK_PG_PORT": str(server.port),
            "BANENAFSPRAAK_PG_USER": "banenafspraak",
            "BANENAFSPRAAK_PG_DATABASE": "banenafspraak",
        }
        assert pg_query(server, "select current_database(), current_user") == [
            ("banenafspraak", "banenafspraak")
        ]
        assert pg_query(server, "show fsync") == [("off",)]
        assert pg_query(server, "show listen_addresses") == [("127.0.0.1",)]
        if os.geteuid() == 0:
            assert Path(f"/proc/{pid}").stat().st_uid != 0, "the server must not run as root"
        # A second start on the same folder is refused, naming the running server.
        with pytest.raises(EngineUnavailable, match="already runs"):
            PostgresServer(tmp_path / "state").start()
    finally:
        server.stop()
    assert server.pid is None
    assert not engines.pid_alive(pid)
    assert not processes_mentioning(str(server.data_dir))
    # The cluster is kept: a restart needs no initdb and finds the database again.
    with PostgresServer(tmp_path / "state") as again:
        assert pg_query(again, "select count(*) from pg_database where datname = 'banenafspraak'") == [(1,)]
        restarted = again.pid
    assert not engines.pid_alive(restarted)


@needs_postgres
def test_postgres_server_start_failure_shows_the_log(tmp_path):
    state = tmp_path / "state"
    # The same port twice: the second server cannot listen.
    with PostgresServer(state) as first, pytest.raises(EngineUnavailable, match="port .* is taken"):
        PostgresServer(tmp_path / "other", port=first.port).start()
    # A broken setting: pg_ctl start fails and the message carries the server log's tail.
    with (state / "data" / "postgresql.conf").open("a") as conf:
        conf.write("shared_buffers = 'not a size'\n")
    server = PostgresServer(state)
    with pytest.raises(EngineUnavailable, match=r"(?s)start failed.*Server log.*shared_buffers"):
        server.start()
    assert server.pid is None


# ---------------------------------------------------------------------------------------------
# load_payroll_into_postgres

TRICKY_TEXT = 'comma, "quote" and\nnewline'


def write_payroll(folder: Path, with_total_paid_hours: bool = True) -> Path:
    """Two payroll files, a register and employers, with nulls, an empty string and CSV-hostile
    text; employers without total_paid_hours when asked."""
    write_dataset(
        folder,
        "payroll_lines",
        [
            ("P0000001", "E000001", date(2021, 12, 1), date(2021, 12, 31), "regular", Decimal("110.92")),
            ("P0000002", "E000002", date(2021, 12, 1), date(2021, 12, 31), "temp_agency", None),
            ("P0000003", TRICKY_TEXT, date(2021, 11, 29), date(2021, 12, 26), "", Decimal("0.00")),
        ],
        file_name="payroll_lines_2021",
    )
    write_dataset(
        folder,
        "payroll_lines",
        [
            ("P0000001", "E000001", date(2022, 12, 1), date(2022, 12, 31), "regular", Decimal("9999999.99")),
        ],
        file_name="payroll_lines_2022",
    )
    write_dataset(
        folder,
        "target_group_register",
        [
            ("P0000001", "wajong", date(2015, 1, 1), None),
            ("P0000002", "indicatie", date(2016, 3, 1), date(2022, 6, 30)),
        ],
    )
    employers = [
        ("E000001", 2021, "market", None, "small", "Groot Amsterdam", Decimal("1234567.89")),
        ("E000002", 2021, "government", "municipalities", "large", "Twente", None),
    ]
    if with_total_paid_hours:
        write_dataset(folder, "employers", employers)
    else:
        columns = {k: v for k, v in COLUMNS["employers"].items() if k != "total_paid_hours"}
        path = folder / "employers.parquet"
        with duckdb.connect() as connection:
            connection.execute("create table t (" + ", ".join(f"{c} {t}" for c, t in columns.items()) + ")")
            connection.executemany(
                f"insert into t values ({', '.join('?' for _ in columns)})",
                [row[:-1] for row in employers],
            )
            connection.execute(f"copy t to '{path}' (format parquet)")
    return folder


def duckdb_reading(folder: Path, name: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    """Columns (name, DuckDB type) and sorted rows as DuckDB's read_parquet(filename = true) gives them."""
    with duckdb.connect() as connection:
        relation = connection.sql(f"select * from read_parquet('{folder}/{name}*.parquet', filename = true)")
        columns = list(zip(relation.columns, (str(t) for t in relation.types)))
        rows = sorted(relation.fetchall(), key=repr)
    return columns, rows


def postgres_reading(server: PostgresServer, name: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    columns = pg_query(
        server,
        f"""
        select column_name,
            case when data_type = 'numeric' then format('numeric(%s, %s)', numeric_precision, numeric_scale)
                else data_type end
        from information_schema.columns
        where table_schema = 'payroll_input' and table_name = '{name}'
        order by ordinal_position""",
    )
    rows = sorted(pg_query(server, f"select * from payroll_input.{name}"), key=repr)
    return [tuple(c) for c in columns], rows


@needs_postgres
@pytest.mark.parametrize("with_total_paid_hours", [True, False])
def test_loader_gives_postgres_what_duckdb_reads(server, tmp_path, with_total_paid_hours):
    folder = write_payroll(tmp_path / "payroll", with_total_paid_hours)
    loaded = load_payroll_into_postgres(folder, server.env)
    assert set(loaded) == {f"payroll_input.{name}" for name in engines.PAYROLL_DATASETS}
    for name in engines.PAYROLL_DATASETS:
        duck_columns, duck_rows = duckdb_reading(folder, name)
        pg_columns, pg_rows = postgres_reading(server, name)
        assert loaded[f"payroll_input.{name}"] == len(duck_rows)
        assert [c for c, _ in pg_columns] == [c for c, _ in duck_columns]
        for (column, pg_type), (_, duck_type) in zip(pg_columns, duck_columns):
            assert pg_type == expected_pg_type(duck_type), f"{name}.{column}"
        assert pg_rows == duck_rows, name
    employer_columns = [c for c, _ in postgres_reading(server, "employers")[0]]
    assert ("total_paid_hours" in employer_columns) == with_total_paid_hours
    # Every filename is a file of the folder, as DuckDB names it.
    filenames = {
        row[0] for row in pg_query(server, "select distinct filename from payroll_input.payroll_lines")
    }
    assert filenames == {f"{folder}/payroll_lines_2021.parquet", f"{folder}/payroll_lines_2022.parquet"}
    # Null stays null and the empty string stays empty.
    assert pg_query(server, "select count(*) from payroll_input.payroll_lines where paid_hours is null") == [
        (1,)
    ]
    assert pg_query(server, "select count(*) from payroll_input.payroll_lines where relation_type = ''") == [
        (1,)
    ]
    assert pg_query(
        server, "select count(*) from payroll_input.target_group_register where valid_to is null"
    ) == [(1,)]


def expected_pg_type(duck_type: str) -> str:
    """The PostgreSQL type (as the query above spells it) of a DuckDB type of the contract."""
    decimal = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duck_type)
    if decimal:
        return f"numeric({decimal.group(1)}, {decimal.group(2)})"
    return {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer"}[duck_type]


@needs_postgres
def test_loader_replaces_tables_and_names_a_missing_dataset(server, tmp_path):
    folder = write_payroll(tmp_path / "payroll")
    load_payroll_into_postgres(folder, server.env)
    (folder / "payroll_lines_2022.parquet").unlink()
    loaded = load_payroll_into_postgres(folder, server.env)
    assert loaded["payroll_input.payroll_lines"] == 3
    (folder / "target_group_register.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="No target_group_register file in"):
        load_payroll_into_postgres(folder, server.env)


# ---------------------------------------------------------------------------------------------
# Spark session environment and the messages when an engine is missing


def test_spark_session_env_points_at_an_absolute_state_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = spark_session_env(Path("relative/state"), cores=3, memory="1g")
    state = tmp_path / "relative" / "state"
    assert state.is_dir()
    assert env["BANENAFSPRAAK_SPARK_STATE"] == str(state)
    assert env["SPARK_LOCAL_IP"] == "127.0.0.1"
    assert env["BANENAFSPRAAK_SPARK_CORES"] == "3"
    assert env["BANENAFSPRAAK_SPARK_MEMORY"] == "1g"
    assert Path(env["PYSPARK_PYTHON"]).exists()
    if "JAVA_HOME" in env:
        assert (Path(env["JAVA_HOME"]) / "bin" / "java").exists()


def fake_program(folder: Path, name: str, script: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_missing_java_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(EngineUnavailable, match="Java 17 not found.*openjdk-17-jre-headless"):
        require_java()
    # An old Java is named, with its version.
    fake_program(tmp_path / "bin", "java", "echo 'openjdk version \"11.0.2\" 2019-01-15' >&2")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(EngineUnavailable, match=r"openjdk-17-jre-headless.*version 11\)"):
        require_java()
    fake_program(tmp_path / "bin", "java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2")
    assert require_java() == str(tmp_path / "bin" / "java")
    fake_program(tmp_path / "bin", "java", "echo 'java version \"1.8.0_292\"' >&2")
    assert engines.java_version(str(tmp_path / "bin" / "java")) == 8


def test_missing_postgres_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(engines.glob, "glob", lambda pattern: [])
    with pytest.raises(EngineUnavailable, match="PostgreSQL not found.*install postgresql"):
        require_postgres_bin()
    # On PATH: the folder holding initdb and pg_ctl.
    for name in ("initdb", "pg_ctl"):
        fake_program(tmp_path / "pgbin", name, "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path / "pgbin"))
    assert require_postgres_bin() == tmp_path / "pgbin"
