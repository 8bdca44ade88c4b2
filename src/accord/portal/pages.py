"""The portal's pages: what a customer, a supplier or the provider's staff sees."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.charts import burn_down_chart, javascript_bundle, trend_chart
from accord.portal.rendering import ViewerDep, render
from accord.service import overview
from accord.service.credits import credit_statements
from accord.service.deps import EngineDep, NowDep, SettingsDep
from accord.service.evaluations import parse_period, result_items
from accord.service.ingestion import ingestion_log
from accord.service.live import live_timers
from accord.service.tenancy import Principal, Scope

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_ITEM_COLUMNS = ["agreement", "customer", "objective", "ticket", "state", "elapsed_s",
                 "target_s", "due_at", "slot", "window_end", "delivery", "delivered_at",
                 "incident", "kind", "start", "end", "downtime_s", "met", "period"]


def _period(period: str | None, now: Any) -> str:
    return parse_period(period) if period else overview.month_of(now)


def _months(period: str) -> list[str]:
    """The periods a selector offers: the twelve months up to ``period``'s, newest first."""
    return overview.previous_periods(period[:7] if len(period) >= 7 else f"{period}-12",
                                     12)[::-1]


@router.get("/assets/vega.js")
async def vega_bundle() -> Response:
    """Vega, Vega-Lite and Vega-Embed, bundled by vl-convert (built once per process)."""
    script = await run_in_threadpool(javascript_bundle)
    return Response(script, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, principal: ViewerDep, engine: EngineDep,
               settings: SettingsDep, now: NowDep, period: str | None = None) -> Response:
    chosen = _period(period, now)
    if principal.bound:
        statuses = await run_in_threadpool(
            overview.agreement_statuses, engine, principal, period=chosen, now=now,
            at_risk=settings.at_risk)
        return render(request, "home.html", {
            "title": "Your agreements", "period": chosen, "months": _months(chosen),
            "statuses": statuses, "now": now}, principal=principal)
    return await _staff_home(request, principal, engine, settings, now, chosen)


async def _staff_home(request: Request, principal: Principal, engine: EngineDep,
                      settings: SettingsDep, now: Any, period: str) -> Response:
    def gather() -> dict[str, Any]:
        timers = live_timers(engine, now, principal, at_risk=settings.at_risk)
        statuses = overview.agreement_statuses(engine, principal, period=period, now=now,
                                               at_risk=settings.at_risk, timers=timers)
        loads = ingestion_log(engine, principal, limit=200) \
            if Scope.INGEST in principal.scopes else []
        latest: dict[str, Any] = {}
        for load in loads:
            latest.setdefault(load.table, load)
        return {
            "heatmap": overview.heatmap(engine, principal, period=period),
            "queue": [t for t in timers if t.at_risk][:50],
            "queue_total": sum(1 for t in timers if t.at_risk),
            "owed": [s for s in statuses if s.credit.entitled],
            "suppliers": [s for s in statuses if s.type in ("uc", "ola")],
            "loads": [latest[t] for t in sorted(latest)],
            "rejected": [load for load in loads if load.rejected][:10],
            "can_ingest": Scope.INGEST in principal.scopes,
            "at_risk_share": settings.at_risk,
        }

    data = await run_in_threadpool(gather)
    return render(request, "staff.html", {
        "title": "All customers", "period": period, "months": _months(period), "now": now,
        **data}, principal=principal)


@router.get("/agreements/{agreement_id}/{customer}", response_class=HTMLResponse)
async def agreement(request: Request, agreement_id: str, customer: str,
                    principal: ViewerDep, engine: EngineDep, settings: SettingsDep,
                    now: NowDep, period: str | None = None) -> Response:
    chosen = _period(period, now)
    page = await run_in_threadpool(
        overview.agreement_page, engine, principal, agreement_id=agreement_id,
        customer=customer, period=chosen, now=now, at_risk=settings.at_risk)
    end = page.result.document["period"]["end"]
    charts = {}
    for view in page.objectives:
        key = view.objective["id"]
        percent = view.objective["metric"] != "kpi"
        charts[f"trend-{key}"] = trend_chart(f"{key}: attainment by period", view.trend,
                                             percent=percent)
        if view.budget is not None:
            charts[f"burn-{key}"] = burn_down_chart(
                f"{key}: error budget left", view.budget.burn, end=end, unit=view.budget.unit)
    return render(request, "agreement.html", {
        "title": page.result.document.get("title") or agreement_id, "page": page,
        "period": chosen, "months": _months(chosen), "charts": charts, "now": now},
        principal=principal)


