"""Validate the four marts of the letter with Great Expectations (GX 1.x) and build Data Docs.

What: reads the marts (and, when they are compared, the published figures) read-only from the
DuckDB warehouse dbt built, validates them against the expectation suites of the file-backed GX
project in gx/, prints one plain-words line per failed expectation and builds Data Docs
(gx/uncommitted/data_docs/local_site/index.html). Exit code 0 when every expectation passes, 1
when one fails or the warehouse cannot be read.

Why: the dbt data tests guard the build; this suite guards the tables BI users read, after the
build, with a report (Data Docs) that people outside the dbt project can open. It checks the
grain (one row per year x sector x employment form, no year missing), value ranges, that totals
add up within rounding, and that the marts reproduce every published figure.

Usage (from the project root, in the virtual environment, after `dbt build`):

    banenafspraak validate
    banenafspraak validate --warehouse other.duckdb --published-figures off --no-docs

The suites, validation definitions and checkpoints are defined in this file and written to gx/
through GX's own API on every run (`add_or_update`, which keeps the ids of unchanged objects),
so the committed JSON files only change when a definition here changes. GX reads the data
through its pandas datasource (dataframe assets, whole-dataframe batches): its SQL datasource
through SQLAlchemy and duckdb_engine returns empty results on this warehouse.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

# Before GX is imported: no usage statistics are sent from a measurement of this kind.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import yaml
from great_expectations.checkpoint import CheckpointResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
)
from great_expectations.exceptions import DataContextError
from great_expectations.expectations.row_conditions import Column

from banenafspraak.project import PROJECT_DIR
from banenafspraak.publish import working_db_path

DATASOURCE_NAME = "banenafspraak"
BATCH_DEFINITION_NAME = "whole_dataframe"
KEY_COLUMNS = ("measurement_year", "sector", "employment_form")
# pandas dtypes of an integer column as DuckDB hands it over (nullable columns come as IntNDtype).
INTEGER_TYPES = ["int8", "int16", "int32", "int64", "Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype"]
UNROUNDED_TOLERANCE = 1e-6
# Published figures whose value the marts must reproduce (as the dbt singular test does).
CHECKED_STATUSES = ("published", "revised", "derived")
MAX_EXAMPLES = 3

TOTALS_ASSET = "derived_totals_within_rounding"
PUBLISHED_ASSET = "derived_published_figures_comparison"


class WarehouseError(Exception):
    """The warehouse cannot be validated: missing file, or no marts in it."""


@dataclass(frozen=True)
class Mart:
    """One mart table: its grain and columns as the dbt contract declares them."""

    name: str
    sectors: tuple[str, ...]
    employment_forms: tuple[str, ...]
    columns: tuple[str, ...]
    starts_after_baseline: bool = False

    @property
    def years_parameter(self) -> str:
        return "years_after_baseline" if self.starts_after_baseline else "years_from_baseline"

    @property
    def row_count_parameter(self) -> str:
        return f"{self.name}_row_count"

    @property
    def cells_per_year(self) -> int:
        return len(self.sectors) * len(self.employment_forms)


PARTS = ("market", "government")
FORMS = ("formal", "loan")
FCT_JOBS = Mart(
    "fct_jobs",
    PARTS,
    FORMS,
    (*KEY_COLUMNS, "paid_hours", "jobs", "split_key_share"),
)
BASELINE_COMPARISON = Mart(
    "mart_baseline_comparison",
    (*PARTS, "total"),
    (*FORMS, "total"),
    (
        *KEY_COLUMNS,
        "jobs",
        "jobs_rounded",
        "baseline_jobs",
        "extra_jobs",
        "extra_jobs_rounded",
        "target_extra_jobs",
        "target_shortfall",
        "target_met",
    ),
)
YEAR_ON_YEAR = Mart(
    "mart_year_on_year",
    (*PARTS, "total"),
    (*FORMS, "total"),
    (*KEY_COLUMNS, "extra_jobs", "previous_extra_jobs", "delta", "delta_rounded"),
    starts_after_baseline=True,
)
FORMAL_LOAN_BREAKDOWN = Mart(
    "mart_formal_loan_breakdown",
    (*PARTS, "total"),
    FORMS,
    (
        *KEY_COLUMNS,
        "jobs",
        "share_of_sector_jobs",
        "extra_jobs",
        "share_of_sector_extra_jobs",
        "split_key_share",
    ),
)
MARTS = (FCT_JOBS, BASELINE_COMPARISON, YEAR_ON_YEAR, FORMAL_LOAN_BREAKDOWN)

# Columns that identify a row in the printed failures and in Data Docs, per asset.
INDEX_COLUMNS: dict[str, list[str]] = {
    **{mart.name: list(KEY_COLUMNS) for mart in MARTS},
    TOTALS_ASSET: ["mart", "metric", "measurement_year", "total_row", "parts"],
    PUBLISHED_ASSET: [*KEY_COLUMNS, "metric", "published_value", "reproduced_value"],
}


# --- the expectation suites ---------------------------------------------------------------


def grain_expectations(mart: Mart) -> list[gxe.Expectation]:
    """Columns as contracted, one row per year x sector x form, and no year missing."""
    in_words = f"{len(mart.sectors)} sectors x {len(mart.employment_forms)} employment forms"
    first_year = "year after the baseline" if mart.starts_after_baseline else "baseline year"
    return [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(mart.columns),
            exact_match=True,
            description="The mart has exactly the columns of its dbt contract.",
        ),
        *[not_null(column, f"Key column {column} is never empty.") for column in KEY_COLUMNS],
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(KEY_COLUMNS),
            description="Each year x sector x employment form appears at most once.",
        ),
        gxe.ExpectColumnDistinctValuesToEqualSet(
            column="sector",
            value_set=list(mart.sectors),
            description=f"The sectors are exactly {', '.join(mart.sectors)}.",
        ),
        gxe.ExpectColumnDistinctValuesToEqualSet(
            column="employment_form",
            value_set=list(mart.employment_forms),
            description=f"The employment forms are exactly {', '.join(mart.employment_forms)}.",
        ),
        gxe.ExpectColumnDistinctValuesToEqualSet(
            column="measurement_year",
            value_set={"$PARAMETER": mart.years_parameter},
            description=(f"The years run from the {first_year} to the latest measured year without a gap."),
        ),
        gxe.ExpectTableRowCountToEqual(
            value={"$PARAMETER": mart.row_count_parameter},
            description=(
                f"Every year has all {mart.cells_per_year} cells ({in_words}): row count = "
                f"years x {mart.cells_per_year}."
            ),
        ),
        integer_column("measurement_year"),
    ]


def not_null(column: str, description: str | None = None) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(
        column=column, description=description or f"{column} is never empty."
    )


def integer_column(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInTypeList(
        column=column,
        type_list=INTEGER_TYPES,
        description=f"{column} holds whole numbers (an integer column).",
    )


def not_negative(column: str) -> list[gxe.Expectation]:
    return [
        not_null(column),
        gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=0, description=f"{column} is not negative."
        ),
    ]


def share(column: str, what: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(
        column=column,
        min_value=0,
        max_value=1,
        description=f"{what} lies within [0, 1] where present.",
    )


def fct_jobs_expectations() -> list[gxe.Expectation]:
    return [
        *grain_expectations(FCT_JOBS),
        *not_negative("paid_hours"),
        *not_negative("jobs"),
        share("split_key_share", "The split key share"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="split_key_share",
            row_condition=Column("employment_form") == "loan",
            description="Every loan row carries the split key share it was allocated with.",
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="split_key_share",
            row_condition=Column("employment_form") == "formal",
            description="Formal rows have no split key share.",
        ),
    ]


def baseline_comparison_expectations() -> list[gxe.Expectation]:
    return [
        *grain_expectations(BASELINE_COMPARISON),
        *not_negative("jobs"),
        *not_negative("jobs_rounded"),
        *not_negative("baseline_jobs"),
        not_null("extra_jobs"),
        integer_column("jobs_rounded"),
        integer_column("extra_jobs_rounded"),
        integer_column("target_extra_jobs"),
        integer_column("target_shortfall"),
        gxe.ExpectColumnValuesToBeBetween(
            column="target_extra_jobs",
            min_value=0,
            description="A target is not negative.",
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="target_extra_jobs",
            row_condition=Column("employment_form") != "total",
            description="Targets sit on the total employment form rows only.",
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="target_extra_jobs",
            row_condition=(Column("employment_form") == "total")
            & (Column("measurement_year") >= dbt_var("first_target_year")),
            description=(
                "Every total employment form row from the first target year (dbt var "
                "first_target_year) on has its target."
            ),
        ),
    ]


def year_on_year_expectations() -> list[gxe.Expectation]:
    return [
        *grain_expectations(YEAR_ON_YEAR),
        *[not_null(column) for column in ("extra_jobs", "previous_extra_jobs", "delta")],
        integer_column("delta_rounded"),
    ]


def formal_loan_breakdown_expectations() -> list[gxe.Expectation]:
    # share_of_sector_extra_jobs is not bounded: it leaves [0, 1] when one form grew and the
    # other shrank (documented in the model), so only jobs shares and split keys are.
    return [
        *grain_expectations(FORMAL_LOAN_BREAKDOWN),
        *not_negative("jobs"),
        not_null("extra_jobs"),
        share("share_of_sector_jobs", "A form's share of the sector's jobs"),
        share("split_key_share", "The split key share"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="split_key_share",
            row_condition=(Column("employment_form") == "loan") & (Column("sector") != "total"),
            description="Loan rows of market and government carry their split key share.",
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="split_key_share",
            row_condition=(Column("employment_form") == "formal") | (Column("sector") == "total"),
            description="Formal rows and the total sector have no split key share.",
        ),
    ]


def totals_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, description="There are totals to check."),
        gxe.ExpectColumnValuesToNotBeNull(
            column="unrounded_difference",
            description="Every total row has its part rows, and all part rows their total row.",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="unrounded_difference",
            min_value=-UNROUNDED_TOLERANCE,
            max_value=UNROUNDED_TOLERANCE,
            description=(
                f"The unrounded total equals the sum of its unrounded parts within {UNROUNDED_TOLERANCE:g}."
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rounded_difference",
            min_value=-1,
            max_value=1,
            description="The rounded total is within 1 of the sum of its rounded parts.",
        ),
    ]


def published_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1, description="There are published figures to compare."
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="reproduced_value",
            description="Every published figure has its cell in the marts (or the targets seed).",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="difference",
            min_value=0,
            max_value=0,
            description="The marts reproduce every published figure exactly (zero tolerance).",
        ),
    ]


SUITES = {
    FCT_JOBS.name: fct_jobs_expectations,
    BASELINE_COMPARISON.name: baseline_comparison_expectations,
    YEAR_ON_YEAR.name: year_on_year_expectations,
    FORMAL_LOAN_BREAKDOWN.name: formal_loan_breakdown_expectations,
    TOTALS_ASSET: totals_expectations,
    PUBLISHED_ASSET: published_expectations,
}


# --- the GX project -------------------------------------------------------------------------


def definition(expectation: gxe.Expectation) -> str:
    """An expectation's configuration without its id, comparable across runs."""
    configuration = expectation.configuration.to_json_dict()
    configuration.pop("id", None)
    return json.dumps(configuration, sort_keys=True, default=str)


