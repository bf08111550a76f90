"""The catalogue of bad input (CONTRACT section 4): every entry fails the build with a message
that names the problem, the file and how many rows, and leaves the marts unbuilt.

Three kinds of failure, three places:
- a file that cannot be read (missing, empty, a renamed column, a broken CSV line) stops dbt
  before it builds anything (on-run-start hook, macro check_input_files); its unreadable lines
  are in audit.unreadable_input_lines;
- a row that breaks a rule is listed in audit.audit_rejected_rows, and test
  no_input_row_is_rejected fails with one message per input, file and reason;
- a set of rows that breaks a rule (a split key missing for a year, shares that do not sum to
  1, a missing target or baseline) fails its own test, with a message.
The on-run-end hook prints the messages of the failing tests (macro explain_failures).

Row-level cases share one build per input path: each case is its own row, and its own test
here checks its reason, its row and its message.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtRun, banenafspraak, copy_project, read_csv, run_dbt, write_csv
from payroll_files import write_dataset

MARTS_SKIPPED = ("mart_baseline_comparison", "fct_jobs")


def one_line(text: str) -> str:
    """dbt's output with its timestamps and line breaks gone, to search messages in."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = re.sub(r"^\d\d:\d\d:\d\d\s+", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


def assert_marts_not_built(run: DbtRun) -> None:
    statuses = run.statuses() if (run.target_dir / "run_results.json").exists() else {}
    for mart in MARTS_SKIPPED:
        assert statuses.get(mart) in (None, "skipped"), f"{mart} was built from bad input"


def rejected_rows(run: DbtRun) -> list[tuple]:
    with run.connect() as connection:
        return connection.execute(
            "select input_name, file_name, row_key, reason from audit.audit_rejected_rows order by all"
        ).fetchall()


# --- Seeds: rows that break a rule ------------------------------------------------------------


def alter_seeds(project: Path) -> None:
    """One bad row per case, added to the embedded seeds."""
    hours_path = project / "seeds" / "december_hours.csv"
    hours = read_csv(hours_path)
    template = dict(hours[0], provenance="assumed", provenance_note="test")
    hours += [
        dict(
            template,
            measurement_year="2030",
            relation_type="regular",
            employer_sector="market",
            paid_hours="-5.00",
        ),
        dict(
            template,
            measurement_year="2031",
            relation_type="regular",
            employer_sector="market",
            paid_hours="",
        ),
        dict(
            template,
            measurement_year="2032",
            relation_type="volunteer",
            employer_sector="",
            paid_hours="10.00",
        ),
        dict(
            template,
            measurement_year="2033",
            relation_type="regular",
            employer_sector="markt",
            paid_hours="10.00",
        ),
        dict(
            template,
            measurement_year="2034",
            relation_type="temp_agency",
            employer_sector="government",
            paid_hours="10.00",
        ),
        dict(
            template, measurement_year="2035", relation_type="regular", employer_sector="", paid_hours="10.00"
        ),
        dict(
            template,
            measurement_year="2036",
            relation_type="regular",
            employer_sector="market",
            paid_hours="10.00",
        ),
        dict(
            template,
            measurement_year="2036",
            relation_type="regular",
            employer_sector="market",
            paid_hours="11.00",
        ),
    ]
    write_csv(hours_path, hours)

    keys_path = project / "seeds" / "split_keys.csv"
    keys = read_csv(keys_path)
    key = dict(keys[0], provenance="assumed", source="test")
    keys += [
        dict(key, measurement_year="2040", sector="market", share="1.2000"),
        dict(key, measurement_year="2041", sector="market", share=""),
        dict(key, measurement_year="2042", sector="overheid", share="0.5"),
    ]
    write_csv(keys_path, keys)

    targets_path = project / "seeds" / "targets.csv"
    targets = read_csv(targets_path)
    targets += [dict(targets[-1]), dict(targets[0], measurement_year="2050", target_extra_jobs="")]
    write_csv(targets_path, targets)


