"""The monthly SLA report to download from the portal, as PDF, HTML or the evidence as CSV —
gathered through the service layer, so a caller gets only a report of what it may see. A PDF
is the one printed when the results were stored, while it is the report of the current
results (accord.service.reports)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from accord.documents.report import report_filename
from accord.portal.rendering import ViewerDep
from accord.service.deps import EngineDep, NowDep
from accord.service.reports import report_file
from accord.service.tenancy import not_found

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "csv": "text/csv; charset=utf-8"}


@router.get("/reports/{customer}/{period}.{fmt}")
def monthly_report(customer: str, period: str, fmt: str, principal: ViewerDep,
                   engine: EngineDep, now: NowDep) -> Response:
    """The report of ``customer`` for ``period``, as an attachment (rendered in a worker
    thread: FastAPI runs a plain function route in its thread pool)."""
    if fmt not in _MEDIA_TYPES:
        raise not_found("report format")
    inputs, content = report_file(engine, principal, customer=customer, period=period,
                                  fmt=fmt, now=now)
    name = report_filename(inputs.customer, inputs.period, fmt)
    return Response(content, media_type=_MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
