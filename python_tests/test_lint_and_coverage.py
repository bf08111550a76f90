"""Style and coverage gates: SQLFluff and Ruff (lint and format) clean; every model, seed, column,
test, macro and exposure documented, and every model tested."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess

import pytest
from conftest import PROJECT_DIR, banenafspraak, executable, run_dbt, saved_manifest


def input_dependent_files(manifest: dict) -> list[str]:
    """The SQL files that render differently on person-level input: those whose code, or a macro
    they call (closed over the macros' own calls), names BANENAFSPRAAK_PAYROLL_* (payroll_dir,
    payroll_format_found and what calls them). Every other file renders the same on both inputs."""
    macros = manifest["macros"]
    reading = {uid for uid, macro in macros.items() if "BANENAFSPRAAK_PAYROLL" in macro["macro_sql"]}
    grew = True
    while grew:
        callers = {uid for uid, macro in macros.items() if reading & set(macro["depends_on"]["macros"])}
        grew = not callers <= reading
        reading |= callers
    nodes = [*manifest["nodes"].values(), *(n for same in manifest["disabled"].values() for n in same)]
    return sorted(
        {
            node["original_file_path"]
            for node in nodes
            if node["original_file_path"].endswith(".sql")
            and (
                "BANENAFSPRAAK_PAYROLL" in node.get("raw_code", "")
                or reading & set(node.get("depends_on", {}).get("macros", []))
            )
        }
    )


@pytest.mark.parametrize("input_path", ["seed", "person_level"])
def test_sqlfluff_finds_no_violations(input_path, tmp_path):
    # An in-memory warehouse: the dbt templater connects to the profile's database, and the
    # developer's warehouse file may be locked by a build or a BI tool. The seed lints every file;
    # person-level input lints the files that render differently on it (input_dependent_files,
    # from the suite's saved parse): the graph is the same, but int_december_hours_aggregated,
    # the payroll staging models and a few more render another branch. The templater's dbt writes
    # its target and logs under tmp_path, not into the project, which other tests read at the same
    # time (pytest -n).
    env = {
        **os.environ,
        "BANENAFSPRAAK_DB": ":memory:",
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    env.pop("BANENAFSPRAAK_PAYROLL_DIR", None)
    paths = ["models", "analyses", "tests"]
    if input_path == "person_level":
        (tmp_path / "input").mkdir()
        env["BANENAFSPRAAK_PAYROLL_DIR"] = str(tmp_path / "input")
        manifest = json.loads((saved_manifest().parent / "manifest.json").read_text())
        paths = input_dependent_files(manifest)
        staging = [path for path in paths if path.startswith("models/staging/payroll/")]
        assert "models/intermediate/measurement/int_december_hours_aggregated.sql" in paths, paths
        assert len(staging) == 3, paths
    completed = subprocess.run(
        [executable("sqlfluff"), "lint", *paths],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    # One graph: no model is disabled on either input; only two singular tests of the aggregated
    # input are off on person-level input (both among the input-dependent files): the comparison
    # with the published figures (var compare_published_figures) and the complete cells of fct_jobs.
    output = (completed.stdout + completed.stderr).splitlines()
    skipped = [line for line in output if "because it is disabled" in line]
    expected = (
        ["assert_marts_reproduce_published_figures.sql", "fct_jobs_has_every_cell_of_every_year.sql"]
        if input_path == "person_level"
        else []
    )
    assert [name for name in expected if any(name in line for line in skipped)] == expected, skipped
    assert len(skipped) == len(expected), skipped


def test_the_input_dependent_files_follow_the_macros_that_read_the_payroll_folder():
    """A file that calls a macro that calls one naming BANENAFSPRAAK_PAYROLL_* is input-dependent;
    one that calls only other macros is not."""

    def node(path: str, *calls: str) -> dict:
        return {"original_file_path": path, "raw_code": "", "depends_on": {"macros": list(calls)}}

    def macro(sql: str, *calls: str) -> dict:
        return {"macro_sql": sql, "depends_on": {"macros": list(calls)}}

    manifest = {
        "macros": {
            "m.env": macro("env_var('BANENAFSPRAAK_PAYROLL_DIR', '')"),
            "m.mid": macro("{{ env() }}", "m.env"),
            "m.top": macro("{{ mid() }}", "m.mid"),
            "m.other": macro("select 1"),
        },
        "nodes": {
            "a": node("models/a.sql", "m.top"),
            "b": node("models/b.sql", "m.other"),
            "c": node("models/c.yml", "m.env"),
            "e": {**node("models/e.sql"), "raw_code": "{{ env_var('BANENAFSPRAAK_PAYROLL_FORMAT') }}"},
        },
        "disabled": {"d": [node("tests/d.sql", "m.mid")]},
    }
    assert input_dependent_files(manifest) == ["models/a.sql", "models/e.sql", "tests/d.sql"]


RUFF_CHECKS = (["check"], ["format", "--check"])


@pytest.mark.parametrize("arguments", RUFF_CHECKS, ids=["lint", "format"])
def test_ruff_finds_no_violations(arguments):
    """Every Python file (the package, bench, tests) passes Ruff with the settings in pyproject.toml."""
    completed = subprocess.run(
        [executable("ruff"), *arguments, "."], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]


@pytest.mark.parametrize("arguments", RUFF_CHECKS, ids=["lint", "format"])
def test_ruff_flags_a_file_that_breaks_the_settings(arguments, tmp_path):
    """The gate bites: an unused import and a badly formatted line fail both checks."""
    (tmp_path / "pyproject.toml").write_text((PROJECT_DIR / "pyproject.toml").read_text())
    (tmp_path / "bad.py").write_text("import os\nx = {  'a':1 }\n")
    completed = subprocess.run(
        [executable("ruff"), *arguments, "."], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "bad.py" in completed.stdout + completed.stderr


def check_coverage(run) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            *banenafspraak("check-coverage"),
            "--target-path",
            str(run.target_dir),
        ],
        cwd=run.project_dir,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_model_seed_macro_and_column_is_documented_and_every_model_tested(built):
    docs = run_dbt(PROJECT_DIR, built.target_dir.parent, "docs", "generate")
    assert docs.returncode == 0, docs.output[-3000:]

    completed = check_coverage(built)

    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    assert "all 3 passed" in completed.stdout


@pytest.fixture(scope="module")
def undocumented(tmp_path_factory) -> subprocess.CompletedProcess:
    """The coverage gates on a built copy of the project with one description of each kind gone
    (a mart column, a singular test, a generic test instance, a macro and a macro argument), a
    model's only test (its grain test) removed, and a macro argument no longer documented."""
    from conftest import copy_project

    tmp_path = tmp_path_factory.mktemp("undocumented")
    project = copy_project(tmp_path / "project")
    removals = {
        "models/marts/_marts__models.yml": [
            "        description: The split key (verdeelsleutel) share applied to loan rows; null for"
            " formal rows.\n",
            "              description: >\n"
            "                A target (doelstelling) is set per sector for both employment forms together, so\n"  # noqa: E501
            "                it stands only on rows with employment form `total`.\n",
        ],
        "tests/checks/_checks__tests.yml": [
            "    description: >\n"
            "      The market and government shares of each year's split key (verdeelsleutel) add up to 1\n"
            "      (CONTRACT 1a); otherwise loan jobs (inleenverbanden) would be invented or lost. A share\n"
            "      outside [0, 1] is rejected row by row in audit_rejected_rows instead. Runs after the audit.\n",  # noqa: E501
        ],
        "macros/utils/_utils__macros.yml": [
            "    description: A text as a SQL string literal (single quotes doubled).\n",
            "        description: The texts.\n",
            "      - name: node\n        type: object\n        description: The node being built.\n",
        ],
        "models/intermediate/audit/_audit__models.yml": [
            "    data_tests:\n"
            "      - primary_key:\n"
            "          description: The grain, one row per input, file and reason, with no key column empty.\n"  # noqa: E501
            "          arguments:\n"
            "            columns: [input_name, file_name, reason]\n",
        ],
    }
    for name, snippets in removals.items():
        path = project / name
        text = path.read_text()
        for snippet in snippets:
            assert text.count(snippet) == 1, f"{name} no longer holds {snippet!r}"
            text = text.replace(snippet, "", 1)
        path.write_text(text)
    work = tmp_path / "work"
    for command in (("seed",), ("run",), ("docs", "generate")):
        step = run_dbt(project, work, *command)
        assert step.returncode == 0, step.output[-3000:]
    return check_coverage(step)