SEED_ROW_CASES = {
    # case: (input, row key, reason, words the message must hold)
    "negative_hours": (
        "seed december_hours",
        "2030, regular, market",
        "negative_paid_hours",
        "paid hours below 0",
    ),
    "missing_hours": ("seed december_hours", "2031, regular, market", "missing_paid_hours", "no paid hours"),
    "unknown_relation_type": (
        "seed december_hours",
        "2032, volunteer, -",
        "unknown_relation_type",
        "a relation type other than regular",
    ),
    "unknown_sector": (
        "seed december_hours",
        "2033, regular, markt",
        "unknown_sector",
        "a sector other than market or government",
    ),
    "loan_row_with_a_sector": (
        "seed december_hours",
        "2034, temp_agency, government",
        "loan_row_with_a_sector",
        "a loan row",
    ),
    "regular_row_without_a_sector": (
        "seed december_hours",
        "2035, regular, -",
        "regular_row_without_a_sector",
        "a regular (formal employment) row without a sector",
    ),
    "duplicate_hours_row": (
        "seed december_hours",
        "2036, regular, market",
        "duplicate_row",
        "the same key more than once",
    ),
    "share_above_one": ("seed split_keys", "2040, market", "share_outside_0_1", "a share below 0 or above 1"),
    "missing_share": ("seed split_keys", "2041, market", "missing_share", "a split key row without a share"),
    "unknown_split_key_sector": (
        "seed split_keys",
        "2042, overheid",
        "unknown_sector",
        "a sector other than market or government",
    ),
    "duplicate_target": ("seed targets", None, "duplicate_row", "the same key more than once"),
    "missing_target_value": (
        "seed targets",
        "2050, market",
        "missing_target",
        "a target row without its number of extra jobs",
    ),
}


@pytest.fixture(scope="module")
def bad_seed_rows_build(tmp_path_factory) -> DbtRun:
    folder = tmp_path_factory.mktemp("bad_seed_rows")
    project = copy_project(folder / "project")
    alter_seeds(project)
    return run_dbt(project, folder / "work", "build")


@pytest.mark.parametrize("case", list(SEED_ROW_CASES))
def test_a_bad_seed_row_is_rejected_with_its_reason(case, bad_seed_rows_build):
    input_name, row_key, reason, words = SEED_ROW_CASES[case]
    run = bad_seed_rows_build
    assert run.returncode != 0
    assert "no_input_row_is_rejected" in run.failed_nodes()
    assert_marts_not_built(run)
    rows = [row for row in rejected_rows(run) if row[0] == input_name and row[3] == reason]
    assert rows, f"{case}: no {reason} row of {input_name} in the audit"
    if row_key is not None:
        assert row_key in {row[2] for row in rows}
    seed_file = f"seeds/{input_name.split()[-1]}.csv"
    count = len(rows)
    noun = "row" if count == 1 else "rows"
    assert f"{input_name} ({seed_file}): {count} {noun} rejected for {words}" in one_line(run.output)
    assert f"where reason = '{reason}'" in run.output


# --- Seeds: sets of rows that break a rule --------------------------------------------------


def drop_rows(seed: str, **where: str):
    def alter(project: Path) -> None:
        path = project / "seeds" / f"{seed}.csv"
        rows = read_csv(path)
        write_csv(path, [r for r in rows if not all(r[k] == v for k, v in where.items())])

    return alter


def set_share(year: str, sector: str, share: str):
    def alter(project: Path) -> None:
        path = project / "seeds" / "split_keys.csv"
        rows = read_csv(path)
        for row in rows:
            if (row["measurement_year"], row["sector"]) == (year, sector):
                row["share"] = share
        write_csv(path, rows)

    return alter


SEED_SET_CASES = {
    "split_key_missing_for_a_year_with_loans": (
        drop_rows("split_keys", measurement_year="2022"),
        "every_year_with_loan_hours_has_a_split_key",
        "Measurement year 2022 has loan hours (inleenverbanden) but no split key in seeds/split_keys.csv",
    ),
    "split_key_shares_do_not_sum_to_one": (
        set_share("2013", "market", "0.761"),
        "split_key_shares_sum_to_one",
        "The split key of 2013 in seeds/split_keys.csv has shares that add up to 1.01",
    ),
    "target_missing_for_a_measured_year": (
        drop_rows("targets", measurement_year="2018", sector="government"),
        "targets_exist_for_every_measured_year",
        "Measurement year 2018 has no target for the government in seeds/targets.csv",
    ),
    "baseline_year_missing": (
        drop_rows("december_hours", measurement_year="2012"),
        "the_baseline_year_is_in_the_input",
        "The baseline year 2012 (var baseline_year) has no paid hours in the input",
    ),
}


@pytest.mark.parametrize("case", list(SEED_SET_CASES))
def test_a_seed_that_breaks_a_rule_on_a_set_of_rows_fails_its_test(case, tmp_path):
    alter, failing_test, message = SEED_SET_CASES[case]
    project = copy_project(tmp_path / "project")
    alter(project)
    run = run_dbt(project, tmp_path / "work", "build")
    assert run.returncode != 0
    assert failing_test in run.failed_nodes(), run.failed_nodes()
    assert_marts_not_built(run)
    assert message in one_line(run.output)


# --- Seeds: files that cannot be read -------------------------------------------------------


