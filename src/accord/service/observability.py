"""Observability: a request id and one structured JSON log line per request, and Prometheus
metrics at ``/metrics``.

Every request gets an id — the caller's ``X-Request-ID`` when it is a sane token, else a new
one — returned in the ``X-Request-ID`` header and written in the request's log line, so that a
customer's report of a failure can be found in the logs.

The metrics are of two kinds: the service's own (requests by route and status, and their
latency; API ingestions and their latency), counted in the process; and the state of the
agreements, read from the database when Prometheus scrapes — attainment and credits per
agreement, customer and objective for the current period, open timers at risk, ingestion
counts, webhook failures. They show every customer's numbers, so ``/metrics`` needs a caller
who reads everything (staff or admin, e.g. a token with the ``read`` scope).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["REQUEST_ID_HEADER", "JsonFormatter", "Metrics", "configure_json_logging",
           "request_logging"]

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_log = logging.getLogger("accord.http")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)))

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items()
                      if k not in self._STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Accord's loggers write JSON lines to standard error (``accord serve``)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("accord")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class Metrics:
    """The service's counters, in a registry of its own (one per application)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("accord_http_requests", "HTTP requests answered.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("accord_http_request_seconds", "Time to answer a request.",
                                 ["method", "route"], registry=self.registry)
        self.ingested = Counter("accord_api_ingested_rows", "Rows loaded through the API.",
                                ["table", "outcome"], registry=self.registry)
        self.ingest_latency = Histogram("accord_api_ingest_seconds",
                                        "Time to load one batch or file through the API.",
                                        ["table"], registry=self.registry)
        self.registry.register(_StateCollector(engine, clock))


def request_logging(metrics: Metrics) -> Callable[[Request, Callable[[Request], Awaitable[
        Response]]], Awaitable[Response]]:
    """The middleware: a request id, a JSON log line and the request metrics."""

    async def middleware(request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else secrets.token_hex(8)
        request.state.request_id = request_id
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
        finally:
            took = time.perf_counter() - started
            route = getattr(request.scope.get("route"), "path", "unmatched")
            metrics.requests.labels(request.method, route, str(status)).inc()
            metrics.latency.labels(request.method, route).observe(took)
            _log.info("request", extra={
                "request_id": request_id, "method": request.method, "path": request.url.path,
                "route": route, "status": status, "duration_ms": round(took * 1000, 2),
                "client": request.client.host if request.client else None})
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    return middleware


class _StateCollector(Collector):
    """The agreements' state, read from the database at each scrape."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def describe(self) -> list[Any]:
        return []  # collected on demand only: nothing to read at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from accord.service.evaluations import list_period_results
        from accord.service.live import live_timers
        from accord.service.overview import month_of
        from accord.service.tenancy import Principal
        from accord.store.schema import DeliveryAttemptRow, IngestionRow

        now = self._clock()
        system = Principal.system()
        labels = ["agreement", "customer", "objective", "metric"]
        attainment = GaugeMetricFamily(
            "accord_objective_attainment", "Attainment of each objective in the current "
            "period (as stored by the last evaluation).", labels=labels)
        met = GaugeMetricFamily("accord_objective_met", "1 when the objective is met.",
                                labels=labels)
        credit = GaugeMetricFamily("accord_agreement_credit_percent",
                                   "The agreement's credit for the current period, in percent.",
                                   labels=["agreement", "customer", "currency"])
        amount = GaugeMetricFamily("accord_agreement_credit_amount",
                                   "The agreement's credit for the current period, in money.",
                                   labels=["agreement", "customer", "currency"])
        for result in list_period_results(self._engine, system, period=month_of(now)):
            for objective in result.document["objectives"]:
                key = [result.agreement_id, result.customer, objective["id"],
                       objective["metric"]]
                if objective.get("attainment") is not None:
                    attainment.add_metric(key, float(objective["attainment"]))
                met.add_metric(key, 1.0 if objective["met"] else 0.0)
            money = [result.agreement_id, result.customer, result.currency or ""]
            credit.add_metric(money, float(result.credit_percent))
            if result.credit_amount is not None:
                amount.add_metric(money, float(result.credit_amount))
        yield from (attainment, met, credit, amount)

        at_risk = GaugeMetricFamily("accord_open_timers", "Open ticket timers now, by state.",
                                    labels=["agreement", "customer", "state"])
        counts: dict[tuple[str, str, str], int] = {}
        for timer in live_timers(self._engine, now, system):
            state = "breached" if timer.breached else "at_risk" if timer.at_risk else "on_track"
            key3 = (timer.agreement, timer.customer, state)
            counts[key3] = counts.get(key3, 0) + 1
        for key3, count in sorted(counts.items()):
            at_risk.add_metric(list(key3), count)
        yield at_risk

        with Session(self._engine) as session:
            loads = session.execute(
                select(IngestionRow.table, func.count(), func.sum(IngestionRow.inserted),
                       func.sum(IngestionRow.updated), func.sum(IngestionRow.rejected))
                .group_by(IngestionRow.table)).all()
            failures = session.execute(
                select(DeliveryAttemptRow.outcome, func.count())
                .group_by(DeliveryAttemptRow.outcome)).all()
        ingestions = GaugeMetricFamily("accord_ingestions", "Loads of data, by table.",
                                       labels=["table"])
        rows = GaugeMetricFamily("accord_ingested_rows", "Rows loaded, by table and outcome.",
                                 labels=["table", "outcome"])
        for table, count, inserted, updated, rejected in loads:
            ingestions.add_metric([table], count)
            for outcome, value in (("inserted", inserted), ("updated", updated),
                                   ("rejected", rejected)):
                rows.add_metric([table, outcome], float(value or 0))
        deliveries = GaugeMetricFamily("accord_notification_attempts",
                                       "Webhook and email delivery attempts, by outcome "
                                       "(retry and final are failures).", labels=["outcome"])
        for outcome, count in failures:
            deliveries.add_metric([outcome], count)
        yield from (ingestions, rows, deliveries)
