"""Live status: open ticket timers as of now."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl
from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from accord.engine.results import format_instant
from accord.service import live
from accord.service.deps import EngineDep, NowDep, ReaderDep, SettingsDep
from accord.service.schemas import ErrorOut, Instant, LiveOut

router = APIRouter(prefix="/api/live", tags=["live"],
                   responses={400: {"model": ErrorOut}})


@router.get("", response_model=LiveOut)
async def live_status(principal: ReaderDep, engine: EngineDep, settings: SettingsDep,
                      now: NowDep, at: Instant | None = None, agreement: str | None = None,
                      customer: str | None = None, at_risk: bool | None = None) -> Response:
    """Every open ticket's timers — elapsed, target, time left, share used, due_at, state,
    at risk — least time left first. ``at`` evaluates as of another instant."""
    when = live.live_at(at, now)
    timers = await run_in_threadpool(live.live_frame, engine, when, principal,
                                     at_risk=settings.at_risk)
    for column, wanted in (("agreement", agreement), ("customer", customer),
                           ("at_risk", at_risk)):
        if wanted is not None:
            timers = timers.filter(pl.col(column) == wanted)
    return Response(_document(when, settings.at_risk, timers), media_type="application/json")


def _document(at: datetime, threshold: float, timers: pl.DataFrame) -> bytes:
    """The :class:`LiveOut` document, its timers written by Polars in one go (dashboards poll
    this, and a customer may have hundreds of open timers)."""
    due = pl.col("due_at")
    shown = timers.with_columns(
        pl.when(due.dt.microsecond() == 0).then(due.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        .otherwise(due.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ")).alias("due_at"))
    head = json.dumps({"at": format_instant(at), "at_risk_threshold": threshold})
    return f'{head[:-1]}, "timers": '.encode() + shown.write_json().encode() + b"}"