def rewrite(seed: str, change):
    def alter(project: Path) -> None:
        path = project / "seeds" / f"{seed}.csv"
        path.write_bytes(change(path.read_bytes()))

    return alter


def append_line(line: bytes):
    return lambda content: content + line


SEED_FILE_CASES = {
    "empty_file": (
        rewrite("targets", lambda content: b""),
        "seeds/targets.csv is empty, not even a header line",
    ),
    "header_without_rows": (
        rewrite("targets", lambda content: content.split(b"\n")[0] + b"\n"),
        "seeds/targets.csv has a header but no rows",
    ),
    "renamed_column": (
        rewrite("december_hours", lambda content: content.replace(b"paid_hours", b"hours", 1)),
        "seeds/december_hours.csv lacks the column paid_hours and has hours, which the project "
        "does not know: renamed?",
    ),
    "missing_column": (
        rewrite(
            "split_keys",
            lambda content: b"\n".join(
                b",".join(line.split(b",")[:2] + line.split(b",")[3:4]) for line in content.split(b"\n")
            ),
        ),
        "seeds/split_keys.csv lacks the column",
    ),
    "too_many_fields": (
        rewrite("split_keys", append_line(b"2030,market,0.5,assumed,test,surplus\n")),
        "seeds/split_keys.csv has 1 line that cannot be read: line {last_line}: more fields than the header",
    ),
    "non_numeric_hours": (
        rewrite("december_hours", append_line(b"2030,regular,market,many,assumed,test\n")),
        "seeds/december_hours.csv has 1 line that cannot be read: line {last_line}: the value of "
        "paid_hours is not a decimal(18, 2)",
    ),
}


@pytest.mark.parametrize("case", list(SEED_FILE_CASES))
def test_a_seed_file_that_cannot_be_read_stops_the_build_before_anything_is_built(case, tmp_path):
    alter, message = SEED_FILE_CASES[case]
    project = copy_project(tmp_path / "project")
    alter(project)
    seed_file = message.split()[0]
    message = message.format(last_line=len((project / seed_file).read_bytes().splitlines()))
    run = run_dbt(project, tmp_path / "work", "build")
    assert run.returncode != 0
    text = one_line(run.output)
    assert "The input cannot be read, so nothing was built" in text
    assert message in text, text[-1500:]
    assert_marts_not_built(run)


def test_an_unreadable_seed_line_is_listed_in_the_audit(tmp_path):
    project = copy_project(tmp_path / "project")
    rewrite("split_keys", append_line(b"2030,market,0.5,assumed,test,surplus\n"))(project)
    run = run_dbt(project, tmp_path / "work", "build")
    assert run.returncode != 0
    with run.connect() as connection:
        lines = connection.execute(
            "select input_name, file_name, line_number, error_type, csv_line "
            "from audit.unreadable_input_lines"
        ).fetchall()
    last_line = len((project / "seeds" / "split_keys.csv").read_bytes().splitlines())
    assert lines == [
        (
            "seed split_keys",
            "seeds/split_keys.csv",
            last_line,
            "TOO MANY COLUMNS",
            "2030,market,0.5,assumed,test,surplus",
        )
    ]


# --- Person-level files: rows that break a rule ---------------------------------------------

DEC_2012 = (date(2012, 12, 1), date(2012, 12, 31))
GOOD_EMPLOYERS = [
    ("E001", 2012, "market", None, "medium", "Groot Amsterdam", Decimal("100000")),
    ("E002", 2012, "government", "gemeenten", "large", "Rijnmond", Decimal("200000")),
]
GOOD_REGISTER = [("P001", "wajong", date(2010, 1, 1), None)]
GOOD_LINES = [("P001", "E001", *DEC_2012, "regular", Decimal("100"))]

