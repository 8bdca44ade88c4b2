"""Accounts: passwords, tokens and browser sessions, through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import AuthenticationError, UsageError
from accord.service import ServiceSettings, create_app
from accord.service.accounts import add_user, authenticate, create_token
from accord.service.tenancy import Role, Scope
from accord.store.schema import ApiTokenRow, SessionRow, UserRow
from tests.service.conftest import NOW, PASSWORD, Workspace


def _browser(workspace: Workspace, *, https: bool = False, secure: bool | None = None
             ) -> TestClient:
    settings = ServiceSettings(store=workspace.settings.store, secure_cookies=secure)
    app = create_app(settings, workspace.engine, clock=lambda: NOW)
    return TestClient(app, base_url="https://testserver" if https else "http://testserver")


def _login(client: TestClient, username: str = "ann", password: str = PASSWORD) -> str:
    answer = client.post("/api/session", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf_token"]
    return csrf


def test_passwords_are_stored_as_argon2_hashes(workspace: Workspace) -> None:
    with Session(workspace.engine) as session:
        hashes = session.scalars(select(UserRow.password_hash)).all()
    assert hashes
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_tokens_are_stored_only_as_hashes(workspace: Workspace) -> None:
    with Session(workspace.engine) as session:
        stored = session.scalars(select(ApiTokenRow.token_hash)).all()
    for secret in workspace.tokens.values():
        assert secret not in stored
        assert all(secret not in s for s in stored)
    assert len(stored) >= len(workspace.tokens)


@pytest.mark.parametrize(("username", "password"), [
    ("ann", "wrong password here"), ("nobody", PASSWORD), ("ann", "")])
def test_a_wrong_login_says_the_same_for_every_reason(workspace: Workspace, username: str,
                                                      password: str) -> None:
    answer = _browser(workspace).post("/api/session",
                                      json={"username": username, "password": password})
    assert answer.status_code == 401
    assert answer.json()["error"] == "wrong user name or password"
    assert "set-cookie" not in answer.headers


def test_the_session_cookie_is_httponly_and_samesite_lax(workspace: Workspace) -> None:
    browser = _browser(workspace)
    browser.post("/api/session", json={"username": "ann", "password": PASSWORD})
    cookie = browser.cookies.jar
    header = next(v for k, v in browser.post(
        "/api/session", json={"username": "ann", "password": PASSWORD}).headers.multi_items()
        if k == "set-cookie")
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "SameSite=Lax" in header
    assert "Secure" not in header  # plain HTTP: a Secure cookie would never come back
    assert any(c.name == "accord_session" for c in cookie)


def test_the_cookie_is_secure_over_https(workspace: Workspace) -> None:
    answer = _browser(workspace, https=True).post(
        "/api/session", json={"username": "ann", "password": PASSWORD})
    assert "Secure" in answer.headers["set-cookie"]
    forced = _browser(workspace, secure=True).post(
        "/api/session", json={"username": "ann", "password": PASSWORD})
    assert "Secure" in forced.headers["set-cookie"]


def test_a_session_reads_and_its_unsafe_requests_need_the_csrf_token(
        fresh_workspace: Workspace) -> None:
    browser = _browser(fresh_workspace)
    csrf = _login(browser, "sam")
    assert browser.get("/api/agreements").status_code == 200
    assert browser.get("/api/session").json()["csrf_token"] == csrf
    body = {"period": "2026-03", "at": "2026-04-01T00:00:00Z"}
    refused = browser.post("/api/evaluations", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"] == "CSRF token missing or wrong"
    wrong = browser.post("/api/evaluations", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    done = browser.post("/api/evaluations", json=body, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 201


def test_logging_out_ends_the_session(workspace: Workspace) -> None:
    browser = _browser(workspace)
    csrf = _login(browser)
    cookie = browser.cookies.get("accord_session")
    assert browser.delete("/api/session").status_code == 403  # no CSRF token
    assert browser.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    again = _browser(workspace)
    again.cookies.set("accord_session", cookie or "")
    assert again.get("/api/agreements").status_code == 401


def test_a_session_expires(workspace: Workspace) -> None:
    browser = _browser(workspace)
    _login(browser)
    late = create_app(workspace.settings, workspace.engine,
                      clock=lambda: NOW + timedelta(hours=13))
    later = TestClient(late)
    later.cookies.set("accord_session", browser.cookies.get("accord_session") or "")
    assert later.get("/api/agreements").status_code == 401


def test_changing_ones_password_ends_every_session(fresh_workspace: Workspace) -> None:
    browser = _browser(fresh_workspace)
    csrf = _login(browser)
    other = _browser(fresh_workspace)
    _login(other)
    new = "a brand new passphrase"
    wrong = browser.post("/api/me/password", json={"current": "nope nope nope", "new": new},
                         headers={"X-CSRF-Token": csrf})
    assert wrong.status_code == 401
    weak = browser.post("/api/me/password", json={"current": PASSWORD, "new": "short"},
                        headers={"X-CSRF-Token": csrf})
    assert weak.status_code == 400
    done = browser.post("/api/me/password", json={"current": PASSWORD, "new": new},
                        headers={"X-CSRF-Token": csrf})
    assert done.status_code == 204
    assert other.get("/api/agreements").status_code == 401
    with pytest.raises(AuthenticationError):
        authenticate(fresh_workspace.engine, username="ann", password=PASSWORD)
    assert authenticate(fresh_workspace.engine, username="ann", password=new).party == "acme"


def test_admins_manage_users_and_a_disabled_user_is_locked_out(
        fresh_workspace: Workspace) -> None:
    ada, sam = fresh_workspace.client("ada"), fresh_workspace.client("sam")
    new = {"username": "carl", "password": "another fine passphrase", "role": "customer",
           "party": "initech"}
    assert sam.post("/api/users", json=new).status_code == 403
    made = ada.post("/api/users", json=new)
    assert made.status_code == 201
    assert made.json()["party"] == "initech"
    assert "password" not in made.text
    assert ada.post("/api/users", json=new).status_code == 400  # exists
    unbound = ada.post("/api/users", json={**new, "username": "dora", "party": None})
    assert unbound.status_code == 400
    unknown = ada.post("/api/users", json={**new, "username": "dora", "party": "nobody"})
    assert unknown.status_code == 404
    assert ada.patch("/api/users/greg", json={"disabled": True}).json()["disabled"] is True
    assert fresh_workspace.client("greg").get("/api/agreements").status_code == 401
    ada.patch("/api/users/greg", json={"disabled": False})
    assert fresh_workspace.client("greg").get("/api/agreements").status_code == 200


def test_a_token_is_shown_once_and_works_within_its_scopes(fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    made = sam.post("/api/tokens", json={"name": "reader", "scopes": ["read"]})
    assert made.status_code == 201
    secret = made.json()["secret"]
    listed = sam.get("/api/tokens").json()
    assert secret not in str(listed)
    assert any(t["prefix"] == secret[:len(t["prefix"])] for t in listed)
    reader = TestClient(create_app(fresh_workspace.settings, fresh_workspace.engine,
                                   clock=lambda: NOW),
                        headers={"Authorization": f"Bearer {secret}"})
    assert reader.get("/api/agreements").status_code == 200
    refused = reader.post("/api/evaluations", json={"period": "2026-03"})
    assert refused.status_code == 403
    assert "ingest" in refused.json()["problems"][0]["message"]
    token_id = made.json()["token"]["id"]
    assert sam.delete(f"/api/tokens/{token_id}").json()["revoked_at"] is not None
    revoked = reader.get("/api/agreements")
    assert revoked.status_code == 401
    assert revoked.json()["error"] == "this API token was revoked"


def test_a_token_never_has_more_than_its_user(fresh_workspace: Workspace) -> None:
    ann = fresh_workspace.client("ann")
    assert ann.post("/api/tokens", json={"name": "x", "scopes": ["ingest"]}).status_code == 403
    with pytest.raises(UsageError):
        create_token(fresh_workspace.engine, username="ann", name="x", scopes=[Scope.ADMIN],
                     now=NOW)
    assert ann.post("/api/tokens", json={"name": "x", "scopes": ["read"],
                                         "username": "greg"}).status_code == 403
    ann_tokens = ann.get("/api/tokens").json()
    greg_token = fresh_workspace.client("greg").get("/api/tokens").json()[0]["id"]
    assert ann.delete(f"/api/tokens/{greg_token}").status_code == 404
    assert all(t["username"] == "ann" for t in ann_tokens)


def test_an_expired_token_is_refused(fresh_workspace: Workspace) -> None:
    made = create_token(fresh_workspace.engine, username="sam", name="short",
                        scopes=[Scope.READ], now=NOW, expires_at=NOW + timedelta(hours=1))
    app = create_app(fresh_workspace.settings, fresh_workspace.engine,
                     clock=lambda: NOW + timedelta(hours=2))
    answer = TestClient(app, headers={"Authorization": f"Bearer {made.secret}"}).get(
        "/api/agreements")
    assert answer.status_code == 401
    assert answer.json()["error"] == "this API token has expired"


def test_weak_passwords_and_bad_names_are_refused(fresh_workspace: Workspace) -> None:
    for username, password in (("eve", "short"), ("eve", "eve"), ("e v e", PASSWORD)):
        with pytest.raises(UsageError):
            add_user(fresh_workspace.engine, username=username, password=password,
                     role=Role.STAFF, party=None, now=datetime.now(UTC))


def test_old_sessions_are_swept_when_a_new_one_opens(workspace: Workspace) -> None:
    browser = _browser(workspace)
    _login(browser)
    later = TestClient(create_app(workspace.settings, workspace.engine,
                                  clock=lambda: NOW + timedelta(days=2)))
    _login(later)
    with Session(workspace.engine) as session:
        expiries = session.scalars(select(SessionRow.expires_at)).all()
    assert all(e > NOW + timedelta(days=2) for e in expiries)


def test_password_guessing_is_slowed_down(workspace: Workspace) -> None:
    browser = _browser(workspace)
    for _ in range(5):
        wrong = browser.post("/api/session", json={"username": "ann", "password": "guess" * 3})
        assert wrong.status_code == 401
    blocked = browser.post("/api/session", json={"username": "ann", "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 301
    other = browser.post("/api/session", json={"username": "sam", "password": PASSWORD})
    assert other.status_code == 200  # only that user name is held back