def test_the_coverage_gate_fails_on_an_undocumented_column(undocumented):
    assert undocumented.returncode != 0
    assert "fct_jobs.split_key_share" in undocumented.stdout


def reported(output: str, *fragments: str) -> bool:
    """True when one line of the gates' output holds every fragment."""
    return any(all(fragment in line for fragment in fragments) for line in output.splitlines())


def test_the_coverage_gate_fails_on_an_undocumented_test_or_macro(undocumented):
    """dbt-score's macro rules and the project's tests_are_described (coverage_rules) name each."""
    assert undocumented.returncode != 0
    for fragments in (
        ("tests_are_described", "tests lack a description", "split_key_shares_sum_to_one"),
        ("model mart_baseline_comparison", "tests_are_described", "targets_only_on_total_form_rows"),
        ("macro sql_string", "macro_has_description"),
        ("macro sql_list", "macro_arguments_have_description", "texts"),
    ):
        assert reported(undocumented.stdout, *fragments), (fragments, undocumented.stdout[-6000:])


def test_the_coverage_gate_fails_on_an_untested_model_or_an_undocumented_argument(undocumented):
    """The project's dbt-score rules: a model whose grain test is gone (its singular gate test
    still counts as a data test), and a macro that no longer documents an argument of its tag."""
    for fragments in (
        ("model int_input_rows_rejected_summed", "model_grain_is_tested", "has no primary-key test"),
        ("macro generate_schema_name", "macro_documents_its_arguments", "arguments not documented: node"),
    ):
        assert reported(undocumented.stdout, *fragments), (fragments, undocumented.stdout[-6000:])
    # The two tools and the rest of the manifest checks: only dbt-score's gate and dbt-coverage's
    # fail; the manifest checks have nothing to say.
    assert "FAIL  model, seed, source, exposure and macro rules" in undocumented.stdout
    assert "PASS  every model and seed in the catalog" in undocumented.stdout


