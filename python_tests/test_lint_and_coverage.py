"""Style and coverage gates: SQLFluff and Ruff (lint and format) clean; every model, seed, column,
test, macro and exposure documented, and every model tested."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PROJECT_DIR, executable, run_dbt


@pytest.mark.parametrize("input_path", ["seed", "person_level"])
def test_sqlfluff_finds_no_violations(input_path, tmp_path):
    # An in-memory warehouse: the dbt templater connects to the profile's database, and the
    # developer's warehouse file may be locked by a build or a BI tool. Both inputs are linted:
    # the graph is the same, but int_december_hours_aggregated renders another branch.
    env = {**os.environ, "BANENAFSPRAAK_DB": ":memory:"}
    env.pop("BANENAFSPRAAK_PAYROLL_DIR", None)
    if input_path == "person_level":
        env["BANENAFSPRAAK_PAYROLL_DIR"] = str(tmp_path)
    completed = subprocess.run(
        [executable("sqlfluff"), "lint", "models", "analyses", "tests"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    # One graph: no model is disabled on either input, so SQLFluff lints every file; only the
    # comparison with the published figures is off by default on person-level input (var
    # compare_published_figures).
    output = (completed.stdout + completed.stderr).splitlines()
    skipped = [line for line in output if "because it is disabled" in line]
    expected = ["assert_marts_reproduce_published_figures.sql"] if input_path == "person_level" else []
    assert [name for name in expected if any(name in line for line in skipped)] == expected, skipped
    assert len(skipped) == len(expected), skipped


RUFF_CHECKS = (["check"], ["format", "--check"])


@pytest.mark.parametrize("arguments", RUFF_CHECKS, ids=["lint", "format"])
def test_ruff_finds_no_violations(arguments):
    """Every Python file (scripts, bench, tests) passes Ruff with the settings in pyproject.toml."""
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
            sys.executable,
            str(PROJECT_DIR / "scripts" / "check_coverage.py"),
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
    """The coverage gates on a built copy of the project with one description of each kind gone:
    a mart column, a singular test, a generic test instance, a macro and a macro argument."""
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


def test_the_coverage_gate_fails_on_an_undocumented_test_or_macro(undocumented):
    assert undocumented.returncode != 0
    for problem in (
        "test split_key_shares_sum_to_one: lacks a description",
        "test targets_only_on_total_form_rows (on mart_baseline_comparison): lacks a description",
        "macro sql_string: lacks a description",
        "macro sql_list: argument texts lacks a description",
    ):
        assert problem in undocumented.stdout, undocumented.stdout[-6000:]


def test_the_coverage_gate_finds_a_properties_entry_without_a_node(tmp_path):
    # dbt's own warning for this (NoNodeForYamlKey) is silenced in dbt_project.yml.
    from check_coverage import property_entries_without_node

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
