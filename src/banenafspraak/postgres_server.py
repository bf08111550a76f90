"""A throw-away PostgreSQL server for the dbt target `postgres` (Debian's postgresql, on 127.0.0.1).

Usage (from the project root, in the virtual environment with requirements-postgres.txt):

    banenafspraak postgres-server start --state DIR [--port P]   # prints `export ...` lines
    banenafspraak postgres-server stop --state DIR
    banenafspraak postgres-server build --state DIR [-- <dbt args>]

`start` runs initdb in DIR/data the first time (trust authentication, user banenafspraak), starts
the server on 127.0.0.1 (a free port unless --port) and creates the database banenafspraak. It
prints the environment profiles.yml reads; in a shell:

    eval "$(banenafspraak postgres-server start --state /some/folder)"
    banenafspraak run --target postgres
    banenafspraak postgres-server stop --state /some/folder

`build` does all of it in one go: start, load the person-level Parquet files into the schema
payroll_input when BANENAFSPRAAK_PAYROLL_DIR is set, `dbt build --target postgres` from the project
root, stop (also after a failure or Ctrl-C). It exits with dbt's exit code. As root the server runs
as the OS user postgres, which then owns DIR.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from banenafspraak.engines import EngineUnavailable, PostgresServer, load_payroll_into_postgres, stop_process
from banenafspraak.project import PROJECT_DIR, tool


def raise_on_signal(signum, frame) -> None:
    """SIGTERM (and SIGHUP) end a build like Ctrl-C does, through the finally block."""
    raise KeyboardInterrupt(f"signal {signum}")


def start(state: Path, port: int | None) -> int:
    server = PostgresServer(state, port=port).start()
    print(
        f"# PostgreSQL runs in {server.data_dir} (PID {server.pid}); log {server.log_file}.", file=sys.stderr
    )
    for key, value in server.env.items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def stop(state: Path) -> int:
    server = PostgresServer(state)
    pid = server.pid
    if pid is None:
        print(f"No PostgreSQL server runs in {server.data_dir}.", file=sys.stderr)
        return 0
    server.stop()
    print(f"Stopped PostgreSQL (PID {pid}) in {server.data_dir}.", file=sys.stderr)
    return 0


def build(state: Path, port: int | None, dbt_args: list[str]) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_on_signal)
    server = PostgresServer(state, port=port)
    dbt: subprocess.Popen | None = None
    try:
        server.start()
        print(f"PostgreSQL up on port {server.port} (data in {server.data_dir}).", flush=True)
        payroll_dir = os.environ.get("BANENAFSPRAAK_PAYROLL_DIR", "")
        if payroll_dir:
            started = time.monotonic()
            loaded = load_payroll_into_postgres(Path(payroll_dir), server.env)
            print(
                f"Loaded the payroll files in {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{table} {rows:,} rows" for table, rows in loaded.items()),
                flush=True,
            )
        command = [tool("dbt"), "build", "--target", "postgres", *dbt_args]
        dbt = subprocess.Popen(command, cwd=PROJECT_DIR, env={**os.environ, **server.env})
        returncode = dbt.wait()
        dbt = None
        return returncode
    except KeyboardInterrupt:
        print("Interrupted: stopping dbt and PostgreSQL.", file=sys.stderr)
        return 130
    finally:
        if dbt is not None:
            stop_process(dbt)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
        print("PostgreSQL stopped.", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("start", "start the server (initdb first if needed); print the export lines"),
        ("stop", "stop the server running in the state folder"),
        ("build", "start, load the payroll files, dbt build --target postgres, stop"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "--state",
            type=Path,
            required=True,
            help="state folder: the cluster (data/), the log and the socket",
        )
        if name != "stop":
            command.add_argument("--port", type=int, help="TCP port (default: a free one)")
        if name == "build":
            command.add_argument(
                "dbt_args", nargs=argparse.REMAINDER, help="after --: extra arguments for dbt build"
            )
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            return start(args.state, args.port)
        if args.command == "stop":
            return stop(args.state)
        dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
        return build(args.state, args.port, dbt_args)
    except (EngineUnavailable, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
