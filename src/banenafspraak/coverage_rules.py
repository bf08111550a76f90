"""The project's own dbt-score rules: what every model, source, exposure and macro must have
beyond dbt-score's built-in rules (pyproject.toml [tool.dbt-score] loads this module through
`rule_namespaces`; `dbt-score list` shows every rule, `banenafspraak check-coverage` runs them).

  model_has_a_data_test           at least one data test on the model or one of its columns, or
                                  meta.grain_tested_by naming the model whose tests check it
  model_grain_is_tested           a grain test (primary_key, unique, unique_combination_of_columns),
                                  or meta.grain_tested_by naming the model whose test checks it,
                                  or meta.no_grain saying why the model has no key
  public_model_enforces_contract  a model with access public enforces its contract
  tests_are_described             every data test of a model or seed has a description: generic
                                  test instances (`description:` beside `arguments:`) and
                                  singular tests (a `data_tests:` entry in a properties file),
                                  which dbt-score attributes to the first node they depend on
  source_is_described             a source table and each of its columns has a description
  exposure_is_described           an exposure has a description and an owner
  macro_documents_its_arguments   a macro documents exactly the arguments of its `{% macro %}`
                                  (or `{% test %}`) tag

Each rule returns a RuleViolation whose message names what is missing, so the gate's output says
what to write where. No `from __future__ import annotations` here: dbt-score reads each rule's
resource type from its annotation, which must be the class, not a string.
"""

import ast
import re

from dbt_score import Exposure, Macro, Model, RuleViolation, Seed, Source, rule

GRAIN_TESTS = {"unique", "unique_combination_of_columns", "primary_key"}
# The opening tag of a macro or generic test definition, with its parameter list.
MACRO_TAG = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%\}", re.S)


def data_test_types(model: Model) -> set[str]:
    """The kinds of the data tests on a model and its columns (`generic` for a singular test)."""
    on_columns = {test.type for column in model.columns for test in column.tests}
    return {test.type for test in model.tests} | on_columns


@rule
def model_has_a_data_test(model: Model) -> RuleViolation | None:
    """A model has at least one data test, unless meta.grain_tested_by names the model downstream
    whose tests check it (the staged inputs: their rows are validated, duplicates included, where
    they are classified, in the same pass as everything else)."""
    if model.meta.get("grain_tested_by"):
        return None
    if not data_test_types(model):
        return RuleViolation(message="has no data test")
    return None


@rule
def model_grain_is_tested(model: Model) -> RuleViolation | None:
    """A model's grain is tested: by a grain test on it, by the model meta.grain_tested_by names
    (a model too large to test alone, whose grain a later pass checks), or meta.no_grain says why
    it has none (a list of rejected rows: both copies of a duplicate are listed)."""
    if model.config.get("materialized") == "ephemeral" or model.meta.get("no_grain"):
        return None
    tested_by = model.meta.get("grain_tested_by")
    if tested_by:
        name = str(tested_by).split()[0]
        relatives = {node.name for node in (*model.parents, *model.children)}
        descendants = {
            grandchild.name for child in model.children for grandchild in getattr(child, "children", [])
        }
        if name not in relatives | descendants | {model.name}:
            return RuleViolation(message=f"grain_tested_by names no model downstream: {tested_by}")
        return None
    if not data_test_types(model) & GRAIN_TESTS:
        return RuleViolation(message=f"has no primary-key test ({' or '.join(sorted(GRAIN_TESTS))})")
    return None


@rule
def public_model_enforces_contract(model: Model) -> RuleViolation | None:
    """A public model (read by BI tools) enforces its contract."""
    if model.access == "public" and not model.config.get("contract", {}).get("enforced"):
        return RuleViolation(message="is public but does not enforce a contract")
    return None


def undescribed_tests(tests) -> list[str]:
    return sorted({test.name for test in tests if not (test._raw_values.get("description") or "").strip()})


def tests_violation(node: Model | Seed) -> RuleViolation | None:
    tests = [*node.tests, *(test for column in node.columns for test in column.tests)]
    missing = undescribed_tests(tests)
    if missing:
        return RuleViolation(message="tests lack a description: " + ", ".join(missing))
    return None


@rule
def tests_are_described(model: Model) -> RuleViolation | None:
    """Every data test on a model (generic instance or singular test) has a description."""
    return tests_violation(model)


@rule
def seed_tests_are_described(seed: Seed) -> RuleViolation | None:
    """Every data test on a seed has a description."""
    return tests_violation(seed)


@rule
def source_is_described(source: Source) -> RuleViolation | None:
    """A source table and each of its columns has a description."""
    missing = [column.name for column in source.columns if not column.description.strip()]
    if not source.description.strip():
        return RuleViolation(message="lacks a description")
    if missing:
        return RuleViolation(message="columns lack a description: " + ", ".join(missing))
    return None


@rule
def exposure_is_described(exposure: Exposure) -> RuleViolation | None:
    """An exposure has a description and an owner."""
    if not exposure.description.strip():
        return RuleViolation(message="lacks a description")
    if not (exposure.owner.get("name") or exposure.owner.get("email")):
        return RuleViolation(message="has no owner")
    return None


def macro_parameters(macro_sql: str) -> list[str] | None:
    """The parameter names in a macro's opening tag; None when there is no such tag."""
    tag = MACRO_TAG.search(macro_sql)
    if not tag:
        return None
    try:
        signature = ast.parse(f"def f({tag.group(1)}): pass").body[0].args
    except SyntaxError:
        return None
    names = [arg.arg for arg in (*signature.posonlyargs, *signature.args, *signature.kwonlyargs)]
    return names + [arg.arg for arg in (signature.vararg, signature.kwarg) if arg]


@rule
def macro_documents_its_arguments(macro: Macro) -> RuleViolation | None:
    """A macro documents exactly the arguments of its tag: none missing, none it does not have."""
    parameters = macro_parameters(macro.macro_sql)
    if parameters is None:
        return None
    documented = [argument["name"] for argument in macro.arguments]
    missing = [name for name in parameters if name not in documented]
    extra = [name for name in documented if name not in parameters]
    problems = []
    if missing:
        problems.append("arguments not documented: " + ", ".join(missing))
    if extra:
        problems.append("documents arguments it does not have: " + ", ".join(extra))
    return RuleViolation(message="; ".join(problems)) if problems else None
