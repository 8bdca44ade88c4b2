"""An incident with the downtime it caused, and a delivery slot with its delivery, as the
caller may see them: the stored evaluation items (DESIGN.md §5, "Items") of the current results
of the periods they fall in. An incident's downtime is read, not computed again: it depends on
the maintenance around it and on each objective's calendar, which the evaluation applied.

Tenancy is :mod:`accord.service.tenancy`'s: what the caller may not see is not found.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.service.evidence import covering, months_around
from accord.service.tenancy import Principal, Role, Scope, not_found, visible_agreements
from accord.store.schema import IncidentRow, ObjectiveResultRow, ResultRow

__all__ = ["IncidentEvidence", "IncidentPage", "SlotPage", "incident_page", "slot_page"]


@dataclass(frozen=True)
class _Result:
    id: int
    agreement: str
    title: str | None
    customer: str
    period: str
    start: datetime
    end: datetime


def _labels(start: datetime, end: datetime) -> list[str]:
    """The labels of the periods (months, their quarters and years) that may hold part of
    ``[start, end]``."""
    months = list(months_around(start, end, end + timedelta(days=62)))
    quarters = {f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months}
    return sorted({*months, *quarters, *(m[:4] for m in months)})


def _results(engine: Engine, principal: Principal, agreements: Iterable[str], *,
             customer: str | None, start: datetime, end: datetime) -> list[_Result]:
    """The current results the caller may see, of ``agreements`` (for ``customer``, when
    given), whose periods overlap ``[start, end]``; months first."""
    from accord.formatting import as_instant

    principal.require(Scope.READ)
    with Session(engine) as session:
        visible = visible_agreements(session, principal)
        wanted = [a for a in agreements if visible is None or a in visible]
        query = (select(ResultRow.id, ResultRow.agreement_id, ResultRow.customer,
                        ResultRow.period, ResultRow.document)
                 .where(ResultRow.current, ResultRow.agreement_id.in_(wanted),
                        ResultRow.period.in_(_labels(start, end)))
                 .order_by(ResultRow.agreement_id, ResultRow.customer, ResultRow.period))
        if customer is not None:
            query = query.where(ResultRow.customer == customer)
        rows = session.execute(query).all()
    found = []
    for id_, agreement, whose, period, encoded in rows:
        if not principal.sees_customer(whose):
            continue
        document = json.loads(encoded)
        bounds = document["period"]
        first, after = as_instant(bounds["start"]), as_instant(bounds["end"])
        if first <= end and start < after:
            found.append(_Result(id_, agreement, document.get("title"), whose, period, first,
                                 after))
    return sorted(found, key=lambda r: (len(r.period) != 7, r.agreement, r.customer, r.period))


def _items(engine: Engine, result_id: int, metric: str, objective: str | None = None
           ) -> list[tuple[str, dict[str, Any]]]:
    """A stored result's items of ``metric`` (of one objective, when given)."""
    query = (select(ObjectiveResultRow.objective, ObjectiveResultRow.items)
             .where(ObjectiveResultRow.result_id == result_id,
                    ObjectiveResultRow.metric == metric).order_by(ObjectiveResultRow.position))
    if objective is not None:
        query = query.where(ObjectiveResultRow.objective == objective)
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [(key, item) for key, encoded in rows for item in json.loads(encoded)]


def _from_us(instant: int | None) -> datetime | None:
    return None if instant is None else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
        microseconds=instant)


@dataclass(frozen=True)
class IncidentEvidence:
    agreement: str
    title: str | None
    customer: str
    period: str
    objective: str
    item: dict[str, Any]
    """The stored item: kind, start, end, downtime_s (the downtime it caused), met, period."""


@dataclass(frozen=True)
class IncidentPage:
    id: str
    service: str
    start: datetime
    end: datetime | None
    kind: str
    customer: str | None
    """None: every customer of the service."""
    supplier: str | None
    evidence: list[IncidentEvidence]

    @property
    def maintenance(self) -> bool:
        return self.kind == "maintenance"


def incident_page(engine: Engine, principal: Principal, incident_id: str, *, now: datetime
                  ) -> IncidentPage:
    """An incident the caller may see — staff every one; a customer those of its own (or of
    every customer) on a service an agreement it sees covers; a supplier those on a service of
    an agreement it provides, or that it caused — with the downtime it caused per availability
    objective, as the current evaluations of the periods it falls in stored it."""
    principal.require(Scope.READ)
    with Session(engine) as session:
        row = session.get(IncidentRow, incident_id)
    if row is None or (row.customer is not None and not principal.sees_customer(row.customer)):
        raise not_found("incident")
    customer = row.customer or (principal.party if principal.role is Role.CUSTOMER else None)
    agreements = covering(engine, principal, customer, row.service)
    own = principal.role is Role.SUPPLIER and row.supplier == principal.party
    if principal.bound and not agreements and not own:
        raise not_found("incident")
    start = _from_us(row.start)
    assert start is not None
    end = _from_us(row.end)
    evidence = []
    for result in _results(engine, principal, agreements, customer=customer, start=start,
                           end=end or max(now, start)):
        for key, item in _items(engine, result.id, "availability"):
            if item.get("incident") == incident_id:
                evidence.append(IncidentEvidence(result.agreement, result.title,
                                                 result.customer, result.period, key, item))
    return IncidentPage(row.id, row.service, start, end, row.kind, row.customer, row.supplier,
                        evidence)


@dataclass(frozen=True)
class SlotPage:
    agreement: str
    title: str | None
    customer: str
    objective: str
    period: str
    zone: str
    item: dict[str, Any]
    """The stored item: slot, window_end, delivery, delivered_at, met, period."""


def slot_page(engine: Engine, principal: Principal, *, agreement_id: str, customer: str,
              objective: str, slot: str) -> SlotPage:
    """A delivery slot of a current stored result the caller may see: its window, and the
    delivery that kept it (or none) — from the shortest stored period that holds it."""
    from accord.engine.results import format_instant
    from accord.errors import Problem, UsageError
    from accord.formatting import as_instant
    from accord.store.agreements import list_agreements

    try:
        instant = as_instant(slot).astimezone(UTC)
    except ValueError:
        raise UsageError(f"bad slot {slot!r}: not an instant", [Problem(
            f"{slot!r} is not an instant", hint="write the slot's instant as the evidence "
            "does, e.g. 2026-03-02T07:00:00Z")]) from None
    wanted = format_instant(instant)
    for result in _results(engine, principal, [agreement_id], customer=customer,
                           start=instant, end=instant):
        for _, item in _items(engine, result.id, "delivery", objective):
            if item.get("slot") == wanted:
                zone = next((v.agreement().timezone for v in list_agreements(engine)
                             if v.agreement_id == agreement_id), "UTC")
                return SlotPage(agreement_id, result.title, customer, objective, result.period,
                                zone, item)
    raise not_found("delivery slot")
