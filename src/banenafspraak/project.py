"""Where the dbt project is, and the tools of this environment that run it: the one place that
knows either. Every command runs dbt (and dbt-score, dbt-coverage) through `tool`, in the
project found here.

The project is the folder with the `dbt_project.yml` of project `banenafspraak`:
BANENAFSPRAAK_PROJECT_DIR when it is set, else the current folder or the nearest one above it,
else the checkout this package is installed from (`pip install -e .`), so that the commands
work from anywhere in the checkout, and on a copy of the project run from inside the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

PROJECT_NAME = "banenafspraak"
# The checkout that holds this package (src/banenafspraak/): the project of an editable install.
CHECKOUT = Path(__file__).resolve().parents[2]


def is_project(folder: Path) -> bool:
    """True when `folder` holds the dbt project of this measurement."""
    config = folder / "dbt_project.yml"
    if not config.is_file():
        return False
    name = re.compile(rf"^name:\s*['\"]?{PROJECT_NAME}['\"]?\s*$", re.MULTILINE)
    return name.search(config.read_text()) is not None


def find_project_dir() -> Path:
    """The dbt project the commands work on (see the module's docstring)."""
    chosen = os.environ.get("BANENAFSPRAAK_PROJECT_DIR")
    if chosen:
        return Path(chosen).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return CHECKOUT


PROJECT_DIR = find_project_dir()


def tool(name: str) -> str:
    """The console script `name` (dbt, dbt-score, dbt-coverage) of the Python environment that
    runs this package, so that a command never runs another environment's dbt; the one on PATH
    only when this environment has none."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    return shutil.which(name) or name
