"""The committed seeds are exactly what the reconstruction script writes from the published figures."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import PROJECT_DIR, banenafspraak, read_csv


def reconstruct(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`banenafspraak reconstruct-seeds` on the seeds of `project` (BANENAFSPRAAK_PROJECT_DIR)."""
    return subprocess.run(
        banenafspraak("reconstruct-seeds", *args),
        env={**os.environ, "BANENAFSPRAAK_PROJECT_DIR": str(project)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_rerunning_the_reconstruction_gives_the_committed_seeds(tmp_path):
    (tmp_path / "seeds").mkdir()
    shutil.copy2(PROJECT_DIR / "seeds" / "published_figures.csv", tmp_path / "seeds")

    completed = reconstruct(tmp_path)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    for seed in ("december_hours.csv", "split_keys.csv"):
        assert (tmp_path / "seeds" / seed).read_bytes() == (PROJECT_DIR / "seeds" / seed).read_bytes(), seed


def test_check_mode_rejects_a_seed_that_no_longer_reproduces_the_figures(tmp_path):
    shutil.copytree(PROJECT_DIR / "seeds", tmp_path / "seeds")
    hours = tmp_path / "seeds" / "december_hours.csv"
    text = hours.read_text()
    rows = read_csv(hours)
    row = next(r for r in rows if r["measurement_year"] == "2022" and r["employer_sector"] == "government")
    hours.write_text(text.replace(row["paid_hours"], f"{float(row['paid_hours']) + 200:.2f}", 1))

    completed = reconstruct(tmp_path, "--check")

    assert completed.returncode != 0
    assert "2022" in completed.stdout + completed.stderr


def test_every_hours_row_states_its_provenance():
    rows = read_csv(PROJECT_DIR / "seeds" / "december_hours.csv")
    assert {row["provenance"] for row in rows} == {"reconstructed", "assumed"}
    assert all(row["provenance_note"].strip() for row in rows)
    keys = read_csv(PROJECT_DIR / "seeds" / "split_keys.csv")
    assert {row["provenance"] for row in keys} == {"published", "assumed"}
