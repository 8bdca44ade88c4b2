"""Period close: which months have closed, and making sure each has been evaluated.

A month has closed when it has ended in the time zone of every stored agreement (periods end
at local midnight, DESIGN.md §5). The first pass after that evaluates the month on the stored
data, unless an evaluation of it as of its end or later is already stored, so that every
customer's credit statement can be sent. A worker that was stopped while several months
closed catches up: each subscription is owed every month after the last one it was sent, up
to :data:`CATCH_UP_MONTHS` of them (a new subscription: only the latest).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.engine import Period
from accord.service.evaluations import evaluate_period
from accord.store.schema import AgreementVersionRow, EvaluationRow

__all__ = ["CATCH_UP_MONTHS", "ZoneCache", "closed_at", "closed_month", "ensure_evaluated", "months_owed"]

CATCH_UP_MONTHS = 12
"""The most closed months one subscription is sent in one pass after a long stop."""


class ZoneCache:
    """The time zone of each stored agreement version, parsed once."""

    def __init__(self) -> None:
        self._zones: dict[int, str] = {}

    def zones(self, engine: Engine) -> set[str]:
        from accord.model import parse_agreement

        with Session(engine) as session:
            versions = session.execute(select(AgreementVersionRow.id)).scalars().all()
            missing = [v for v in versions if v not in self._zones]
            for version_id, source in session.execute(
                    select(AgreementVersionRow.id, AgreementVersionRow.source)
                    .where(AgreementVersionRow.id.in_(missing))) if missing else ():
                self._zones[version_id] = parse_agreement(source, f"version {version_id}"
                                                          ).timezone
        return {self._zones[v] for v in versions}


def closed_month(engine: Engine, at: datetime, zones: ZoneCache) -> tuple[Period, datetime] | None:
    """The latest month that has ended for every stored agreement by ``at``, and the instant
    it ended for the last of them; None without agreements."""
    found = zones.zones(engine)
    if not found:
        return None
    latest: Period | None = None
    for zone in found:
        month = Period.parse(f"{at.year:04d}-{at.month:02d}")
        start, _ = month.bounds(zone)
        if start > at:
            # ``at`` falls in the previous local month in this zone.
            month = _previous(month)
        candidate = _previous(month)
        latest = candidate if latest is None or candidate < latest else latest
    assert latest is not None
    return latest, closed_at(latest, found)


def months_owed(latest: Period, last_sent: str | None) -> list[Period]:
    """The closed months after ``last_sent`` (a month's label) up to ``latest``, oldest first,
    at most :data:`CATCH_UP_MONTHS`; only ``latest`` when nothing was sent yet."""
    if last_sent is None:
        return [latest]
    owed: list[Period] = []
    month = latest
    while month.label > last_sent and len(owed) < CATCH_UP_MONTHS:
        owed.append(month)
        month = _previous(month)
    return owed[::-1]


def closed_at(month: Period, zones: set[str]) -> datetime:
    """When ``month`` has ended in every one of ``zones``."""
    return max(month.bounds(zone)[1] for zone in zones)


def _previous(month: Period) -> Period:
    day = month.first - timedelta(days=1)
    return Period.parse(f"{day.year:04d}-{day.month:02d}")


def ensure_evaluated(engine: Engine, period: Period, closed_at: datetime, *, at: datetime,
                     now: datetime, by: str) -> bool:
    """Evaluate ``period`` as of ``at`` unless an evaluation as of its close or later is
    stored; whether it was evaluated now."""
    with Session(engine) as session:
        stored = session.scalar(select(EvaluationRow.id).where(
            EvaluationRow.period == period.label, EvaluationRow.at >= closed_at).limit(1))
    if stored is not None:
        return False
    evaluate_period(engine, period=period.label, at=at, by=by, now=now)
    return True
