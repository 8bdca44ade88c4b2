"""Building blocks for engine tests: agreements from YAML text, tables from rows, and the two
evaluators (the engine and the oracle) behind one signature."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from accord.engine.periods import Period
from accord.engine.tables import SCHEMAS, TableName, Tables
from accord.model import Agreement, parse_agreement
from tests.oracle import reference_document

__all__ = ["EVALUATORS", "Evaluator", "agreement", "evaluator_named", "local", "make_tables"]

Evaluator = Callable[[Sequence[Agreement], Tables, Period, datetime], dict[str, Any]]
EVALUATORS = ("oracle", "engine")


def agreement(text: str) -> Agreement:
    """An agreement parsed from YAML text (the format of DESIGN.md §3)."""
    return parse_agreement(textwrap.dedent(text).strip() + "\n", "<test>")


def local(text: str, zone: str = "UTC") -> datetime:
    """The UTC instant of a local time such as ``2026-03-06T16:00`` in ``zone`` (fold=0)."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def make_tables(**rows: list[dict[str, Any]]) -> Tables:
    """Tables from rows; a column a row leaves out is empty."""
    frames: dict[str, pl.DataFrame] = {}
    for name, table_rows in rows.items():
        schema = SCHEMAS[TableName(name)]
        extra = sorted({c for row in table_rows for c in row} - set(schema))
        full = {**schema, **dict.fromkeys(extra, pl.String())}
        frames[name] = pl.DataFrame(
            [{column: row.get(column) for column in full} for row in table_rows], schema=full
        )
    return Tables(**frames)


def _engine(
    agreements: Sequence[Agreement], tables: Tables, period: Period, at: datetime
) -> dict[str, Any]:
    try:
        from accord.engine import evaluate
    except ImportError:
        pytest.skip("accord.engine.evaluate does not exist yet")
    document: dict[str, Any] = evaluate(agreements, tables, period, at).document()
    return document


def evaluator_named(name: str) -> Evaluator:
    return reference_document if name == "oracle" else _engine
