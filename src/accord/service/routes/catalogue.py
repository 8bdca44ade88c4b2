"""Parties, services, and agreements with their versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from accord.service import catalogue
from accord.service.deps import ApplierDep, EngineDep, NowDep, ReaderDep
from accord.service.schemas import (
    DB_INT_MAX,
    AgreementOut,
    ApplyIn,
    ChangeOut,
    ErrorOut,
    PartyOut,
    ServiceOut,
    VersionDetailOut,
)
from accord.service.tenancy import Principal
from accord.store.agreements import StoredVersion

router = APIRouter(prefix="/api", tags=["catalogue"],
                   responses={400: {"model": ErrorOut}})


@router.get("/parties", response_model=list[PartyOut])
def list_parties(principal: ReaderDep, engine: EngineDep) -> list[catalogue.Party]:
    return catalogue.parties(engine, principal)


@router.get("/services", response_model=list[ServiceOut])
def list_services(principal: ReaderDep, engine: EngineDep) -> list[catalogue.Service]:
    return catalogue.services(engine, principal)


@router.get("/agreements", response_model=list[AgreementOut])
def list_agreements(principal: ReaderDep, engine: EngineDep) -> list[dict[str, Any]]:
    """The latest version of each agreement the caller may see."""
    return [catalogue.shown_version(principal, v)
            for v in catalogue.visible_latest(engine, principal)]


@router.post("/agreements", response_model=ChangeOut)
def apply_agreement(body: ApplyIn, principal: ApplierDep, engine: EngineDep,
                    now: NowDep) -> dict[str, Any]:
    """Validate an agreement file and store it as a new version if it changed (as
    ``accord apply``); with ``dry_run``, only say what would change."""
    change = catalogue.apply_source(engine, principal, source=body.source,
                                    filename=body.filename, by=principal.username, now=now,
                                    dry_run=body.dry_run)
    return {"agreement": change.agreement_id, "kind": change.kind.value,
            "version": change.version, "details": change.details}


@router.get("/agreements/{agreement_id}", response_model=VersionDetailOut)
def get_agreement(agreement_id: str, principal: ReaderDep, engine: EngineDep
                  ) -> dict[str, Any]:
    """The latest version, with its source and effective objectives."""
    return _detail(principal, catalogue.find_version(engine, principal, agreement_id))


@router.get("/agreements/{agreement_id}/versions", response_model=list[AgreementOut])
def list_versions(agreement_id: str, principal: ReaderDep, engine: EngineDep
                  ) -> list[dict[str, Any]]:
    return [catalogue.shown_version(principal, v)
            for v in catalogue.agreement_versions(engine, principal, agreement_id)]


@router.get("/agreements/{agreement_id}/versions/{version}", response_model=VersionDetailOut)
def get_version(agreement_id: str, version: Annotated[int, Path(ge=0, le=DB_INT_MAX)],
                principal: ReaderDep, engine: EngineDep) -> dict[str, Any]:
    return _detail(principal, catalogue.find_version(engine, principal, agreement_id, version))


def _detail(principal: Principal, version: StoredVersion) -> dict[str, Any]:
    return {**catalogue.shown_version(principal, version),
            "objectives": catalogue.effective_objectives(version)}