# case: (dataset, the bad row, row key in the audit, reason, words the message must hold)
PAYROLL_ROW_CASES = {
    "missing_person_id": (
        "payroll_lines",
        ("", "E001", *DEC_2012, "regular", Decimal(1)),
        "person ?, employer E001",
        "missing_person_id",
        "no person id",
    ),
    "missing_employer_id": (
        "payroll_lines",
        ("P101", None, *DEC_2012, "regular", Decimal(1)),
        "person P101, employer ?",
        "missing_employer_id",
        "no employer id",
    ),
    "id_looks_like_a_bsn": (
        "payroll_lines",
        ("111222333", "E001", *DEC_2012, "regular", Decimal(1)),
        "person 111222333",
        "identifier_looks_like_a_bsn",
        "an id that looks like a BSN",
    ),
    "missing_period": (
        "payroll_lines",
        ("P102", "E001", None, date(2012, 12, 31), "regular", Decimal(1)),
        "person P102",
        "missing_or_unreadable_period",
        "a period start or end that is missing or not a date",
    ),
    "period_ends_before_it_starts": (
        "payroll_lines",
        ("P103", "E001", date(2012, 12, 31), date(2012, 12, 1), "regular", Decimal(1)),
        "person P103",
        "period_ends_before_it_starts",
        "a period that ends before it starts",
    ),
    "period_longer_than_five_weeks": (
        "payroll_lines",
        ("P104", "E001", date(2012, 10, 1), date(2012, 12, 31), "regular", Decimal(1)),
        "person P104",
        "period_longer_than_five_weeks",
        "a period of five weeks or more",
    ),
    "duplicate_line": (
        "payroll_lines",
        GOOD_LINES[0],
        "person P001, employer E001",
        "duplicate_line",
        "the same person, employer and period more than once",
    ),
    "missing_hours": (
        "payroll_lines",
        ("P105", "E001", *DEC_2012, "regular", None),
        "person P105",
        "missing_paid_hours",
        "no paid hours",
    ),
    "negative_hours": (
        "payroll_lines",
        ("P106", "E001", *DEC_2012, "regular", Decimal(-8)),
        "person P106",
        "negative_paid_hours",
        "paid hours below 0",
    ),
    "hours_exceed_period": (
        "payroll_lines",
        ("P107", "E001", *DEC_2012, "regular", Decimal(745)),
        "person P107",
        "paid_hours_exceed_period",
        "more paid hours than the period holds",
    ),
    "unknown_relation_type": (
        "payroll_lines",
        ("P108", "E001", *DEC_2012, "volunteer", Decimal(1)),
        "person P108",
        "unknown_relation_type",
        "a relation type other",
    ),
    "missing_relation_type": (
        "payroll_lines",
        ("P109", "E001", *DEC_2012, None, Decimal(1)),
        "person P109",
        "missing_relation_type",
        "no relation type",
    ),
    "employer_without_sector": (
        "payroll_lines",
        ("P001", "E999", *DEC_2012, "regular", Decimal(1)),
        "employer E999",
        "employer_without_sector",
        "a regular December line whose employer has no sector",
    ),
    "register_missing_person_id": (
        "target_group_register",
        (None, "wsw", date(2011, 1, 1), None),
        "person ?",
        "missing_person_id",
        "no person id",
    ),
    "register_unknown_basis": (
        "target_group_register",
        ("P110", "ww", date(2011, 1, 1), None),
        "person P110",
        "unknown_basis",
        "a register basis other than",
    ),
    "register_missing_valid_from": (
        "target_group_register",
        ("P111", "wsw", None, None),
        "person P111",
        "missing_or_unreadable_valid_from",
        "a valid_from that is missing",
    ),
    "register_ends_before_it_starts": (
        "target_group_register",
        ("P112", "wsw", date(2012, 6, 1), date(2012, 5, 31)),
        "person P112",
        "register_row_ends_before_it_starts",
        "a registration whose valid_to is before its valid_from",
    ),
    "register_duplicate_row": (
        "target_group_register",
        ("P113", "wsw", date(2011, 1, 1), None),
        "person P113",
        "duplicate_row",
        "the same key more than once",
    ),
    "employer_unknown_sector": (
        "employers",
        ("E101", 2012, "markt", None, "small", "Twente", None),
        "employer E101",
        "unknown_sector",
        "a sector other than market",
    ),
    "employer_unknown_subsector": (
        "employers",
        ("E102", 2012, "government", "kerken", "small", "Twente", None),
        "employer E102",
        "unknown_government_subsector",
        "a government employer whose subsector is missing",
    ),
    "market_employer_with_a_subsector": (
        "employers",
        ("E103", 2012, "market", "rijk", "small", "Twente", None),
        "employer E103",
        "market_employer_with_a_subsector",
        "a market employer with a government subsector",
    ),
    "employer_missing_year": (
        "employers",
        ("E104", None, "market", None, "small", "Twente", None),
        "employer E104",
        "missing_or_unreadable_year",
        "a year that is missing",
    ),
    "employer_negative_total_hours": (
        "employers",
        ("E105", 2012, "market", None, "small", "Twente", Decimal(-1)),
        "employer E105",
        "unreadable_total_paid_hours",
        "total paid hours that are not a number of 0 or more",
    ),
    "employer_duplicate_row": (
        "employers",
        GOOD_EMPLOYERS[1],
        "employer E002, year 2012",
        "duplicate_row",
        "the same key more than once",
    ),
}