def test_the_coverage_gate_finds_a_properties_entry_without_a_node(tmp_path):
    # dbt's own warning for this (NoNodeForYamlKey) is silenced in dbt_project.yml.
    from banenafspraak.check_coverage import property_entries_without_node

    (tmp_path / "dbt_project.yml").write_text("model-paths: [models]\ntest-paths: [tests]\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "_models.yml").write_text(
        "version: 2\nmodels:\n  - name: fct_jobs\n  - name: fct_job\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "_tests.yml").write_text(
        "version: 2\ndata_tests:\n  - name: a_disabled_test\n  - name: a_deleted_test\n"
    )
    node = {"package_name": "p", "resource_type": "model", "name": "fct_jobs"}
    disabled = {"package_name": "p", "resource_type": "test", "name": "a_disabled_test"}
    manifest = {
        "nodes": {"model.p.fct_jobs": node},
        "disabled": {"test.p.a_disabled_test": [disabled]},
        "macros": {},
    }

    problems = property_entries_without_node(manifest, "p", tmp_path)

    assert problems == [
        "models/_models.yml: models entry fct_job names no model",
        "tests/_tests.yml: data_tests entry a_deleted_test names no test",
    ]


# --- the project's dbt-score rules (banenafspraak.coverage_rules), on the built manifest -------


@pytest.fixture(scope="module")
def evaluables(built):
    """dbt-score's view of the session build's manifest: its models, sources, exposures, macros."""
    from dbt_score.models import ManifestLoader

    return ManifestLoader(built.target_dir / "manifest.json")


