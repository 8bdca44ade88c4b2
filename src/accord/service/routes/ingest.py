"""Loading data: a JSON batch of rows or an uploaded file, keyed and all-or-nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from accord.service import ingestion
from accord.service.deps import EngineDep, IngesterDep, NowDep
from accord.service.schemas import ErrorOut, IngestionOut, LoadedOut, RowsIn
from accord.store.ingestions import Ingestion

router = APIRouter(prefix="/api/ingest", tags=["ingest"])
_REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "Nothing loaded; every bad row named."}}


@router.get("", response_model=list[IngestionOut])
def log(principal: IngesterDep, engine: EngineDep, limit: int = 50) -> list[Ingestion]:
    """The latest loads, newest first, with their rejected rows."""
    return ingestion.ingestion_log(engine, principal, limit=limit)


@router.post("/{table}", response_model=LoadedOut, responses=_REFUSED)
async def ingest_rows(table: str, body: RowsIn, principal: IngesterDep, engine: EngineDep,
                      now: NowDep) -> ingestion.Loaded:
    """Load a batch of rows into ``table`` (tickets, ticket_status, incidents, deliveries,
    measurements): rows with known keys are updated, never duplicated."""
    return await run_in_threadpool(ingestion.ingest_rows, engine, principal,
                                   ingestion.table_name(table), body.rows, now=now,
                                   data_timezone=body.data_timezone)


@router.post("/{table}/file", response_model=LoadedOut, responses=_REFUSED)
async def ingest_file(table: str, file: UploadFile, principal: IngesterDep,
                      engine: EngineDep, now: NowDep,
                      data_timezone: str | None = Form(None)) -> ingestion.Loaded:
    """Load an uploaded CSV, JSON Lines or Parquet file into ``table``."""
    return await run_in_threadpool(ingestion.ingest_upload, engine, principal,
                                   ingestion.table_name(table), filename=file.filename or "",
                                   content=file.file, now=now, data_timezone=data_timezone)
