"""The database tables, as SQLAlchemy 2 typed declarative models.

These are table rows, not the domain values of :mod:`accord.model` (STYLE.md rule 8): an
agreement version keeps its source YAML, and the domain :class:`~accord.model.Agreement` is
parsed from it when needed.

Instants of the data tables (DESIGN.md §4) are stored as ``BIGINT`` microseconds since the
Unix epoch, UTC: exact to the microsecond on SQLite and PostgreSQL alike (SQLite has no
timestamp type), ordered as numbers, and loaded and read in bulk without parsing text.
Bookkeeping instants (``applied_at``, ``evaluated_at``) are timestamps with a time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AgreementRow",
    "AgreementVersionRow",
    "ApiTokenRow",
    "AuditRow",
    "Base",
    "DeliveryAttemptRow",
    "DeliveryRow",
    "EvaluationRow",
    "IncidentRow",
    "IngestionRow",
    "MeasurementRow",
    "NotificationRow",
    "ObjectiveResultRow",
    "PartyRow",
    "ReportRow",
    "ResultRow",
    "ServiceRow",
    "SessionRow",
    "SubscriptionRow",
    "TicketRow",
    "TicketStatusRow",
    "UTCDateTime",
    "UserRow",
]

_NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp with a time zone that always reads back as an aware UTC ``datetime``
    (SQLite keeps no zone: its values are stored in UTC and marked UTC when read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored as an instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMES)


class PartyRow(Base):
    """An organisation named by an agreement: provider, customer, supplier or team."""

    __tablename__ = "parties"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # From the parties file (DESIGN.md §8), when one was applied and names the party.
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    kind: Mapped[str | None] = mapped_column(String(20), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[str | None] = mapped_column(Text, default=None)
    """The party as its file gives it (address, contacts …), as JSON."""


class ServiceRow(Base):
    """A service of a provider's catalogue, as named by its agreements."""

    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementRow(Base):
    """An agreement's identity; its terms are in its versions."""

    __tablename__ = "agreements"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    customer: Mapped[str] = mapped_column(String(200))
    """A party id, or ``*`` for a service-based agreement."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementVersionRow(Base):
    """One applied version of an agreement file, kept forever."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of the source text, hex."""
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    file: Mapped[str] = mapped_column(Text)
    applied_by: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TicketRow(Base):
    __tablename__ = "tickets"
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    customer: Mapped[str] = mapped_column(Text, index=True)
    """Indexed: a customer's open tickets (live status) are found without reading the rest."""
    service: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    first_response_at: Mapped[int | None] = mapped_column(BigInteger)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    type: Mapped[str | None] = mapped_column(Text)
    supplier: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[str | None] = mapped_column(Text)
    """The file's other columns as a JSON object of text (``where`` filters may name them)."""


class TicketStatusRow(Base):
    """A status change. ``seq`` tells apart identical rows of one file (the same ticket, instant
    and status); ``position`` is the row's place among the ticket's rows at that instant, which
    decides the status from then on (docs/semantics.md: the last one read wins)."""

    __tablename__ = "ticket_status"
    ticket_id: Mapped[str] = mapped_column(Text, primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class IncidentRow(Base):
    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    service: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(Text)
    customer: Mapped[str | None] = mapped_column(Text)
    supplier: Mapped[str | None] = mapped_column(Text)


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    customer: Mapped[str] = mapped_column(Text)
    item: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[int] = mapped_column(BigInteger)


class MeasurementRow(Base):
    """A measurement, keyed by customer, measure and instant; ``seq`` tells apart rows of one
    file at the same key, which a KPI aggregates as separate values."""

    __tablename__ = "measurements"
    customer: Mapped[str] = mapped_column(Text, primary_key=True)
    measure: Mapped[str] = mapped_column(Text, primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float(precision=53))
    good: Mapped[float | None] = mapped_column(Float(precision=53))
    total: Mapped[float | None] = mapped_column(Float(precision=53))


class EvaluationRow(Base):
    """One run of ``accord evaluate`` on the database: a period as of an instant."""

    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evaluated_by: Mapped[str] = mapped_column(String(200))


class ResultRow(Base):
    """An agreement's result for one customer and period. Exactly one row per agreement,
    customer and period is ``current``; the ones it replaced stay as history."""

    __tablename__ = "results"
    __table_args__ = (
        Index("uq_results_current", "agreement_id", "customer", "period", unique=True,
              sqlite_where=text("current"), postgresql_where=text("current")),
        Index("ix_results_period", "period", "agreement_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"))
    customer: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))
    current: Mapped[bool] = mapped_column(Boolean)
    met: Mapped[bool] = mapped_column(Boolean)
    credit_percent: Mapped[str] = mapped_column(String(40))
    """Decimal text, exact (4.0 means 4 %)."""
    credit_amount: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    capped: Mapped[bool] = mapped_column(Boolean)
    document: Mapped[str] = mapped_column(Text)
    """The agreement's part of the JSON document (DESIGN.md §6), as printed."""


class ObjectiveResultRow(Base):
    """One objective of a result, with its evidence items as the JSON they print as."""

    __tablename__ = "objective_results"
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"),
                                           primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(20))
    attainment: Mapped[float | None] = mapped_column(Float(precision=53))
    goal: Mapped[float | None] = mapped_column(Float(precision=53))
    met: Mapped[bool] = mapped_column(Boolean)
    counted: Mapped[int] = mapped_column(Integer)
    breached: Mapped[int] = mapped_column(Integer)
    pending: Mapped[int] = mapped_column(Integer)
    credit_percent: Mapped[float] = mapped_column(Float(precision=53))
    items: Mapped[str] = mapped_column(Text)
    """A JSON list of the objective's items for this customer, in output order."""


