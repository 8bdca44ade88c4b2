"""One ticket: its data, status history and open timers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from accord.service import tickets
from accord.service.deps import EngineDep, NowDep, ReaderDep, SettingsDep
from accord.service.live import live_at
from accord.service.schemas import ErrorOut, Instant, TicketOut

router = APIRouter(prefix="/api/tickets", tags=["tickets"],
                   responses={400: {"model": ErrorOut}})


@router.get("/{ticket_id}", response_model=TicketOut)
async def ticket(ticket_id: str, principal: ReaderDep, engine: EngineDep,
                 settings: SettingsDep, now: NowDep, at: Instant | None = None
                 ) -> dict[str, Any]:
    """A ticket as loaded, its status history, and its timers still running or paused at
    ``at`` (default now)."""
    view = await run_in_threadpool(tickets.ticket_view, engine, principal, ticket_id,
                                   at=live_at(at, now), at_risk=settings.at_risk)
    found = view.ticket
    return {**{k: getattr(found, k) for k in (
        "id", "customer", "service", "priority", "created_at", "first_response_at",
        "resolved_at", "type", "supplier")},
        "extra": {k: None if v is None else str(v) for k, v in found.extra.items()},
        "history": [{"at": c.at, "status": c.status} for c in found.history],
        "timers": [t.document() for t in view.timers]}
