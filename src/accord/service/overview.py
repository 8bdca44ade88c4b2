"""What the portal shows, computed from the stored results and the live timers, scoped to the
caller like every other service function: each agreement's status this period, the roll-up
per customer (met, at risk, missed; credits owed), the objectives × customers heatmap, and one
agreement's page — attainment against goal, a trend over twelve periods, the error budget left
and how it burned down, open tickets, breaches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine

from accord.service.catalogue import find_version
from accord.service.credits import (
    CreditStatement,
    breach_reading,
    open_breaches,
    statement,
)
from accord.service.evaluations import get_result, list_period_results, result_items
from accord.service.live import LiveTimer, live_timers
from accord.service.tenancy import Principal
from accord.service.timeline import (
    CreditTotal,
    credit_total,
    last_month_of,
    month_of,
    previous_periods,
    year_to_date,
)
from accord.store.results import StoredResult

__all__ = ["AgreementPage", "AgreementStatus", "Budget", "CustomerRollup", "HeatCell",
           "HeatGroup", "Heatmap", "ObjectiveView", "agreement_page", "agreement_statuses",
           "customer_rollup", "heatmap", "month_of", "previous_periods"]

State = Literal["met", "at_risk", "missed"]
_TICKETS = ("response_time", "resolution_time")


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
class CustomerRollup:
    """One customer at a glance: how many of its agreements are met, at risk or missed in the
    period, and the credits owed to it in the period and in the year to date."""

    customer: str
    met: int
    at_risk: int
    missed: int
    owed: CreditTotal
    year_to_date: CreditTotal

    @property
    def state(self) -> State:
        return "missed" if self.missed else "at_risk" if self.at_risk else "met"


def customer_rollup(statuses: Sequence[AgreementStatus], results: Sequence[StoredResult], *,
                    period: str, now: datetime) -> list[CustomerRollup]:
    """Per customer of ``statuses`` (the period's), the counts of its agreements by state and
    its credits: in ``period`` and in the year to date up to the period's last month begun
    (``results``: every stored result the caller may see). Those that need attention first:
    most missed, then most at risk, then by customer."""
    last = last_month_of(period, now)
    rows = []
    for customer in sorted({s.customer for s in statuses}):
        mine = [s for s in statuses if s.customer == customer]
        states = [s.state for s in mine]
        rows.append(CustomerRollup(
            customer, states.count("met"), states.count("at_risk"), states.count("missed"),
            credit_total(r for r in results if r.customer == customer and r.period == period),
            credit_total(year_to_date((r for r in results if r.customer == customer), last))))
    return sorted(rows, key=lambda r: (-r.missed, -r.at_risk, r.customer))


@dataclass(frozen=True)
class HeatCell:
    attainment: float | None
    goal: float | None
    met: bool
    metric: str
    at_risk: int = 0
    """Open tickets of this objective and customer past the at-risk share of their target
    (live, for the period containing now)."""

    @property
    def state(self) -> State:
        return "missed" if not self.met else "at_risk" if self.at_risk else "met"


@dataclass(frozen=True)
class HeatGroup:
    """One agreement's rows of the heatmap: its objectives, in the agreement's order."""

    agreement: str
    title: str | None
    objectives: list[tuple[str, str | None]]
    """(objective, clause)."""


@dataclass(frozen=True)
class Heatmap:
    """Objectives (rows, grouped by agreement) × customers (columns) for one period."""

    period: str
    customers: list[str]
    groups: list[HeatGroup]
    cells: dict[tuple[str, str, str], HeatCell]
    """(agreement, objective, customer) → the cell; absent where the customer has none."""


def heatmap(engine: Engine, principal: Principal, *, period: str,
            timers: Sequence[LiveTimer] = ()) -> Heatmap:
    """The period's objectives × customers; ``timers`` (the caller's live timers, for the
    period containing now) mark the met cells with open tickets at risk."""
    results = list_period_results(engine, principal, period=period)
    risky: dict[tuple[str, str, str], int] = {}
    for timer in timers:
        if timer.at_risk:
            key = (timer.agreement, timer.objective, timer.customer)
            risky[key] = risky.get(key, 0) + 1
    customers = sorted({r.customer for r in results})
    groups: dict[str, HeatGroup] = {}
    cells: dict[tuple[str, str, str], HeatCell] = {}
    for result in sorted(results, key=lambda r: r.agreement_id):
        group = groups.setdefault(result.agreement_id, HeatGroup(
            result.agreement_id, result.document.get("title"), []))
        for objective in result.document["objectives"]:
            row = (objective["id"], objective.get("clause"))
            if row not in group.objectives:
                group.objectives.append(row)
            key = (result.agreement_id, objective["id"], result.customer)
            cells[key] = HeatCell(objective.get("attainment"), objective.get("goal"),
                                  bool(objective["met"]), objective["metric"],
                                  risky.get(key, 0))
    return Heatmap(period, customers, list(groups.values()), cells)


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
    """The evidence of what was missed: tickets late, slots missed, outages; each ticket with
    its ``reading`` (resolved late, answered late, or past its target and still open)."""


@dataclass(frozen=True)
class AgreementPage:
    result: StoredResult
    objectives: list[ObjectiveView]
    open_tickets: list[LiveTimer]
    credit: CreditStatement
    live: bool
    """Whether ``open_tickets`` are live (the period contains now)."""
    zone: str
    """The agreement's zone: its period's bounds are midnights there."""


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
        views.append(ObjectiveView(
            objective, _budget(objective, mine, start), trend,
            [{**i, "reading": breach_reading(objective["metric"], i)}
             for i in mine if i.get("met") is False]))
    live = period == month_of(now)
    timers = [t for t in live_timers(engine, now, principal, at_risk=at_risk,
                                     agreement=agreement_id)
              if t.customer == customer] if live else []
    still_open = {o["id"]: open_breaches(i for i in items if i["objective"] == o["id"])
                  for o in result.document["objectives"] if o["metric"] in _TICKETS}
    zone = find_version(engine, principal, agreement_id, result.version).agreement().timezone
    return AgreementPage(result, views, timers, statement(result, still_open), live, zone)
