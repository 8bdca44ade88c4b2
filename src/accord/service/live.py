"""Live status: every open ticket's timers as of now, narrowed to what the caller may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.service.tenancy import Principal, Role, Scope, visible_agreements

if TYPE_CHECKING:
    from accord.engine import Tables
    from accord.store.tickets import StoredTicket

__all__ = ["LiveTimer", "live_timers", "timers_of"]


@dataclass(frozen=True)
class LiveTimer:
    agreement: str
    customer: str
    objective: str
    metric: str
    ticket: str
    state: str
    """``running`` or ``paused``."""
    elapsed_s: float
    target_s: int
    time_left_s: float
    """Negative once the target is passed."""
    used: float
    """elapsed ÷ target: 1.0 when the target is reached."""
    due_at: datetime | None
    at_risk: bool
    """Past the at-risk share of its target (and not yet breached), or breached."""

    @property
    def breached(self) -> bool:
        return self.time_left_s < 0

    def document(self) -> dict[str, Any]:
        from accord.engine.results import format_instant

        return {"agreement": self.agreement, "customer": self.customer,
                "objective": self.objective, "metric": self.metric, "ticket": self.ticket,
                "state": self.state, "elapsed_s": self.elapsed_s, "target_s": self.target_s,
                "time_left_s": self.time_left_s, "used": self.used,
                "due_at": None if self.due_at is None else format_instant(self.due_at),
                "at_risk": self.at_risk, "breached": self.breached}


def live_timers(engine: Engine, at: datetime, principal: Principal, *,
                at_risk: float = 0.75, agreement: str | None = None) -> list[LiveTimer]:
    """The open ticket timers of the stored agreements in effect at ``at`` (only
    ``agreement``'s, when given), on the stored data, that ``principal`` may see — least time
    left first."""
    from accord.store.tickets import open_tickets

    # Only the tickets that may be open are read (a customer's own): the timers of the others
    # cannot run, or are not the caller's.
    customer = principal.party if principal.role is Role.CUSTOMER else None
    return _timers(engine, lambda: open_tickets(engine, at, customer), at, principal, at_risk,
                   agreement)


def timers_of(engine: Engine, ticket: StoredTicket, at: datetime, principal: Principal, *,
              at_risk: float = 0.75) -> list[LiveTimer]:
    """The open timers of one ticket (a ticket's timers depend on it alone)."""
    from accord.store.tickets import ticket_tables

    return _timers(engine, lambda: ticket_tables(ticket), at, principal, at_risk)


def _timers(engine: Engine, tables: Callable[[], Tables], at: datetime,
            principal: Principal, at_risk: float, only: str | None = None) -> list[LiveTimer]:
    from accord.engine import Period
    from accord.engine.live import live_timers as compute
    from accord.store.agreements import versions_in_effect
    from accord.store.schema import AgreementVersionRow

    principal.require(Scope.READ)
    with Session(engine) as session:
        visible = visible_agreements(session, principal)
        stored = session.scalar(select(AgreementVersionRow.id).limit(1)) is not None
    wanted = sorted(visible) if visible is not None else None
    if only is not None:
        wanted = [only] if wanted is None or only in wanted else []
    if wanted == [] or not stored:
        return []
    # The versions in effect around ``at`` (the engine keeps those in effect on its date).
    month = Period.parse(f"{at.year:04d}-{at.month:02d}")
    agreements = [a for _, a in versions_in_effect(engine, month, wanted or ())]
    if not agreements:
        return []
    frame = compute(agreements, tables(), at)
    if principal.role is Role.CUSTOMER:
        frame = frame.filter(pl.col("customer") == principal.party)
    return [LiveTimer(**row, at_risk=row["used"] >= at_risk)
            for row in frame.iter_rows(named=True)]
