"""A live snapshot given again later equals the live timers computed afresh then: at every
instant before its ``until``, on random scenarios and on the examples; and ``until`` is where
they would part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from accord.engine.clock import to_us
from accord.engine.context import from_us
from accord.engine.live import live_snapshot, live_timers
from accord.io import read_tables
from accord.model import load_agreements
from tests.engine.scenarios import Scenario, scenarios
from tests.engine.test_properties import PROPERTY

EXAMPLES = Path(__file__).parents[2] / "examples"


@PROPERTY
@given(scenarios(kinds=("response_time", "resolution_time"), many=True, agreements=2),
       st.floats(0, 1, exclude_max=True))
def test_a_snapshot_later_is_the_live_timers_then(scenario: Scenario, share: float) -> None:
    agreements = scenario.agreements
    snapshot = live_snapshot(agreements, scenario.tables, scenario.at)
    assert_frame_equal(snapshot.timers_at(scenario.at),
                       live_timers(agreements, scenario.tables, scenario.at))
    assert snapshot.until > snapshot.at
    later = snapshot.at + int((snapshot.until - snapshot.at) * share)
    assert_frame_equal(snapshot.timers_at(later),
                       live_timers(agreements, scenario.tables, from_us(later)))


@pytest.mark.parametrize("at", ["2026-01-05T08:00:00Z", "2026-02-27T16:59:00Z",
                                "2026-03-17T14:00:00Z", "2026-04-10T11:30:00Z"])
def test_the_examples_snapshot_holds_until_the_next_instant(at: str) -> None:
    when = datetime.fromisoformat(at).astimezone(UTC)
    tables, _ = read_tables(EXAMPLES / "data")
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    snapshot = live_snapshot(agreements, tables, when)
    assert snapshot.timers.height > 0
    for step in (0, 1, 59_999_999, (snapshot.until - snapshot.at) // 2,
                 snapshot.until - snapshot.at - 1):
        later = snapshot.at + step
        fresh = live_timers(agreements, tables, from_us(later))
        assert_frame_equal(snapshot.timers_at(later), fresh)
        if step:  # time has passed: the running timers moved on
            running = fresh.filter(pl.col("state") == "running").height
            assert running == 0 or not snapshot.timers_at(later).equals(
                snapshot.timers_at(snapshot.at))
    with pytest.raises(ValueError, match="holds until"):
        snapshot.timers_at(snapshot.until)
    with pytest.raises(ValueError, match="holds until"):
        snapshot.timers_at(snapshot.at - 1)


def test_until_is_the_next_thing_that_happens() -> None:
    tables, _ = read_tables(EXAMPLES / "data")
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    when = datetime(2026, 3, 17, 14, tzinfo=UTC)
    snapshot = live_snapshot(agreements, tables, when)
    instants = pl.concat([
        *(tables.tickets.get_column(c) for c in ("created_at", "first_response_at",
                                                   "resolved_at")),
        tables.ticket_status.get_column("at")]).drop_nulls()
    following = instants.filter(instants > when).min()
    assert isinstance(following, datetime)
    midnight = datetime(2026, 3, 18, tzinfo=UTC) - timedelta(hours=1)  # Berlin's, in winter
    assert snapshot.until == min(to_us(following), to_us(midnight))
