"""Worked examples from public SLA documentation and from docs/semantics.md, as tables of
input → output, held against both the engine and the oracle (tests/oracle.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from accord.engine.periods import Period
from accord.engine.tables import Tables
from tests.engine.build import EVALUATORS, Evaluator, agreement, evaluator_named, local, make_tables


@pytest.fixture(params=EVALUATORS)
def evaluate(request: pytest.FixtureRequest) -> Evaluator:
    return evaluator_named(request.param)


def pick(document: Any, path: str) -> Any:
    """``agreements.0.objectives.1.counted`` → that value of the document."""
    for part in path.split("."):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def header(
    *, zone: str = "UTC", hours: str = "mon-fri: \"09:00-17:00\"", holidays: str = "",
    fee: str = "", cap: str = "", customer: str = "acme",
) -> str:
    """The agreement's keys up to ``objectives:``, with one calendar ``office``."""
    extra = f"\n    holidays: {holidays}" if holidays else ""
    return f"""
        accord: 1
        id: desk
        type: sla
        provider: northwind
        customer: "{customer}"
        services: [desk]
        effective: {{from: 2025-01-01}}
        timezone: {zone}
        {fee}
        {cap}
        calendars:
          office:
            hours: {{{hours}}}{extra.replace(chr(10), chr(10) + "        ")}
        objectives:
    """


def ticket(
    ticket_id: str, created: datetime, *, priority: str = "P1", customer: str = "acme",
    **cells: Any,
) -> dict[str, Any]:
    return {"id": ticket_id, "customer": customer, "service": "desk", "priority": priority,
            "created_at": created, **cells}


def status(ticket_id: str, at: datetime, value: str) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "at": at, "status": value}


@dataclass
class Case:
    id: str
    text: str
    tables: Tables
    period: str
    at: datetime
    expect: dict[str, Any] = field(default_factory=dict)


def _t(text: str) -> datetime:
    return local(text, "UTC")


RESOLUTION_8H = """
          resolution:
            metric: resolution_time
            pause: [pending_customer]
            target: 8h
"""

