"""Documentation and test coverage gates for the dbt project; exits 1 when any gate fails.

Gates, each at 100 %:
  column docs  dbt-coverage `compute doc --cov-fail-under 1.0`: every column of every model,
               seed and source in the warehouse (catalog.json) has a description.
  dbt-score    every model, seed and macro scores 10.0 on the rules in pyproject.toml
               [tool.dbt-score]: description, column descriptions, owner, macro arguments, ...
  manifest     every model has a data test and a grain test (primary_key, unique or
               unique_combination_of_columns), or names in meta.grain_tested_by the model
               whose test checks its grain, or says in meta.no_grain why it has none; every
               public model enforces its contract; every source and source column has a
               description; every model and seed is in catalog.json (otherwise the column check
               would silently skip it). Every test has a description: singular tests (a
               `data_tests:` entry in a properties file), generic test instances (`description:`
               beside `arguments:`) and unit tests; every macro (generic test definitions
               included) has a description, documents exactly the arguments of its
               `{% macro %}` tag, each with a description; every exposure has a description and
               an owner. Every entry of a properties file names a model, seed, snapshot, analysis
               or test that exists, enabled or disabled (dbt's own warning for that is silenced
               in dbt_project.yml: it fires for a singular test that is disabled on purpose).

Per-column test coverage (`dbt-coverage compute test`) is not gated: it would demand a test on
every column, nullable passthrough columns included, and on the seeds, which are tested through
their staging models.

Usage (in the virtual environment; the warehouse must have been built by `dbt build`):

    python scripts/check_coverage.py                  # reads target/manifest.json, catalog.json
    python scripts/check_coverage.py --generate       # runs `dbt docs generate` first
    python scripts/check_coverage.py --target-path target_coverage
"""

import argparse
import ast
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # dbt, dbt-coverage and dbt-score of this environment
GRAIN_TESTS = {"unique", "unique_combination_of_columns", "primary_key"}
# The opening tag of a macro or generic test definition, with its parameter list.
MACRO_TAG = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%\}", re.S)
# Keys of a properties file whose entries must each name a node of that resource type.
PROPERTY_KEYS = {
    "models": "model",
    "seeds": "seed",
    "snapshots": "snapshot",
    "analyses": "analysis",
    "data_tests": "test",
}
PATH_KEYS = ("model-paths", "seed-paths", "test-paths", "macro-paths", "analysis-paths", "snapshot-paths")
Result = tuple[bool, list[str]]


