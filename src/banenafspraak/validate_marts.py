"""Validate the published file against the mart contracts with Great Expectations (GX 1.x).

What: reads every published mart (publish.MARTS) read-only from a published DuckDB file, by
default the one BI tools read, and validates it against suites generated from the marts' enforced
dbt contracts in the dbt manifest. Prints one plain-words line per failed expectation and builds
Data Docs (gx/uncommitted/data_docs/local_site/index.html). Exit code 0 when every expectation
passes, 1 when one fails or the file or the manifest cannot be read.

Why: dbt's data tests guard the build (grain, totals within rounding, the published figures);
this guards the file BI tools read, after publish: `banenafspraak publish` (and so the main job)
writes a candidate file beside the published one, runs this on it, and renames it over the
published file only when it passes (publish.validate_with_gx).

Per mart, from its contract: the exact ordered column list; each column's DuckDB type, as the
file's information_schema reports it (pandas cannot tell decimal(5,2) from double; one suite,
published_column_types, for all marts); not null for not_null and primary_key constraints and
the grain test's key columns; unique grain (the primary_key constraint or test); accepted values
(tests accepted_values_by_column and accepted_values).

Usage (from the project root, in the virtual environment):

    banenafspraak validate                            # published/banenafspraak.duckdb
    banenafspraak validate --published-db other.duckdb --manifest target/manifest.json --no-docs

The manifest defaults to <DBT_TARGET_PATH or target>/manifest.json; when it is missing, `dbt
parse` writes it. The suites, validation definitions and checkpoints are written to gx/ through
GX's API on every run (`add_or_update`, keeping the ids of unchanged objects; objects of marts no
longer published are deleted), so the committed JSON files change only when a contract does. GX
reads pandas frames: its SQL datasource through duckdb_engine returns empty results here.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

# Before GX is imported: no usage statistics are sent from a measurement of this kind.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from filelock import FileLock
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier
from great_expectations.exceptions import DataContextError
from great_expectations.expectations.row_conditions import Column

from banenafspraak.project import PROJECT_DIR, PROJECT_NAME, tool
from banenafspraak.publish import MARTS, SCHEMA, published_db_path

DATASOURCE_NAME = "banenafspraak"
BATCH_DEFINITION_NAME = "whole_dataframe"
TYPES_ASSET = "published_column_types"
TYPES_INDEX = ["mart", "column_name", "data_type"]
MAX_EXAMPLES = 3


class ValidationError(Exception):
    """Nothing can be validated: no published file, a mart missing, no manifest or contract."""


@dataclass
class Contract:
    """What a mart's enforced dbt contract (and its grain and accepted-values tests) promise."""

    name: str
    columns: dict[str, str] = field(default_factory=dict)  # name -> DuckDB type
    not_null: dict[str, str] = field(default_factory=dict)  # column -> why
    unique: list[str] = field(default_factory=list)
    grain: list[str] = field(default_factory=list)
    accepted: dict[str, list] = field(default_factory=dict)


# --- the contracts, from the manifest ----------------------------------------------------------


def default_manifest() -> Path:
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return (target if target.is_absolute() else PROJECT_DIR / target) / "manifest.json"


def load_manifest(path: Path | None) -> dict:
    """The manifest at `path`; by default target/manifest.json, written by `dbt parse` if absent."""
    if path is None:
        path = default_manifest()
        if not path.is_file():
            subprocess.run([tool("dbt"), "parse", "--quiet"], cwd=PROJECT_DIR, check=False)
    if not path.is_file():
        raise ValidationError(f"there is no dbt manifest at {path}: run `dbt parse` (or dbt build) first.")
    return json.loads(path.read_text(encoding="utf-8"))


def duckdb_type(data_type: str, connection: duckdb.DuckDBPyConnection) -> str:
    """A contract's data_type as DuckDB names it in information_schema (`int` -> INTEGER)."""
    return connection.execute(f"select typeof(cast(null as {data_type}))").fetchone()[0]


