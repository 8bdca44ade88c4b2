"""Credit statements per customer and period."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accord.service import credits
from accord.service.deps import EngineDep, ReaderDep
from accord.service.schemas import CreditStatementOut, ErrorOut

router = APIRouter(prefix="/api/credits", tags=["credits"],
                   responses={400: {"model": ErrorOut}})


@router.get("/{period}", response_model=list[CreditStatementOut])
def statements(period: str, principal: ReaderDep, engine: EngineDep,
               customer: str | None = None) -> list[dict[str, Any]]:
    """What each customer is entitled to for a stored period, and why."""
    return [s.document() for s in credits.credit_statements(
        engine, period=period, principal=principal, customer=customer)]
