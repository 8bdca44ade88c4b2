"""Request bodies are limited (413 in the usual error body), ingestion's more generously."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.portal.site import create_site
from accord.service import ServiceSettings
from accord.service.accounts import add_user, create_token
from accord.service.tenancy import Role, Scope
from accord.store import connect, get_settings

T0 = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
LIMIT, INGEST_LIMIT = 10_000, 100_000


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = ServiceSettings(store=get_settings(f"sqlite:///{tmp_path / 'accord.db'}"),
                               max_body_bytes=LIMIT, max_ingest_bytes=INGEST_LIMIT)
    engine = connect(settings.store)
    add_user(engine, username="sam", password="correct horse battery", role=Role.STAFF,
             party=None, now=T0)
    token = create_token(engine, username="sam", name="t", scopes=[Scope.READ, Scope.INGEST],
                         now=T0).secret
    try:
        yield TestClient(create_site(settings, engine, clock=lambda: T0),
                         headers={"Authorization": f"Bearer {token}"})
    finally:
        engine.dispose()


def _rows(size: int) -> bytes:
    row = {"id": "T-1", "customer": "acme", "service": "s", "priority": "P1",
           "created_at": "2026-03-01T10:00:00Z", "note": "x" * 100}
    rows = [row] * (size // 200)
    return json.dumps({"rows": rows}).encode()


def test_a_body_past_the_limit_is_refused_with_413_before_it_is_read(
        client: TestClient) -> None:
    answer = client.post("/api/session", content=b'{"username": "' + b"a" * LIMIT + b'"}',
                         headers={"content-type": "application/json",
                                  "authorization": ""})
    assert answer.status_code == 413
    body = answer.json()
    assert body["error"] == "the request body is too large"
    assert "10,000 bytes" in body["problems"][0]["message"]


def test_a_body_without_a_length_is_counted_as_it_arrives(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 1000

    answer = client.post("/api/agreements", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == "the request body is too large"


def test_an_ingestion_batch_has_its_own_larger_limit(client: TestClient) -> None:
    within = client.post("/api/ingest/tickets", content=_rows(50_000),
                         headers={"content-type": "application/json"})
    assert len(_rows(50_000)) > LIMIT
    assert within.status_code != 413, within.text
    past = client.post("/api/ingest/tickets", content=_rows(200_000),
                       headers={"content-type": "application/json"})
    assert past.status_code == 413
    assert "100,000 bytes" in past.json()["problems"][0]["message"]
    assert "smaller batches" in past.json()["problems"][0]["hint"]


def test_a_portal_form_past_the_limit_gets_the_error_page(client: TestClient) -> None:
    answer = client.post("/login", data={"username": "a" * LIMIT, "password": "x"},
                         headers={"authorization": ""})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "too large" in answer.text
