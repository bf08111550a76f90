"""The console script `banenafspraak`: the main job and each of its parts, one subcommand each.

    banenafspraak run               the main job: build, publish (validated), report, print table 1
    banenafspraak validate          Great Expectations: the published file against the mart contracts
    banenafspraak publish           publish the working warehouse's marts (or list, roll back)
    banenafspraak report            write the visual report from the published file
    banenafspraak generate-payroll  write a synthetic national population of payroll files
    banenafspraak compare           compare two warehouses relation by relation, row by row
    banenafspraak postgres-server   start or stop a throw-away PostgreSQL server
    banenafspraak spark-cluster     build on a Spark standalone cluster started for the build
    banenafspraak reconstruct-seeds write (or --check) the seeds from the published figures
    banenafspraak check-coverage    the documentation and test coverage gates

`banenafspraak <command> --help` gives each command's options. `python -m banenafspraak` is the
same program.
"""

from __future__ import annotations

import importlib
import sys

# command -> (module, what it does)
COMMANDS = {
    "run": ("run_measurement", "the main job: build, publish (validated), report, print table 1"),
    "validate": ("validate_marts", "Great Expectations: the published file against the mart contracts"),
    "publish": ("publish", "publish the working warehouse's marts (or list, roll back)"),
    "report": ("render_report", "write the visual report from the published file"),
    "generate-payroll": ("generate_payroll", "write a synthetic population of payroll files"),
    "compare": ("compare_warehouses", "compare two warehouses relation by relation, row by row"),
    "postgres-server": ("postgres_server", "start or stop a throw-away PostgreSQL server"),
    "spark-cluster": ("spark_cluster", "build on a Spark standalone cluster started for the build"),
    "reconstruct-seeds": ("reconstruct_seeds", "write (or --check) the seeds from the published figures"),
    "check-coverage": ("check_coverage", "the documentation and test coverage gates"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {summary}" for name, (_, summary) in COMMANDS.items()]
    return "usage: banenafspraak <command> [options]\n\ncommands:\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if not arguments or arguments[0] in ("-h", "--help"):
        print(usage(), end="", file=sys.stdout if arguments else sys.stderr)
        return 0 if arguments else 2
    command, rest = arguments[0], arguments[1:]
    if command not in COMMANDS:
        print(f"banenafspraak: unknown command {command!r}\n\n{usage()}", end="", file=sys.stderr)
        return 2
    module = importlib.import_module(f"banenafspraak.{COMMANDS[command][0]}")
    # argparse names the program after argv[0]: `banenafspraak run` in each command's help.
    sys.argv = [f"banenafspraak {command}", *rest]
    return module.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