def contracts(manifest: dict) -> dict[str, Contract]:
    """The contract of every published mart (publish.MARTS), in that order."""
    nodes = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == PROJECT_NAME
    }
    tests: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node"):
            tests.setdefault(node["attached_node"], []).append(node)
    found = {}
    with duckdb.connect() as connection:
        for name in MARTS:
            node = nodes.get(name)
            if node is None or not node["config"]["contract"]["enforced"]:
                raise ValidationError(f"mart {name} has no enforced dbt contract in the manifest.")
            contract = Contract(name)
            for column in node["columns"].values():
                contract.columns[column["name"]] = duckdb_type(column["data_type"], connection)
                for constraint in column["constraints"]:
                    if constraint["type"] in ("not_null", "primary_key"):
                        contract.not_null[column["name"]] = f"contract constraint {constraint['type']}"
                    if constraint["type"] == "primary_key":
                        contract.grain = [column["name"]]
                    if constraint["type"] == "unique":
                        contract.unique.append(column["name"])
            for constraint in node["constraints"]:
                if constraint["type"] == "primary_key":
                    contract.grain = list(constraint["columns"])
            for test in tests.get(node["unique_id"], []):
                kind, kwargs = test["test_metadata"]["name"], test["test_metadata"]["kwargs"]
                if kind == "primary_key" and not contract.grain:
                    contract.grain = list(kwargs["columns"])
                    for column in kwargs["columns"]:
                        if column not in kwargs.get("nullable", []):
                            contract.not_null.setdefault(column, "key column of the grain test")
                elif kind in ("accepted_values_by_column", "accepted_values"):
                    values = kwargs.get("values_by_column") or {test["column_name"]: kwargs["values"]}
                    for column, accepted in values.items():
                        contract.accepted[column] = accepted
                        # dbt's accepted_values lets null pass; this project's test does unless listed.
                        if kind == "accepted_values_by_column" and None not in accepted:
                            contract.not_null.setdefault(column, f"test {kind} lists no null")
                elif kind == "not_null":
                    contract.not_null.setdefault(test["column_name"], "test not_null")
                elif kind == "unique":
                    contract.unique.append(test["column_name"])
            contract.not_null = {c: contract.not_null[c] for c in contract.columns if c in contract.not_null}
            found[name] = contract
    return found


# --- the suites, from the contracts -----------------------------------------------------------


def mart_expectations(contract: Contract) -> list[gxe.Expectation]:
    name = contract.name
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableColumnsToMatchOrderedList(
            column_list=list(contract.columns),
            description=f"{name} has exactly the columns of its dbt contract, in its order.",
        ),
        *(
            gxe.ExpectColumnValuesToNotBeNull(column=column, description=f"{column} is never null ({why}).")
            for column, why in contract.not_null.items()
        ),
    ]
    if len(contract.grain) > 1:
        expectations.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=contract.grain,
                description=f"One row per {' x '.join(contract.grain)}: the grain of {name}.",
            )
        )
    unique = contract.grain if len(contract.grain) == 1 else []
    for column in [*unique, *contract.unique]:
        expectations.append(
            gxe.ExpectColumnValuesToBeUnique(column=column, description=f"{column} is unique.")
        )
    for column, accepted in contract.accepted.items():
        values = [value for value in accepted if value is not None]
        expectations.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=column,
                value_set=values,
                description=f"{column} is one of {', '.join(map(str, values))}"
                + (" or null." if None in accepted else "."),
            )
        )
    return expectations


def types_expectations(found: dict[str, Contract]) -> list[gxe.Expectation]:
    """Per mart: each column's `<name> <DuckDB type>` (information_schema) as its contract says.

    (A single-column expectation with a row condition: GX 1.24 miscounts column-pair ones.)"""
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="column_type",
            value_set=[f"{column} {data_type}" for column, data_type in contract.columns.items()],
            row_condition=Column("mart") == name,
            description=f"The columns of {name} have the DuckDB types of its dbt contract.",
        )
        for name, contract in found.items()
    ]


def suites(found: dict[str, Contract]) -> dict[str, tuple[list[gxe.Expectation], list[str]]]:
    """Per GX asset (each mart, and the column types): its expectations and index columns."""
    generated = {name: (mart_expectations(contract), contract.grain) for name, contract in found.items()}
    generated[TYPES_ASSET] = (types_expectations(found), TYPES_INDEX)
    return generated


# --- the GX project -------------------------------------------------------------------------


def definition(expectation: gxe.Expectation) -> str:
    """An expectation's configuration without its id, comparable across runs."""
    configuration = expectation.configuration.to_json_dict()
    configuration.pop("id", None)
    return json.dumps(configuration, sort_keys=True, default=str)