def with_stored_ids(context: FileDataContext, suite: gx.ExpectationSuite) -> gx.ExpectationSuite:
    """The suite with the ids its unchanged expectations have in the stored suite.

    `context.suites.add_or_update` means to do this, but in GX 1.24 it compares expectations
    including their id, so a fresh definition never matches and every run would write new ids.
    """
    try:
        stored = context.suites.get(suite.name)
    except DataContextError:
        return suite
    stored_ids = {definition(expectation): expectation.id for expectation in stored.expectations}
    for expectation in suite.expectations:
        expectation.id = stored_ids.get(definition(expectation))
    return suite


def gx_context(project_root: Path) -> FileDataContext:
    """The file-backed GX project in <project_root>/gx, its definitions brought up to date.

    `add_or_update` keeps the id of every unchanged suite, validation definition and checkpoint
    (expectations: see `with_stored_ids`); the datasource, assets and batch definitions are only
    added when missing (adding them again would give them new ids). So the committed files
    change only when a definition in this file changes.
    """
    context = gx.get_context(mode="file", project_root_dir=str(project_root))
    progress_bars = context.variables.progress_bars
    if (
        context.variables.analytics_enabled is not False
        or not progress_bars
        or any(progress_bars.get(key, True) for key in ("globally", "metric_calculations"))
    ):
        context.variables.analytics_enabled = False
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        context.variables.save()

    try:
        datasource = context.data_sources.get(DATASOURCE_NAME)
    except KeyError:
        datasource = context.data_sources.add_pandas(DATASOURCE_NAME)
    for asset_name, expectations in SUITES.items():
        try:
            asset = datasource.get_asset(asset_name)
        except LookupError:
            asset = datasource.add_dataframe_asset(asset_name)
        try:
            batch_definition = asset.get_batch_definition(BATCH_DEFINITION_NAME)
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)
        suite = with_stored_ids(context, gx.ExpectationSuite(name=asset_name, expectations=expectations()))
        validation_definition = gx.ValidationDefinition(name=asset_name, data=batch_definition, suite=suite)
        context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=asset_name,
                validation_definitions=[validation_definition],
                actions=[],
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": INDEX_COLUMNS[asset_name],
                },
            )
        )
    return context


