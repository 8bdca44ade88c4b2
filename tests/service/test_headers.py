"""Every answer carries the security headers; pages and API answers are never cached; the API
docs pass their own policy."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from accord.portal.site import create_site
from accord.service import ServiceSettings
from accord.service.accounts import add_user, create_token
from accord.service.tenancy import Role, Scope
from accord.store import connect, get_settings

T0 = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("headers")
    settings = ServiceSettings(store=get_settings(f"sqlite:///{folder / 'accord.db'}"))
    engine = connect(settings.store)
    add_user(engine, username="sam", password="correct horse battery", role=Role.STAFF,
             party=None, now=T0)
    token = create_token(engine, username="sam", name="t", scopes=[Scope.READ], now=T0).secret
    try:
        yield TestClient(create_site(settings, engine, clock=lambda: T0),
                         headers={"Authorization": f"Bearer {token}"})
    finally:
        engine.dispose()


def _policy(header: str) -> dict[str, str]:
    return {name: value for name, _, value in
            (part.strip().partition(" ") for part in header.split(";"))}


@pytest.mark.parametrize("path", ["/api/agreements", "/", "/login", "/account", "/healthz",
                                  "/api/nothing-here", "/docs", "/redoc"])
def test_every_answer_forbids_framing_and_sniffing_and_is_not_cached(client: TestClient,
                                                                     path: str) -> None:
    answer = client.get(path)
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["cache-control"] == "no-store"
    policy = _policy(answer.headers["content-security-policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.parametrize("path", ["/static/accord.css", "/static-offline-docs/swagger-ui.css"])
def test_static_files_keep_their_caching_and_are_not_sniffed(client: TestClient,
                                                             path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in answer.headers.get("cache-control", "")


def test_the_api_docs_inline_script_is_allowed_by_its_hash_only(client: TestClient) -> None:
    answer = client.get("/docs")
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", answer.text, re.DOTALL)
    assert scripts
    allowed = _policy(answer.headers["content-security-policy"])["script-src"].split()
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert "'unsafe-inline'" not in allowed