CASES = [
    # Zendesk/Jira-style business hours: 16:00-17:00 Friday (1 h), then 09:00-12:00 Monday.
    Case(
        "friday-16h-ticket-with-4h-business-target-is-due-monday-12h",
        header(zone="Europe/Berlin") + """
          resolution:
            metric: resolution_time
            calendar: office
            target: 4h
        """,
        make_tables(tickets=[ticket("T-1", local("2026-03-06T16:00", "Europe/Berlin"))]),
        "2026-03", local("2026-03-06T16:30", "Europe/Berlin"),
        {"items.0.due_at": "2026-03-09T11:00:00Z", "items.0.elapsed_s": 1800,
         "items.0.state": "running", "items.0.met": True, "items.0.period": None,
         "agreements.0.objectives.0.pending": 1, "agreements.0.objectives.0.counted": 0,
         "agreements.0.objectives.0.attainment": None, "agreements.0.objectives.0.met": True},
    ),
    # A ticket opened Friday evening, checked Monday 09:30 on an 08:00-17:00 schedule: 1 h 30 m
    # (New York changes to summer time on the Sunday in between).
    Case(
        "friday-21h-ticket-has-1h30m-business-time-on-monday-9h30",
        header(zone="America/New_York", hours='mon-fri: "08:00-17:00"') + """
          response:
            metric: response_time
            calendar: office
            target: 4h
        """,
        make_tables(tickets=[ticket("T-1", local("2026-03-06T21:00", "America/New_York"))]),
        "2026-03", local("2026-03-09T09:30", "America/New_York"),
        {"items.0.elapsed_s": 5400, "items.0.state": "running",
         "items.0.due_at": "2026-03-09T16:00:00Z"},
    ),
    Case(
        "target-reached-at-closing-time-is-due-at-closing-time",
        header() + """
          resolution:
            metric: resolution_time
            calendar: office
            target: 4h
        """,
        make_tables(tickets=[ticket("T-1", _t("2026-03-02T13:00"))]),
        "2026-03", _t("2026-03-02T14:00"),
        {"items.0.due_at": "2026-03-02T17:00:00Z"},
    ),
    Case(
        "pause-then-resume-then-resolve",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T10:00"), "pending_customer"),
                           status("T-1", _t("2026-03-02T14:00"), "open"),
                           status("T-1", _t("2026-03-02T15:00"), "resolved")],
        ),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.elapsed_s": 7200, "items.0.state": "stopped",
         "items.0.due_at": "2026-03-02T21:00:00Z", "items.0.period": "2026-03",
         "agreements.0.objectives.0.counted": 1, "agreements.0.objectives.0.attainment": 1.0},
    ),
    Case(
        "reopened-ticket-resumes-and-stops-at-its-last-resolution",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T11:00"), "resolved"),
                           status("T-1", _t("2026-03-02T13:00"), "open"),
                           status("T-1", _t("2026-03-02T14:00"), "resolved")],
        ),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.elapsed_s": 10800, "items.0.due_at": "2026-03-02T19:00:00Z"},
    ),
    Case(
        "closing-a-resolved-ticket-keeps-the-resolution-instant",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T12:00"), "closed"),
                           status("T-1", _t("2026-03-02T11:00"), "resolved")],
        ),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.elapsed_s": 7200, "items.0.due_at": "2026-03-02T17:00:00Z"},
    ),
    Case(
        "ticket-paused-at-evaluation-has-no-due-date",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T10:00"), "pending_customer")],
        ),
        "2026-03", _t("2026-03-02T12:00"),
        {"items.0.state": "paused", "items.0.elapsed_s": 3600, "items.0.due_at": None,
         "items.0.period": None, "agreements.0.objectives.0.pending": 1},
    ),
    Case(
        "paused-ticket-past-its-target-counts-as-breached-in-the-period-of-its-due-date",
        header() + """
          resolution:
            metric: resolution_time
            pause: [pending_customer]
            target: 1h
        """,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-31T22:30"))],
            ticket_status=[status("T-1", _t("2026-04-01T01:00"), "pending_customer")],
        ),
        "2026-04", _t("2026-04-01T02:00"),
        {"items": [], "agreements.0.objectives.0.counted": 0},
    ),
    Case(
        "paused-ticket-past-its-target-is-breached-in-its-due-period",
        header() + """
          resolution:
            metric: resolution_time
            pause: [pending_customer]
            target: 1h
        """,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-31T22:30"))],
            ticket_status=[status("T-1", _t("2026-04-01T01:00"), "pending_customer")],
        ),
        "2026-03", _t("2026-04-01T02:00"),
        {"items.0.state": "paused", "items.0.met": False, "items.0.period": "2026-03",
         "items.0.due_at": "2026-03-31T23:30:00Z", "items.0.elapsed_s": 9000,
         "agreements.0.objectives.0.breached": 1, "agreements.0.objectives.0.attainment": 0.0,
         "agreements.0.objectives.0.met": False},
    ),
    Case(
        "response-stops-at-the-first-resolution-even-after-a-reopen",
        header() + """
          response:
            metric: response_time
            target: 4h
        """,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"), resolved_at=_t("2026-03-02T15:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T10:00"), "resolved"),
                           status("T-1", _t("2026-03-02T11:00"), "open")],
        ),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.state": "stopped", "items.0.elapsed_s": 3600},
    ),
    Case(
        "response-stops-at-the-first-response",
        header() + """
          response:
            metric: response_time
            target: 4h
        """,
        make_tables(tickets=[ticket("T-1", _t("2026-03-02T09:00"),
                                    first_response_at=_t("2026-03-02T09:20"),
                                    resolved_at=_t("2026-03-02T09:40"))]),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.state": "stopped", "items.0.elapsed_s": 1200,
         "items.0.due_at": "2026-03-02T13:00:00Z"},
    ),
    Case(
        "without-a-history-resolution-runs-to-resolved-at",
        header() + RESOLUTION_8H,
        make_tables(tickets=[ticket("T-1", _t("2026-03-02T09:00"),
                                    resolved_at=_t("2026-03-02T19:00"))]),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.state": "stopped", "items.0.elapsed_s": 36000, "items.0.met": False,
         "agreements.0.objectives.0.breached": 1},
    ),
    Case(
        "resolved-at-after-the-evaluation-instant-does-not-exist-yet",
        header() + RESOLUTION_8H,
        make_tables(tickets=[ticket("T-1", _t("2026-03-02T09:00"),
                                    resolved_at=_t("2026-03-02T19:00"))]),
        "2026-03", _t("2026-03-02T12:00"),
        {"items.0.state": "running", "items.0.elapsed_s": 10800, "items.0.period": None},
    ),
    Case(
        "a-row-before-creation-sets-the-status-in-force-at-creation",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T08:00"), "pending_customer"),
                           status("T-1", _t("2026-03-02T10:00"), "in_progress")],
        ),
        "2026-03", _t("2026-03-02T12:00"),
        {"items.0.state": "running", "items.0.elapsed_s": 7200,
         "items.0.due_at": "2026-03-02T18:00:00Z"},
    ),
    Case(
        "a-resolution-before-creation-stops-at-creation",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T08:00"), "resolved")],
        ),
        "2026-03", _t("2026-03-02T12:00"),
        {"items.0.state": "stopped", "items.0.elapsed_s": 0, "items.0.period": "2026-03",
         "items.0.due_at": "2026-03-02T17:00:00Z"},
    ),
    Case(
        "of-rows-at-one-instant-the-last-read-wins",
        header() + RESOLUTION_8H,
        make_tables(
            tickets=[ticket("T-1", _t("2026-03-02T09:00"))],
            ticket_status=[status("T-1", _t("2026-03-02T10:00"), "resolved"),
                           status("T-1", _t("2026-03-02T10:00"), "open")],
        ),
        "2026-03", _t("2026-03-02T12:00"),
        {"items.0.state": "running", "items.0.elapsed_s": 10800},
    ),
    Case(
        "priorities-without-a-target-and-other-customers-are-out-of-scope",
        header() + """
          resolution:
            metric: resolution_time
            targets: {P1: 1h, P2: 2h}
            where: {type: [incident]}
        """,
        make_tables(tickets=[
            ticket("T-1", _t("2026-03-02T09:00"), priority="P3", type="incident"),
            ticket("T-2", _t("2026-03-02T09:00"), priority="P2", type="incident",
                   resolved_at=_t("2026-03-02T10:00")),
            ticket("T-3", _t("2026-03-02T09:00"), priority="P2", type="request"),
            ticket("T-4", _t("2026-03-02T09:00"), priority="P2"),
            ticket("T-5", _t("2026-03-02T09:00"), priority="P1", customer="globex",
                   type="incident"),
        ]),
        "2026-03", _t("2026-03-03T00:00"),
        {"items.0.ticket": "T-2", "items.0.target_s": 7200, "items.0.met": True,
         "agreements.0.objectives.0.counted": 1, "agreements.0.objectives.0.pending": 0},
    ),
    Case(
        "a-delivery-slot-on-a-public-holiday-is-not-due",
        header(zone="Europe/Berlin", holidays="{country: DE, subdivision: BE}") + """
          morning-tea:
            metric: delivery
            item: tea
            schedule: {rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0", window: 30m}
            calendar: office
            target: 98%
        """,
        make_tables(deliveries=[
            {"id": "D-1", "customer": "acme", "item": "tea",
             "delivered_at": local("2026-04-01T08:10", "Europe/Berlin")},
            {"id": "D-2", "customer": "acme", "item": "tea",
             "delivered_at": local("2026-04-02T08:30", "Europe/Berlin")},
            {"id": "D-3", "customer": "acme", "item": "tea",
             "delivered_at": local("2026-04-03T08:05", "Europe/Berlin")},
            {"id": "D-4", "customer": "acme", "item": "tea",
             "delivered_at": local("2026-04-07T08:31", "Europe/Berlin")},
            {"id": "D-5", "customer": "acme", "item": "coffee",
             "delivered_at": local("2026-04-08T08:00", "Europe/Berlin")},
        ]),
        "2026-04", local("2026-04-08T12:00", "Europe/Berlin"),
        # Good Friday (04-03) and Easter Monday (04-06) are holidays in Berlin.
        {"items.0.slot": "2026-04-01T06:00:00Z", "items.0.delivery": "D-1",
         "items.1.slot": "2026-04-02T06:00:00Z", "items.1.delivery": "D-2",
         "items.1.window_end": "2026-04-02T06:30:00Z",
         "items.2.slot": "2026-04-07T06:00:00Z", "items.2.delivery": None,
         "items.2.met": False, "items.3.slot": "2026-04-08T06:00:00Z",
         "agreements.0.objectives.0.counted": 4, "agreements.0.objectives.0.breached": 2,
         "agreements.0.objectives.0.attainment": 0.5, "agreements.0.objectives.0.goal": 0.98},
    ),
    Case(
        "credit-is-capped-at-the-credit-cap",
        header(fee="fee: {amount: 1000, currency: EUR, per: month}",
               cap="credit_cap: 20%") + """
          resolution:
            metric: resolution_time
            target: 1h
            credit_per_breach: 10%
        """,
        make_tables(tickets=[
            ticket(f"T-{n}", _t(f"2026-03-0{n}T09:00"), resolved_at=_t(f"2026-03-0{n}T11:00"))
            for n in range(1, 4)
        ]),
        "2026-03", _t("2026-04-01T00:00"),
        {"agreements.0.objectives.0.credit.percent": 30.0,
         "agreements.0.credit": {"percent": 20.0, "amount": "200.00", "currency": "EUR",
                                 "capped": True},
         "agreements.0.met": False},
    ),
    Case(
        "tier-and-per-breach-credits-add-up",
        header(fee="fee: {amount: 1000, currency: EUR, per: month}") + """
          resolution:
            metric: resolution_time
            target: 1h
            compliance: 90%
            credits: [{below: 90%, credit: 5%}, {below: 50%, credit: 7%}]
            credit_per_breach: 1%
        """,
        make_tables(tickets=[
            ticket("T-1", _t("2026-03-02T09:00"), resolved_at=_t("2026-03-02T11:00")),
            ticket("T-2", _t("2026-03-02T09:00"), resolved_at=_t("2026-03-02T09:30")),
        ]),
        "2026-03", _t("2026-04-01T00:00"),
        {"agreements.0.objectives.0.attainment": 0.5,
         "agreements.0.objectives.0.credit.percent": 6.0,
         "agreements.0.credit": {"percent": 6.0, "amount": "60.00", "currency": "EUR",
                                 "capped": False}},
    ),
    Case(
        "kpi-p90-interpolates-linearly-like-numpy",
        header() + """
          handle-time:
            metric: kpi
            measure: handle_s
            aggregate: p90
            target: "<= 9"
            credits: [{above: 9, credit: 1%}, {above: 9.05, credit: 3%}]
        """,
        make_tables(measurements=[
            {"customer": "acme", "measure": "handle_s", "at": _t(f"2026-03-{d:02d}T10:00"),
             "value": float(d)} for d in range(1, 11)
        ]),
        "2026-03", _t("2026-04-01T00:00"),
        {"agreements.0.objectives.0.attainment": 9.1, "agreements.0.objectives.0.goal": 9.0,
         "agreements.0.objectives.0.target": "<= 9", "agreements.0.objectives.0.met": False,
         "agreements.0.objectives.0.counted": 10,
         "agreements.0.objectives.0.credit.percent": 3.0},
    ),
    Case(
        "service-based-agreement-is-evaluated-per-customer",
        header(customer="*") + """
          resolution:
            metric: resolution_time
            target: 1h
        """,
        make_tables(tickets=[
            ticket("T-1", _t("2026-03-02T09:00"), customer="globex"),
            ticket("T-2", _t("2026-03-02T09:00"), customer="acme"),
            ticket("T-3", _t("2026-03-05T09:00"), customer="initech"),
        ]),
        "2026-03", _t("2026-03-02T09:30"),
        {"agreements.0.customer": "acme", "agreements.1.customer": "globex",
         "items.1.ticket": "T-1", "items.1.customer": "globex"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_worked_example(case: Case, evaluate: Evaluator) -> None:
    document = evaluate([agreement(case.text)], case.tables, Period.parse(case.period), case.at)
    for path, expected in case.expect.items():
        assert pick(document, path) == expected, path


def _availability_text(tiers: str) -> str:
    return header() + f"""
          uptime:
            metric: availability
            target: 99.9%
            credits: {tiers}
        """


@pytest.mark.parametrize(
    ("minutes", "tiers", "percent", "credit"),
    [
        # 50 minutes down in a 30-day month: 99.884 %, the 10 % tier of 99.99 / 99.0 / 95.0.
        (50, "[{below: 99.99%, credit: 10%}, {below: 99.0%, credit: 25%}, "
             "{below: 95.0%, credit: 100%}]", "99.884", 10.0),
        # 500 minutes: 98.843 %, the 25 % tier of 99.9 / 99 / 95.
        (500, "[{below: 99.9%, credit: 10%}, {below: 99%, credit: 25%}, "
              "{below: 95%, credit: 100%}]", "98.843", 25.0),
        (0, "[{below: 99.9%, credit: 10%}]", "100.000", 0.0),
    ],
)
def test_downtime_in_a_30_day_month(
    minutes: int, tiers: str, percent: str, credit: float, evaluate: Evaluator
) -> None:
    start = _t("2026-04-10T10:00")
    incidents = [{"id": "I-1", "service": "desk", "kind": "outage", "start": start,
                  "end": start + timedelta(minutes=minutes)}]
    document = evaluate([agreement(_availability_text(tiers))], make_tables(incidents=incidents),
                        Period.parse("2026-04"), _t("2026-05-01T00:00"))
    objective = document["agreements"][0]["objectives"][0]
    assert objective["downtime_s"] == minutes * 60
    assert objective["measured_s"] == 30 * 86_400
    assert objective["attainment"] == float(1 - Fraction(minutes, 30 * 1440))
    assert f"{objective['attainment'] * 100:.3f}" == percent
    assert objective["credit"]["percent"] == credit
    assert objective["counted"] == (1 if minutes else 0)


@pytest.mark.parametrize(
    ("zone", "day", "hours", "seconds"),
    [
        # Across a change, local 09:00-17:00 is still 8 real hours (DESIGN.md §5).
        ("Europe/Berlin", "2026-03-29", "09:00-17:00", 8 * 3600),
        ("Europe/Berlin", "2026-10-25", "09:00-17:00", 8 * 3600),
        # A 00:00-24:00 day is 23 or 25 real hours.
        ("Europe/Berlin", "2026-03-29", "00:00-24:00", 23 * 3600),
        ("Europe/Berlin", "2026-10-25", "00:00-24:00", 25 * 3600),
        ("America/New_York", "2026-03-08", "00:00-24:00", 23 * 3600),
        ("America/New_York", "2026-11-01", "00:00-24:00", 25 * 3600),
        ("Australia/Sydney", "2026-04-05", "00:00-24:00", 25 * 3600),
        ("Australia/Sydney", "2026-10-04", "00:00-24:00", 23 * 3600),
        ("Australia/Lord_Howe", "2026-04-05", "00:00-24:00", 24 * 3600 + 1800),
        ("Australia/Lord_Howe", "2026-10-04", "00:00-24:00", 23 * 3600 + 1800),
        ("Asia/Kolkata", "2026-03-29", "00:00-24:00", 24 * 3600),
        # A range that starts in the skipped hour starts when the clocks jump: the wall clock
        # shows 03:00-04:00 CEST, 01:00Z-02:00Z.
        ("Europe/Berlin", "2026-03-29", "02:30-04:00", 3600),
        # A range in the repeated hour counts both passes by the wall clock: 02:30-03:00 CEST
        # (00:30Z-01:00Z), then 02:30-03:30 CET (01:30Z-02:30Z).
        ("Europe/Berlin", "2026-10-25", "02:30-03:30", 5400),
    ],
)
def test_business_day_across_daylight_saving_changes(
    zone: str, day: str, hours: str, seconds: int, evaluate: Evaluator
) -> None:
    text = header(zone=zone, hours=f'mon-sun: "{hours}"') + """
          resolution:
            metric: resolution_time
            calendar: office
            target: 2d
        """
    first = datetime.fromisoformat(day).date()
    next_day = first.fromordinal(first.toordinal() + 1).isoformat()
    tables = make_tables(tickets=[ticket("T-1", local(f"{day}T00:00", zone))])
    document = evaluate([agreement(text)], tables, Period.parse(day[:7]),
                        local(f"{next_day}T00:00", zone))
    assert document["items"][0]["elapsed_s"] == seconds


def test_a_24x7_month_with_a_change_to_summer_time_is_an_hour_short(
    evaluate: Evaluator,
) -> None:
    text = header(zone="Europe/Berlin") + """
          uptime:
            metric: availability
            target: 99.9%
        """
    document = evaluate([agreement(text)], make_tables(), Period.parse("2026-03"),
                        _t("2026-06-01T00:00"))
    objective = document["agreements"][0]["objectives"][0]
    assert document["agreements"][0]["period"] == {
        "start": "2026-02-28T23:00:00Z", "end": "2026-03-31T22:00:00Z"}
    assert objective["measured_s"] == 31 * 86_400 - 3600
    assert objective["attainment"] == 1.0


@pytest.mark.parametrize(
    ("fee", "period", "percent", "amount"),
    [
        ("{amount: 12.50, currency: EUR}", "2026-03", "1%", "0.12"),  # 0.125 → even
        ("{amount: 13.50, currency: EUR}", "2026-03", "1%", "0.14"),  # 0.135 → even
        ("{amount: 250, currency: JPY}", "2026-03", "1%", "2"),  # JPY has no minor unit
        ("{amount: 350, currency: JPY}", "2026-03", "1%", "4"),
        ("{amount: 10.005, currency: KWD}", "2026-03", "10%", "1.000"),  # 3 decimals
        ("{amount: 100, currency: EUR, per: quarter}", "2026-03", "10%", "3.33"),
        ("{amount: 0.15, currency: EUR, per: quarter}", "2026-03", "50%", "0.02"),  # 0.025
        ("{amount: 1200, currency: EUR, per: year}", "2026-Q1", "10%", "30.00"),
        ("{amount: 1000, currency: EUR, per: month}", "2026-Q1", "5%", "150.00"),
        ("{amount: 1000, currency: EUR, per: month}", "2026", "5%", "600.00"),
    ],
)
def test_credit_amount_is_rounded_half_even_once(
    fee: str, period: str, percent: str, amount: str, evaluate: Evaluator
) -> None:
    text = header(fee=f"fee: {fee}") + f"""
          resolution:
            metric: resolution_time
            target: 1h
            credit_per_breach: {percent}
        """
    tables = make_tables(tickets=[
        ticket("T-1", _t("2026-03-02T09:00"), resolved_at=_t("2026-03-02T11:00"))])
    document = evaluate([agreement(text)], tables, Period.parse(period), _t("2027-01-01T00:00"))
    assert document["agreements"][0]["credit"]["amount"] == amount


def test_an_agreement_outside_its_effective_dates_is_not_evaluated(evaluate: Evaluator) -> None:
    text = header().replace("{from: 2025-01-01}", "{from: 2026-04-01, to: 2026-06-30}") + """
          resolution:
            metric: resolution_time
            target: 1h
        """
    assert evaluate([agreement(text)], make_tables(), Period.parse("2026-03"),
                    _t("2026-04-01T00:00"))["agreements"] == []
    assert len(evaluate([agreement(text)], make_tables(), Period.parse("2026-06"),
                        _t("2026-07-01T00:00"))["agreements"]) == 1


@pytest.mark.parametrize(("minutes", "met"), [(239, True), (240, True), (241, False)])
def test_a_ticket_resolved_exactly_at_its_target_meets_it(
    minutes: int, met: bool, evaluate: Evaluator
) -> None:
    text = header() + """
          resolution:
            metric: resolution_time
            calendar: office
            target: 4h
    """
    created = local("2026-03-09T09:00")
    tables = make_tables(tickets=[ticket(
        "T-1", created, resolved_at=created + timedelta(minutes=minutes))])
    document = evaluate([agreement(text)], tables, Period.parse("2026-03"),
                        local("2026-04-01T00:00"))
    item = document["items"][0]
    assert (item["elapsed_s"], item["met"], item["state"]) == (minutes * 60, met, "stopped")
    assert pick(document, "agreements.0.objectives.0.breached") == (0 if met else 1)
