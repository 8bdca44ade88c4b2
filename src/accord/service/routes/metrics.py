"""Prometheus metrics (accord.service.observability)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from accord.errors import NotAllowedError, Problem
from accord.service.deps import ReaderDep
from accord.service.observability import Metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}},
                             "description": "Prometheus' text format."}})
async def metrics(request: Request, principal: ReaderDep) -> Response:
    """The service's and the agreements' metrics. They hold every customer's numbers, so only
    staff and admins (or their tokens) may read them."""
    if principal.bound:
        raise NotAllowedError("metrics are for the provider's staff", [Problem(
            "the metrics show every customer's numbers",
            hint="scrape with a staff or admin token")])
    found: Metrics = request.app.state.metrics
    body = await run_in_threadpool(generate_latest, found.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
