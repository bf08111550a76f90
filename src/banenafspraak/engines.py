"""The engines besides DuckDB: what the dbt targets `spark`, `spark_cluster` and `postgres` need.

- `spark` (dbt-spark, method session): a local PySpark inside the dbt process. It needs Java 17
  and the environment of `spark_session_env` (the state folder holding the Hive warehouse and the
  Derby metastore of one run).
- `spark_cluster` (dbt-spark, method thrift): `SparkCluster` starts a standalone master, one
  worker and the Thrift server from the installed PySpark, all on 127.0.0.1, and stops them again.
- `postgres` (dbt-postgres): `PostgresServer` starts a throw-away server (initdb in a folder of
  its own); `load_payroll_into_postgres` loads the person-level Parquet files into it, because
  PostgreSQL cannot read Parquet.

Used by banenafspraak run --target, banenafspraak spark-cluster, banenafspraak postgres-server,
the portability tests and the benchmark. Needs nothing beyond requirements-spark.txt and
requirements-postgres.txt; the Debian packages are openjdk-17-jre-headless and postgresql.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# What the optional Debian packages are called, for the error messages.
JAVA_PACKAGE = "openjdk-17-jre-headless"
POSTGRES_PACKAGE = "postgresql"
MINIMUM_JAVA = 17
# The role and database of the throw-away PostgreSQL server (profiles.yml's defaults).
PG_USER = "banenafspraak"
PG_DATABASE = "banenafspraak"
# PostgreSQL refuses to run as root; as root the server runs as this OS user.
PG_OS_USER = "postgres"
# The person-level datasets (CONTRACT 1b), each one or more files `<name>*.parquet`.
PAYROLL_DATASETS = ("payroll_lines", "target_group_register", "employers")
LOCALHOST = "127.0.0.1"
# A unix socket path is at most 107 bytes (sun_path) on Linux.
MAX_SOCKET_PATH = 107


class EngineUnavailable(RuntimeError):
    """An engine cannot run here: a program is missing or a server did not come up."""


# --------------------------------------------------------------------------------------------
# Java and PostgreSQL programs


def java_version(java: str) -> int | None:
    """The feature version of `java` (8 for 1.8, 17 for 17.0.15), None when it does not say."""
    try:
        completed = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr + completed.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def require_java() -> str:
    """The path of a Java 17 or newer (JAVA_HOME's, else the one on PATH); else EngineUnavailable."""
    candidates = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.append(str(Path(java_home) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    found = []
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        version = java_version(candidate)
        if version is not None and version >= MINIMUM_JAVA:
            return candidate
        found.append(f"{candidate} (version {version if version is not None else 'unknown'})")
    detail = f" Found only {', '.join(found)}." if found else " No java on PATH or in JAVA_HOME."
    raise EngineUnavailable(
        f"Java {MINIMUM_JAVA} not found: Spark needs Java {MINIMUM_JAVA} or newer. Install "
        f"Debian's {JAVA_PACKAGE} (apt-get install {JAVA_PACKAGE}) or point JAVA_HOME at a "
        f"Java {MINIMUM_JAVA}.{detail}"
    )


def java_home() -> str | None:
    """JAVA_HOME for the Spark JVMs: the folder above the bin/ of the Java 17 found, or None."""
    try:
        java = require_java()
    except EngineUnavailable:
        return None
    home = Path(os.path.realpath(java)).parent.parent
    return str(home) if (home / "bin" / "java").exists() else None


def require_postgres_bin() -> Path:
    """The folder holding initdb and pg_ctl: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("initdb")
    if on_path:
        for folder in (Path(os.path.realpath(on_path)).parent, Path(on_path).parent):
            if (folder / "pg_ctl").exists():
                return folder

    def version(folder: str) -> tuple[int, ...]:
        number = Path(folder).parent.name
        return tuple(int(part) for part in number.split(".") if part.isdigit())

    installed = [
        folder
        for folder in glob.glob("/usr/lib/postgresql/*/bin")
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists()
    ]
    if installed:
        return Path(max(installed, key=version))
    raise EngineUnavailable(
        "PostgreSQL not found: no initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin. "
        f"Install Debian's {POSTGRES_PACKAGE} (apt-get install {POSTGRES_PACKAGE})."
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


def port_open(port: int, host: str = LOCALHOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """True while `pid` is a process that has not exited (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, indented, for an error message."""
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f"    ({path} could not be read)"
    return "\n".join(f"    {line}" for line in text) or f"    ({path} is empty)"


# --------------------------------------------------------------------------------------------
# Target `spark`: a local PySpark in the dbt process


def spark_session_env(state_dir: Path, cores: int = 2, memory: str = "4g") -> dict[str, str]:
    """The environment additions for `dbt ... --target spark` (profiles.yml reads them).

    The state folder (created) holds the run's Hive warehouse and Derby metastore; use one folder
    per run, as two runs sharing a Derby metastore lock each other out. JAVA_HOME is included when
    a Java 17 is found (require_java says why not).
    """
    state = Path(state_dir).resolve()
    state.mkdir(parents=True, exist_ok=True)
    env = {
        "SPARK_LOCAL_IP": LOCALHOST,
        "BANENAFSPRAAK_SPARK_STATE": str(state),
        "BANENAFSPRAAK_SPARK_CORES": str(cores),
        "BANENAFSPRAAK_SPARK_MEMORY": str(memory),
        "PYSPARK_PYTHON": sys.executable,
    }
    home = java_home()
    if home:
        env["JAVA_HOME"] = home
    return env


# --------------------------------------------------------------------------------------------
# Target `postgres`: a throw-away PostgreSQL server


def _as_postgres_user(command: list[str]) -> list[str]:
    """`command` run as the OS user postgres when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", PG_OS_USER, "--", *command]
    return ["su", PG_OS_USER, "-s", "/bin/sh", "-c", " ".join(_shell_quote(c) for c in command)]


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _open_path_for_postgres(folder: Path) -> None:
    """As root: make sure the OS user postgres can reach `folder`.

    pytest's and mkdtemp's folders are mode 700, which keeps postgres out of everything below
    them. Folders of ours in the system temp folder get the search bit (o+x: enter, not list);
    anywhere else a closed folder is an error that names it.
    """
    import pwd

    temp_root = Path(tempfile.gettempdir()).resolve()
    for ancestor in reversed(folder.resolve().parents):
        mode = ancestor.stat().st_mode
        if mode & 0o001:
            continue
        info = ancestor.stat()
        owner_is_postgres = info.st_uid == pwd.getpwnam(PG_OS_USER).pw_uid
        if owner_is_postgres and mode & 0o100:
            continue
        if ancestor.is_relative_to(temp_root) and ancestor != temp_root and info.st_uid == os.geteuid():
            os.chmod(ancestor, mode | 0o001)
            continue
        raise EngineUnavailable(
            f"The PostgreSQL server runs as OS user {PG_OS_USER}, which cannot enter {ancestor} "
            f"(mode {oct(mode & 0o777)}). Put the state folder where {PG_OS_USER} can reach it, "
            "e.g. under the system temp folder, or give the folder o+x."
        )


class PostgresServer:
    """A throw-away PostgreSQL server in `state_dir`, on 127.0.0.1 only.

    `start()` runs initdb in state_dir/data when that is not a cluster yet (trust authentication,
    superuser `banenafspraak`, UTF8, locale C), starts the server with fsync off and the unix socket
    in state_dir, and creates the database `banenafspraak`. `stop()` stops it (fast shutdown) and
    checks that the postmaster is gone. As a context manager it starts on enter and stops on exit.
    A server started by one process can be stopped by another: `PostgresServer(state_dir).stop()`.
    """

    def __init__(self, state_dir: Path, port: int | None = None) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.data_dir = self.state_dir / "data"
        self.log_file = self.state_dir / "postgres.log"
        self._port = port
        self._bin: Path | None = None

    # -- properties

    @property
    def bin_dir(self) -> Path:
        if self._bin is None:
            self._bin = require_postgres_bin()
        return self._bin

    def _postmaster_pid_lines(self) -> list[str]:
        try:
            return (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return []

    @property
    def pid(self) -> int | None:
        """The postmaster's PID while the server runs (from data/postmaster.pid), else None."""
        lines = self._postmaster_pid_lines()
        if not lines or not lines[0].strip().isdigit():
            return None
        pid = int(lines[0])
        return pid if pid_alive(pid) else None

    @property
    def port(self) -> int:
        """The server's port: the one it runs on, else the one asked for (or chosen) at start."""
        lines = self._postmaster_pid_lines()
        if len(lines) > 3 and lines[3].strip().isdigit() and self.pid is not None:
            return int(lines[3])
        if self._port is None:
            self._port = free_port()
        return self._port

    @property
    def env(self) -> dict[str, str]:
        """The BANENAFSPRAAK_PG_* variables profiles.yml's target `postgres` reads."""
        return {
            "BANENAFSPRAAK_PG_HOST": LOCALHOST,
            "BANENAFSPRAAK_PG_PORT": str(self.port),
            "BANENAFSPRAAK_PG_USER": PG_USER,
            "BANENAFSPRAAK_PG_DATABASE": PG_DATABASE,
        }

    # -- life cycle

    def _run(self, command: list[str], what: str, timeout: float = 120) -> None:
        completed = subprocess.run(
            _as_postgres_user(command),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.state_dir,
        )
        if completed.returncode != 0:
            raise EngineUnavailable(
                f"PostgreSQL {what} failed (exit code {completed.returncode}): "
                f"{(completed.stderr or completed.stdout).strip()}\nServer log "
                f"{self.log_file}:\n{log_tail(self.log_file)}"
            )

    def start(self) -> PostgresServer:
        if self.pid is not None:
            raise EngineUnavailable(
                f"A PostgreSQL server already runs in {self.data_dir} (PID {self.pid}); stop it "
                "first (banenafspraak postgres-server stop --state ...)."
            )
        bin_dir = self.bin_dir
        port = self.port
        if port_open(port):
            raise EngineUnavailable(f"PostgreSQL cannot start: port {port} on {LOCALHOST} is taken.")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            import pwd

            _open_path_for_postgres(self.state_dir)
            account = pwd.getpwnam(PG_OS_USER)
            # The state folder and what is in it, but not a cluster initdb made (postgres's).
            for path in [self.state_dir, *self.state_dir.iterdir()]:
                if path != self.data_dir:
                    os.lchown(path, account.pw_uid, account.pw_gid)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    PG_USER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                    "--no-instructions",
                ],
                "initdb",
            )
        socket_dir = self.state_dir
        if len(str(socket_dir / f".s.PGSQL.{port}.lock")) > MAX_SOCKET_PATH:
            socket_dir = None  # too long a path for a unix socket: TCP only
        # Settings of this server, rewritten at every start (the port may differ).
        settings = {
            "listen_addresses": LOCALHOST,
            "port": str(port),
            "unix_socket_directories": str(socket_dir) if socket_dir else "",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "50",
        }
        conf = self.data_dir / "banenafspraak.conf"
        conf.write_text("".join(f"{key} = '{value}'\n" for key, value in settings.items()))
        main_conf = self.data_dir / "postgresql.conf"
        if "include_if_exists = 'banenafspraak.conf'" not in main_conf.read_text():
            with main_conf.open("a") as handle:
                handle.write(
                    "\n# Added by src/banenafspraak/engines.py (PostgresServer).\n"
                    "include_if_exists = 'banenafspraak.conf'\n"
                )
        if os.geteuid() == 0:
            import pwd

            account = pwd.getpwnam(PG_OS_USER)
            os.chown(conf, account.pw_uid, account.pw_gid)
        self._run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "start",
            ],
            "start",
            timeout=90,
        )
        try:
            self._create_database()
        except Exception as error:
            self.stop()
            raise EngineUnavailable(
                f"PostgreSQL started, but database {PG_DATABASE} could not be created: {error}\n"
                f"Server log {self.log_file}:\n{log_tail(self.log_file)}"
            ) from error
        return self

    def _create_database(self) -> None:
        import psycopg2

        connection = psycopg2.connect(
            host=LOCALHOST, port=self.port, user=PG_USER, dbname="postgres", connect_timeout=10
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("select 1 from pg_database where datname = %s", (PG_DATABASE,))
                if cursor.fetchone() is None:
                    cursor.execute(f'create database "{PG_DATABASE}"')
        finally:
            connection.close()

    def stop(self, timeout: float = 60) -> None:
        """Stop the server (pg_ctl stop -m fast) and check that its postmaster is gone."""
        pid = self.pid
        if pid is None:
            return
        try:
            self._run(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "stop",
                ],
                "stop",
                timeout=timeout + 30,
            )
        except (EngineUnavailable, subprocess.TimeoutExpired):
            pass  # checked below
        deadline = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(1)
            raise EngineUnavailable(
                f"PostgreSQL in {self.data_dir} did not stop with pg_ctl stop -m fast; its "
                f"postmaster (PID {pid}) was killed.\nServer log:\n{log_tail(self.log_file)}"
            )

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


# --------------------------------------------------------------------------------------------
# The person-level input for target `postgres`

# DuckDB's types of the payroll columns, as PostgreSQL types.
_PG_TYPES = {
    "VARCHAR": "text",
    "DATE": "date",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type of a DuckDB column type (decimal(p,s) keeps its precision and scale)."""
    upper = duckdb_type.upper()
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", upper)
    if decimal:
        return f"numeric({decimal.group(1)}, {decimal.group(2)})"
    if upper in _PG_TYPES:
        return _PG_TYPES[upper]
    raise ValueError(f"no PostgreSQL type for the Parquet column type {duckdb_type}")


def _pg_connect(env: dict[str, str]):
    import psycopg2

    def setting(name: str, default: str) -> str:
        return env.get(f"BANENAFSPRAAK_PG_{name}", os.environ.get(f"BANENAFSPRAAK_PG_{name}", default))

    return psycopg2.connect(
        host=setting("HOST", LOCALHOST),
        port=int(setting("PORT", "5432")),
        user=setting("USER", PG_USER),
        password=setting("PASSWORD", ""),
        dbname=setting("DATABASE", PG_DATABASE),
        connect_timeout=10,
    )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_through_fifo(select_sql: str, cursor, copy_sql: str, work_dir: Path) -> None:
    """COPY the rows of a DuckDB query into PostgreSQL: DuckDB writes CSV into a named pipe that
    psycopg2's copy_expert reads, so nothing is written to disk and no row passes through Python.
    """
    import duckdb

    fifo = work_dir / "rows.csv"
    os.mkfifo(fifo)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with duckdb.connect() as connection:
                literal = str(fifo).replace("'", "''")
                connection.execute(f"copy ({select_sql}) to '{literal}' (format csv, header false)")
        except BaseException as error:  # reported by the caller
            failures.append(error)
            # The reader may still wait for a writer to open the pipe: open and close it.
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass

    writer = threading.Thread(target=write, name="duckdb-csv-writer", daemon=True)
    writer.start()
    try:
        with open(fifo, "rb") as stream:
            cursor.copy_expert(copy_sql, stream, size=1 << 20)
    finally:
        writer.join()
        fifo.unlink()
    if failures:
        raise failures[0]


def load_payroll_into_postgres(
    payroll_dir: Path, env: dict[str, str], schema: str = "payroll_input"
) -> dict[str, int]:
    """Load the person-level Parquet files into PostgreSQL; return the rows per table.

    Each dataset (all files `<name>*.parquet` in `payroll_dir`) becomes table `<schema>.<name>`,
    dropped and created with the Parquet columns' types plus `filename` (text: the file a row
    came from, exactly as DuckDB's read_parquet(..., filename = true) gives it for the same
    folder). The optional employers.total_paid_hours is loaded when the files have it. `env` holds
    the BANENAFSPRAAK_PG_* variables (PostgresServer.env), else they come from os.environ. All
    tables are loaded in one transaction: a failure leaves the schema as it was.
    """
    import duckdb

    folder = str(payroll_dir)
    patterns = {}
    for name in PAYROLL_DATASETS:
        pattern = f"{folder}/{name}*.parquet"
        if not glob.glob(pattern):
            raise FileNotFoundError(
                f"No {name} file in {folder}: expected one or more files named {name}*.parquet "
                "(check BANENAFSPRAAK_PAYROLL_DIR)."
            )
        patterns[name] = pattern

    loaded = {}
    connection = _pg_connect(env)
    try:
        with (
            connection,
            connection.cursor() as cursor,
            tempfile.TemporaryDirectory(prefix="payroll-copy-") as work_dir,
        ):
            cursor.execute(f"create schema if not exists {_quote_ident(schema)}")
            for name, pattern in patterns.items():
                literal = pattern.replace("'", "''")
                source = f"read_parquet('{literal}', filename = true, union_by_name = true)"
                with duckdb.connect() as duck:
                    columns = duck.execute(f"describe select * from {source}").fetchall()
                names = [column[0] for column in columns]
                definitions = ", ".join(
                    f"{_quote_ident(column)} " + ("text" if column == "filename" else postgres_type(kind))
                    for column, kind, *_ in columns
                )
                table = f"{_quote_ident(schema)}.{_quote_ident(name)}"
                cursor.execute(f"drop table if exists {table}")
                cursor.execute(f"create table {table} ({definitions})")
                column_list = ", ".join(_quote_ident(column) for column in names)
                _copy_through_fifo(
                    f"select {column_list} from {source}",
                    cursor,
                    f"copy {table} ({column_list}) from stdin with (format csv, freeze true)",
                    Path(work_dir),
                )
                cursor.execute(f"analyze {table}")
                cursor.execute(f"select count(*) from {table}")
                loaded[f"{schema}.{name}"] = cursor.fetchone()[0]
    finally:
        connection.close()
    return loaded


# --------------------------------------------------------------------------------------------
# Target `spark_cluster`: a standalone Spark cluster on this machine


def spark_home() -> Path:
    """The installed PySpark's folder, which is a Spark distribution (bin/, jars/)."""
    try:
        import pyspark
    except ImportError as error:
        raise EngineUnavailable("PySpark is not installed: pip install -r requirements-spark.txt") from error
    home = Path(pyspark.__file__).resolve().parent
    if not (home / "bin" / "spark-class").exists():
        raise EngineUnavailable(f"{home} holds no bin/spark-class: reinstall pyspark.")
    return home


def _process_group_members(pgids: set[int]) -> list[int]:
    """The PIDs of living processes in the given process groups (from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) in pgids:
            members.append(int(entry.name))
    return members


class SparkCluster:
    """A standalone Spark cluster on 127.0.0.1: master, one worker and the Thrift server.

    Started from the installed PySpark (its wheel is a Spark distribution without the sbin start
    scripts, so the JVMs are launched directly), each in a session of its own so that `stop()`
    can end it with everything it started (the worker's executors). Warehouse, Derby metastore,
    work folders and logs (state_dir/logs/*.log) all live in `state_dir`. `env` holds what
    profiles.yml's target `spark_cluster` reads.
    """

    ROLES = ("master", "worker", "thriftserver")

    def __init__(
        self, state_dir: Path, cores: int = 2, memory: str = "2g", thrift_port: int | None = None
    ) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.cores = cores
        self.memory = memory
        self.thrift_port = thrift_port
        self.log_dir = self.state_dir / "logs"
        self.master_port: int | None = None
        self.master_webui_port: int | None = None
        self._processes: dict[str, subprocess.Popen] = {}

    @property
    def pids(self) -> list[int]:
        """The PIDs of the JVMs started (master, worker, Thrift server) that still run."""
        return [p.pid for p in self._processes.values() if p.poll() is None]

    @property
    def env(self) -> dict[str, str]:
        """The variables target `spark_cluster` reads. The Thrift server resolves a relative
        BANENAFSPRAAK_PAYROLL_DIR from its own working folder (the state folder), so the folder
        of the person-level files is passed on as an absolute path."""
        env = {"BANENAFSPRAAK_THRIFT_PORT": str(self.thrift_port), "SPARK_LOCAL_IP": LOCALHOST}
        payroll_dir = os.environ.get("BANENAFSPRAAK_PAYROLL_DIR", "")
        if payroll_dir:
            env["BANENAFSPRAAK_PAYROLL_DIR"] = str(Path(payroll_dir).resolve())
        return env

    @property
    def master_url(self) -> str:
        return f"spark://{LOCALHOST}:{self.master_port}"

    def log_file(self, role: str) -> Path:
        return self.log_dir / f"{role}.log"

    def _child_env(self, home: Path) -> dict[str, str]:
        env = dict(os.environ)
        # Nothing of another Spark on this machine: no conf folder of its own, no SPARK_* settings.
        for key in list(env):
            if key.startswith(("SPARK_", "PYSPARK_")):
                del env[key]
        conf_dir = self.state_dir / "conf"
        conf_dir.mkdir(exist_ok=True)
        env.update(
            {
                "SPARK_HOME": str(home),
                "SPARK_CONF_DIR": str(conf_dir),
                "SPARK_LOCAL_IP": LOCALHOST,
                "SPARK_LOCAL_DIRS": str(self.state_dir / "tmp"),
                "SPARK_LOG_DIR": str(self.log_dir),
                "SPARK_PID_DIR": str(self.state_dir),
                "SPARK_WORKER_DIR": str(self.state_dir / "worker"),
                "SPARK_DAEMON_MEMORY": "512m",
                "PYSPARK_PYTHON": sys.executable,
            }
        )
        home_java = java_home()
        if home_java:
            env["JAVA_HOME"] = home_java
        return env

    def _launch(self, role: str, command: list[str], env: dict[str, str]) -> None:
        with self.log_file(role).open("ab") as log:
            self._processes[role] = subprocess.Popen(
                command,
                cwd=self.state_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _fail(self, problem: str) -> None:
        tails = "\n".join(
            f"{self.log_file(role)}:\n{log_tail(self.log_file(role), 20)}" for role in self._processes
        )
        self.stop()
        raise EngineUnavailable(f"The Spark cluster did not start: {problem}\n{tails}")

    def _check_alive(self) -> None:
        for role, process in self._processes.items():
            if process.poll() is not None:
                self._fail(f"the {role} exited (exit code {process.returncode}).")

    def _alive_workers(self) -> int:
        import json
        import urllib.request

        try:
            with urllib.request.urlopen(
                f"http://{LOCALHOST}:{self.master_webui_port}/json/", timeout=5
            ) as response:
                status = json.load(response)
        except (OSError, ValueError):
            return 0
        return int(status.get("aliveworkers", 0))

    def _thrift_answers(self, timeout: float = 60) -> bool:
        """True when `select 1` over Thrift (PyHive, as dbt-spark connects) returns 1.

        In a thread, because PyHive has no timeout: a server that accepts the connection but
        never answers must not hang the start beyond its deadline.
        """
        answers: list[bool] = []
        check = threading.Thread(target=lambda: answers.append(self._select_one()), daemon=True)
        check.start()
        check.join(timeout)
        return bool(answers and answers[0])

    def _select_one(self) -> bool:
        from pyhive import hive

        try:
            connection = hive.connect(host=LOCALHOST, port=self.thrift_port, username="banenafspraak")
        except Exception:
            return False
        try:
            cursor = connection.cursor()
            cursor.execute("select 1")
            return cursor.fetchall() == [(1,)]
        except Exception:
            return False
        finally:
            try:
                connection.close()
            except Exception:
                pass

    def start(self, timeout: float = 240) -> SparkCluster:
        if self._processes:
            raise EngineUnavailable("This SparkCluster was started already.")
        require_java()
        home = spark_home()
        for folder in (self.state_dir, self.log_dir, self.state_dir / "worker", self.state_dir / "tmp"):
            folder.mkdir(parents=True, exist_ok=True)
        env = self._child_env(home)
        spark_class = str(home / "bin" / "spark-class")
        self.master_port = free_port()
        self.master_webui_port = free_port()
        if self.thrift_port is None:
            self.thrift_port = free_port()
        if port_open(self.thrift_port):
            raise EngineUnavailable(
                f"Port {self.thrift_port} on {LOCALHOST} is taken: choose another thrift port."
            )
        deadline = time.monotonic() + timeout

        self._launch(
            "master",
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                "--host",
                LOCALHOST,
                "--port",
                str(self.master_port),
                "--webui-port",
                str(self.master_webui_port),
            ],
            env,
        )
        while not port_open(self.master_port):
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"the master did not listen on port {self.master_port} within {timeout:.0f} s.")
            time.sleep(0.5)

        self._launch(
            "worker",
            [
                spark_class,
                "org.apache.spark.deploy.worker.Worker",
                self.master_url,
                "--host",
                LOCALHOST,
                "--cores",
                str(self.cores),
                "--memory",
                str(self.memory),
                "--work-dir",
                str(self.state_dir / "worker"),
                "--webui-port",
                str(free_port()),
            ],
            env,
        )
        state = str(self.state_dir)
        partitions = os.environ.get("BANENAFSPRAAK_SPARK_PARTITIONS", "4")
        confs = {
            "spark.sql.warehouse.dir": f"{state}/warehouse",
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={state}/metastore_db;create=true"
            ),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={state}",
            "spark.sql.shuffle.partitions": partitions,
            "spark.sql.session.timeZone": "UTC",
            "spark.driver.host": LOCALHOST,
            "spark.driver.bindAddress": LOCALHOST,
            "spark.cores.max": str(self.cores),
            "spark.executor.memory": str(self.memory),
            "spark.local.dir": f"{state}/tmp",
            "spark.ui.enabled": "false",
            # As in profiles.yml's spark target. The Thrift server does not take the analyzer's
            # passes from the session (dbt's server_side_parameters), so they are set here:
            # disclosure control nests more CTEs than the default 100 passes resolve.
            "spark.sql.analyzer.maxIterations": "1000",
            "spark.sql.parquet.mergeSchema": "true",
        }
        command = [
            str(home / "bin" / "spark-submit"),
            "--class",
            "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--name",
            "banenafspraak Thrift server",
            "--master",
            self.master_url,
        ]
        for key, value in confs.items():
            command += ["--conf", f"{key}={value}"]
        # The primary resource of the Thrift server is `spark-internal`, as in Spark's own
        # sbin/start-thriftserver.sh; --hiveconf are its application arguments.
        command += [
            "spark-internal",
            "--hiveconf",
            f"hive.server2.thrift.port={self.thrift_port}",
            "--hiveconf",
            f"hive.server2.thrift.bind.host={LOCALHOST}",
        ]
        # spark-submit gives the Thrift server SPARK_DAEMON_MEMORY, not --driver-memory.
        # Launched while the worker registers: the JVMs start up side by side.
        self._launch("thriftserver", command, {**env, "SPARK_DAEMON_MEMORY": "1g"})
        while self._alive_workers() < 1:
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"no worker registered with the master within {timeout:.0f} s.")
            time.sleep(0.5)
        while not (port_open(self.thrift_port) and self._thrift_answers()):
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(
                    f"the Thrift server did not answer `select 1` on port {self.thrift_port} "
                    f"within {timeout:.0f} s."
                )
            time.sleep(1)
        return self

    def stop(self, timeout: float = 30) -> None:
        """Stop the Thrift server, the worker and the master (each with what it started), by
        PID: SIGTERM, then SIGKILL for what is left; raise when a process survives."""
        pgids = {process.pid for process in self._processes.values()}
        for role in reversed(self.ROLES):
            process = self._processes.get(role)
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 10
        while _process_group_members(pgids) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in _process_group_members(pgids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for process in self._processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        time.sleep(0.2)
        survivors = _process_group_members(pgids)
        self._processes = {}
        if survivors:
            raise EngineUnavailable(
                f"Spark processes survived SIGKILL: PIDs {', '.join(map(str, survivors))}."
            )

    def __enter__(self) -> SparkCluster:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def stop_process(process: subprocess.Popen) -> None:
    """Stop a child process that still runs: terminate, wait up to 30 s, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