def run(*cmd: str, capture: bool = False) -> subprocess.CompletedProcess:
    print(f"\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run([str(BIN / cmd[0]), *cmd[1:]], cwd=ROOT, text=True, capture_output=capture)


def crashed(proc: subprocess.CompletedProcess) -> str:
    """Show a tool's stderr and return its last line as the problem."""
    print(proc.stderr, file=sys.stderr)
    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return f"{Path(proc.args[0]).name} exited {proc.returncode}: {last}"


def column_docs(target: str) -> Result:
    report = ROOT / target / "coverage-doc.json"
    report.unlink(missing_ok=True)
    proc = run(
        "dbt-coverage",
        "compute",
        "doc",
        "--project-dir",
        ".",
        "--run-artifacts-dir",
        target,
        "--cov-report",
        f"{target}/coverage-doc.json",
        "--cov-fail-under",
        "1.0",
        capture=True,
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
        "dbt-score",
        "lint",
        "--format",
        "json",
        "--manifest",
        f"{target}/manifest.json",
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
    problems += undescribed_tests_macros_and_exposures(manifest, project)
    problems += property_entries_without_node(manifest, project, ROOT)
    return not problems, problems


def macro_parameters(macro_sql: str) -> list[str] | None:
    """The parameter names in a macro's opening tag; None when there is no such tag."""
    tag = MACRO_TAG.search(macro_sql)
    if not tag:
        return None
    try:
        signature = ast.parse(f"def f({tag.group(1)}): pass").body[0].args
    except SyntaxError:
        return None
    names = [arg.arg for arg in (*signature.posonlyargs, *signature.args, *signature.kwonlyargs)]
    return names + [arg.arg for arg in (signature.vararg, signature.kwarg) if arg]


def undescribed_tests_macros_and_exposures(manifest: dict, project: str) -> list[str]:
    """Every test, macro and exposure of the project described; every macro argument too."""
    problems = []
    for node in sorted(manifest["nodes"].values(), key=lambda node: node["unique_id"]):
        if node["package_name"] != project or node["resource_type"] != "test":
            continue
        if not node["description"].strip():
            attached = (node.get("attached_node") or "").split(".")[-1]
            where = f" (on {attached})" if attached else ""
            problems.append(f"test {node['name']}{where}: lacks a description")
    for unit_test in manifest.get("unit_tests", {}).values():
        if unit_test["package_name"] == project and not unit_test["description"].strip():
            problems.append(f"unit test {unit_test['name']}: lacks a description")
    for macro in sorted(manifest["macros"].values(), key=lambda macro: macro["unique_id"]):
        if macro["package_name"] != project:
            continue
        name = macro["name"]
        if not macro["description"].strip():
            problems.append(f"macro {name}: lacks a description")
        documented = {argument["name"]: argument.get("description") or "" for argument in macro["arguments"]}
        problems += [
            f"macro {name}: argument {argument} lacks a description"
            for argument, text in documented.items()
            if not text.strip()
        ]
        parameters = macro_parameters(macro["macro_sql"])
        if parameters is None:
            continue
        problems += [
            f"macro {name}: argument {parameter} is not documented"
            for parameter in parameters
            if parameter not in documented
        ]
        problems += [
            f"macro {name}: documents argument {argument}, which it does not have"
            for argument in documented
            if argument not in parameters
        ]
    for exposure in manifest.get("exposures", {}).values():
        if exposure["package_name"] != project:
            continue
        if not exposure["description"].strip():
            problems.append(f"exposure {exposure['name']}: lacks a description")
        if not (exposure["owner"].get("name") or exposure["owner"].get("email")):
            problems.append(f"exposure {exposure['name']}: has no owner")
    return problems


def property_entries_without_node(manifest: dict, project: str, project_dir: Path) -> list[str]:
    """Entries of properties files (models:, seeds:, data_tests:, ...) that name no node.

    dbt warns about these itself (NoNodeForYamlKey), but that warning is silenced in
    dbt_project.yml because it also fires for a singular test that is disabled on purpose.
    Disabled nodes count as existing.
    """
    known = {
        (node["resource_type"], node["name"])
        for node in manifest["nodes"].values()
        if node["package_name"] == project
    }
    known |= {
        (node["resource_type"], node["name"])
        for versions in manifest.get("disabled", {}).values()
        for node in versions
        if node["package_name"] == project
    }
    macros = {macro["name"] for macro in manifest["macros"].values() if macro["package_name"] == project}
    settings = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
    folders = {folder for key in PATH_KEYS for folder in settings.get(key, [])}
    problems = []
    for folder in sorted(folders):
        if not (project_dir / folder).is_dir():
            continue
        for path in sorted((project_dir / folder).rglob("*.y*ml")):
            properties = yaml.safe_load(path.read_text()) or {}
            if not isinstance(properties, dict):
                continue
            shown = path.relative_to(project_dir)
            for key, kind in PROPERTY_KEYS.items():
                problems += [
                    f"{shown}: {key} entry {entry.get('name')} names no {kind}"
                    for entry in properties.get(key) or []
                    if (kind, entry.get("name")) not in known
                ]
            problems += [
                f"{shown}: macros entry {entry.get('name')} names no macro"
                for entry in properties.get("macros") or []
                if entry.get("name") not in macros
            ]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target-path",
        default="target",
        help="dbt target dir with manifest.json and catalog.json (default: target)",
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="run `dbt docs generate --no-partial-parse --target-path ...` first",
    )
    args = parser.parse_args()
    target = args.target_path
    if not (BIN / "dbt-score").exists():
        print(f"dbt-score is not next to {sys.executable}: use the project's venv", file=sys.stderr)
        return 2
    # A full parse: dbt 1.11's partial parsing drops the YAML descriptions of singular tests when
    # a docs block file (models/docs/*.md) changed, until the next full parse.
    if (
        args.generate
        and run("dbt", "docs", "generate", "--no-partial-parse", "--target-path", target).returncode
    ):
        print("dbt docs generate failed", file=sys.stderr)
        return 2
    missing = [f for f in ("manifest.json", "catalog.json") if not (ROOT / target / f).exists()]
    if missing:
        print(
            f"{' and '.join(missing)} missing in {target}/: run `dbt build` and "
            "`dbt docs generate`, or pass --generate",
            file=sys.stderr,
        )
        return 2

    gates = {
        "column descriptions 100 % (dbt-coverage doc)": column_docs,
        "model, seed and macro rules all at 10.0 (dbt-score)": dbt_score,
        "per model: a test, a primary-key test, contract if public; every source, test, macro "
        "and exposure described; every properties entry names a node": manifest_checks,
    }
    results = {label: gate(target) for label, gate in gates.items()}

    print("\n=== Coverage gates ===")
    for label, (ok, problems) in results.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
        for problem in problems:
            print(f"      - {problem}")
    failed = sum(not ok for ok, _ in results.values())
    print(
        f"\ncoverage gates: {failed} of {len(results)} failed"
        if failed
        else f"\ncoverage gates: all {len(results)} passed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
