"""Great Expectations on the published file (banenafspraak validate, module validate_marts).

The suites are generated from the mart contracts in the dbt manifest of the session's build: they
follow the contracts (a column added to a contract changes its suite), the committed gx/ files are
what the contracts generate, and they pass on a publication of that build. A publish whose
candidate file breaks a contract (a null in a not-null column, a duplicated grain row, a column
missing, extra or of another type, a value outside the accepted ones) is refused, naming mart,
column and expectation, and leaves the published files as they were. Every run uses a copy of gx/
in a temporary folder, so the tests write no validation results or Data Docs into the project.
"""

from __future__ import annotations

import copy
import filecmp
import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun, banenafspraak
from filelock import FileLock

from banenafspraak import publish as publisher
from banenafspraak import validate_marts

GX_DIR = PROJECT_DIR / "gx"
DB_NAME = "banenafspraak.duckdb"


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a developer's published file nor another dbt target folder."""
    for variable in ("BANENAFSPRAAK_PUBLISHED_DB", "DBT_TARGET_PATH", "BANENAFSPRAAK_PROJECT_DIR"):
        monkeypatch.delenv(variable, raising=False)


def copy_gx_project(destination: Path) -> Path:
    """A copy of the committed GX project (no uncommitted/) in `destination`/gx."""
    shutil.copytree(GX_DIR, destination / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    return destination


@pytest.fixture(scope="module")
def gx_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_gx_project(tmp_path_factory.mktemp("gx_project"))


@pytest.fixture(scope="module")
def manifest(built: DbtRun) -> Path:
    return built.target_dir / "manifest.json"


@pytest.fixture(scope="module")
def published(built: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's build, published (without validation) into a folder of this module."""
    return publisher.publish(built.warehouse, tmp_path_factory.mktemp("published") / DB_NAME).published_db


def validate(capsys: pytest.CaptureFixture[str], gx_root: Path, *args: str) -> tuple[int, str]:
    """Run validate_marts.main; its exit code and what it printed (stdout and stderr)."""
    code = validate_marts.main([*args, "--gx-project-root", str(gx_root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def folder_state(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def gx_files(root: Path) -> list[Path]:
    return sorted(
        path.relative_to(root)
        for path in root.rglob("*")
        if path.is_file() and "uncommitted" not in path.relative_to(root).parts
    )


# --- the suites, generated from the contracts ---------------------------------------------------


def test_the_suites_pass_on_the_published_file_and_write_data_docs(
    published: Path, manifest: Path, gx_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = validate(capsys, gx_root, "--published-db", str(published), "--manifest", str(manifest))

    assert code == 0, output
    assert "FAILED" not in output
    assert f"expectations passed on the 9 marts of {published}, against their dbt contracts." in output
    site = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert output.strip().splitlines()[-1] == f"Data Docs: {site / 'index.html'}"
    for suite in [*publisher.MARTS, validate_marts.TYPES_ASSET]:
        assert (site / "expectations" / f"{suite}.html").is_file()
        assert list((site / "validations" / suite).rglob("*.html"))


def test_by_default_the_published_file_and_the_target_manifest_are_validated(
    published: Path,
    built: DbtRun,
    gx_root: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BANENAFSPRAAK_PUBLISHED_DB", str(published))
    monkeypatch.setenv("DBT_TARGET_PATH", str(built.target_dir))

    code, output = validate(capsys, gx_root, "--no-docs")

    assert code == 0, output
    assert f"of {published}, against" in output
    assert output.strip().splitlines()[-1] == "Data Docs: not built (--no-docs)."


def test_the_committed_gx_project_is_what_the_contracts_generate(
    published: Path, manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The run writes the suites, validation definitions and checkpoints through GX, deleting
    # those of suites no longer generated; the committed files must be exactly that (no new ids).
    root = copy_gx_project(tmp_path)
    args = ("--published-db", str(published), "--manifest", str(manifest), "--no-docs")

    code, output = validate(capsys, root, *args)

    assert code == 0, output
    committed, written = gx_files(GX_DIR), gx_files(root / "gx")
    assert written == committed, "run `banenafspraak validate` and commit gx/"
    changed = [
        str(path) for path in committed if not filecmp.cmp(GX_DIR / path, root / "gx" / path, shallow=False)
    ]
    assert not changed, f"run `banenafspraak validate` and commit gx/: {changed}"
    assert {
        path.stem for path in committed if path.parts[0] == "expectations" and path.suffix == ".json"
    } == {
        *publisher.MARTS,
        validate_marts.TYPES_ASSET,
    }


def test_each_suite_is_its_marts_contract(manifest: Path) -> None:
    nodes = json.loads(manifest.read_text())["nodes"]
    contracts = validate_marts.contracts(json.loads(manifest.read_text()))
    suites = validate_marts.suites(contracts)
    assert list(suites) == [*publisher.MARTS, validate_marts.TYPES_ASSET]
    types = {
        e.description: e.configuration.kwargs["value_set"] for e in suites[validate_marts.TYPES_ASSET][0]
    }
    connection = duckdb.connect()

    for name, grain in publisher.MARTS.items():
        node = nodes[f"model.banenafspraak.{name}"]
        assert node["config"]["contract"]["enforced"]
        expectations: dict[str, list[dict]] = {}
        for expectation in suites[name][0]:
            expectations.setdefault(expectation.configuration.type, []).append(
                dict(expectation.configuration.kwargs)
            )
        assert expectations["expect_table_columns_to_match_ordered_list"] == [
            {"column_list": list(node["columns"])}
        ]
        # Not null: every not_null constraint, the grain test's key columns (but those it lets
        # be null) and the columns whose accepted values hold no null.
        constrained = {
            column["name"]
            for column in node["columns"].values()
            if any(c["type"] == "not_null" for c in column["constraints"])
        }
        not_null = {kwargs["column"] for kwargs in expectations["expect_column_values_to_not_be_null"]}
        assert constrained <= not_null
        assert not_null - constrained <= set(grain) | set(contracts[name].accepted)
        # The grain is the publish step's (the contract's primary_key test).
        assert contracts[name].grain == list(grain)
        assert expectations["expect_compound_columns_to_be_unique"] == [{"column_list": list(grain)}]
        accepted = {kwargs["column"] for kwargs in expectations["expect_column_values_to_be_in_set"]}
        assert accepted == set(contracts[name].accepted) and accepted
        contracted = {column: spec["data_type"] for column, spec in node["columns"].items()}
        assert types[f"The columns of {name} have the DuckDB types of its dbt contract."] == [
            f"{column} {validate_marts.duckdb_type(data_type, connection)}"
            for column, data_type in contracted.items()
        ]

    assert contracts["mart_quota_percentages"].columns["quota_percentage"] == "DECIMAL(5,2)"
    regions = contracts["mart_regions"]
    assert "labour_market_region" not in regions.not_null  # nullable in the grain test
    assert regions.accepted["suppression_reason"] == ["fewer_than_min_persons", "secondary", None]


def test_a_column_added_to_a_contract_changes_the_suite_and_fails_the_old_file(
    published: Path, manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = json.loads(manifest.read_text())
    changed = copy.deepcopy(original)
    node = changed["nodes"]["model.banenafspraak.fct_jobs"]
    node["columns"]["persons"] = {
        **node["columns"]["jobs"],
        "name": "persons",
        "data_type": "bigint",
        "constraints": [{"type": "not_null"}],
    }
    modified = tmp_path / "manifest.json"
    modified.write_text(json.dumps(changed))

    def kwargs(contracts: dict, asset: str) -> list[dict]:
        return [dict(e.configuration.kwargs) for e in validate_marts.suites(contracts)[asset][0]]

    before = kwargs(validate_marts.contracts(original), "fct_jobs")
    after = kwargs(validate_marts.contracts(changed), "fct_jobs")
    assert after[0]["column_list"] == [*before[0]["column_list"], "persons"]
    assert {"column": "persons"} in after and {"column": "persons"} not in before
    assert [k for k in after if k.get("column") != "persons"][1:] == before[1:]
    types = kwargs(validate_marts.contracts(changed), validate_marts.TYPES_ASSET)[0]
    assert types["value_set"][-1] == "persons BIGINT"

    root = copy_gx_project(tmp_path / "copy")
    args = ("--published-db", str(published), "--manifest", str(modified), "--no-docs")
    code, output = validate(capsys, root, *args)

    assert code == 1, output
    assert (
        "FAILED fct_jobs: expect_table_columns_to_match_ordered_list on whole table - fct_jobs has "
        "exactly the columns of its dbt contract, in its order. column 7: the contract says persons, "
        "the file has no column"
    ) in output
    stored = json.loads((root / "gx" / "expectations" / "fct_jobs.json").read_text())
    assert stored["expectations"][0]["kwargs"]["column_list"][-1] == "persons"


# --- publish refuses a candidate that breaks a contract -----------------------------------------

TAMPERINGS = {
    "a_null_in_a_not_null_column": (
        "alter table marts.fct_jobs alter column jobs drop not null; update marts.fct_jobs set "
        "jobs = null where measurement_year = 2019 and sector = 'government' and employment_form = 'loan'",
        [
            "FAILED fct_jobs: expect_column_values_to_not_be_null on column jobs - jobs is never null "
            "(contract constraint not_null). 1 unexpected row(s), e.g. null at "
            "(measurement_year=2019, sector=government, employment_form=loan)"
        ],
    ),
    "a_grain_row_duplicated": (
        "insert into marts.mart_formal_loan_breakdown select * from marts.mart_formal_loan_breakdown "
        "where measurement_year = 2020 and sector = 'market' and employment_form = 'loan'",
        [
            "FAILED mart_formal_loan_breakdown: expect_compound_columns_to_be_unique on columns "
            "measurement_year, sector, employment_form - One row per measurement_year x sector x "
            "employment_form: the grain of mart_formal_loan_breakdown. 2 unexpected row(s), e.g. "
            "(measurement_year=2020, sector=market, employment_form=loan)"
        ],
    ),
    "a_column_missing": (
        "alter table marts.mart_year_on_year drop column previous_extra_jobs",
        [
            "FAILED mart_year_on_year: expect_table_columns_to_match_ordered_list on whole table - "
            "mart_year_on_year has exactly the columns of its dbt contract, in its order. column 5: "
            "the contract says previous_extra_jobs, the file has delta"
        ],
    ),
    "an_extra_column": (
        "alter table marts.mart_target_projection add column note varchar",
        [
            "FAILED mart_target_projection: expect_table_columns_to_match_ordered_list on whole table",
            "column 14: the contract says no column, the file has note",
            "FAILED published_column_types: expect_column_values_to_be_in_set on column column_type - "
            "The columns of mart_target_projection have the DuckDB types of its dbt contract. note is "
            "VARCHAR, the contract says no such column",
        ],
    ),
    "a_column_of_another_type": (
        "alter table marts.mart_quota_percentages alter quota_percentage type double",
        [
            "FAILED published_column_types: expect_column_values_to_be_in_set on column column_type - "
            "The columns of mart_quota_percentages have the DuckDB types of its dbt contract. "
            "quota_percentage is DOUBLE, the contract says DECIMAL(5,2)"
        ],
    ),
    "a_value_not_accepted": (
        "update marts.mart_baseline_comparison set sector = 'Market' where measurement_year = 2018 "
        "and sector = 'market' and employment_form = 'formal'",
        [
            "FAILED mart_baseline_comparison: expect_column_values_to_be_in_set on column sector - "
            "sector is one of market, government, total. 1 unexpected row(s), e.g. Market at "
            "(measurement_year=2018, employment_form=formal)"
        ],
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_publish_refuses_a_candidate_that_breaks_a_contract(
    tampering: str,
    built: DbtRun,
    published: Path,
    manifest: Path,
    gx_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    statements, messages = TAMPERINGS[tampering]
    working = tmp_path / "working.duckdb"
    shutil.copyfile(built.warehouse, working)
    with duckdb.connect(str(working)) as connection:
        for statement in statements.split("; "):
            connection.execute(statement)
    shutil.copytree(published.parent, tmp_path / "published")
    published_db = tmp_path / "published" / DB_NAME
    before = folder_state(published_db.parent)

    def gx_in_process(candidate: Path) -> None:
        assert candidate.parent == published_db.parent and candidate != published_db
        args = ["--published-db", str(candidate), "--manifest", str(manifest), "--no-docs"]
        code, output = validate(capsys, gx_root, *args)
        if code:
            raise publisher.PublishError(output)

    with pytest.raises(publisher.PublishError) as refused:
        publisher.publish(working, published_db, validate=gx_in_process)

    message = str(refused.value)
    for expected in messages:
        assert expected in message, message
    failed = {line.split(":")[0] for line in message.splitlines() if line.startswith("FAILED ")}
    assert failed == {expected.split(":")[0] for expected in messages if expected.startswith("FAILED ")}
    assert (
        f"Nothing was published: {published_db}, its Parquet files and manifest are as they were." in message
    )
    assert folder_state(published_db.parent) == before


def test_the_main_jobs_validator_refuses_a_broken_candidate_in_its_own_process(
    built: DbtRun,
    published: Path,
    gx_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """publish.validate_with_gx, as `banenafspraak run` and `banenafspraak publish` use it: the
    child process finds the GX project and the manifest as a run does (here: a copy of gx/ as
    the project, the session build's target folder)."""
    monkeypatch.setenv("BANENAFSPRAAK_PROJECT_DIR", str(gx_root))
    monkeypatch.setenv("DBT_TARGET_PATH", str(built.target_dir))
    working = tmp_path / "working.duckdb"
    shutil.copyfile(built.warehouse, working)
    with duckdb.connect(str(working)) as connection:
        connection.execute("alter table marts.mart_merged_measurement alter column extra_jobs drop not null")
        connection.execute(
            "update marts.mart_merged_measurement set extra_jobs = null where measurement_year = 2015"
        )
    shutil.copytree(published.parent, tmp_path / "published")
    published_db = tmp_path / "published" / DB_NAME
    before = folder_state(published_db.parent)

    with pytest.raises(publisher.PublishError) as refused:
        publisher.publish(working, published_db, validate=publisher.validate_with_gx)

    message = str(refused.value)
    assert (
        "FAILED mart_merged_measurement: expect_column_values_to_not_be_null on column extra_jobs - "
        "extra_jobs is never null (contract constraint not_null). 3 unexpected row(s)"
    ) in message, message
    assert "Great Expectations refused the candidate file .banenafspraak.duckdb." in message
    assert "Nothing was published" in message
    assert folder_state(published_db.parent) == before


def test_a_second_validation_of_the_same_gx_project_waits_for_the_first(
    published: Path, manifest: Path, gx_root: Path
) -> None:
    """GX rewrites gx/ on every run; while one validation holds the project's lock, another
    (a second publish, a test on another worker) waits, and runs once the lock is free."""
    lock = FileLock(gx_root / "gx" / "uncommitted" / "validate.lock")
    command = [
        *banenafspraak("validate"),
        "--published-db",
        str(published),
        "--manifest",
        str(manifest),
        "--no-docs",
        "--gx-project-root",
        str(gx_root),
    ]

    def written() -> dict[Path, int]:
        return {path: (gx_root / "gx" / path).stat().st_mtime_ns for path in gx_files(gx_root / "gx")}

    before = written()
    with lock:
        waiting = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # Long enough for the validation to rewrite the suites (it does within seconds), or
        # to finish, had it not waited.
        time.sleep(20)
        still_waiting, untouched = waiting.poll() is None, written() == before
    output, _ = waiting.communicate(timeout=300)

    assert still_waiting and untouched, f"the validation did not wait for the lock:\n{output}"
    assert written() != before, "the validation did not rewrite the GX project after the lock"
    assert waiting.returncode == 0, output
    assert "expectations passed on the 9 marts" in output, output


# --- nothing to validate ------------------------------------------------------------------------


def test_a_missing_or_incomplete_file_or_manifest_is_named(
    built: DbtRun, manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent.duckdb"
    code, output = validate(capsys, tmp_path, "--published-db", str(absent), "--manifest", str(manifest))
    assert code == 1
    assert f"the published file {absent} does not exist: publish first" in output
    assert not (tmp_path / "gx").exists()

    incomplete = tmp_path / "incomplete.duckdb"
    shutil.copyfile(built.warehouse, incomplete)
    with duckdb.connect(str(incomplete)) as connection:
        connection.execute("drop table marts.mart_regions")
    code, output = validate(capsys, tmp_path, "--published-db", str(incomplete), "--manifest", str(manifest))
    assert code == 1
    assert "lacks marts.mart_regions: it is not a complete publication of the marts" in output

    code, output = validate(capsys, tmp_path, "--published-db", str(incomplete), "--manifest", str(absent))
    assert code == 1
    assert f"there is no dbt manifest at {absent}: run `dbt parse`" in output
