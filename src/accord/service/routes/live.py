"""Live status: open ticket timers as of now."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from accord.service import live
from accord.service.deps import EngineDep, NowDep, ReaderDep, SettingsDep
from accord.service.schemas import Instant, LiveOut

router = APIRouter(prefix="/api/live", tags=["live"])


@router.get("", response_model=LiveOut)
async def live_status(principal: ReaderDep, engine: EngineDep, settings: SettingsDep,
                      now: NowDep, at: Instant | None = None, agreement: str | None = None,
                      customer: str | None = None, at_risk: bool | None = None
                      ) -> dict[str, object]:
    """Every open ticket's timers — elapsed, target, time left, share used, due_at, state,
    at risk — least time left first. ``at`` evaluates as of another instant."""
    when = at or now
    timers = await run_in_threadpool(live.live_timers, engine, when, principal,
                                     at_risk=settings.at_risk)
    chosen = [t.document() for t in timers
              if (agreement is None or t.agreement == agreement)
              and (customer is None or t.customer == customer)
              and (at_risk is None or t.at_risk is at_risk)]
    return {"at": when, "at_risk_threshold": settings.at_risk, "timers": chosen}
