"""Build the project on a standalone Spark cluster on this machine (dbt target `spark_cluster`).

Usage (from the project root, in the virtual environment with requirements-spark.txt; Java 17):

    banenafspraak spark-cluster                                  # dbt build on a fresh cluster
    banenafspraak spark-cluster -- --select split_keys           # extra arguments for dbt build
    banenafspraak spark-cluster --cores 2 --memory 2g --state target/spark_cluster/mine
    banenafspraak spark-cluster --keep-running                   # leave the cluster up

Starts a master, one worker and the Thrift server from the installed PySpark, all on 127.0.0.1
(src/banenafspraak/engines.py, SparkCluster), with the warehouse, the Derby metastore and the logs in the
state folder (default: a fresh target/spark_cluster/<timestamp>). Then runs `dbt build --target
spark_cluster` from the project root against it, BANENAFSPRAAK_PAYROLL_DIR passed through, and
stops every process it started, also after a failure or Ctrl-C. Exits with dbt's exit code.

With --keep-running the cluster stays up after the build: the script prints the environment to
reach it (`export BANENAFSPRAAK_THRIFT_PORT=...`) and the `kill` command that stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from banenafspraak.engines import EngineUnavailable, SparkCluster, stop_process
from banenafspraak.project import PROJECT_DIR, tool


def default_state_dir() -> Path:
    return PROJECT_DIR / "target" / "spark_cluster" / time.strftime("%Y%m%d-%H%M%S")


def raise_on_signal(signum, frame) -> None:
    """SIGTERM (and SIGHUP) end the script like Ctrl-C does, through the finally blocks."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        usage="%(prog)s [--state DIR] [--cores N] [--memory M] [--keep-running] [-- <dbt args>]",
    )
    parser.add_argument(
        "--state", type=Path, help="state folder (default: a fresh target/spark_cluster/<timestamp>)"
    )
    parser.add_argument("--cores", type=int, default=2, help="cores of the worker (default 2)")
    parser.add_argument("--memory", default="2g", help="memory of the worker, e.g. 2g (default)")
    parser.add_argument(
        "--keep-running", action="store_true", help="leave the cluster running after the build"
    )
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="after --: extra arguments for dbt build")
    args = parser.parse_args(argv)
    dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_on_signal)
    state = (args.state or default_state_dir()).resolve()
    cluster = SparkCluster(state, cores=args.cores, memory=args.memory)
    keep = False
    dbt: subprocess.Popen | None = None
    try:
        print(f"Starting a Spark cluster (master, worker, Thrift server) in {state} ...", flush=True)
        started = time.monotonic()
        cluster.start()
        print(
            f"Spark cluster up in {time.monotonic() - started:.0f} s: Thrift port "
            f"{cluster.thrift_port}, master {cluster.master_url}, logs in {cluster.log_dir}.",
            flush=True,
        )
        env = {**os.environ, **cluster.env}
        command = [tool("dbt"), "build", "--target", "spark_cluster", *dbt_args]
        dbt = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
        returncode = dbt.wait()
        dbt = None
        keep = args.keep_running
        if keep:
            print("The cluster keeps running. To reach it:")
            for key, value in cluster.env.items():
                print(f"export {key}={value}")
            # Each JVM leads a process group of its own (with the executors): kill the groups,
            # the Thrift server first.
            groups = " ".join(f"-{pid}" for pid in reversed(cluster.pids))
            print(f"To stop it: kill -- {groups}")
        return returncode
    except EngineUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted: stopping dbt and the Spark cluster.", file=sys.stderr)
        return 130
    finally:
        if dbt is not None:
            stop_process(dbt)
        if not keep:
            # Not to be interrupted halfway: a second Ctrl-C would leave JVMs behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                cluster.stop()
            except EngineUnavailable as error:
                print(error, file=sys.stderr)
            else:
                print("Spark cluster stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
