"""The portal's pages: what a customer, a supplier or the provider's staff sees."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.charts import burn_down_chart, javascript_bundle, trend_chart
from accord.errors import NotFoundError
from accord.formatting import number
from accord.formatting import period_name as format_period
from accord.portal.rendering import ViewerDep, render
from accord.service import overview, timeline
from accord.service.credits import CreditStatement, credit_statements
from accord.service.deps import EngineDep, NowDep, SettingsDep
from accord.service.evaluations import list_period_results, parse_period, result_items
from accord.service.ingestion import ingestion_log
from accord.service.live import live_timers
from accord.service.names import Names, names_for
from accord.service.tenancy import Principal, Scope

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_ITEM_COLUMNS = ["agreement", "customer", "objective", "ticket", "state", "elapsed_s",
                 "target_s", "due_at", "slot", "window_end", "delivery", "delivered_at",
                 "incident", "kind", "start", "end", "downtime_s", "met", "period"]


def _period(period: str | None, now: Any) -> str:
    return parse_period(period) if period else overview.month_of(now)


def _picker(engine: EngineDep, now: Any, period: str) -> dict[str, Any]:
    """What the period picker needs: the months, quarters and years it offers."""
    return {"period": period, "choices": timeline.period_choices(engine, now, period)}


def _voice(principal: Principal, names: Names, customer: str) -> str | None:
    """Whom a credit statement speaks to: the customer itself ("You are entitled to …"), or
    anyone else reading about it (``None`` for the customer's own voice, else its name)."""
    return None if principal.bound and principal.party == customer else names.party(customer)


def _page_title(title: str, customer_name: str) -> str:
    """An agreement's title naming its customer: "Billing system support for Acme Corp" as it
    is, "Cloud hosting availability" as "Cloud hosting availability for Acme Corp"."""
    return title if customer_name in title else f"{title} for {customer_name}"


def _said(statement: CreditStatement, principal: Principal, names: Names) -> str:
    return statement.sentence(_voice(principal, names, statement.customer))


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
    if not principal.bound:
        return await _staff_home(request, principal, engine, settings, now, chosen)

    def gather() -> dict[str, Any]:
        statuses = overview.agreement_statuses(engine, principal, period=chosen, now=now,
                                               at_risk=settings.at_risk)
        everything = list_period_results(engine, principal)
        last = timeline.last_month_of(chosen, now)
        strips = timeline.agreement_strips(everything, last_month=last)
        agreements = sorted({(r.agreement_id, r.customer): r.document.get("title")
                             for r in everything}.items(),
                            key=lambda pair: (pair[1] or pair[0][0]).lower())
        return {"statuses": {(s.agreement, s.customer): s for s in statuses},
                "agreements": agreements, "strips": strips, "last_month": last,
                "year_to_date": timeline.credit_total(timeline.year_to_date(everything, last)),
                "names": names_for(engine, principal), **_picker(engine, now, chosen)}

    data = await run_in_threadpool(gather)
    return render(request, "home.html", {"title": "Your agreements", "now": now, **data},
                  principal=principal)


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
        live = period == overview.month_of(now)
        return {
            "rollup": overview.customer_rollup(statuses, list_period_results(engine, principal),
                                               period=period, now=now),
            "heatmap": overview.heatmap(engine, principal, period=period,
                                        timers=timers if live else ()),
            "live": live,
            "rollup_year": timeline.last_month_of(period, now)[:4],
            "owed_total": timeline.statements_total(s.credit for s in statuses),
            "queue": [t for t in timers if t.at_risk][:50],
            "queue_total": sum(1 for t in timers if t.at_risk),
            "owed": [s for s in statuses if s.credit.entitled],
            "suppliers": [s for s in statuses if s.type in ("uc", "ola")],
            "loads": [latest[t] for t in sorted(latest)],
            "rejected": [load for load in loads if load.rejected][:10],
            "can_ingest": Scope.INGEST in principal.scopes,
            "at_risk_share": settings.at_risk,
            "names": names_for(engine, principal),
            **_picker(engine, now, period),
        }

    data = await run_in_threadpool(gather)
    return render(request, "staff.html", {"title": "All customers", "now": now, **data},
                  principal=principal)


@router.get("/agreements/{agreement_id}/{customer}", response_class=HTMLResponse)
async def agreement(request: Request, agreement_id: str, customer: str,
                    principal: ViewerDep, engine: EngineDep, settings: SettingsDep,
                    now: NowDep, period: str | None = None) -> Response:
    chosen = _period(period, now)

    def gather() -> dict[str, Any]:
        try:
            page = overview.agreement_page(
                engine, principal, agreement_id=agreement_id, customer=customer,
                period=chosen, now=now, at_risk=settings.at_risk)
        except NotFoundError:
            # An agreement the caller sees, with results in other periods but not this one,
            # says so plainly; anything else stays "not found", naming nothing.
            stored = sorted({r.period for r in list_period_results(engine, principal)
                             if r.agreement_id == agreement_id and r.customer == customer},
                            reverse=True)
            if not stored:
                raise
            title = next(r.document.get("title") for r in list_period_results(
                engine, principal, period=stored[0]) if r.agreement_id == agreement_id)
            return {"page": None, "stored": stored, "agreement_title": title,
                    "names": names_for(engine, principal), **_picker(engine, now, chosen)}
        return {"page": page, "names": names_for(engine, principal),
                **_picker(engine, now, chosen)}

    data = await run_in_threadpool(gather)
    page, names = data["page"], data["names"]
    if page is None:
        return render(request, "agreement_none.html", {
            "title": _page_title(data["agreement_title"] or agreement_id,
                                 names.party(customer)),
            "agreement": agreement_id, "customer": customer, **data},
            principal=principal, status_code=404)
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
        "title": _page_title(page.result.document.get("title") or agreement_id,
                             names.party(customer)), "charts": charts,
        "now": now, "statement": _said(page.credit, principal, names), **data},
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
    from accord.service.catalogue import find_version

    stored = find_version(engine, principal, agreement_id, version)
    return sla_document(stored.agreement(), Source(
        stored.content_hash, file=stored.file, version=stored.version,
        applied_at=stored.applied_at, applied_by=stored.applied_by)), stored


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
    names = names_for(engine, principal)
    owed = [s for s in statements if s.entitled]
    return render(request, "credits.html", {
        "title": "Service credits", "statements": statements,
        "sentences": [_said(s, principal, names) for s in statements],
        "total": timeline.statements_total(owed), "owed": len(owed), "names": names,
        **_picker(engine, now, chosen)}, principal=principal)


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
    names = names_for(engine, principal)
    lines = [f"Credit statement — {statement.title or statement.agreement}",
             f"Agreement: {statement.agreement} (version {statement.version})",
             f"Customer: {names.party(statement.customer)}",
             f"Period: {format_period(statement.period)}", "",
             _said(statement, principal, names), ""]
    for line in statement.lines:
        clause = f"section {line.clause}" if line.clause else line.objective
        lines.append(f"- {clause} ({line.objective}): {number(line.percent, 2)} % — "
                     f"{line.reason}")
    if statement.capped:
        lines.append(f"The total is capped at {number(statement.percent, 2)} % of the fee.")
    name = f"{statement.agreement}-{statement.customer}-{statement.period}-credit.txt"
    return Response("\n".join(lines) + "\n", media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