@router.get("/agreements/{agreement_id}/{customer}/open-tickets", response_class=HTMLResponse)
async def open_tickets(request: Request, agreement_id: str, customer: str,
                       principal: ViewerDep, engine: EngineDep, settings: SettingsDep,
                       now: NowDep) -> Response:
    """The open tickets table alone: the agreement page refreshes it every minute (htmx)."""
    def gather() -> list[Any]:
        from accord.service.catalogue import agreement_versions

        agreement_versions(engine, principal, agreement_id)
        if not principal.sees_customer(customer):
            from accord.service.tenancy import not_found

            raise not_found("agreement")
        return [t for t in live_timers(engine, now, principal, at_risk=settings.at_risk,
                                       agreement=agreement_id) if t.customer == customer]

    timers = await run_in_threadpool(gather)
    return render(request, "_timers.html", {"timers": timers, "show_agreement": False},
                  principal=principal)


@router.get("/at-risk", response_class=HTMLResponse)
async def at_risk_queue(request: Request, principal: ViewerDep, engine: EngineDep,
                        settings: SettingsDep, now: NowDep) -> Response:
    """The at-risk queue alone: the overview refreshes it every minute (htmx)."""
    timers = await run_in_threadpool(live_timers, engine, now, principal,
                                     at_risk=settings.at_risk)
    return render(request, "_timers.html", {"timers": [t for t in timers if t.at_risk][:50],
                                            "show_agreement": True}, principal=principal)


@router.get("/agreements/{agreement_id}/{customer}/evidence.csv")
def evidence_csv(agreement_id: str, customer: str, principal: ViewerDep, engine: EngineDep,
                 now: NowDep, period: str | None = None) -> Response:
    """Every evidence item of a result, as CSV."""
    chosen = _period(period, now)
    items = result_items(engine, principal, period=chosen, agreement_id=agreement_id,
                         customer=customer, limit=10**9).items
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_ITEM_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(items)
    name = f"{agreement_id}-{customer}-{chosen}-evidence.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _sla(engine: EngineDep, principal: Principal, agreement_id: str,
         version: int | None) -> Any:
    from accord.documents import Source, sla_document
    from accord.service.catalogue import find_version, shown_version

    stored = find_version(engine, principal, agreement_id, version)
    shown = shown_version(principal, stored)  # no server path or staff name for customers
    return sla_document(stored.agreement(), Source(
        stored.content_hash, file=shown["file"], version=stored.version,
        applied_at=stored.applied_at, applied_by=shown["applied_by"])), stored


@router.get("/documents/{agreement_id}.pdf")
async def sla_pdf(agreement_id: str, principal: ViewerDep, engine: EngineDep,
                  version: int | None = None) -> Response:
    """The agreement's SLA document as a PDF (the version in force, or ``version``)."""
    from accord.documents import render_pdf

    document, stored = await run_in_threadpool(_sla, engine, principal, agreement_id, version)
    pdf = await run_in_threadpool(render_pdf, document)
    name = f"{agreement_id}-v{stored.version}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/documents/{agreement_id}", response_class=HTMLResponse)
async def sla_page(agreement_id: str, principal: ViewerDep, engine: EngineDep,
                   version: int | None = None) -> Response:
    """The agreement's SLA document, generated from the YAML the numbers come from."""
    from accord.documents import render_html

    document, _ = await run_in_threadpool(_sla, engine, principal, agreement_id, version)
    return HTMLResponse(render_html(document))


@router.get("/credits", response_class=HTMLResponse)
def credits_page(request: Request, principal: ViewerDep, engine: EngineDep, now: NowDep,
                 period: str | None = None) -> Response:
    chosen = _period(period, now)
    statements = credit_statements(engine, period=chosen, principal=principal)
    return render(request, "credits.html", {
        "title": "Service credits", "period": chosen, "months": _months(chosen),
        "statements": statements}, principal=principal)


@router.get("/credits/{agreement_id}/{customer}.txt")
def credit_statement_text(agreement_id: str, customer: str, principal: ViewerDep,
                          engine: EngineDep, now: NowDep, period: str | None = None
                          ) -> Response:
    """A credit statement to download and keep, as plain text."""
    chosen = _period(period, now)
    found = [s for s in credit_statements(engine, period=chosen, principal=principal,
                                          customer=customer) if s.agreement == agreement_id]
    if not found:
        from accord.service.tenancy import not_found

        raise not_found("credit statement")
    (statement,) = found
    lines = [f"Credit statement — {statement.title or statement.agreement}",
             f"Agreement: {statement.agreement} (version {statement.version})",
             f"Customer: {statement.customer}", f"Period: {statement.period}", "",
             statement.text, ""]
    for line in statement.lines:
        clause = f"section {line.clause}" if line.clause else line.objective
        lines.append(f"- {clause} ({line.objective}): {line.percent:g} % — {line.reason}")
    if statement.capped:
        lines.append(f"The total is capped at {statement.percent:g} % of the fee.")
    name = f"{statement.agreement}-{statement.customer}-{statement.period}-credit.txt"
    return Response("\n".join(lines) + "\n", media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
