"""Agreements with history: each changed agreement file becomes a new version, kept forever.

An applied file is validated as ``accord validate`` does; its source text is kept as written,
with its sha256, so that a credit can be traced to the exact text it came from. A file whose
text is the same as the agreement's latest version makes no new version. Parties and services
are created from the agreements that name them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accord.errors import NotFoundError, Problem
from accord.model import Agreement, parse_agreement
from accord.model.loader import load_agreement_set
from accord.model.parties import Parties, Party
from accord.store.database import for_writing
from accord.store.schema import AgreementRow, AgreementVersionRow, PartyRow, ServiceRow

if TYPE_CHECKING:
    from accord.engine import Period

__all__ = [
    "AgreementChange",
    "ChangeKind",
    "StoredVersion",
    "agreement_history",
    "agreement_version",
    "apply_agreements",
    "list_agreements",
    "list_parties",
    "list_services",
    "party_directory",
    "versions_in_effect",
]


class ChangeKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class AgreementChange:
    """What applying one file does (or did) to its agreement."""

    agreement_id: str
    file: Path
    kind: ChangeKind
    version: int
    """The version the file is (or would be) stored as; the latest one when unchanged."""
    details: list[str] = field(default_factory=list)
    """Objective by objective: ``+ objective x``, ``- objective y``, ``~ objective z: keys``."""


@dataclass(frozen=True)
class StoredVersion:
    """One stored version of an agreement, as read back."""

    id: int
    agreement_id: str
    version: int
    title: str | None
    type: str
    source: str
    content_hash: str
    effective_from: Any
    effective_to: Any
    file: str
    applied_by: str
    applied_at: datetime

    def agreement(self) -> Agreement:
        return _parsed(self.content_hash, self.source,
                       f"{self.agreement_id} version {self.version}")


@lru_cache(maxsize=16_384)
def _parsed(content_hash: str, source: str, name: str) -> Agreement:
    """A stored version's agreement, parsed once per process: stored versions never change
    (a change is a new version with another hash), and agreements are frozen values."""
    return parse_agreement(source, name)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_agreements(engine: Engine, paths: Sequence[Path], *, by: str, now: datetime,
                     dry_run: bool = False) -> list[AgreementChange]:
    """Validate the agreement files in ``paths`` and store each changed one as a new version.

    Every file is checked first (AgreementError lists every problem and nothing is stored);
    then all of them are stored in one transaction. With ``dry_run`` nothing is stored.
    """
    found = load_agreement_set(paths)
    loaded = [(path, agreement, path.read_text(encoding="utf-8"))
              for path, agreement in found.agreements]
    changes: list[AgreementChange] = []
    with Session(for_writing(engine)) as session, session.begin():
        if found.parties.file is not None and not dry_run:
            _store_parties(session, found.parties, now=now)
        for path, agreement, source in loaded:
            latest = _latest(session, agreement.id)
            digest = _hash(source)
            if latest is not None and latest.content_hash == digest:
                changes.append(AgreementChange(agreement.id, path, ChangeKind.UNCHANGED,
                                               latest.version))
                continue
            if latest is None:
                change = AgreementChange(agreement.id, path, ChangeKind.NEW, 1,
                                         [f"+ objective {key}" for key in agreement.objectives])
            else:
                before = parse_agreement(latest.source, f"{agreement.id} version {latest.version}")
                change = AgreementChange(agreement.id, path, ChangeKind.CHANGED,
                                         latest.version + 1, _differences(before, agreement))
            changes.append(change)
            if not dry_run:
                _store(session, agreement, source, digest, change, by=by, now=now)
        if dry_run:
            session.rollback()
    return changes


def _store_parties(session: Session, parties: Parties, *, now: datetime) -> None:
    """The parties file names every party: each named one gets its name, kind, zone and
    details; a party it no longer names keeps its id (its history) and loses its name."""
    for row in session.scalars(select(PartyRow)).all():
        if row.id not in parties:
            row.name = row.kind = row.timezone = row.details = None
    for party in parties.values():
        row = session.get(PartyRow, party.id) or PartyRow(id=party.id, created_at=now)
        session.add(row)
        row.name, row.kind, row.timezone = party.name, party.kind.value, party.timezone
        row.details = party.model_dump_json(exclude_none=True)
    session.flush()


def party_directory(engine: Engine) -> Parties:
    """The parties as the last applied parties file named them (ids stand as names without)."""
    with Session(engine) as session:
        rows = session.scalars(select(PartyRow).where(PartyRow.details.is_not(None))).all()
        named = {row.id: Party.model_validate_json(row.details or "{}") for row in rows}
    return Parties(named, "parties.yaml" if named else None)


def _latest(session: Session, agreement_id: str) -> AgreementVersionRow | None:
    return session.scalars(
        select(AgreementVersionRow).where(AgreementVersionRow.agreement_id == agreement_id)
        .order_by(AgreementVersionRow.version.desc()).limit(1)).first()


def _store(session: Session, agreement: Agreement, source: str, digest: str,
           change: AgreementChange, *, by: str, now: datetime) -> None:
    parties = [agreement.provider] + ([] if agreement.service_based else [agreement.customer])
    for party in parties:
        if session.get(PartyRow, party) is None:
            session.add(PartyRow(id=party, created_at=now))
    session.flush()
    for service in agreement.services:
        if session.get(ServiceRow, service) is None:
            session.add(ServiceRow(id=service, provider_id=agreement.provider, created_at=now))
    row = session.get(AgreementRow, agreement.id)
    if row is None:
        session.add(AgreementRow(id=agreement.id, provider_id=agreement.provider,
                                 customer=agreement.customer, created_at=now))
    else:
        row.provider_id = agreement.provider
        row.customer = agreement.customer
    session.flush()
    session.add(AgreementVersionRow(
        agreement_id=agreement.id, version=change.version, title=agreement.title,
        type=agreement.type.value, source=source, content_hash=digest,
        effective_from=agreement.effective.start, effective_to=agreement.effective.end,
        file=str(change.file), applied_by=by, applied_at=now))
    session.flush()


def _differences(before: Agreement, after: Agreement) -> list[str]:
    """The changes from ``before`` to ``after``: the agreement's own keys, then objective by
    objective (added, removed, changed with the keys that changed)."""
    details: list[str] = []
    old = before.model_dump(mode="json", by_alias=True, exclude={"objectives"})
    new = after.model_dump(mode="json", by_alias=True, exclude={"objectives"})
    keys = [key for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
    if keys:
        details.append("~ agreement: " + ", ".join(keys))
    for key, objective in after.objectives.items():
        if key not in before.objectives:
            details.append(f"+ objective {key}")
            continue
        was = before.objectives[key].model_dump(mode="json", by_alias=True)
        now = objective.model_dump(mode="json", by_alias=True)
        changed = [k for k in dict.fromkeys([*was, *now]) if was.get(k) != now.get(k)]
        if changed:
            details.append(f"~ objective {key}: " + ", ".join(changed))
    details.extend(f"- objective {key}" for key in before.objectives
                   if key not in after.objectives)
    if not details:
        details.append("  the terms are the same; only the text changed")
    return details


def _stored(row: AgreementVersionRow) -> StoredVersion:
    return StoredVersion(row.id, row.agreement_id, row.version, row.title, row.type, row.source,
                         row.content_hash, row.effective_from, row.effective_to, row.file,
                         row.applied_by, row.applied_at)


def list_agreements(engine: Engine) -> list[StoredVersion]:
    """The latest version of every agreement, by id."""
    latest = (select(AgreementVersionRow.agreement_id,
                     func.max(AgreementVersionRow.version).label("version"))
              .group_by(AgreementVersionRow.agreement_id).subquery())
    query = (select(AgreementVersionRow)
             .join(latest, (AgreementVersionRow.agreement_id == latest.c.agreement_id)
                   & (AgreementVersionRow.version == latest.c.version))
             .order_by(AgreementVersionRow.agreement_id))
    with Session(engine) as session:
        return [_stored(row) for row in session.scalars(query)]


def agreement_history(engine: Engine, agreement_id: str) -> list[StoredVersion]:
    """Every version of an agreement, oldest first; NotFoundError for an unknown id."""
    with Session(engine) as session:
        rows = session.scalars(select(AgreementVersionRow)
                               .where(AgreementVersionRow.agreement_id == agreement_id)
                               .order_by(AgreementVersionRow.version)).all()
        if not rows:
            raise _unknown(session, agreement_id)
        return [_stored(row) for row in rows]


def agreement_version(engine: Engine, agreement_id: str, version: int | None = None
                      ) -> StoredVersion:
    """One version of an agreement (the latest by default); NotFoundError if there is none."""
    history = agreement_history(engine, agreement_id)
    if version is None:
        return history[-1]
    for stored in history:
        if stored.version == version:
            return stored
    raise NotFoundError(f"{agreement_id} has no version {version}", [Problem(
        f"agreement {agreement_id!r} has no version {version}",
        hint=f"its versions are 1 to {history[-1].version}")])


def _unknown(session: Session, agreement_id: str) -> NotFoundError:
    known = session.scalars(select(AgreementRow.id).order_by(AgreementRow.id)).all()
    hint = ("stored agreements: " + ", ".join(known)) if known else \
        "no agreement is stored yet: run `accord apply PATH`"
    return NotFoundError(f"no agreement {agreement_id!r}", [Problem(
        f"no agreement {agreement_id!r} is stored", hint=hint)])


def versions_in_effect(engine: Engine, period: Period,
                       agreement_ids: Sequence[str] = ()) -> list[tuple[int, Agreement]]:
    """The version of each agreement in effect for ``period``, with its stored id.

    For each agreement, the latest applied version whose effective dates overlap the period
    (so a version applied for next year does not replace this year's terms). With
    ``agreement_ids``, only those (NotFoundError for one that is not stored).
    """
    from accord.engine import in_effect  # the engine takes a while to load: only when needed

    with Session(engine) as session:
        query = select(AgreementVersionRow).order_by(AgreementVersionRow.agreement_id,
                                                     AgreementVersionRow.version.desc())
        if agreement_ids:
            query = query.where(AgreementVersionRow.agreement_id.in_(agreement_ids))
        rows = session.scalars(query).all()
        found = {row.agreement_id for row in rows}
        for agreement_id in agreement_ids:
            if agreement_id not in found:
                raise _unknown(session, agreement_id)
    chosen: list[tuple[int, Agreement]] = []
    done: set[str] = set()
    for row in rows:
        if row.agreement_id in done:
            continue
        agreement = _stored(row).agreement()
        if in_effect(agreement, period):
            chosen.append((row.id, agreement))
            done.add(row.agreement_id)
    return chosen


def list_parties(engine: Engine) -> list[tuple[str, list[str]]]:
    """Every party, with what it is: ``provider`` of agreements, ``customer`` of agreements."""
    with Session(engine) as session:
        parties = session.scalars(select(PartyRow.id).order_by(PartyRow.id)).all()
        providers = set(session.scalars(select(AgreementRow.provider_id)).all())
        customers = set(session.scalars(select(AgreementRow.customer)).all())
    return [(party, [role for role, names in (("provider", providers), ("customer", customers))
                     if party in names]) for party in parties]


def list_services(engine: Engine) -> list[tuple[str, str, list[str]]]:
    """Every service: its id, its provider and the agreements that name it."""
    with Session(engine) as session:
        services = session.execute(select(ServiceRow.id, ServiceRow.provider_id)
                                   .order_by(ServiceRow.id)).all()
        latest = list_agreements(engine)
    named: dict[str, list[str]] = {}
    for stored in latest:
        for service in stored.agreement().services:
            named.setdefault(service, []).append(stored.agreement_id)
    return [(service, provider, named.get(service, [])) for service, provider in services]
