"""Evaluations by period: running one on the stored agreements and data, and reading back the
stored results — each narrowed to what the caller may see (accord.service.tenancy)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.errors import NotFoundError, Problem, UsageError
from accord.service.tenancy import Principal, Scope, not_found, visible_agreements
from accord.store.results import StoredResult, list_results, result_history
from accord.store.schema import ObjectiveResultRow, ResultRow

__all__ = ["ItemPage", "RunSummary", "evaluate_period", "get_result", "list_period_results",
           "parse_period", "result_items"]

ItemState = Literal["stopped", "running", "paused"]


def parse_period(label: str) -> str:
    """``label`` checked as a period (UsageError otherwise), in its canonical spelling."""
    from accord.engine import Period

    try:
        period = Period.parse(label)
        if not 1000 <= period.first.year <= 9998:  # its bounds and label must be dates too
            raise ValueError(f"{label!r} is out of range (the years 1000 to 9998)")
        return period.label
    except ValueError as error:
        raise UsageError(f"bad period {label!r}", [Problem(
            f"{label!r} is not a period: {error}",
            hint="write a month (2026-03), a quarter (2026-Q1) or a year (2026)")]) from None


@dataclass(frozen=True)
class RunSummary:
    evaluation_id: int
    period: str
    at: datetime
    agreements: list[str]
    results: int


def evaluate_period(engine: Engine, *, period: str, at: datetime, by: str, now: datetime,
                    agreement_ids: list[str] | None = None) -> RunSummary:
    """Evaluate the stored agreements in effect for ``period`` on the stored data as of ``at``
    (at most a year past ``now``: :func:`accord.engine.periods.reachable`) and store the
    results (the ones they replace stay as history)."""
    from accord.engine import Period, evaluate
    from accord.engine.periods import reachable
    from accord.store.agreements import list_agreements, versions_in_effect
    from accord.store.results import store_evaluation
    from accord.store.tables import load_tables

    chosen = Period.parse(parse_period(period))
    reachable(at, now)
    if not list_agreements(engine):
        raise NotFoundError("no agreement is stored", [Problem(
            "no agreement is stored in the database", hint="apply agreements first")])
    versions = versions_in_effect(engine, chosen, agreement_ids or [])
    agreements = [a for _, a in versions]
    evaluation = evaluate(agreements, load_tables(engine), chosen, at)
    stored = store_evaluation(engine, evaluation, {a.id: v for v, a in versions},
                              evaluated=[a.id for a in agreements], by=by, now=now)
    return RunSummary(stored, chosen.label, at, [a.id for a in agreements],
                      len(evaluation.agreements))


def _visible(engine: Engine, principal: Principal, results: list[StoredResult]
             ) -> list[StoredResult]:
    principal.require(Scope.READ)
    with Session(engine) as session:
        visible = visible_agreements(session, principal)
    return [r for r in results if (visible is None or r.agreement_id in visible)
            and principal.sees_customer(r.customer)]


def list_period_results(engine: Engine, principal: Principal, *, period: str | None = None
                        ) -> list[StoredResult]:
    """The current stored results the caller may see (of one period, or all), without items."""
    label = parse_period(period) if period is not None else None
    return _visible(engine, principal, list_results(engine, label))


def get_result(engine: Engine, principal: Principal, *, period: str, agreement_id: str,
               customer: str, history: bool = False) -> list[StoredResult]:
    """The current result of an agreement for a customer and period (and, with ``history``,
    the ones it replaced, newest first), without the items (see :func:`result_items`)."""
    label = parse_period(period)
    try:
        found = result_history(engine, agreement_id, label, customer=customer, history=history)
    except NotFoundError:
        found = []
    shown = _visible(engine, principal, found)
    if not shown:
        raise not_found("result")
    for result in shown:
        result.document.pop("items", None)
    return shown


@dataclass(frozen=True)
class ItemPage:
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


def result_items(engine: Engine, principal: Principal, *, period: str, agreement_id: str,
                 customer: str, objective: str | None = None, state: ItemState | None = None,
                 met: bool | None = None, offset: int = 0, limit: int = 100) -> ItemPage:
    """The evidence items of a current result, in output order, filtered and paginated."""
    current = get_result(engine, principal, period=period, agreement_id=agreement_id,
                         customer=customer)[0]
    query = (select(ObjectiveResultRow.objective, ObjectiveResultRow.items)
             .join(ResultRow, ResultRow.id == ObjectiveResultRow.result_id)
             .where(ResultRow.id == current.id).order_by(ObjectiveResultRow.position))
    if objective is not None:
        query = query.where(ObjectiveResultRow.objective == objective)
    with Session(engine) as session:
        rows = session.execute(query).all()
    if objective is not None and not rows:
        raise not_found("objective")
    items: list[dict[str, Any]] = []
    for _, encoded in rows:
        for item in json.loads(encoded):
            if state is not None and item.get("state") != state:
                continue
            if met is not None and item.get("met") is not met:
                continue
            items.append(item)
    return ItemPage(len(items), offset, limit, items[offset:offset + limit])
