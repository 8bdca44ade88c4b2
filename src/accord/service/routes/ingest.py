"""Loading data: a JSON batch of rows or an uploaded file, keyed and all-or-nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from accord.engine import TableName
from accord.service import ingestion
from accord.service.deps import EngineDep, IngesterDep, NowDep
from accord.service.observability import Metrics
from accord.service.schemas import ErrorOut, IngestionOut, LoadedOut, RowsIn
from accord.store.ingestions import Ingestion

router = APIRouter(prefix="/api/ingest", tags=["ingest"],
                   responses={400: {"model": ErrorOut}})
_REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "Nothing loaded; every bad row named."}}


@router.get("", response_model=list[IngestionOut])
def log(principal: IngesterDep, engine: EngineDep,
        limit: int = Query(50, ge=1, le=1000)) -> list[Ingestion]:
    """The latest loads, newest first, with their rejected rows."""
    return ingestion.ingestion_log(engine, principal, limit=limit)


@router.post("/{table}", response_model=LoadedOut, responses=_REFUSED)
async def ingest_rows(table: str, body: RowsIn, request: Request, principal: IngesterDep,
                      engine: EngineDep, now: NowDep) -> ingestion.Loaded:
    """Load a batch of rows into ``table`` (tickets, ticket_status, incidents, deliveries,
    measurements): rows with known keys are updated, never duplicated."""
    chosen = ingestion.table_name(table)
    with _measured(request, chosen) as count:
        return count(await run_in_threadpool(ingestion.ingest_rows, engine, principal, chosen,
                                             body.rows, now=now,
                                             data_timezone=body.data_timezone))


@router.post("/{table}/file", response_model=LoadedOut, responses=_REFUSED)
async def ingest_file(table: str, file: UploadFile, request: Request, principal: IngesterDep,
                      engine: EngineDep, now: NowDep,
                      data_timezone: str | None = Form(None)) -> ingestion.Loaded:
    """Load an uploaded CSV, JSON Lines or Parquet file into ``table``."""
    chosen = ingestion.table_name(table)
    with _measured(request, chosen) as count:
        return count(await run_in_threadpool(
            ingestion.ingest_upload, engine, principal, chosen, filename=file.filename or "",
            content=file.file, now=now, data_timezone=data_timezone))


@contextmanager
def _measured(request: Request, table: TableName
              ) -> Iterator[Callable[[ingestion.Loaded], ingestion.Loaded]]:
    """Time a load and count its rows in the service's metrics."""
    metrics: Metrics = request.app.state.metrics
    started = time.perf_counter()

    def count(loaded: ingestion.Loaded) -> ingestion.Loaded:
        for outcome in ("inserted", "updated", "unchanged"):
            metrics.ingested.labels(table.value, outcome).inc(getattr(loaded, outcome))
        return loaded

    try:
        yield count
    finally:
        metrics.ingest_latency.labels(table.value).observe(time.perf_counter() - started)
