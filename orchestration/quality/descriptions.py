"""What a failed Great Expectations expectation says, in a sentence a district officer can act on.

`failures` turns GX's validation result into FailedExpectation rows in the suite's order; the rest
builds each description (where, how many, what was expected, a few of the values found).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )


class FailedExpectation(NamedTuple):
    """One expectation a staged model did not meet."""

    expectation_type: str
    column: str | None  # "uscc, period" for a compound key; None for a table-level expectation
    unexpected_count: int | None  # None where GX counts no rows (row count, column set, types, errors)
    description: str


def failures(suite: ExpectationSuite, outcome: ExpectationSuiteValidationResult) -> list[FailedExpectation]:
    """Failed expectations in the suite's order (GX returns them in the order it computed them)."""
    order = {expectation.id: position for position, expectation in enumerate(suite.expectations)}
    failed = [result for result in outcome.results if not result.success]
    failed.sort(key=lambda result: order.get(result.expectation_config.id, len(order)))
    return [_failure(result) for result in failed]


def _failure(result: ExpectationValidationResult) -> FailedExpectation:
    config = result.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or (", ".join(kwargs["column_list"]) if "column_list" in kwargs else None)
    details = result.result or {}
    error = _exception_message(result)
    count = details.get("unexpected_count") if not error else None
    return FailedExpectation(
        config.type,
        column,
        None if count is None else int(count),
        _describe(config.type, kwargs, details, error),
    )


def _exception_message(result: ExpectationValidationResult) -> str | None:
    """GX reports an error either flat or keyed by the metric that raised it."""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def _describe(kind: str, kwargs: dict[str, Any], details: dict[str, Any], error: str | None) -> str:
    """A short sentence: where, how many, what was expected, and a few of the values found."""
    column = kwargs.get("column") or ", ".join(kwargs.get("column_list", [])) or "table"
    if error:
        return f"{column}: could not be evaluated: {error.strip().splitlines()[0]}"
    observed = details.get("observed_value")
    if kind == "expect_table_row_count_to_be_between":
        return f"the table has {observed} rows, expected {_bounds(kwargs)}"
    if kind == "expect_table_columns_to_match_set":
        mismatched = (details.get("details") or {}).get("mismatched") or {}
        parts = [
            f"{label} {', '.join(map(str, mismatched[key]))}"
            for key, label in (("missing", "missing"), ("unexpected", "unexpected"))
            if mismatched.get(key)
        ]
        return f"the columns differ from the staged model's: {'; '.join(parts) or observed}"
    if kind in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"):
        expected = kwargs.get("type_") or " or ".join(kwargs.get("type_list") or [])
        return f"{column}: type is {observed}, expected {expected}"

    what = {
        "expect_column_values_to_not_be_null": "are empty",
        "expect_column_values_to_be_in_set": f"are not among the {len(kwargs.get('value_set') or [])} allowed values",
        "expect_column_values_to_be_between": f"are {_bounds(kwargs, outside=True)}",
        "expect_column_value_lengths_to_equal": f"are not {kwargs.get('value')} characters long",
        "expect_column_values_to_match_regex": f"do not match {kwargs.get('regex')}",
        "expect_compound_columns_to_be_unique": "share their key with another row",
        "expect_column_values_to_be_unique": "are not unique",
    }.get(kind, f"fail {kind}")
    unit = "rows" if "column_list" in kwargs else "values"
    text = f"{column}: {details.get('unexpected_count')} of {details.get('element_count')} {unit} {what}"
    if kwargs.get("mostly") is not None:
        text += f" ({details.get('unexpected_percent', 0):.1f}%, at most {1 - kwargs['mostly']:.0%} allowed)"
    examples = list(dict.fromkeys(_example(value) for value in details.get("partial_unexpected_list") or []))
    if examples and kind != "expect_column_values_to_not_be_null":
        text += ", e.g. " + "; ".join(examples[:3])
    return text


def _bounds(kwargs: dict[str, Any], outside: bool = False) -> str:
    low, high = (_plain(kwargs.get(key)) for key in ("min_value", "max_value"))
    if low is not None and high is not None:
        return f"outside {low} … {high}" if outside else f"between {low} and {high}"
    if low is not None:
        return f"below {low}" if outside else f"at least {low}"
    return f"above {high}" if outside else f"at most {high}"


def _plain(value: object) -> object:
    """0.0 as 0: GX turns the suites' whole-number bounds into floats."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _example(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    return str(value)
