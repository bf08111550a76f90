"""Documentation and test coverage gates for the dbt project; exits 1 when any gate fails.

Gates, each at 100 %:
  column docs  dbt-coverage `compute doc --cov-fail-under 1.0`: every column of every model,
               seed and source in the warehouse (catalog.json) has a description.
  dbt-score    every model and seed scores 10.0 on the rules in pyproject.toml [tool.dbt-score]:
               description, column descriptions, owner, ...
  manifest     every model has a data test and a grain test (primary_key, unique or
               unique_combination_of_columns), or names in meta.grain_tested_by the model
               whose test checks its grain, or says in meta.no_grain why it has none; every public model enforces its contract; every
               source and source column has a description; every model and seed is in
               catalog.json (otherwise the column check would silently skip it).

Per-column test coverage (`dbt-coverage compute test`) is not gated: it would demand a test on
every column, nullable passthrough columns included, and on the seeds, which are tested through
their staging models.

Usage (in the virtual environment; the warehouse must have been built by `dbt build`):

    python scripts/check_coverage.py                  # reads target/manifest.json, catalog.json
    python scripts/check_coverage.py --generate       # runs `dbt docs generate` first
    python scripts/check_coverage.py --target-path target_coverage
"""

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # dbt, dbt-coverage and dbt-score of this environment
GRAIN_TESTS = {"unique", "unique_combination_of_columns", "primary_key"}
Result = tuple[bool, list[str]]


def run(*cmd: str, capture: bool = False) -> subprocess.CompletedProcess:
    print(f"\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(
        [str(BIN / cmd[0]), *cmd[1:]], cwd=ROOT, text=True, capture_output=capture
    )


def crashed(proc: subprocess.CompletedProcess) -> str:
    """Show a tool's stderr and return its last line as the problem."""
    print(proc.stderr, file=sys.stderr)
    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return f"{Path(proc.args[0]).name} exited {proc.returncode}: {last}"


def column_docs(target: str) -> Result:
    report = ROOT / target / "coverage-doc.json"
    report.unlink(missing_ok=True)
    proc = run(
        "dbt-coverage", "compute", "doc", "--project-dir", ".", "--run-artifacts-dir", target,
        "--cov-report", f"{target}/coverage-doc.json", "--cov-fail-under", "1.0", capture=True,
    )
    print(proc.stdout, end="")  # the table; under 1.0, stderr is only a long traceback
    if not report.exists():
        return False, [crashed(proc)]
    problems = [
        f"{table['name']}.{column['name']}: column lacks a description"
        for table in json.loads(report.read_text())["tables"]
        for column in table["columns"]
        if not column["covered"]
    ]
    return proc.returncode == 0, problems


def dbt_score(target: str) -> Result:
    proc = run(
        "dbt-score", "lint", "--format", "json", "--manifest", f"{target}/manifest.json",
        capture=True,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return False, [crashed(proc)]
    problems = [
        f"{item['type']} {uid.split('.', 2)[-1]}: {rule.rsplit('.', 1)[-1]}: {res['message']}"
        for uid, item in sorted(report["evaluables"].items())
        for rule, res in item["results"].items()
        if res["result"] != "OK"
    ]
    print(f"project score {report['project']['score']:.2f}, {len(problems)} rule violation(s)")
    return proc.returncode == 0, problems


def manifest_checks(target: str) -> Result:
    manifest = json.loads((ROOT / target / "manifest.json").read_text())
    catalog = json.loads((ROOT / target / "catalog.json").read_text())
    project = manifest["metadata"]["project_name"]
    nodes = {k: v for k, v in manifest["nodes"].items() if v["package_name"] == project}
    tests = defaultdict(set)  # model id -> names of the generic data tests attached to it
    for node in nodes.values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tests[node["attached_node"]].add(node.get("test_metadata", {}).get("name"))
    in_catalog = set(catalog["nodes"]) | set(catalog["sources"])
    problems = []
    for uid, node in sorted(nodes.items()):
        kind, name, config = node["resource_type"], node["name"], node["config"]
        if kind not in ("model", "seed") or config.get("materialized") == "ephemeral":
            continue
        if uid not in in_catalog:
            problems.append(f"{kind} {name}: not in catalog.json (dbt build, then docs generate)")
        if kind != "model":
            continue
        tested_elsewhere = config.get("meta", {}).get("grain_tested_by")
        without_grain = config.get("meta", {}).get("no_grain")
        if without_grain:
            # A list of rejected rows has no key (two copies of a duplicate are two rows); the
            # reason must be given, and the model must still have a data test.
            if not tests[uid]:
                problems.append(f"model {name}: has no data test")
        elif tested_elsewhere:
            # A model too large to test on its own (the national payroll lines) names the
            # model and test that check its grain in the same pass as everything else.
            if not nodes.get(f"model.{project}.{tested_elsewhere.split()[0]}"):
                problems.append(f"model {name}: grain_tested_by names no model: {tested_elsewhere}")
        elif not tests[uid]:
            problems.append(f"model {name}: has no data test")
        elif not tests[uid] & GRAIN_TESTS:
            grain = " or ".join(sorted(GRAIN_TESTS))
            problems.append(f"model {name}: has no primary-key test ({grain})")
        if config.get("access") == "public" and not config["contract"]["enforced"]:
            problems.append(f"model {name}: is public but does not enforce a contract")
    for source in manifest["sources"].values():
        if source["package_name"] != project:
            continue
        name = f"{source['source_name']}.{source['name']}"
        if not source["description"]:
            problems.append(f"source {name}: lacks a description")
        problems += [
            f"source {name}.{column}: column lacks a description"
            for column, spec in source["columns"].items()
            if not spec["description"]
        ]
    return not problems, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", default="target",
                        help="dbt target dir with manifest.json and catalog.json (default: target)")
    parser.add_argument("--generate", action="store_true",
                        help="run `dbt docs generate --target-path ...` first")
    args = parser.parse_args()
    target = args.target_path
    if not (BIN / "dbt-score").exists():
        print(f"dbt-score is not next to {sys.executable}: use the project's venv", file=sys.stderr)
        return 2
    if args.generate and run("dbt", "docs", "generate", "--target-path", target).returncode:
        print("dbt docs generate failed", file=sys.stderr)
        return 2
    missing = [f for f in ("manifest.json", "catalog.json") if not (ROOT / target / f).exists()]
    if missing:
        print(f"{' and '.join(missing)} missing in {target}/: run `dbt build` and "
              "`dbt docs generate`, or pass --generate", file=sys.stderr)
        return 2

    gates = {
        "column descriptions 100 % (dbt-coverage doc)": column_docs,
        "model and seed rules all at 10.0 (dbt-score)": dbt_score,
        "per model: a test, a primary-key test, contract if public; source docs": manifest_checks,
    }
    results = {label: gate(target) for label, gate in gates.items()}

    print("\n=== Coverage gates ===")
    for label, (ok, problems) in results.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
        for problem in problems:
            print(f"      - {problem}")
    failed = sum(not ok for ok, _ in results.values())
    print(f"\ncoverage gates: {failed} of {len(results)} failed" if failed
          else f"\ncoverage gates: all {len(results)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
