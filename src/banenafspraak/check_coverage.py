"""Documentation and test coverage gates for the dbt project; exits 1 when any gate fails.

Gates, each at 100 %:
  column docs  dbt-coverage `compute doc --cov-fail-under 1.0`: every column of every model,
               seed and source in the warehouse (catalog.json) has a description.
  dbt-score    every model, seed, source, exposure and macro scores 10.0 on the rules that
               pyproject.toml [tool.dbt-score] enables: dbt-score's own (description, column
               descriptions, owner, macro arguments described, ...) and the project's
               (banenafspraak.coverage_rules: a data test and a grain test on every model, or
               meta.grain_tested_by / meta.no_grain; a contract on every public model; every
               data test described; sources and exposures described; every macro documents
               exactly its arguments).
  manifest     what dbt-score does not evaluate: every model and seed is in catalog.json
               (otherwise the column check would silently skip it); every unit test, and every
               data test that depends on no node, has a description; every entry of a
               properties file names a model, seed, snapshot, analysis or test that exists,
               enabled or disabled (dbt's own warning for that is silenced in dbt_project.yml:
               it fires for a singular test that is disabled on purpose).

Per-column test coverage (`dbt-coverage compute test`) is not gated: it would demand a test on
every column, nullable passthrough columns included, and on the seeds, which are tested through
their staging models.

Usage (in the virtual environment; the warehouse must have been built by `dbt build`):

    banenafspraak check-coverage                  # reads target/manifest.json, catalog.json
    banenafspraak check-coverage --generate       # runs `dbt docs generate` first
    banenafspraak check-coverage --target-path target_coverage
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml

from banenafspraak.project import PROJECT_DIR, tool

ROOT = PROJECT_DIR
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
    return subprocess.run([tool(cmd[0]), *cmd[1:]], cwd=ROOT, text=True, capture_output=capture)


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
    """The gates dbt-score cannot evaluate (see the module's docstring)."""
    manifest = json.loads((ROOT / target / "manifest.json").read_text())
    catalog = json.loads((ROOT / target / "catalog.json").read_text())
    project = manifest["metadata"]["project_name"]
    in_catalog = set(catalog["nodes"]) | set(catalog["sources"])
    problems = [
        f"{node['resource_type']} {node['name']}: not in catalog.json (dbt build, then docs generate)"
        for uid, node in sorted(manifest["nodes"].items())
        if node["package_name"] == project
        and node["resource_type"] in ("model", "seed")
        and node["config"].get("materialized") != "ephemeral"
        and uid not in in_catalog
    ]
    # A data test that depends on no node is attributed to none by dbt-score.
    problems += [
        f"test {node['name']}: lacks a description"
        for node in sorted(manifest["nodes"].values(), key=lambda node: node["unique_id"])
        if node["package_name"] == project
        and node["resource_type"] == "test"
        and not node.get("attached_node")
        and not node["depends_on"]["nodes"]
        and not node["description"].strip()
    ]
    problems += [
        f"unit test {unit_test['name']}: lacks a description"
        for unit_test in sorted(manifest.get("unit_tests", {}).values(), key=lambda test: test["unique_id"])
        if unit_test["package_name"] == project and not unit_test["description"].strip()
    ]
    problems += property_entries_without_node(manifest, project, ROOT)
    return not problems, problems


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


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)
    target = args.target_path
    if not Path(tool("dbt-score")).exists():
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
        "model, seed, source, exposure and macro rules all at 10.0 (dbt-score)": dbt_score,
        "every model and seed in the catalog, every unit test described, every properties "
        "entry names a node": manifest_checks,
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
