"""Request ids, JSON request logs and the Prometheus metrics."""

from __future__ import annotations

import json
import logging

import pytest

from accord.service.observability import JsonFormatter
from tests.service.conftest import Workspace


def test_every_answer_carries_a_request_id(workspace: Workspace) -> None:
    client = workspace.client("ann")
    made = client.get("/api/agreements").headers["x-request-id"]
    assert len(made) == 16
    given = client.get("/api/agreements", headers={"X-Request-ID": "trace-1234-abcd"})
    assert given.headers["x-request-id"] == "trace-1234-abcd"
    odd = client.get("/api/agreements", headers={"X-Request-ID": "<script>"})
    assert odd.headers["x-request-id"] != "<script>"


def test_each_request_is_one_json_log_line(workspace: Workspace,
                                           caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="accord.http"):
        answer = workspace.client("ann").get("/api/agreements/northwind-acme-billing")
    (record,) = [r for r in caplog.records if r.name == "accord.http"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == answer.headers["x-request-id"]
    assert line["status"] == 200
    assert line["route"] == "/api/agreements/{agreement_id}"
    assert line["level"] == "info"
    assert line["duration_ms"] > 0


def test_metrics_show_the_agreements_state_to_staff_only(workspace: Workspace) -> None:
    text = workspace.client("sam").get("/metrics")
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    body = text.text
    assert ('accord_objective_met{agreement="northwind-acme-billing",customer="acme",'
            'metric="resolution_time",objective="resolution"} 0.0') in body
    assert ('accord_agreement_credit_amount{agreement="northwind-acme-billing",currency="EUR",'
            'customer="acme"} 4625.0') in body
    assert ('accord_open_timers{agreement="northwind-acme-billing",customer="acme",'
            'state="breached"}') in body
    assert "accord_http_requests_total" in body
    assert workspace.client("ann").get("/metrics").status_code == 403
    assert workspace.client().get("/metrics").status_code == 401


def test_api_ingestion_is_counted(fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    rows = [{"id": f"M-{i}", "customer": "acme", "service": "billing-system", "priority": "P3",
             "created_at": "2026-03-17T09:00:00Z"} for i in range(3)]
    assert sam.post("/api/ingest/tickets", json={"rows": rows}).status_code == 200
    body = sam.get("/metrics").text
    assert 'accord_api_ingested_rows_total{outcome="inserted",table="tickets"} 3.0' in body
    assert 'accord_api_ingest_seconds_count{table="tickets"} 1.0' in body
    assert 'accord_ingestions{table="tickets"} 1.0' in body
