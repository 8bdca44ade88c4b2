"""Events from live timers and credit statements, each named by a key that never changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accord.service.credits import CreditStatement
from accord.service.live import LiveTimer
from accord.service.notify.events import EventKind, period_events, ticket_events

AT = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def timer(elapsed: float, target: int = 14400, state: str = "running") -> LiveTimer:
    return LiveTimer("acme-it", "acme", "resolution", "resolution_time", "T-1", state, elapsed,
                     target, target - elapsed, elapsed / target,
                     None if state == "paused" else datetime(2026, 3, 3, 14, tzinfo=UTC),
                     elapsed >= 0.75 * target)


@pytest.mark.parametrize(("elapsed", "keys"), [
    (10799, []),
    (10800, ["warning:0.75:acme-it:acme:resolution:T-1"]),
    (12959, ["warning:0.75:acme-it:acme:resolution:T-1"]),
    (12960, ["warning:0.9:acme-it:acme:resolution:T-1"]),
    (14400, ["warning:0.9:acme-it:acme:resolution:T-1"]),
    (14401, ["breach:acme-it:acme:resolution:T-1"]),
])
def test_a_timer_gives_the_highest_state_it_has_reached_and_breaches_only_past_the_target(
        elapsed: float, keys: list[str]) -> None:
    assert [e.key for e in ticket_events([timer(elapsed)], [0.9, 0.75], AT)] == keys


@pytest.mark.parametrize(("kinds", "keys"), [
    ([EventKind.WARNING], ["warning:0.9:acme-it:acme:resolution:T-1"]),
    ([EventKind.BREACH], ["breach:acme-it:acme:resolution:T-1"]),
    ([EventKind.PERIOD_CLOSED], []),
])
def test_a_breached_timer_gives_the_highest_state_among_the_kinds_wanted(
        kinds: list[EventKind], keys: list[str]) -> None:
    assert [e.key for e in ticket_events([timer(20000)], [0.75, 0.9], AT, kinds)] == keys


def test_a_paused_timer_warns_without_a_due_instant() -> None:
    [event] = ticket_events([timer(11000, state="paused")], [0.75], AT)
    assert (event.kind, event.payload["state"], event.payload["due_at"]) == (
        EventKind.WARNING, "paused", None)
    assert event.payload["at"] == "2026-03-03T12:00:00Z"


def test_a_closed_period_gives_one_event_per_agreement_and_customer_with_its_statement() -> None:
    statements = [CreditStatement("acme-it", "IT", customer, "2026-03", 1, 4.0, "480.00", "EUR",
                                  False) for customer in ("acme", "globex")]
    found = period_events(statements, AT)
    assert [e.key for e in found] == ["period_closed:2026-03:acme-it:acme",
                                      "period_closed:2026-03:acme-it:globex"]
    assert found[0].payload["statement"]["amount"] == "480.00"
    assert found[0].payload["ticket"] is None
