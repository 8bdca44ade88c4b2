"""What a person reads instead of ids and UTC (DESIGN.md §8): a party's name, and the zone a
reader's instants are shown in — a customer's (or supplier's) own zone, else the agreement's.

The parties come from the last applied parties file; they are read once per request (a small
table), so a page always shows the names just applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from accord.model.parties import Parties
from accord.service.tenancy import Principal
from accord.store.agreements import party_directory

__all__ = ["Names", "names_for"]


@dataclass(frozen=True)
class Names:
    """Names and zones as one reader sees them."""

    parties: Parties
    reader_zone: str | None
    """The reader's own zone (its party's), if it has one."""

    def party(self, party_id: str | None) -> str:
        """The party's name (its id where no parties file names it)."""
        return "—" if party_id is None else self.parties.name(party_id)

    def zone(self, agreement_zone: str | None = None, customer: str | None = None) -> str:
        """The zone to show an agreement's instants in: the reader's own, else the customer's
        (for staff reading a customer's page), else the agreement's, else UTC."""
        return (self.reader_zone or self.parties.timezone(customer) or agreement_zone
                or "UTC")


def names_for(engine: Engine, principal: Principal) -> Names:
    """The names and the reader's zone for ``principal``."""
    parties = party_directory(engine)
    return Names(parties, parties.timezone(principal.party) if principal.bound else None)
