"""Live timers agree with the evaluation: every open timer an evaluation lists (pending, or
counted where it fell due) is a live timer with the same numbers, and every live timer is
listed by the evaluation of the period it belongs to."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from accord.engine import Period, evaluate
from accord.engine.live import LIVE_SCHEMA, live_timers
from accord.io import read_tables
from accord.model import load_agreements

EXAMPLES = Path(__file__).parents[2] / "examples"
KEYS = ["agreement", "customer", "objective", "ticket"]


def _month(instant: datetime, zone: str = "Europe/Berlin") -> str:
    from zoneinfo import ZoneInfo

    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.year:04d}-{local.month:02d}"


@pytest.mark.parametrize("at", ["2026-01-05T08:00:00Z", "2026-02-27T16:59:00Z",
                                "2026-03-17T14:00:00Z", "2026-04-10T11:30:00Z"])
def test_live_timers_are_the_evaluations_open_timers(at: str) -> None:
    when = datetime.fromisoformat(at).astimezone(UTC)
    tables, _ = read_tables(EXAMPLES / "data")
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    live = live_timers(agreements, tables, when)
    assert live.schema == pl.Schema(LIVE_SCHEMA)
    assert live.height > 0
    assert live.get_column("time_left_s").is_sorted()

    # Each open timer belongs to the period of `at` (pending) or to the one it fell due in.
    months = {_month(when)} | {_month(d) for d in live.get_column("due_at").drop_nulls()}
    listed = pl.concat([
        evaluate(agreements, tables, Period.parse(month), when).items
        .filter(pl.col("state").is_in(["running", "paused"]))
        .select(*KEYS, "state", "elapsed_s", "target_s", "due_at")
        for month in sorted(months)]).unique()
    joined = live.join(listed, on=KEYS, how="full", coalesce=True, suffix="_evaluated")
    assert joined.filter(pl.col("state").is_null() | pl.col("state_evaluated").is_null()).height == 0
    for column in ("state", "elapsed_s", "target_s", "due_at"):
        differ = joined.filter(pl.col(column).ne_missing(pl.col(f"{column}_evaluated")))
        assert differ.height == 0, (column, differ.head())
    assert (live.get_column("time_left_s")
            == live.get_column("target_s") - live.get_column("elapsed_s")).all()


def test_nothing_is_live_before_any_ticket() -> None:
    tables, _ = read_tables(EXAMPLES / "data")
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    live = live_timers(agreements, tables, datetime(2025, 12, 1, tzinfo=UTC))
    assert live.height == 0
    assert live.schema == pl.Schema(LIVE_SCHEMA)