@pytest.fixture(scope="module")
def bad_payroll_rows_build(tmp_path_factory) -> DbtRun:
    folder = tmp_path_factory.mktemp("bad_payroll_rows")
    rows = {
        "payroll_lines": list(GOOD_LINES),
        "target_group_register": list(GOOD_REGISTER) + [("P113", "wsw", date(2011, 1, 1), None)],
        "employers": list(GOOD_EMPLOYERS),
    }
    for dataset, row, *_ in PAYROLL_ROW_CASES.values():
        rows[dataset].append(row)
    for dataset, dataset_rows in rows.items():
        write_dataset(folder / "input", dataset, dataset_rows)
    return run_dbt(PROJECT_DIR, folder / "work", "build", payroll_dir=folder / "input")


def assert_payroll_row_rejected(case: str, run: DbtRun, file_name: str, year: int = 2012) -> None:
    """The build failed on the case's row (moved to `year`), listed it in the audit with its
    reason, and said so in the catalogue's words, naming the file it came from."""
    dataset, _, row_key, reason, words = PAYROLL_ROW_CASES[case]
    row_key = row_key.replace("2012", str(year))
    assert run.returncode != 0
    assert "no_input_row_is_rejected" in run.failed_nodes()
    assert "audit_lists_every_rejected_payroll_line" not in run.failed_nodes()
    assert_marts_not_built(run)
    rows = [row for row in rejected_rows(run) if row[0] == dataset and row[3] == reason]
    assert any(row_key in row[2] for row in rows), (case, rows)
    assert {row[1] for row in rows} == {file_name}
    noun = "row" if len(rows) == 1 else "rows"
    assert f"{dataset} ({file_name}): {len(rows)} {noun} rejected for {words}" in one_line(run.output)


@pytest.mark.parametrize("case", list(PAYROLL_ROW_CASES))
def test_a_bad_payroll_row_is_rejected_with_its_reason(case, bad_payroll_rows_build):
    dataset = PAYROLL_ROW_CASES[case][0]
    assert_payroll_row_rejected(case, bad_payroll_rows_build, f"{dataset}.parquet")


# --- The same rows, redelivered into a warehouse that already holds the years ----------------
# An incremental build must find a bad row wherever it arrives (rule_input_fingerprints): in
# an earlier year that the warehouse already holds, or in a year that is new. The good
# population has the years 2012 to 2015, one payroll file per year; the bad rows of the
# catalogue (all dated 2012) are moved into the year of the scenario.

YEARS = [2012, 2013, 2014, 2015]


def in_year(dataset: str, row: tuple, year: int) -> tuple:
    """The catalogue's row with its 2012 dates and employer year moved to `year`; a register
    row stays as it is (it covers every year from its valid_from on)."""
    if dataset == "target_group_register":
        return row

    def move(value):
        if isinstance(value, date):
            return value.replace(year=value.year + year - 2012)
        return value

    if dataset == "employers":
        return (row[0], None if row[1] is None else year, *row[2:])
    return tuple(move(value) for value in row)


def good_rows(year: int) -> dict[str, list[tuple]]:
    return {
        "payroll_lines": [in_year("payroll_lines", line, year) for line in GOOD_LINES],
        "employers": [in_year("employers", row, year) for row in GOOD_EMPLOYERS],
    }


def deliver(folder: Path, years: list[int], bad_in: int | None = None) -> None:
    """The good population of `years`, one payroll file per year, with the catalogue's bad
    rows in year `bad_in`."""
    employers = []
    register = list(GOOD_REGISTER) + [("P113", "wsw", date(2011, 1, 1), None)]
    lines = {year: good_rows(year)["payroll_lines"] for year in years}
    for year in years:
        employers += good_rows(year)["employers"]
    for dataset, row, *_ in PAYROLL_ROW_CASES.values():
        if bad_in is None:
            continue
        moved = in_year(dataset, row, bad_in)
        {"payroll_lines": lines[bad_in], "employers": employers, "target_group_register": register}[
            dataset
        ].append(moved)
    for year, year_lines in lines.items():
        write_dataset(folder, "payroll_lines", year_lines, file_name=f"payroll_lines_{year}")
    write_dataset(folder, "target_group_register", register)
    write_dataset(folder, "employers", employers)


