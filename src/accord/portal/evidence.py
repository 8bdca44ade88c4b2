"""The evidence pages: a ticket with its timeline and the objectives it counts in, an incident
with the downtime it caused, a delivery slot with its delivery — each as the caller may see it
(another customer's answers 404, as the API does)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.portal.rendering import ViewerDep, render
from accord.service import evidence, evidence_items
from accord.service.deps import EngineDep, NowDep, SettingsDep
from accord.service.names import names_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/tickets/{ticket_id:path}", response_class=HTMLResponse)
async def ticket(request: Request, ticket_id: str, principal: ViewerDep, engine: EngineDep,
                 settings: SettingsDep, now: NowDep) -> Response:
    def gather() -> dict[str, Any]:
        page = evidence.ticket_page(engine, principal, ticket_id, at=now,
                                    at_risk=settings.at_risk)
        return {"page": page, "names": names_for(engine, principal)}

    data = await run_in_threadpool(gather)
    return render(request, "ticket.html", {"title": f"Ticket {ticket_id}", "now": now, **data},
                  principal=principal)


@router.get("/incidents/{incident_id:path}", response_class=HTMLResponse)
async def incident(request: Request, incident_id: str, principal: ViewerDep,
                   engine: EngineDep, now: NowDep) -> Response:
    def gather() -> dict[str, Any]:
        page = evidence_items.incident_page(engine, principal, incident_id, now=now)
        return {"page": page, "names": names_for(engine, principal)}

    data = await run_in_threadpool(gather)
    return render(request, "incident.html", {"title": f"Incident {incident_id}", "now": now,
                                             **data}, principal=principal)


@router.get("/agreements/{agreement_id}/{customer}/slots/{objective}/{slot}",
            response_class=HTMLResponse)
async def slot(request: Request, agreement_id: str, customer: str, objective: str, slot: str,
               principal: ViewerDep, engine: EngineDep) -> Response:
    def gather() -> dict[str, Any]:
        page = evidence_items.slot_page(engine, principal, agreement_id=agreement_id,
                                  customer=customer, objective=objective, slot=slot)
        return {"page": page, "names": names_for(engine, principal)}

    data = await run_in_threadpool(gather)
    return render(request, "slot.html", {"title": f"Delivery slot of {objective}", **data},
                  principal=principal)
