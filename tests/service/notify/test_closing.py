"""A month closes when it has ended in the time zone of every stored agreement, and is
evaluated once after that."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from accord.service.evaluations import evaluate_period
from accord.service.notify.closing import ZoneCache, closed_month, ensure_evaluated
from tests.service.notify.world import apply


@pytest.mark.parametrize(("at", "month", "closed_at"), [
    # March ends at 2026-03-31T22:00Z in Berlin (summer time) and 2026-04-01T07:00Z in Los
    # Angeles: until then, the latest month closed everywhere is February.
    (datetime(2026, 3, 31, 23, tzinfo=UTC), "2026-02", datetime(2026, 3, 1, 8, tzinfo=UTC)),
    (datetime(2026, 4, 1, 6, 59, tzinfo=UTC), "2026-02", datetime(2026, 3, 1, 8, tzinfo=UTC)),
    (datetime(2026, 4, 1, 7, tzinfo=UTC), "2026-03", datetime(2026, 4, 1, 7, tzinfo=UTC)),
])
def test_a_month_has_closed_once_it_has_ended_in_every_agreements_zone(
        engine: Engine, tmp_path: Path, at: datetime, month: str, closed_at: datetime) -> None:
    apply(engine, tmp_path / "berlin", "alpha", zone="Europe/Berlin")
    apply(engine, tmp_path / "la", "beta", zone="America/Los_Angeles")
    found = closed_month(engine, at, ZoneCache())
    assert found is not None
    assert (found[0].label, found[1]) == (month, closed_at)


def test_without_agreements_no_month_has_closed(engine: Engine) -> None:
    assert closed_month(engine, datetime(2026, 4, 2, tzinfo=UTC), ZoneCache()) is None


def test_a_closed_month_is_evaluated_once_unless_already_evaluated_after_its_end(
        world: Engine) -> None:
    closed_at = datetime(2026, 4, 1, tzinfo=UTC)
    found = closed_month(world, datetime(2026, 4, 1, 0, 30, tzinfo=UTC), ZoneCache())
    assert found is not None
    march = found[0]
    # An evaluation during the month does not count: it is not the month's final figure.
    evaluate_period(world, period="2026-03", at=datetime(2026, 3, 20, tzinfo=UTC), by="ana",
                    now=closed_at)
    at = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
    assert ensure_evaluated(world, march, closed_at, at=at, now=at, by="worker") is True
    assert ensure_evaluated(world, march, closed_at, at=at, now=at, by="worker") is False