# --- reading the warehouse and deriving frames ---------------------------------------------


def read_warehouse(path: Path, with_published_figures: bool) -> dict[str, pd.DataFrame]:
    """The marts (and the seeds the published comparison needs), through a read-only connection."""
    if not path.is_file():
        raise WarehouseError(
            f"the warehouse {path} does not exist: run dbt build first (or pass --warehouse)."
        )
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise WarehouseError(f"cannot open the warehouse {path} read-only: {error}") from error
    try:
        tables = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        wanted = [f"marts.{mart.name}" for mart in MARTS]
        if with_published_figures:
            wanted += ["seeds.published_figures", "seeds.targets"]
        if not any(table.startswith("marts.") for table in tables):
            raise WarehouseError(f"the warehouse {path} has no schema marts: run dbt build first.")
        missing = [table for table in wanted if table not in tables]
        if missing:
            raise WarehouseError(f"the warehouse {path} lacks {', '.join(missing)}: run dbt build first.")
        return {table.split(".", 1)[1]: connection.execute(f"select * from {table}").df() for table in wanted}
    finally:
        connection.close()


def totals_frame(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per total cell: the total against the sum of its two parts, unrounded and rounded.

    Totals over sectors (market + government) per year and form, and over forms (formal + loan)
    per year and sector, for jobs and extra jobs in mart_baseline_comparison and the delta in
    mart_year_on_year.
    """
    checks = [
        (BASELINE_COMPARISON.name, "jobs", "jobs_rounded"),
        (BASELINE_COMPARISON.name, "extra_jobs", "extra_jobs_rounded"),
        (YEAR_ON_YEAR.name, "delta", "delta_rounded"),
    ]
    splits = [("sector", PARTS, "employment_form"), ("employment_form", FORMS, "sector")]
    pieces = []
    for mart_name, unrounded, rounded in checks:
        mart = frames[mart_name][[*KEY_COLUMNS, unrounded, rounded]].copy()
        mart[rounded] = mart[rounded].astype("float64")
        for split_column, parts, other_column in splits:
            keys = ["measurement_year", other_column]
            totals = mart[mart[split_column] == "total"][[*keys, unrounded, rounded]]
            summed = (
                mart[mart[split_column].isin(parts)].groupby(keys, as_index=False)[[unrounded, rounded]].sum()
            )
            joined = totals.merge(summed, on=keys, how="outer", suffixes=("_total", "_parts"))
            pieces.append(
                pd.DataFrame(
                    {
                        "mart": mart_name,
                        "metric": unrounded,
                        "measurement_year": joined["measurement_year"],
                        "total_row": f"{split_column}=total, {other_column}="
                        + joined[other_column].astype(str),
                        "parts": " + ".join(parts),
                        "unrounded_total": joined[f"{unrounded}_total"],
                        "unrounded_parts": joined[f"{unrounded}_parts"],
                        "unrounded_difference": joined[f"{unrounded}_total"] - joined[f"{unrounded}_parts"],
                        "rounded_total": joined[f"{rounded}_total"],
                        "rounded_parts": joined[f"{rounded}_parts"],
                        "rounded_difference": joined[f"{rounded}_total"] - joined[f"{rounded}_parts"],
                    }
                )
            )
    return pd.concat(pieces, ignore_index=True)


def published_frame(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each checked published figure next to the mart value it maps to, and their difference.

    The mapping mirrors tests/marts/assert_marts_reproduce_published_figures.sql: extra_jobs ->
    mart_baseline_comparison.extra_jobs_rounded, jobs -> .jobs_rounded, yoy_delta ->
    mart_year_on_year.delta_rounded, split_key_share -> mart_formal_loan_breakdown.split_key_share
    (to 4 decimals, like the decimal(18, 4) cast there), target_extra_jobs ->
    mart_baseline_comparison.target_extra_jobs for measured years, else the targets seed.
    """
    keys = list(KEY_COLUMNS)
    published = frames["published_figures"]
    published = published[published["status"].isin(CHECKED_STATUSES)].rename(
        columns={"value": "published_value"}
    )
    baseline = frames[BASELINE_COMPARISON.name][
        [*keys, "extra_jobs_rounded", "jobs_rounded", "target_extra_jobs"]
    ]
    year_on_year = frames[YEAR_ON_YEAR.name][[*keys, "delta_rounded"]]
    breakdown = frames[FORMAL_LOAN_BREAKDOWN.name][[*keys, "split_key_share"]]
    targets = frames["targets"][["measurement_year", "sector", "target_extra_jobs"]].rename(
        columns={"target_extra_jobs": "seed_target_extra_jobs"}
    )
    joined = (
        published.merge(baseline, on=keys, how="left")
        .merge(year_on_year, on=keys, how="left")
        .merge(breakdown, on=keys, how="left")
        .merge(targets, on=["measurement_year", "sector"], how="left")
    )
    measured = joined["measurement_year"].isin(frames[BASELINE_COMPARISON.name]["measurement_year"])
    target = (
        joined["target_extra_jobs"]
        .astype("Float64")
        .where(measured, joined["seed_target_extra_jobs"].astype("Float64"))
    )
    candidates = {
        "extra_jobs": joined["extra_jobs_rounded"].astype("Float64"),
        "jobs": joined["jobs_rounded"].astype("Float64"),
        "yoy_delta": joined["delta_rounded"].astype("Float64"),
        "split_key_share": joined["split_key_share"].astype("Float64").round(4),
        "target_extra_jobs": target,
    }
    reproduced = pd.Series(pd.NA, index=joined.index, dtype="Float64")
    for metric, values in candidates.items():
        reproduced = reproduced.mask(joined["metric"] == metric, values)
    published_value = joined["published_value"].astype("Float64")
    return pd.DataFrame(
        {
            **{column: joined[column] for column in keys},
            "metric": joined["metric"],
            "status": joined["status"],
            "published_value": published_value.astype("float64"),
            "reproduced_value": reproduced.astype("float64"),
            # Rounded to the 4 decimals of the seed, so float noise is no difference.
            "difference": (reproduced - published_value).round(4).astype("float64"),
        }
    ).reset_index(drop=True)


# --- running and reporting ------------------------------------------------------------------


def dbt_var(name: str) -> int:
    """A dbt var as dbt_project.yml sets it (a --vars override on the dbt command is not seen)."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"][name])


def baseline_year() -> int:
    """The dbt var baseline_year: the first year of the year series."""
    return dbt_var("baseline_year")


def expectation_parameters(frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The run-time values of the suites' $PARAMETERs: the expected years and row counts.

    The years run from the baseline year (dbt var) to the latest year in any mart, so a year
    missing in the middle or at the end of one mart fails, and so does a missing baseline year.
    """
    first_year = baseline_year()
    latest_years = [
        int(frames[mart.name]["measurement_year"].max())
        for mart in MARTS
        if frames[mart.name]["measurement_year"].notna().any()
    ]
    latest_year = max([first_year, *latest_years])
    years = {
        "years_from_baseline": list(range(first_year, latest_year + 1)),
        "years_after_baseline": list(range(first_year + 1, latest_year + 1)),
    }
    return {
        **years,
        **{
            mart.row_count_parameter: len(years[mart.years_parameter]) * mart.cells_per_year for mart in MARTS
        },
    }


def scope(kwargs: dict[str, Any]) -> str:
    """What an expectation looks at, from its keyword arguments."""
    if kwargs.get("column"):
        return f"column {kwargs['column']}"
    if kwargs.get("column_list"):
        return f"columns {', '.join(kwargs['column_list'])}"
    return "whole table"


def short(value: object) -> str:
    """A value as printed: whole floats without their .0, missing values as null."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return "null" if text in ("nan", "<NA>", "None", "NaT") else text


def listed(values: Sequence[Any]) -> str:
    shown = ", ".join(short(value) for value in values[: MAX_EXAMPLES * 3])
    return f"[{shown}{', ...' if len(values) > MAX_EXAMPLES * 3 else ''}]"


def expected_in_words(kwargs: dict[str, Any]) -> str:
    if "value" in kwargs:
        return f"expected {short(kwargs['value'])}"
    if "type_list" in kwargs:
        return f"expected one of {', '.join(kwargs['type_list'])}"
    if "min_value" in kwargs or "max_value" in kwargs:
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        return f"expected between {short(low)} and {short(high)}"
    return ""


def details(result: dict[str, Any], kwargs: dict[str, Any]) -> str:
    """What went wrong, with a few unexpected values, from a GX result dictionary."""
    column = kwargs.get("column")
    parts = []
    examples = result.get("unexpected_index_list") or []
    if examples and isinstance(examples[0], dict):
        # A row-by-row expectation: the rows that failed, named by their index columns.
        parts.append(f"{result.get('unexpected_count', len(examples))} unexpected row(s)")
        rendered = []
        for example in examples[:MAX_EXAMPLES]:
            where = ", ".join(f"{key}={short(item)}" for key, item in example.items() if key != column)
            value = f"{short(example.get(column))} at " if column else ""
            rendered.append(f"{value}({where})")
        parts.append("e.g. " + "; ".join(rendered))
    else:
        mismatched = (result.get("details") or {}).get("mismatched") or {}
        missing = result.get("partial_missing_list") or mismatched.get("missing")
        unexpected = result.get("partial_unexpected_list") or mismatched.get("unexpected")
        if missing:
            parts.append(f"missing {listed(missing)}")
        if unexpected:
            parts.append(f"unexpected {listed(unexpected)}")
        if not parts and result.get("observed_value") is not None:
            observed = result["observed_value"]
            shown = listed(observed) if isinstance(observed, list) else short(observed)
            parts.append(f"observed {shown}, {expected_in_words(kwargs)}".rstrip(", "))
    return "; ".join(parts) or "no details"


def exception_message(info: dict[str, Any] | None) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, if any.

    GX 1.x reports it either flat or per metric (keyed by the metric's id).
    """
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def failure_lines(asset_name: str, checkpoint_result: CheckpointResult) -> list[str]:
    """One line per failed expectation of one checkpoint run."""
    lines = []
    for validation_result in checkpoint_result.run_results.values():
        for expectation_result in validation_result.results:
            if expectation_result.success:
                continue
            configuration = expectation_result.expectation_config
            kwargs = dict(configuration.kwargs)
            error = exception_message(expectation_result.exception_info)
            what = (
                f"could not be evaluated: {error}"
                if error
                else details(expectation_result.result or {}, kwargs)
            )
            lines.append(
                f"FAILED {asset_name}: {configuration.type} on {scope(kwargs)} - "
                f"{configuration.description or ''} {what}".replace("  ", " ")
            )
    return lines


def published_figures_on(choice: str) -> bool:
    """auto mirrors the dbt var compare_published_figures: off for person-level input."""
    if choice == "auto":
        return os.environ.get("BANENAFSPRAAK_PAYROLL_DIR", "") == ""
    return choice == "on"


def docs_index(context: FileDataContext, identifiers: list[Any]) -> Path | None:
    """Build the Data Docs site for this run's results; the path of its index.html."""
    # Only this run's pages (and the suites'): rendering every stored result again would take
    # longer with every run. The index lists all stored results.
    suites = [ExpectationSuiteIdentifier(name=name) for name in SUITES]
    sites = context.build_data_docs(resource_identifiers=[*suites, *identifiers])
    url = sites.get("local_site") or next(iter(sites.values()), None)
    return Path(unquote(urlparse(url).path)) if url else None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="DuckDB file to validate (default: BANENAFSPRAAK_DB relative to the project root, "
        "else target/banenafspraak.duckdb)",
    )
    parser.add_argument(
        "--published-figures",
        choices=("auto", "on", "off"),
        default="auto",
        help="compare the marts with the published figures; auto: on unless "
        "BANENAFSPRAAK_PAYROLL_DIR is set (person-level input cannot match them)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not build Data Docs")
    parser.add_argument(
        "--gx-project-root",
        type=Path,
        default=PROJECT_DIR,
        help="folder holding the GX project gx/ (default: the project root; a copy for tests)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    warehouse = args.warehouse if args.warehouse is not None else working_db_path()
    compare_published = published_figures_on(args.published_figures)
    try:
        frames = read_warehouse(warehouse.resolve(), compare_published)
    except WarehouseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    batches = {mart.name: frames[mart.name] for mart in MARTS}
    batches[TOTALS_ASSET] = totals_frame(frames)
    if compare_published:
        batches[PUBLISHED_ASSET] = published_frame(frames)
    parameters = expectation_parameters(frames)

    context = gx_context(args.gx_project_root.resolve())
    run_id = RunIdentifier(run_name="validate_marts", run_time=datetime.datetime.now(datetime.UTC))
    failures: list[str] = []
    identifiers: list[Any] = []
    evaluated = 0
    for asset_name, frame in batches.items():
        result = context.checkpoints.get(asset_name).run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            run_id=run_id,
        )
        identifiers.extend(result.run_results.keys())
        evaluated += sum(len(run.results) for run in result.run_results.values())
        failures.extend(failure_lines(asset_name, result))

    for line in failures:
        print(line)
    skipped = "" if compare_published else " (published figures not compared)"
    print(
        f"{len(failures)} of {evaluated} expectations failed on {len(batches)} frames{skipped}."
        if failures
        else f"All {evaluated} expectations passed on {len(batches)} frames{skipped}."
    )
    if args.no_docs:
        print("Data Docs: not built (--no-docs).")
    else:
        index = docs_index(context, identifiers)
        print(f"Data Docs: {index}" if index else "Data Docs: no site configured in gx/.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
