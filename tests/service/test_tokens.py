"""A token made with a token lives and acts within its maker and dies with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from accord.service import ServiceSettings, create_app
from accord.service.accounts import add_user, create_token
from accord.service.tenancy import Role, Scope
from accord.store import get_settings

T0 = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)


@pytest.fixture
def app_on(engine: Engine, db_url: str) -> tuple[Engine, ServiceSettings]:
    add_user(engine, username="sam", password="correct horse battery", role=Role.STAFF,
             party=None, now=T0)
    add_user(engine, username="ada", password="correct horse battery", role=Role.ADMIN,
             party=None, now=T0)
    return engine, ServiceSettings(store=get_settings(db_url))


def _client(app_on: tuple[Engine, ServiceSettings], secret: str,
            now: datetime = T0) -> TestClient:
    engine, settings = app_on
    return TestClient(create_app(settings, engine, clock=lambda: now),
                      headers={"Authorization": f"Bearer {secret}"})


def test_a_token_made_by_a_token_expires_with_it_at_the_latest(
        app_on: tuple[Engine, ServiceSettings]) -> None:
    short = create_token(app_on[0], username="sam", name="short", scopes=[Scope.READ],
                         now=T0, expires_at=T0 + timedelta(minutes=1))
    maker = _client(app_on, short.secret)
    forever = maker.post("/api/tokens", json={"name": "forever", "scopes": ["read"]})
    assert forever.status_code == 201
    assert forever.json()["token"]["expires_at"] == "2026-03-17T14:01:00Z"
    later = maker.post("/api/tokens", json={"name": "later", "scopes": ["read"],
                                            "expires_at": "2026-03-18T00:00:00Z"})
    assert later.status_code == 400
    assert later.json()["problems"][0]["path"] == "expires_at"
    sooner = maker.post("/api/tokens", json={"name": "sooner", "scopes": ["read"],
                                             "expires_at": "2026-03-17T14:00:30Z"})
    assert sooner.json()["token"]["expires_at"] == "2026-03-17T14:00:30Z"
    made = forever.json()["secret"]
    assert _client(app_on, made, T0 + timedelta(seconds=59)).get(
        "/api/tokens").status_code == 200
    assert _client(app_on, made, T0 + timedelta(minutes=2)).get(
        "/api/tokens").status_code == 401


def test_a_token_made_by_a_token_has_no_scope_its_maker_lacks(
        app_on: tuple[Engine, ServiceSettings]) -> None:
    admin = create_token(app_on[0], username="ada", name="admin", scopes=[Scope.READ,
                                                                          Scope.ADMIN], now=T0)
    maker = _client(app_on, admin.secret)
    # An admin token makes tokens for others, but never with more than its own scopes.
    widened = maker.post("/api/tokens", json={"name": "x", "scopes": ["read", "ingest"],
                                              "username": "sam"})
    assert widened.status_code == 400
    assert "'ingest'" in widened.json()["problems"][0]["message"]
    assert maker.post("/api/tokens", json={"name": "x", "scopes": ["read"],
                                           "username": "sam"}).status_code == 201


def test_revoking_a_token_revokes_every_token_it_made(
        app_on: tuple[Engine, ServiceSettings]) -> None:
    root = create_token(app_on[0], username="sam", name="root", scopes=[Scope.READ], now=T0)
    child = _client(app_on, root.secret).post(
        "/api/tokens", json={"name": "child", "scopes": ["read"]}).json()
    grandchild = _client(app_on, child["secret"]).post(
        "/api/tokens", json={"name": "grandchild", "scopes": ["read"]}).json()
    assert _client(app_on, grandchild["secret"]).get("/api/tokens").status_code == 200
    revoked = _client(app_on, root.secret).delete(f"/api/tokens/{root.token.id}")
    assert revoked.status_code == 200
    for made in (child, grandchild):
        answer = _client(app_on, made["secret"]).get("/api/tokens")
        assert answer.status_code == 401
    listed = {t["name"]: t for t in _listed(app_on)}
    assert listed["child"]["revoked_at"] is not None
    assert listed["grandchild"]["revoked_at"] is not None


def _listed(app_on: tuple[Engine, ServiceSettings]) -> list[dict[str, object]]:
    """Every token of sam's, as the API lists them."""
    fresh = create_token(app_on[0], username="sam", name="lister", scopes=[Scope.READ], now=T0)
    answer: list[dict[str, object]] = _client(app_on, fresh.secret).get("/api/tokens").json()
    return answer


def test_a_token_made_in_a_browser_session_is_not_bound_to_another(
        app_on: tuple[Engine, ServiceSettings]) -> None:
    engine, settings = app_on
    browser = TestClient(create_app(settings, engine, clock=lambda: T0))
    login = browser.post("/api/session", json={"username": "sam",
                                               "password": "correct horse battery"})
    made = browser.post("/api/tokens", json={"name": "mine", "scopes": ["read"]},
                        headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert made.status_code == 201
    assert made.json()["token"]["expires_at"] is None