def run_main_command_on(folder: Path, work: Path, *options: str):
    """The README's main job on person-level input, into `work`."""
    import os
    import subprocess

    env = {
        **os.environ,
        "BANENAFSPRAAK_DB": str(work / "warehouse.duckdb"),
        "BANENAFSPRAAK_PUBLISHED_DB": str(work / "published" / "banenafspraak.duckdb"),
        "BANENAFSPRAAK_PAYROLL_DIR": str(folder),
        "BANENAFSPRAAK_PAYROLL_FORMAT": "parquet",
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    return subprocess.run(
        [*banenafspraak("run"), *options],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def good_incremental_base(tmp_path_factory) -> Path:
    """The main job on the good population of 2012 to 2015 (three years after the baseline,
    so that the report has its trend): built and published."""
    base = tmp_path_factory.mktemp("incremental_base")
    deliver(base / "input", YEARS)
    completed = run_main_command_on(base / "input", base / "work")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return base


@pytest.fixture(scope="module")
def bad_rows_in_an_earlier_year(good_incremental_base, tmp_path_factory):
    """The bad rows redelivered in 2013, an earlier year than the latest (2015): the main job
    again, on the warehouse that holds all four years."""
    import shutil

    scenario = tmp_path_factory.mktemp("bad_in_2013")
    shutil.copytree(good_incremental_base / "work", scenario / "work")
    deliver(scenario / "input", YEARS, bad_in=2013)
    published_before = file_bytes(scenario / "work" / "published")
    completed = run_main_command_on(scenario / "input", scenario / "work")
    run = DbtRun(
        PROJECT_DIR,
        scenario / "work" / "warehouse.duckdb",
        scenario / "work" / "target",
        completed.returncode,
        completed.stdout + completed.stderr,
    )
    return run, published_before, file_bytes(scenario / "work" / "published")


@pytest.fixture(scope="module")
def bad_rows_in_a_new_year(good_incremental_base, tmp_path_factory) -> DbtRun:
    """The bad rows in 2016, a year the warehouse does not hold yet: a plain dbt build."""
    import shutil

    scenario = tmp_path_factory.mktemp("bad_in_2016")
    (scenario / "work").mkdir()
    shutil.copy2(good_incremental_base / "work" / "warehouse.duckdb", scenario / "work" / "warehouse.duckdb")
    deliver(scenario / "input", [*YEARS, 2016], bad_in=2016)
    return run_dbt(PROJECT_DIR, scenario / "work", "build", payroll_dir=scenario / "input")


def file_of(case: str, year: int) -> str:
    dataset = PAYROLL_ROW_CASES[case][0]
    return f"payroll_lines_{year}.parquet" if dataset == "payroll_lines" else f"{dataset}.parquet"


@pytest.mark.parametrize("case", list(PAYROLL_ROW_CASES))
def test_a_bad_row_in_an_earlier_year_fails_the_incremental_build(case, bad_rows_in_an_earlier_year):
    run, published_before, published_after = bad_rows_in_an_earlier_year
    assert "2013: payroll_lines changed" in one_line(run.output)
    assert_payroll_row_rejected(case, run, file_of(case, 2013), 2013)
    assert published_after == published_before, "the published files changed"


@pytest.mark.parametrize("case", list(PAYROLL_ROW_CASES))
def test_a_bad_row_in_a_new_year_fails_the_incremental_build(case, bad_rows_in_a_new_year):
    assert "2016: a new year" in one_line(bad_rows_in_a_new_year.output)
    assert_payroll_row_rejected(case, bad_rows_in_a_new_year, file_of(case, 2016), 2016)


CSV_UNREADABLE_CASES = {
    # case: (dataset, the row as CSV text, row key, reason)
    "unreadable_hours": (
        "payroll_lines",
        "P201,E001,2012-12-01,2012-12-31,regular,eight",
        "person P201",
        "unreadable_paid_hours",
    ),
    "unreadable_period": (
        "payroll_lines",
        "P202,E001,2012-12-01,31-12-2012,regular,8",
        "person P202",
        "missing_or_unreadable_period",
    ),
    "unreadable_valid_to": (
        "target_group_register",
        "P203,wsw,2011-01-01,someday",
        "person P203",
        "unreadable_valid_to",
    ),
    "unreadable_year": (
        "employers",
        "E201,twenty,market,,small,Twente,",
        "employer E201",
        "missing_or_unreadable_year",
    ),
    "unreadable_total_hours": (
        "employers",
        "E202,2012,market,,small,Twente,lots",
        "employer E202",
        "unreadable_total_paid_hours",
    ),
}


@pytest.fixture(scope="module")
def unreadable_csv_values_build(tmp_path_factory) -> DbtRun:
    folder = tmp_path_factory.mktemp("unreadable_csv_values")
    paths = {
        "payroll_lines": write_dataset(folder / "input", "payroll_lines", GOOD_LINES, "csv"),
        "target_group_register": write_dataset(
            folder / "input", "target_group_register", GOOD_REGISTER, "csv"
        ),
        "employers": write_dataset(folder / "input", "employers", GOOD_EMPLOYERS, "csv"),
    }
    for dataset, text, *_ in CSV_UNREADABLE_CASES.values():
        with paths[dataset].open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return run_dbt(
        PROJECT_DIR,
        folder / "work",
        "build",
        payroll_dir=folder / "input",
        payroll_format="csv",
    )


@pytest.mark.parametrize("case", list(CSV_UNREADABLE_CASES))
def test_a_csv_value_that_does_not_parse_rejects_its_row(case, unreadable_csv_values_build):
    dataset, _, row_key, reason = CSV_UNREADABLE_CASES[case]
    run = unreadable_csv_values_build
    assert run.returncode != 0
    assert "no_input_row_is_rejected" in run.failed_nodes()
    rows = [row for row in rejected_rows(run) if row[0] == dataset and row[3] == reason]
    assert any(row_key in row[2] for row in rows), (case, rows)
    assert f"{dataset} ({dataset}.csv):" in one_line(run.output)


# --- Person-level files that cannot be read -------------------------------------------------


def good_population(folder: Path, fmt: str) -> dict[str, Path]:
    return {
        "payroll_lines": write_dataset(folder, "payroll_lines", GOOD_LINES, fmt),
        "target_group_register": write_dataset(folder, "target_group_register", GOOD_REGISTER, fmt),
        "employers": write_dataset(folder, "employers", GOOD_EMPLOYERS, fmt),
    }


def parquet_with(sql: str):
    """Replace the employers file by the result of `sql` over the good one (alias t)."""

    def alter(paths: dict[str, Path]) -> None:
        import duckdb

        path = paths["employers"]
        with duckdb.connect() as connection:
            connection.execute(f"create table t as select * from read_parquet('{path}')")
            connection.execute(f"copy ({sql}) to '{path}' (format parquet)")

    return alter


def text_change(dataset: str, change):
    def alter(paths: dict[str, Path]) -> None:
        paths[dataset].write_bytes(change(paths[dataset].read_bytes()))

    return alter


FILE_CASES = {
    # case: (format, alteration, words the message must hold)
    "missing_file": ("parquet", lambda paths: paths["employers"].unlink(), "No employers file in"),
    "empty_parquet_file": (
        "parquet",
        parquet_with("select * from t where false"),
        "employers.parquet holds no rows",
    ),
    "renamed_parquet_column": (
        "parquet",
        parquet_with("select * rename (sector as branch) from t"),
        "employers.parquet lacks the column sector and has branch, which the project does not know: renamed?",
    ),
    "parquet_column_of_the_wrong_type": (
        "parquet",
        parquet_with("select * replace (cast(year as varchar) as year) from t"),
        "employers.parquet: column year is VARCHAR, where the contract has integer",
    ),
    "empty_csv_file": (
        "csv",
        text_change("employers", lambda content: b""),
        "employers.csv is empty, not even a header line",
    ),
    "csv_missing_column": (
        "csv",
        text_change("target_group_register", lambda content: content.replace(b"valid_to", b"valid_until", 1)),
        "target_group_register.csv lacks the column valid_to and has valid_until",
    ),
    "csv_line_with_too_many_fields": (
        "csv",
        text_change(
            "payroll_lines", lambda content: content + b"P301,E001,2012-12-01,2012-12-31,regular,8,x\n"
        ),
        "payroll_lines.csv has 1 line that cannot be read: line 3: more fields than the header",
    ),
    "csv_line_not_utf8": (
        "csv",
        text_change(
            "payroll_lines", lambda content: content + b"P30\xe9,E001,2012-12-01,2012-12-31,regular,8\n"
        ),
        "payroll_lines.csv has 1 line that cannot be read: line 3: not UTF-8 text",
    ),
    "csv_unterminated_quote": (
        "csv",
        text_change(
            "payroll_lines", lambda content: content + b'"P302,E001,2012-12-01,2012-12-31,regular,8\n'
        ),
        "payroll_lines.csv has 1 line that cannot be read: line 3: a quote that is not closed",
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_a_payroll_file_that_cannot_be_read_stops_the_build_before_anything_is_built(case, tmp_path):
    fmt, alter, message = FILE_CASES[case]
    alter(good_population(tmp_path / "input", fmt))
    run = run_dbt(
        PROJECT_DIR,
        tmp_path / "work",
        "build",
        payroll_dir=tmp_path / "input",
        payroll_format=fmt,
    )
    assert run.returncode != 0
    text = one_line(run.output)
    assert "The input cannot be read, so nothing was built" in text
    assert message in text, text[-1500:]


def test_a_sound_input_leaves_the_audit_empty(built):
    with built.connect() as connection:
        assert connection.execute("select count(*) from audit.audit_rejected_rows").fetchone() == (0,)
        assert connection.execute("select count(*) from audit.unreadable_input_lines").fetchone() == (0,)


# --- A wrong number that looks right ----------------------------------------------------------


def test_a_seed_that_no_longer_reproduces_the_letter_fails_the_published_figures_test(tmp_path):
    """About one job more for the market in 2022: table 1 no longer matches the letter."""
    project = copy_project(tmp_path / "project")
    path = project / "seeds" / "december_hours.csv"
    rows = read_csv(path)
    for row in rows:
        if (row["measurement_year"], row["relation_type"], row["employer_sector"]) == (
            "2022",
            "regular",
            "market",
        ):
            row["paid_hours"] = f"{float(row['paid_hours']) + 120.0:.2f}"
    write_csv(path, rows)
    run = run_dbt(project, tmp_path / "work", "build")
    assert run.returncode != 0
    assert run.failed_nodes() == {"assert_marts_reproduce_published_figures"}


def run_main_command(project: Path, tmp_path: Path):
    import os
    import subprocess

    env = {
        **os.environ,
        "BANENAFSPRAAK_DB": str(tmp_path / "warehouse.duckdb"),
        "BANENAFSPRAAK_PUBLISHED_DB": str(tmp_path / "published" / "banenafspraak.duckdb"),
    }
    return subprocess.run(
        banenafspraak("run"),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_seed_that_is_not_utf8_is_named_before_dbt_parses_it(tmp_path):
    """dbt itself stops on such a seed with a traceback that names no file; the main command
    checks the seeds' encoding first."""
    project = copy_project(tmp_path / "project")
    rewrite("targets", append_line(b"2030,gem\xe9ente,1,assumed,test\n"))(project)
    completed = run_main_command(project, tmp_path)
    assert completed.returncode != 0
    lines = len((project / "seeds" / "targets.csv").read_bytes().splitlines())
    assert f"seeds/targets.csv, line {lines}, is not UTF-8 text (byte 0xe9)" in completed.stderr, (
        completed.stderr
    )
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_missing_seed_file_is_named(tmp_path):
    """dbt itself says only that a model depends on a node that was not found."""
    project = copy_project(tmp_path / "project")
    (project / "seeds" / "split_keys.csv").unlink()
    completed = run_main_command(project, tmp_path)
    assert completed.returncode != 0
    assert "seeds/split_keys.csv is missing. Restore it (git checkout seeds/split_keys.csv)" in (
        completed.stderr
    ), completed.stderr
    plain = run_dbt(project, tmp_path / "work", "build")
    assert plain.returncode != 0
    assert "depends on a node named 'split_keys' which was not found" in one_line(plain.output)


def test_an_unchanged_redelivery_rebuilds_nothing_and_publishes_nothing(good_incremental_base, tmp_path):
    """The main job again on the same files (a copy, in another folder): the input is
    fingerprinted again and nothing else runs: no build, no new vintage, every file under
    published/ (the report included) byte-identical, and the letter's table printed. With
    --force-build the build runs, rebuilds no year, and publishes nothing either."""
    import shutil

    shutil.copytree(good_incremental_base / "work", tmp_path / "work")
    deliver(tmp_path / "input", YEARS)
    before = file_bytes(tmp_path / "work" / "published")
    completed = run_main_command_on(tmp_path / "input", tmp_path / "work")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    output = one_line(completed.stdout + completed.stderr)
    assert "Nothing changed since the last run (vintage 0001-" in output
    assert "nothing was rebuilt or published" in output
    assert "PASS=" not in output, "a dbt build ran"
    assert "Tabel 1: resultaten eind 2015 ten opzichte van de nulmeting" in output
    assert file_bytes(tmp_path / "work" / "published") == before

    forced = run_main_command_on(tmp_path / "input", tmp_path / "work", "--force-build")
    assert forced.returncode == 0, forced.stdout[-3000:] + forced.stderr[-3000:]
    output = one_line(forced.stdout + forced.stderr)
    assert "no measurement year changed since it was built; no year is rebuilt" in output
    assert "no new vintage" in output
    assert file_bytes(tmp_path / "work" / "published") == before


def test_the_main_job_on_too_few_years_for_a_trend_writes_its_report(tmp_path):
    """Two measured years after the baseline: the projection has no trend (it needs three), and
    the report says so instead of failing after the publish."""
    deliver(tmp_path / "input", [2012, 2013, 2014])
    completed = run_main_command_on(tmp_path / "input", tmp_path / "work")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = (tmp_path / "work" / "published" / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-projectie-market"' in report
    assert 'class="trend"' not in report