def with_stored_ids(context: FileDataContext, suite: gx.ExpectationSuite) -> gx.ExpectationSuite:
    """The suite with the ids its unchanged expectations have in the stored suite
    (`add_or_update` in GX 1.24 compares expectations including their id)."""
    try:
        stored = context.suites.get(suite.name)
    except DataContextError:
        return suite
    stored_ids = {definition(expectation): expectation.id for expectation in stored.expectations}
    for expectation in suite.expectations:
        expectation.id = stored_ids.get(definition(expectation))
    return suite


def gx_context(project_root: Path, generated: dict[str, tuple[list, list[str]]]) -> FileDataContext:
    """The file-backed GX project in <project_root>/gx with exactly the generated suites, each
    with its validation definition and checkpoint; unchanged objects keep their ids."""
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

    for checkpoint in context.checkpoints.all():  # suites of marts no longer published
        if checkpoint.name not in generated:
            context.checkpoints.delete(checkpoint.name)
    for validation in context.validation_definitions.all():
        if validation.name not in generated:
            context.validation_definitions.delete(validation.name)
    for suite in context.suites.all():
        if suite.name not in generated:
            context.suites.delete(suite.name)
    for asset_name in datasource.get_asset_names():
        if asset_name not in generated:
            datasource.delete_asset(asset_name)

    for asset_name, (expectations, index_columns) in generated.items():
        try:
            asset = datasource.get_asset(asset_name)
        except LookupError:
            asset = datasource.add_dataframe_asset(asset_name)
        try:
            batch_definition = asset.get_batch_definition(BATCH_DEFINITION_NAME)
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)
        suite = with_stored_ids(context, gx.ExpectationSuite(name=asset_name, expectations=expectations))
        validation = gx.ValidationDefinition(name=asset_name, data=batch_definition, suite=suite)
        context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=asset_name,
                validation_definitions=[validation],
                actions=[],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_columns},
            )
        )
    return context


# --- reading the published file ------------------------------------------------------------


def read_published(path: Path) -> dict[str, pd.DataFrame]:
    """Each published mart, and the column types of schema marts, through a read-only connection."""
    if not path.is_file():
        raise ValidationError(
            f"the published file {path} does not exist: publish first (banenafspraak run), or "
            "pass --published-db."
        )
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise ValidationError(f"cannot open {path} read-only: {error}") from error
    with connection:
        catalog = connection.execute(
            "select table_name as mart, column_name, data_type, column_name || ' ' || data_type "
            "as column_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? "
            "order by table_name, ordinal_position",
            [SCHEMA],
        ).df()
        missing = [name for name in MARTS if name not in set(catalog["mart"])]
        if missing:
            raise ValidationError(
                f"{path} lacks {', '.join(f'{SCHEMA}.{name}' for name in missing)}: it is not a "
                "complete publication of the marts."
            )
        frames = {name: connection.execute(f'select * from {SCHEMA}."{name}"').df() for name in MARTS}
    frames[TYPES_ASSET] = catalog
    return frames


# --- reporting ------------------------------------------------------------------------------


