"""Evaluations by period: stored results with their objectives, credits and evidence items;
running an evaluation of the stored data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from accord.service import evaluations
from accord.service.deps import EngineDep, IngesterDep, NowDep, ReaderDep
from accord.service.schemas import ErrorOut, EvaluateIn, ItemPageOut, ResultOut, RunOut
from accord.store.results import StoredResult

router = APIRouter(prefix="/api/evaluations", tags=["evaluations"],
                   responses={400: {"model": ErrorOut}})


def _out(result: StoredResult) -> dict[str, Any]:
    document = result.document
    return {
        "agreement": result.agreement_id, "title": document.get("title"),
        "customer": result.customer, "period": result.period,
        "start": document["period"]["start"], "end": document["period"]["end"],
        "version": result.version, "at": result.at, "evaluated_at": result.evaluated_at,
        "evaluated_by": result.evaluated_by, "current": result.current, "met": result.met,
        "credit": document["credit"],
        "objectives": [{**o, "credit_percent": o["credit"]["percent"]}
                       for o in document["objectives"]],
    }


@router.post("", response_model=RunOut, status_code=201)
async def evaluate(body: EvaluateIn, principal: IngesterDep, engine: EngineDep,
                   now: NowDep) -> evaluations.RunSummary:
    """Evaluate the stored agreements on the stored data for a period and store the results
    (the ones they replace stay as history)."""
    return await run_in_threadpool(
        evaluations.evaluate_period, engine, period=body.period, at=body.at or now,
        by=principal.username, now=now, agreement_ids=body.agreements)


@router.get("", response_model=list[ResultOut])
def list_results(principal: ReaderDep, engine: EngineDep,
                 period: str | None = None) -> list[dict[str, Any]]:
    """The current results the caller may see, of one period or of all."""
    return [_out(r) for r in
            evaluations.list_period_results(engine, principal, period=period)]


@router.get("/{period}", response_model=list[ResultOut])
def period_results(period: str, principal: ReaderDep, engine: EngineDep
                   ) -> list[dict[str, Any]]:
    """The current results of a period, by agreement and customer."""
    return [_out(r) for r in evaluations.list_period_results(engine, principal, period=period)]


@router.get("/{period}/{agreement_id}/{customer}", response_model=list[ResultOut])
def result(period: str, agreement_id: str, customer: str, principal: ReaderDep,
           engine: EngineDep, history: bool = False) -> list[dict[str, Any]]:
    """An agreement's current result for a customer and period; with ``history``, the
    results it replaced too, newest first."""
    return [_out(r) for r in evaluations.get_result(
        engine, principal, period=period, agreement_id=agreement_id, customer=customer,
        history=history)]


@router.get("/{period}/{agreement_id}/{customer}/items", response_model=ItemPageOut)
def items(period: str, agreement_id: str, customer: str, principal: ReaderDep,
          engine: EngineDep, objective: str | None = None,
          state: evaluations.ItemState | None = None, met: bool | None = None,
          offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=10_000)
          ) -> evaluations.ItemPage:
    """The evidence behind a result: tickets, delivery slots, outages — filtered, paged."""
    return evaluations.result_items(
        engine, principal, period=period, agreement_id=agreement_id, customer=customer,
        objective=objective, state=state, met=met, offset=offset, limit=limit)
