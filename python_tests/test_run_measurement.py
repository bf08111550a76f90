"""The main job's own logic, without a build: what makes it build again."""

from __future__ import annotations

from pathlib import Path

from banenafspraak import run_measurement


def make_project(root: Path) -> None:
    (root / "models" / "marts").mkdir(parents=True)
    (root / "gx" / "uncommitted").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "src" / "banenafspraak").mkdir(parents=True)
    (root / "src" / "banenafspraak" / "publish.py").write_text("SCHEMA = 'marts'\n")
    (root / "dbt_project.yml").write_text("name: demo\n")
    (root / "models" / "marts" / "fct_jobs.sql").write_text("select 1 as jobs\n")
    (root / "seeds" / "split_keys.csv").write_text("measurement_year,share\n2022,0.5\n")


def test_the_project_digest_changes_with_every_file_that_decides_the_figures(tmp_path, monkeypatch):
    """A rule, a seed, a new model or the package's code changes the digest (the next main job
    builds); what runs and the editable install write (gx/uncommitted, __pycache__, the
    egg-info) and files outside the project folders do not."""
    make_project(tmp_path)
    monkeypatch.setattr(run_measurement, "PROJECT_DIR", tmp_path)
    first = run_measurement.project_digest()
    assert first == run_measurement.project_digest()

    (tmp_path / "gx" / "uncommitted" / "validations.json").write_text("{}")
    (tmp_path / "models" / "__pycache__").mkdir()
    (tmp_path / "models" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "report.html").write_text("<html>")
    (tmp_path / "src" / "banenafspraak.egg-info").mkdir()
    (tmp_path / "src" / "banenafspraak.egg-info" / "PKG-INFO").write_text("Name: banenafspraak\n")
    assert run_measurement.project_digest() == first

    digests = {first}
    for change in (
        lambda: (tmp_path / "models" / "marts" / "fct_jobs.sql").write_text("select 2 as jobs\n"),
        lambda: (tmp_path / "seeds" / "split_keys.csv").write_text("measurement_year,share\n2022,0.6\n"),
        lambda: (tmp_path / "models" / "marts" / "mart_new.sql").write_text("select 1\n"),
        lambda: (tmp_path / "dbt_project.yml").write_text("name: demo\nvars: {x: 1}\n"),
        lambda: (tmp_path / "src" / "banenafspraak" / "publish.py").write_text("SCHEMA = 'public'\n"),
        # The same bytes under another name: the names count too.
        lambda: (tmp_path / "models" / "marts" / "mart_new.sql").rename(
            tmp_path / "models" / "marts" / "mart_renamed.sql"
        ),
    ):
        change()
        digests.add(run_measurement.project_digest())
    assert len(digests) == 7


def test_without_a_record_of_the_last_run_the_main_job_builds(tmp_path):
    """No record beside the warehouse (a first run, or a build that failed): never skipped,
    and no dbt is started to find out."""
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"")
    assert not run_measurement.state_path(warehouse).exists()
    assert run_measurement.unchanged_since_last_run(warehouse, tmp_path / "published.duckdb") is None
    run_measurement.state_path(warehouse).write_text("not json")
    assert run_measurement.unchanged_since_last_run(warehouse, tmp_path / "published.duckdb") is None