def short(value: object) -> str:
    """A value as printed: whole floats without their .0, missing values as null."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return "null" if text in ("nan", "<NA>", "None", "NaT") else text


def details(result: dict[str, Any], kwargs: dict[str, Any]) -> str:
    """What went wrong, with a few unexpected rows or values, from a GX result dictionary."""
    examples = result.get("unexpected_index_list") or []
    if kwargs.get("column") == "column_type":  # the column types
        contracted = dict(entry.split(" ", 1) for entry in kwargs["value_set"])
        return "; ".join(
            f"{row['column_name']} is {row['data_type']}, the contract says "
            f"{contracted.get(row['column_name'], 'no such column')}"
            for row in examples[:MAX_EXAMPLES]
        )
    if examples and isinstance(examples[0], dict):
        column = kwargs.get("column")
        rendered = []
        for example in examples[:MAX_EXAMPLES]:
            where = ", ".join(f"{key}={short(item)}" for key, item in example.items() if key != column)
            rendered.append((f"{short(example.get(column))} at " if column else "") + f"({where})")
        return f"{result.get('unexpected_count', len(examples))} unexpected row(s), e.g. " + "; ".join(
            rendered
        )
    mismatched = (result.get("details") or {}).get("mismatched") or []
    if isinstance(mismatched, list) and mismatched:
        return "; ".join(
            f"column {item['Expected Column Position'] + 1}: the contract says "
            f"{item['Expected'] or 'no column'}, the file has {item['Found'] or 'no column'}"
            for item in mismatched
        )
    observed = result.get("observed_value")
    return f"observed {short(observed)}" if observed is not None else "no details"


def exception_message(info: dict[str, Any] | None) -> str | None:
    """The message of an exception GX caught while evaluating an expectation (flat or per metric)."""
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def failure_lines(asset_name: str, checkpoint_result: Any) -> list[str]:
    lines = []
    for validation_result in checkpoint_result.run_results.values():
        for expectation_result in validation_result.results:
            if expectation_result.success:
                continue
            configuration = expectation_result.expectation_config
            kwargs = dict(configuration.kwargs)
            scope = (
                f"column {kwargs['column']}"
                if kwargs.get("column")
                else f"columns {', '.join(kwargs['column_list'])}"
                if "column_list" in kwargs
                and configuration.type != "expect_table_columns_to_match_ordered_list"
                else "whole table"
            )
            error = exception_message(expectation_result.exception_info)
            what = (
                f"could not be evaluated: {error}"
                if error
                else details(expectation_result.result or {}, kwargs)
            )
            lines.append(
                f"FAILED {asset_name}: {configuration.type} on {scope} - {configuration.description} {what}"
            )
    return lines


def docs_index(context: FileDataContext, names: list[str], identifiers: list[Any]) -> Path | None:
    """Build Data Docs for this run's results (and the suites); the path of its index.html."""
    suites_ids = [ExpectationSuiteIdentifier(name=name) for name in names]
    sites = context.build_data_docs(resource_identifiers=[*suites_ids, *identifiers])
    url = sites.get("local_site") or next(iter(sites.values()), None)
    return Path(unquote(urlparse(url).path)) if url else None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--published-db",
        type=Path,
        default=None,
        help="the DuckDB file to validate (default: BANENAFSPRAAK_PUBLISHED_DB, else "
        "published/banenafspraak.duckdb); publish passes its candidate file",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=None,
        help="the dbt manifest with the contracts (default: <DBT_TARGET_PATH or target>/manifest.json, "
        "written by `dbt parse` when missing)",
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
    published_db = (args.published_db or published_db_path()).resolve()
    try:
        generated = suites(contracts(load_manifest(args.manifest)))
        frames = read_published(published_db)
    except ValidationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    gx_root = args.gx_project_root.resolve()
    # GX rewrites the suites, checkpoints and results under gx/ on every run: two validations of
    # one project (two publishes, a BI refresh beside a test run) take turns instead of reading
    # each other's half-written files.
    (gx_root / "gx" / "uncommitted").mkdir(parents=True, exist_ok=True)
    with FileLock(gx_root / "gx" / "uncommitted" / "validate.lock"):
        return validate(gx_root, generated, frames, published_db, args.no_docs)


def validate(
    gx_root: Path,
    generated: dict[str, tuple[list, list[str]]],
    frames: dict[str, pd.DataFrame],
    published_db: Path,
    no_docs: bool,
) -> int:
    """Runs every checkpoint on its published mart and prints the failures and the summary."""
    context = gx_context(gx_root, generated)
    run_id = RunIdentifier(run_name="validate_marts", run_time=datetime.datetime.now(datetime.UTC))
    failures: list[str] = []
    identifiers: list[Any] = []
    evaluated = 0
    for asset_name, frame in frames.items():
        result = context.checkpoints.get(asset_name).run(batch_parameters={"dataframe": frame}, run_id=run_id)
        identifiers.extend(result.run_results.keys())
        evaluated += sum(len(run.results) for run in result.run_results.values())
        failures.extend(failure_lines(asset_name, result))

    for line in failures:
        print(line)
    where = f"the {len(MARTS)} marts of {published_db}, against their dbt contracts"
    print(
        f"{len(failures)} of {evaluated} expectations failed on {where}."
        if failures
        else f"All {evaluated} expectations passed on {where}."
    )
    if no_docs:
        print("Data Docs: not built (--no-docs).")
    else:
        index = docs_index(context, list(generated), identifiers)
        print(f"Data Docs: {index}" if index else "Data Docs: no site configured in gx/.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