class ReportRow(Base):
    """A monthly report of a customer and period printed as PDF (issue 5), kept so that it is
    printed once rather than on every download: printed when the customer's results are
    stored, or else at the first download, and served from here while it is the report of the
    current stored results.

    ``page_sha256`` names what was printed (``accord.documents.report.report_key``): every
    figure, agreement version, evidence row and trend point the report shows, and how it is
    printed. A download makes the key of the report as the caller may see it now and is served
    a row only of that very key, so a re-evaluation (other figures, another key) is never
    answered with the report of the results it replaced. ``evaluation_id`` is the newest
    evaluation among the results printed; ``sha256`` is the PDF's.
    """

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("customer", "period", "page_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))
    page_sha256: Mapped[str] = mapped_column(String(64))
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserRow(Base):
    """A person who logs in: staff of the provider, or someone of a customer or supplier.

    ``party_id`` binds a ``customer`` or ``supplier`` user to the one party whose data it may
    read; it is null for ``admin`` and ``staff``. The password is kept only as its argon2 hash.
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    """A token for a machine client, acting as its user within ``scopes``.

    Tokens are long random secrets, so a SHA-256 of the token is enough to find it and cannot
    be reversed; the secret itself is shown once, when created. ``prefix`` is its first
    characters, to recognise it in lists.
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))
    """Space-separated: ``read``, ``ingest``, ``admin``."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SessionRow(Base):
    """A browser session: the cookie holds a random secret whose SHA-256 is ``id``; the CSRF
    token that every unsafe request of the session must carry is kept beside it."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IngestionRow(Base):
    """One load of one file (or one batch posted to the API) into a data table: what it did,
    when and by whom. The last load per table and its rejected rows are shown to staff, and
    the worker re-checks live timers when a new load appears."""

    __tablename__ = "ingestions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    """The file name, or ``api`` for a posted batch."""
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    refused: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[str | None] = mapped_column(Text)
    """The bad rows, one per line, as they were reported."""
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(200))


class SubscriptionRow(Base):
    """Who is told about warnings, breaches and closed periods, and how (issue 4, item 4).

    ``owner_id`` is the user whose view of the data the subscription gets (null: made by an
    operator with the command line, seeing everything); ``party`` narrows it to one party's
    agreements. ``events``, ``agreements`` and ``thresholds`` are space-separated lists; a
    null ``agreements`` means every agreement the owner may see.
    """

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    party: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    """``webhook`` or ``email``."""
    target: Mapped[str] = mapped_column(Text)
    """The webhook's URL or the email address."""
    # Kept in clear, unlike passwords and tokens: every webhook body is signed with it
    # (HMAC-SHA256), so the worker must be able to read it back.
    secret: Mapped[str | None] = mapped_column(Text)
    events: Mapped[str] = mapped_column(String(200))
    agreements: Mapped[str | None] = mapped_column(Text)
    thresholds: Mapped[str] = mapped_column(String(200))
    """Fractions of the target at which a warning is sent, e.g. ``0.75 0.9``."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class NotificationRow(Base):
    """One event for one subscription, and its delivery: the worker's "sent" state and outbox.

    ``event_key`` names the event (``warning:0.75:{agreement}:{customer}:{objective}:{ticket}``,
    ``breach:…``, ``period_closed:{period}:{agreement}:{customer}``); it is unique per
    subscription, so a restarted worker neither sends an event again nor skips one. ``body``
    is the exact JSON sent, and ``delivery_id`` the ``X-Accord-Delivery`` id, the same on every
    retry. ``status`` is ``pending`` (to be sent at ``next_attempt_at``), ``delivered`` or
    ``dead`` (given up: a final refusal, or every retry failed).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_key"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(800))
    event: Mapped[str] = mapped_column(String(40))
    delivery_id: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryAttemptRow(Base):
    """One try at delivering a notification: when, and what came of it."""

    __tablename__ = "delivery_attempts"
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20))
    """``delivered``, ``retry`` (failed, to be tried again) or ``final`` (failed for good)."""
    status_code: Mapped[int | None] = mapped_column(Integer)
    """The HTTP status, or the SMTP reply code."""
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float(precision=53))


class AuditRow(Base):
    """One administrative action (issue 12, item 9): who did what to whom, when, and by which
    way in (the portal or the API). Written in the transaction of the action itself, so an
    action is never without its entry nor an entry without its action; kept for good (no
    foreign key: the entry outlives what it names)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    """The user name of who acted."""
    actor_id: Mapped[int | None] = mapped_column(Integer)
    via: Mapped[str] = mapped_column(String(20))
    """``portal``, ``api`` or ``cli``."""
    action: Mapped[str] = mapped_column(String(60))
    """``user.add``, ``token.revoke``, ``subscription.test`` …"""
    target: Mapped[str] = mapped_column(String(400))
    """What was acted on: a user name, ``token 12 (ci) of ada``, ``subscription 3``."""
    detail: Mapped[str | None] = mapped_column(Text)
    """What changed, in words (never a password or a secret)."""
