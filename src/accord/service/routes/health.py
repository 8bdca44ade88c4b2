"""Liveness and readiness probes. They answer anyone (a load balancer has no credentials), so
they say nothing about where the database is or how it failed: the reason goes to the log."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from accord.service.deps import EngineDep, SettingsDep
from accord.service.schemas import HealthOut, ReadyOut
from accord.store import head_revision
from accord.store.database import current_revision

router = APIRouter(tags=["health"])
_log = logging.getLogger("accord.service")


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """The process is up."""
    return HealthOut(status="ok")


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
async def readyz(engine: EngineDep, settings: SettingsDep) -> JSONResponse:
    """The database is reachable and its schema is this Accord's."""
    head = head_revision()
    try:
        revision = await run_in_threadpool(current_revision, engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        _log.warning("readyz: %s: cannot use the database: %s", settings.store.shown_url,
                     reason)
        body = ReadyOut(status="unavailable", head=head,
                        problem="the database cannot be used (the server's log says why)")
        return JSONResponse(body.model_dump(mode="json"), status_code=503)
    ready = revision == head
    body = ReadyOut(status="ready" if ready else "unavailable", revision=revision, head=head,
                    problem=None if ready else "the schema is not at this Accord's revision")
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ready else 503)
