"""The API's request and response bodies (STYLE.md rule 8: apart from the domain models of
accord.model and the tables of accord.store)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from accord.service.tenancy import Role, Scope

__all__ = [
    "DB_INT_MAX", "AgreementOut", "ApplyIn", "ChangeOut", "CreditLineOut", "CreditStatementOut", "ErrorOut",
    "EvaluateIn", "HealthOut", "IngestionOut", "Instant", "ItemPageOut", "LiveOut", "LiveTimerOut",
    "LoadedOut", "LoginIn", "NewTokenOut", "ObjectiveOut", "PartyOut", "PasswordIn",
    "ProblemOut", "ReadyOut", "ResultCreditOut", "ResultOut", "RowsIn", "RunOut", "ServiceOut",
    "SessionOut", "StatusChangeOut", "TicketOut", "TokenIn", "TokenOut", "UserIn", "UserOut",
    "UserPatch", "VersionDetailOut",
]

DB_INT_MAX = 2**31 - 1
"""The largest id, offset or count a request may name: a database ``Integer`` holds no more
(PostgreSQL's is 32-bit), and a larger one would fail in the database, not answer 404."""

_EARLIEST, _LATEST = datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)


def _within_calendar(at: datetime) -> datetime:
    if not _EARLIEST <= at < _LATEST:
        raise ValueError(f"{at.isoformat()} is out of range (the years 1000 to 9998)")
    return at


Instant = Annotated[AwareDatetime, AfterValidator(_within_calendar)]
"""An instant a request names (``at``, ``expires_at``): with its UTC offset, since a naive one
would be ambiguous, and in the years 1000 to 9998, where periods and due dates around it are
dates too."""


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProblemOut(_Out):
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    hint: str | None = None


class ErrorOut(_Out):
    error: str
    problems: list[ProblemOut] = []


class HealthOut(_Out):
    status: Literal["ok"]


class ReadyOut(_Out):
    status: Literal["ready", "unavailable"]
    database: str
    revision: str | None = None
    head: str
    problem: str | None = None


class PartyOut(_Out):
    id: str
    roles: list[str]


class ServiceOut(_Out):
    id: str
    provider: str
    agreements: list[str]


class AgreementOut(_Out):
    agreement_id: str = Field(serialization_alias="id")
    version: int
    title: str | None
    type: str
    effective_from: date
    effective_to: date | None
    content_hash: str
    file: str
    applied_by: str
    applied_at: datetime


class VersionDetailOut(AgreementOut):
    source: str
    """The agreement file's text, exactly as applied."""
    objectives: dict[str, dict[str, Any]]
    """Each objective as Accord reads it, every default filled in."""


class ApplyIn(BaseModel):
    source: str = Field(description="The agreement file's YAML text.")
    filename: str = Field("agreement.yaml", description="Its name, for messages.")
    dry_run: bool = False


class ChangeOut(_Out):
    agreement: str
    kind: Literal["new", "changed", "unchanged"]
    version: int
    details: list[str]


class ResultCreditOut(_Out):
    percent: float
    amount: str | None
    currency: str | None
    capped: bool


class ObjectiveOut(_Out):
    id: str
    metric: str
    clause: str | None = None
    attainment: float | None
    goal: float | None
    met: bool
    counted: int
    breached: int
    pending: int
    credit_percent: float
    target: str | None = None
    downtime_s: float | None = None
    measured_s: float | None = None


class ResultOut(_Out):
    agreement: str
    title: str | None = None
    customer: str
    period: str
    start: datetime
    end: datetime
    version: int
    at: datetime
    evaluated_at: datetime
    evaluated_by: str
    current: bool
    met: bool
    credit: ResultCreditOut
    objectives: list[ObjectiveOut]


class ItemPageOut(_Out):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]
    """Evidence items as in ``accord evaluate --format json`` (DESIGN.md §6)."""


class EvaluateIn(BaseModel):
    period: str = Field(description="2026-03, 2026-Q1 or 2026.")
    at: Instant | None = Field(None, description="Evaluate as of this instant; default now.")
    agreements: list[str] | None = Field(None, description="Only these agreements.")


class RunOut(_Out):
    evaluation_id: int
    period: str
    at: datetime
    agreements: list[str]
    results: int


class LiveTimerOut(_Out):
    agreement: str
    customer: str
    objective: str
    metric: str
    ticket: str
    state: Literal["running", "paused"]
    elapsed_s: float
    target_s: int
    time_left_s: float
    used: float
    due_at: datetime | None
    at_risk: bool
    breached: bool


class StatusChangeOut(_Out):
    at: datetime
    status: str


class TicketOut(_Out):
    id: str
    customer: str
    service: str
    priority: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    type: str | None
    supplier: str | None
    extra: dict[str, str | None]
    """The file's other columns."""
    history: list[StatusChangeOut]
    timers: list[LiveTimerOut]
    """Its timers still running or paused."""


class LiveOut(_Out):
    at: datetime
    at_risk_threshold: float
    timers: list[LiveTimerOut]


class CreditLineOut(_Out):
    objective: str
    clause: str | None
    metric: str
    percent: float
    reason: str


class CreditStatementOut(_Out):
    agreement: str
    title: str | None
    customer: str
    period: str
    version: int
    entitled: bool
    percent: float
    amount: str | None
    currency: str | None
    capped: bool
    lines: list[CreditLineOut]
    text: str


class RowsIn(BaseModel):
    rows: list[dict[str, Any]] = Field(description="Rows with the table's columns "
                                                   "(DESIGN.md §4).")
    data_timezone: str | None = Field(None, description="The zone of naive timestamps.")


class LoadedOut(_Out):
    table: str
    inserted: int
    updated: int
    unchanged: int
    ingestion: int


class IngestionOut(_Out):
    id: int
    table: str
    source: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    refused: bool
    problems: list[str]
    at: datetime
    by: str


class UserOut(_Out):
    id: int
    username: str
    role: Role
    party: str | None
    disabled: bool
    created_at: datetime


class UserIn(BaseModel):
    username: str
    password: str = Field(repr=False)
    role: Role
    party: str | None = None


class UserPatch(BaseModel):
    disabled: bool | None = None
    password: str | None = Field(None, repr=False)
    role: Role | None = Field(None, description="A new role (with ``party`` for customers "
                                                "and suppliers); the user's sessions end.")
    party: str | None = Field(None, max_length=200)


class PasswordIn(BaseModel):
    current: str = Field(repr=False)
    new: str = Field(repr=False)


class TokenOut(_Out):
    id: int
    username: str
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(min_length=1)
    expires_at: Instant | None = None
    username: str | None = Field(None, description="Whose token (admins only); default: "
                                                   "the caller's.")


class NewTokenOut(_Out):
    token: TokenOut
    secret: str
    """The token to send as ``Authorization: Bearer …``: shown this once only."""


class LoginIn(BaseModel):
    username: str
    password: str = Field(repr=False)


class SessionOut(_Out):
    username: str
    role: Role
    party: str | None
    scopes: list[Scope]
    csrf_token: str | None = None
