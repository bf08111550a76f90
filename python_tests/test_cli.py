"""The package's console script: every command is there and answers --help, an unknown one is
refused by name, and the commands work on the dbt project they are run in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, banenafspraak

from banenafspraak import cli, project

PACKAGE_DIR = PROJECT_DIR / "src" / "banenafspraak"


def run(*args: str, cwd: Path = PROJECT_DIR, env: dict[str, str] | None = None):
    return subprocess.run(
        banenafspraak(*args), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_console_script_is_installed_beside_python():
    """The README's first command installs it (requirements-dev.txt: -e .)."""
    script = Path(sys.executable).with_name("banenafspraak")
    assert script.exists()
    completed = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: banenafspraak <command>")


def test_help_lists_every_command():
    completed = run("--help")
    assert completed.returncode == 0, completed.stderr
    listed = re.findall(r"^  (\S+)  ", completed.stdout, re.MULTILINE)
    assert listed == list(cli.COMMANDS)
    assert {"run", "publish", "report", "validate"} <= set(listed)


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_every_command_answers_help_under_its_own_name(command):
    """Each command's module imports and parses its own options, named `banenafspraak <command>`."""
    completed = run(command, "--help")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.startswith(f"usage: banenafspraak {command} "), completed.stdout[:200]


def test_an_unknown_command_is_refused_by_name():
    completed = run("mesure")
    assert completed.returncode == 2
    assert "unknown command 'mesure'" in completed.stderr
    assert "run " in completed.stderr  # and the commands there are


def test_no_command_prints_the_usage_and_fails():
    completed = run()
    assert completed.returncode == 2
    assert completed.stderr.startswith("usage: banenafspraak <command>")


def test_the_project_is_found_from_a_folder_inside_it_or_named_by_the_environment(tmp_path):
    """From a subfolder of the checkout the checkout is the project; BANENAFSPRAAK_PROJECT_DIR
    names another (a copy); a folder outside any project falls back to the checkout."""
    probe = "from banenafspraak.project import PROJECT_DIR; print(PROJECT_DIR)"
    env = {k: v for k, v in os.environ.items() if k != "BANENAFSPRAAK_PROJECT_DIR"}

    def found(cwd: Path, **extra: str) -> Path:
        completed = subprocess.run(
            [sys.executable, "-c", probe], cwd=cwd, env={**env, **extra}, capture_output=True, text=True
        )
        assert completed.returncode == 0, completed.stderr
        return Path(completed.stdout.strip())

    assert found(PROJECT_DIR / "models" / "marts") == PROJECT_DIR
    copy = tmp_path / "copy"
    (copy / "models").mkdir(parents=True)
    (copy / "dbt_project.yml").write_text((PROJECT_DIR / "dbt_project.yml").read_text())
    assert found(copy / "models") == copy
    assert found(tmp_path, BANENAFSPRAAK_PROJECT_DIR=str(copy)) == copy
    other = tmp_path / "other"
    other.mkdir()
    (other / "dbt_project.yml").write_text("name: 'something_else'\n")
    assert found(other) == project.CHECKOUT


def test_only_the_project_module_finds_the_dbt_executable():
    """No module looks for dbt (or dbt-score, dbt-coverage) on its own: they call project.tool."""
    lookups = re.compile(r"with_name\(\s*['\"]dbt|BIN_DIR|/ ['\"]dbt['\"]|which\(\s*['\"]dbt")
    offenders = [
        path.name
        for path in sorted(PACKAGE_DIR.glob("*.py"))
        if path.name != "project.py" and lookups.search(path.read_text())
    ]
    assert offenders == []
    assert lookups.search((PACKAGE_DIR / "project.py").read_text()) is None  # the pattern itself
    assert "with_name(name)" in (PACKAGE_DIR / "project.py").read_text()