def violation(rule_name: str, evaluable) -> str | None:
    """The message of the project rule `rule_name` on `evaluable`; None when it holds."""
    from banenafspraak import coverage_rules

    result = getattr(coverage_rules, rule_name)().evaluate(evaluable)
    return None if result is None else result.message


def by_name(evaluables: dict, name: str):
    return next(item for item in evaluables.values() if item.name == name)


def without_tests(model):
    return dataclasses.replace(
        model, tests=[], columns=[dataclasses.replace(column, tests=[]) for column in model.columns]
    )


def test_every_project_rule_holds_on_the_built_project(evaluables):
    from banenafspraak import coverage_rules

    rules = [
        name
        for name, value in vars(coverage_rules).items()
        if isinstance(value, type) and value.__module__ == coverage_rules.__name__
    ]
    assert len(rules) == 8
    failing = [
        (rule, item.name, message)
        for rule in rules
        for group in (evaluables.models, evaluables.seeds, evaluables.sources, evaluables.exposures)
        for item in group.values()
        if getattr(coverage_rules, rule).should_evaluate(item)
        and (message := violation(rule, item)) is not None
    ]
    failing += [
        ("macro_documents_its_arguments", macro.name, message)
        for macro in evaluables.macros.values()
        if (message := violation("macro_documents_its_arguments", macro)) is not None
    ]
    assert failing == []


def test_a_model_without_tests_has_neither_a_data_test_nor_a_grain_test(evaluables):
    model = without_tests(by_name(evaluables.models, "fct_jobs"))
    assert violation("model_has_a_data_test", model) == "has no data test"
    assert violation("model_grain_is_tested", model).startswith("has no primary-key test")


def test_a_model_may_name_where_its_grain_is_tested_or_why_it_has_none(evaluables):
    staged = without_tests(by_name(evaluables.models, "stg_payroll__payroll_lines"))
    assert staged.meta["grain_tested_by"].startswith("int_payroll_lines_classified")
    assert violation("model_grain_is_tested", staged) is None
    assert violation("model_has_a_data_test", staged) is None
    elsewhere = dataclasses.replace(staged, meta={**staged.meta, "grain_tested_by": "fct_jobz"})
    assert "names no model downstream: fct_jobz" in violation("model_grain_is_tested", elsewhere)
    listed = without_tests(by_name(evaluables.models, "audit_rejected_rows"))
    assert listed.meta["no_grain"] and violation("model_grain_is_tested", listed) is None


def test_a_public_model_must_enforce_its_contract(evaluables):
    mart = by_name(evaluables.models, "mart_baseline_comparison")
    assert mart.access == "public" and violation("public_model_enforces_contract", mart) is None
    loose = dataclasses.replace(mart, config={**mart.config, "contract": {"enforced": False}})
    assert violation("public_model_enforces_contract", loose) == "is public but does not enforce a contract"


def test_sources_and_exposures_must_be_described(evaluables):
    source = next(iter(evaluables.sources.values()))
    assert violation("source_is_described", source) is None
    undescribed = dataclasses.replace(source, description=" ")
    assert violation("source_is_described", undescribed) == "lacks a description"
    column = dataclasses.replace(source.columns[0], description="")
    bare = dataclasses.replace(source, columns=[column, *source.columns[1:]])
    assert violation("source_is_described", bare) == f"columns lack a description: {column.name}"
    exposure = next(iter(evaluables.exposures.values()))
    assert violation("exposure_is_described", exposure) is None
    assert violation("exposure_is_described", dataclasses.replace(exposure, owner={})) == "has no owner"


def test_a_macro_documents_exactly_the_arguments_of_its_tag(evaluables):
    macro = by_name(evaluables.macros, "sql_list")
    assert [argument["name"] for argument in macro.arguments] == ["texts"]
    assert violation("macro_documents_its_arguments", macro) is None
    missing = dataclasses.replace(macro, arguments=[])
    assert violation("macro_documents_its_arguments", missing) == "arguments not documented: texts"
    extra = dataclasses.replace(macro, arguments=[*macro.arguments, {"name": "separator"}])
    assert violation("macro_documents_its_arguments", extra) == (
        "documents arguments it does not have: separator"
    )
