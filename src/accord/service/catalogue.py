"""Parties, services and agreements with their versions, as the caller may see them; and
applying an agreement file sent to the API (the same checks and versioning as ``accord
apply``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from dataclasses import fields as fields_of
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accord.errors import AccordError, AgreementError, Problem
from accord.service.tenancy import Principal, Scope, not_found, visible_agreements
from accord.store.agreements import (
    AgreementChange,
    StoredVersion,
    agreement_history,
    apply_agreements,
    list_agreements,
    list_parties,
    list_services,
)

__all__ = ["Party", "Service", "agreement_versions", "apply_source", "effective_objectives",
           "find_version", "parties", "services", "shown_version", "visible_latest"]


@dataclass(frozen=True)
class Party:
    id: str
    roles: list[str]


@dataclass(frozen=True)
class Service:
    id: str
    provider: str
    agreements: list[str]


def _visible(engine: Engine, principal: Principal) -> set[str] | None:
    principal.require(Scope.READ)
    with Session(engine) as session:
        return visible_agreements(session, principal)


def shown_version(principal: Principal, version: StoredVersion) -> dict[str, Any]:
    """A version's fields as ``principal`` may see them: the file it came from (a path on the
    server) and who applied it (a staff user's name) only for staff and admins."""
    fields = {f.name: getattr(version, f.name) for f in fields_of(version)}
    if principal.bound:
        fields.update(file=None, applied_by=None)
    return fields


def visible_latest(engine: Engine, principal: Principal) -> list[StoredVersion]:
    """The latest version of each agreement the caller may see, by id."""
    visible = _visible(engine, principal)
    return [v for v in list_agreements(engine) if visible is None or v.agreement_id in visible]


def parties(engine: Engine, principal: Principal) -> list[Party]:
    """Every party (for staff); for a customer or supplier, itself and the other parties of
    the agreements it sees."""
    found = [Party(party, roles) for party, roles in list_parties(engine)]
    if not principal.bound:
        principal.require(Scope.READ)
        return found
    named = {principal.party}
    for version in visible_latest(engine, principal):
        agreement = version.agreement()
        named.add(agreement.provider)
        if not agreement.service_based:
            named.add(agreement.customer)
    return [p for p in found if p.id in named]


def services(engine: Engine, principal: Principal) -> list[Service]:
    """The service catalogue (for a customer or supplier: the services of its agreements,
    with only the agreements it sees)."""
    visible = _visible(engine, principal)
    found = [Service(s, provider, names) for s, provider, names in list_services(engine)]
    if visible is None:
        return found
    return [Service(s.id, s.provider, [a for a in s.agreements if a in visible])
            for s in found if any(a in visible for a in s.agreements)]


def agreement_versions(engine: Engine, principal: Principal, agreement_id: str
                       ) -> list[StoredVersion]:
    """Every version of an agreement the caller may see, oldest first (404 otherwise)."""
    visible = _visible(engine, principal)
    if visible is not None and agreement_id not in visible:
        raise not_found("agreement")
    try:
        return agreement_history(engine, agreement_id)
    except AccordError:
        raise not_found("agreement") from None


def find_version(engine: Engine, principal: Principal, agreement_id: str,
                 version: int | None = None) -> StoredVersion:
    history = agreement_versions(engine, principal, agreement_id)
    if version is None:
        return history[-1]
    for stored in history:
        if stored.version == version:
            return stored
    raise not_found("version")


def effective_objectives(version: StoredVersion) -> dict[str, dict[str, Any]]:
    """The objectives of a version as Accord reads them, every default filled in."""
    agreement = version.agreement()
    return {key: objective.model_dump(mode="json", by_alias=True, exclude_none=True)
            for key, objective in agreement.objectives.items()}


def apply_source(engine: Engine, principal: Principal, *, source: str, filename: str,
                 by: str, now: datetime, dry_run: bool = False) -> AgreementChange:
    """Validate and store one agreement file's text (a new version only if it changed)."""
    principal.require(Scope.APPLY)
    name = Path(filename or "agreement.yaml").name
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    with tempfile.TemporaryDirectory(prefix="accord-apply-") as tmp:
        path = Path(tmp) / name
        path.write_text(source, encoding="utf-8")
        try:
            (change,) = apply_agreements(engine, [path], by=by, now=now, dry_run=dry_run)
        except AccordError as error:
            error.problems = [replace(p, file=name if p.file else None) for p in error.problems]
            raise
        except yaml.YAMLError as error:  # characters YAML refuses, which the loader lets through
            raise AgreementError("not valid YAML", [Problem(
                f"not valid YAML: {getattr(error, 'problem', None) or error}", file=name,
                hint="an agreement file is YAML text, without control characters")]) from None
    return replace(change, file=Path(name))
