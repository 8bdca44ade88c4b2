"""What the portal shows, computed from the stored results and the live timers, scoped to the
caller like every other service function: each agreement's status this period, the
objectives × customers heatmap, and one agreement's page — attainment against goal, a trend
over twelve periods, the error budget left and how it burned down, open tickets, breaches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine

from accord.service.credits import CreditStatement, statement
from accord.service.evaluations import get_result, list_period_results, result_items
from accord.service.live import LiveTimer, live_timers
from accord.service.tenancy import Principal
from accord.store.results import StoredResult

__all__ = ["AgreementPage", "AgreementStatus", "Budget", "HeatCell", "Heatmap", "ObjectiveView",
           "agreement_page", "agreement_statuses", "heatmap", "month_of", "previous_periods"]

State = Literal["met", "at_risk", "missed"]
_TICKETS = ("response_time", "resolution_time")


def month_of(instant: datetime) -> str:
    """The calendar month (UTC) containing ``instant``, as a period label."""
    return f"{instant.year:04d}-{instant.month:02d}"


def previous_periods(period: str, count: int) -> list[str]:
    """``count`` monthly periods ending with ``period`` (a month), oldest first."""
    year, month = int(period[:4]), int(period[5:7])
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return labels[::-1]


@dataclass(frozen=True)
class AgreementStatus:
    """One agreement for one customer in a period."""

    agreement: str
    title: str | None
    type: str
    customer: str
    period: str
    state: State
    met: bool
    at_risk: int
    """Open tickets past the at-risk share of their target (live, when the period is now)."""
    breached_open: int
    """Open tickets already past their target."""
    credit: CreditStatement
    at: datetime
    """The instant the stored result was evaluated as of."""


def _state(result: StoredResult, risky: int) -> State:
    if not result.met:
        return "missed"
    return "at_risk" if risky else "met"


def agreement_statuses(engine: Engine, principal: Principal, *, period: str, now: datetime,
                       at_risk: float, timers: list[LiveTimer] | None = None
                       ) -> list[AgreementStatus]:
    """Each stored result of ``period`` the caller may see, with its state: missed (an
    objective is missed), at risk (met so far, but open tickets are close to their targets —
    counted only for the period containing ``now``), or met. ``timers``: the caller's live
    timers at ``now``, when already computed."""
    results = list_period_results(engine, principal, period=period)
    if period != month_of(now):
        timers = []
    elif timers is None:
        timers = live_timers(engine, now, principal, at_risk=at_risk)
    statuses = []
    for result in results:
        mine = [t for t in timers if t.agreement == result.agreement_id
                and t.customer == result.customer]
        risky = sum(1 for t in mine if t.at_risk)
        statuses.append(AgreementStatus(
            result.agreement_id, result.document.get("title"), result.document.get("type", ""),
            result.customer, result.period, _state(result, risky), result.met, risky,
            sum(1 for t in mine if t.breached), statement(result), result.at))
    return statuses


@dataclass(frozen=True)
class HeatCell:
    attainment: float | None
    goal: float | None
    met: bool
    metric: str


@dataclass(frozen=True)
class Heatmap:
    """Objectives (rows: agreement, objective) × customers (columns) for one period."""

    period: str
    customers: list[str]
    rows: list[tuple[str, str, str | None]]
    """(agreement, objective, clause)."""
    cells: dict[tuple[str, str, str], HeatCell]
    """(agreement, objective, customer) → the cell; absent where the customer has none."""


def heatmap(engine: Engine, principal: Principal, *, period: str) -> Heatmap:
    results = list_period_results(engine, principal, period=period)
    customers = sorted({r.customer for r in results})
    rows: list[tuple[str, str, str | None]] = []
    cells: dict[tuple[str, str, str], HeatCell] = {}
    for result in sorted(results, key=lambda r: r.agreement_id):
        for objective in result.document["objectives"]:
            row = (result.agreement_id, objective["id"], objective.get("clause"))
            if row not in rows:
                rows.append(row)
            cells[(result.agreement_id, objective["id"], result.customer)] = HeatCell(
                objective.get("attainment"), objective.get("goal"), bool(objective["met"]),
                objective["metric"])
    return Heatmap(period, customers, rows, cells)


@dataclass(frozen=True)
class Budget:
    """An objective's error budget in the period so far: how many breaches (tickets, delivery
    slots) or how much downtime the goal allows, how much is used, and how it was used up."""

    unit: Literal["breaches", "seconds"]
    allowed: float
    used: float
    burn: list[tuple[str, float]] = field(default_factory=list)
    """(instant, budget left after it) at each breach or outage, in time order."""

    @property
    def left(self) -> float:
        return self.allowed - self.used


def _budget(objective: dict[str, Any], items: Sequence[dict[str, Any]], start: str
            ) -> Budget | None:
    metric, goal = objective["metric"], objective.get("goal")
    if goal is None or metric == "kpi":
        return None
    if metric == "availability":
        allowed = (1 - goal) * float(objective.get("measured_s") or 0)
        outages = sorted((i for i in items if i.get("downtime_s")),
                         key=lambda i: i.get("end") or i.get("start") or "")
        burn, left = [(start, allowed)], allowed
        for outage in outages:
            left -= float(outage["downtime_s"])
            burn.append((outage.get("end") or outage["start"], left))
        return Budget("seconds", allowed, float(objective.get("downtime_s") or 0), burn)
    counted = int(objective["counted"])
    allowed = float(math.floor(counted * (1 - goal) + 1e-9))
    when = "due_at" if metric in _TICKETS else "window_end"
    missed = sorted((i for i in items if i.get("met") is False and i.get("period")),
                    key=lambda i: i.get(when) or "")
    burn, left = [(start, allowed)], allowed
    for item in missed:
        left -= 1
        burn.append((item.get(when) or start, left))
    return Budget("breaches", allowed, float(objective["breached"]), burn)


@dataclass(frozen=True)
class ObjectiveView:
    objective: dict[str, Any]
    """As in the result document: id, metric, clause, attainment, goal, met, counts, credit."""
    budget: Budget | None
    trend: list[tuple[str, float | None, float | None]]
    """(period, attainment, goal) over the last twelve periods, oldest first."""
    breaches: list[dict[str, Any]]
    """The evidence of what was missed: tickets late, slots missed, outages."""


@dataclass(frozen=True)
class AgreementPage:
    result: StoredResult
    objectives: list[ObjectiveView]
    open_tickets: list[LiveTimer]
    credit: CreditStatement
    live: bool
    """Whether ``open_tickets`` are live (the period contains now)."""


def agreement_page(engine: Engine, principal: Principal, *, agreement_id: str, customer: str,
                   period: str, now: datetime, at_risk: float) -> AgreementPage:
    """One agreement for one customer and period, as its page shows it (404 for an agreement
    or customer the caller may not see)."""
    (result,) = get_result(engine, principal, period=period, agreement_id=agreement_id,
                           customer=customer)
    items = result_items(engine, principal, period=period, agreement_id=agreement_id,
                         customer=customer, limit=10**9).items
    shown = set(previous_periods(period, 12))
    history = {past.period: {o["id"]: o for o in past.document["objectives"]}
               for past in list_period_results(engine, principal)
               if past.agreement_id == agreement_id and past.customer == customer
               and past.period in shown}
    start = result.document["period"]["start"]
    views = []
    for objective in result.document["objectives"]:
        mine = [i for i in items if i["objective"] == objective["id"]]
        trend = [(label, history[label][objective["id"]].get("attainment"),
                  history[label][objective["id"]].get("goal"))
                 for label in previous_periods(period, 12)
                 if label in history and objective["id"] in history[label]]
        views.append(ObjectiveView(objective, _budget(objective, mine, start), trend,
                                   [i for i in mine if i.get("met") is False]))
    live = period == month_of(now)
    timers = [t for t in live_timers(engine, now, principal, at_risk=at_risk,
                                     agreement=agreement_id)
              if t.customer == customer] if live else []
    return AgreementPage(result, views, timers, statement(result), live)
