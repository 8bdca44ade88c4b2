"""Parties: who the ids in agreements and data are (DESIGN.md §8).

A file ``parties.yaml`` beside the agreements names each party once — its name, what it is, the
zone its people read times in, its address and contacts::

    accord: 1
    parties:
      northwind-it: {name: Northwind IT GmbH, kind: provider, timezone: Europe/Berlin}
      acme: {name: Acme Corp, kind: customer, timezone: Europe/Berlin}

Where a person reads, a party is shown by its name; without a parties file (or for an id the
file does not name, such as a customer of a service-based agreement found only in the data)
the id stands as the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator

from accord.errors import AgreementError
from accord.model.calendar import check_timezone
from accord.model.values import FrozenModel, Id

__all__ = ["PARTIES_FILE", "Contact", "Parties", "Party", "PartyKind", "load_parties",
           "parse_parties"]

PARTIES_FILE = "parties.yaml"
"""The parties file's name: found beside the agreements, never read as an agreement."""


class PartyKind(StrEnum):
    PROVIDER = "provider"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    TEAM = "team"
    """An internal team: the provider's side of an OLA."""


class Contact(FrozenModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Annotated[str | None, Field(max_length=200)] = None
    email: Annotated[str | None, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None
    phone: Annotated[str | None, Field(max_length=50)] = None


class _PartyFields(FrozenModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: PartyKind
    timezone: str | None = None
    address: Annotated[str | None, Field(max_length=500)] = None
    contacts: tuple[Contact, ...] = ()

    _check_zone = field_validator("timezone")(
        lambda cls, v: v if v is None else check_timezone(v))


class Party(_PartyFields):
    """One organisation: a provider, a customer, a supplier or an internal team. ``timezone``
    is the IANA zone its people read instants in (``Europe/Berlin``)."""

    id: Id


class _PartiesFile(FrozenModel):
    accord: Literal[1]
    parties: dict[Id, _PartyFields]


@dataclass(frozen=True)
class Parties(Mapping[str, Party]):
    """Every named party by id, and the name and zone to show for any id."""

    by_id: Mapping[str, Party] = field(default_factory=dict)
    file: str | None = None
    """The file they were read from; None when there is no parties file."""

    def __getitem__(self, party_id: str) -> Party:
        return self.by_id[party_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)

    def name(self, party_id: str) -> str:
        """The party's name, or its id when it has none."""
        party = self.by_id.get(party_id)
        return party.name if party is not None else party_id

    def timezone(self, party_id: str | None) -> str | None:
        """The party's own zone, if it names one."""
        party = self.by_id.get(party_id) if party_id is not None else None
        return party.timezone if party is not None else None

    def unknown(self, party_ids: Iterable[str]) -> list[str]:
        """The ids among ``party_ids`` that a parties file does not name (none without one)."""
        if self.file is None:
            return []
        return [p for p in party_ids if p not in self.by_id]


def parse_parties(text: str, file: str = PARTIES_FILE) -> Parties:
    """The parties of one parties file; AgreementError listing every located problem."""
    from accord.model.loader import located_problems, read_document

    starts = "a parties file starts with `accord: 1` and `parties:`"
    data, positions = read_document(text, file, what="a parties file", starts=starts)
    try:
        document = _PartiesFile.model_validate(data)
    except ValidationError as error:
        problems = located_problems(error, positions, file)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise AgreementError(f"{file}: {len(problems)} problem(s)", problems) from None
    return Parties({key: Party(id=key, **dict(fields)) for key, fields
                    in document.parties.items()}, file)


def load_parties(path: Path) -> Parties:
    """The parties file at ``path``."""
    from accord.model.loader import load_text

    return parse_parties(load_text(path), str(path))
