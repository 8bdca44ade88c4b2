"""The monthly SLA report to download from the portal, as PDF, HTML or the evidence as CSV —
gathered through the service layer, so a caller gets only a report of what it may see."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from accord.documents.report import render_report, report_filename
from accord.portal.rendering import ViewerDep
from accord.service.deps import EngineDep
from accord.service.reports import report_inputs
from accord.service.tenancy import not_found

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "csv": "text/csv; charset=utf-8"}


@router.get("/reports/{customer}/{period}.{fmt}")
def monthly_report(customer: str, period: str, fmt: str, principal: ViewerDep,
                   engine: EngineDep) -> Response:
    """The report of ``customer`` for ``period``, as an attachment (rendered in a worker
    thread: FastAPI runs a plain function route in its thread pool)."""
    if fmt not in _MEDIA_TYPES:
        raise not_found("report format")
    inputs = report_inputs(engine, principal, customer=customer, period=period)
    name = report_filename(inputs.customer, inputs.period, fmt)
    return Response(render_report(inputs, fmt), media_type=_MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
