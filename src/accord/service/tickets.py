"""One ticket as the caller may see it: its data, its status history and its open timers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accord.service.live import LiveTimer, timers_of
from accord.service.tenancy import Principal, Role, Scope, not_found, visible_agreements
from accord.store.agreements import list_agreements
from accord.store.tickets import StoredTicket, find_ticket

__all__ = ["TicketView", "ticket_view"]


@dataclass(frozen=True)
class TicketView:
    ticket: StoredTicket
    timers: list[LiveTimer]
    """Its timers still running or paused at ``at``."""


def _covers(engine: Engine, visible: set[str], ticket: StoredTicket) -> bool:
    """Whether one of the ``visible`` agreements covers the ticket's service and customer."""
    for version in list_agreements(engine):
        if version.agreement_id not in visible:
            continue
        agreement = version.agreement()
        if ticket.service in agreement.services and agreement.customer in ("*", ticket.customer):
            return True
    return False


def ticket_view(engine: Engine, principal: Principal, ticket_id: str, *, at: datetime,
                at_risk: float) -> TicketView:
    """A customer sees its own tickets; a supplier those its agreements cover; staff all."""
    principal.require(Scope.READ)
    ticket = find_ticket(engine, ticket_id)
    if ticket is None:
        raise not_found("ticket")
    if principal.role is Role.CUSTOMER and ticket.customer != principal.party:
        raise not_found("ticket")
    if principal.role is Role.SUPPLIER:
        with Session(engine) as session:
            visible = visible_agreements(session, principal) or set()
        if not _covers(engine, visible, ticket):
            raise not_found("ticket")
    return TicketView(ticket, timers_of(engine, ticket, at, principal, at_risk=at_risk))
