"""The portal over the examples' workspace (see tests/service/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accord.portal import create_site
from tests.service.conftest import NOW, PASSWORD, Workspace, build_workspace, fresh_workspace

__all__ = ["NOW", "PASSWORD", "browser_of", "csrf_of", "fresh_workspace", "logged_in"]


@pytest.fixture(scope="module")
def site(module_db_url: str) -> Iterator[Workspace]:
    built = build_workspace(module_db_url)
    try:
        yield built
    finally:
        built.engine.dispose()


def browser_of(workspace: Workspace) -> TestClient:
    """A client that keeps cookies, like a browser, on the whole site."""
    return TestClient(create_site(workspace.settings, workspace.engine, clock=lambda: NOW))


def logged_in(workspace: Workspace, username: str) -> TestClient:
    client = browser_of(workspace)
    form = client.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token is not None
    done = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "login_token": token.group(1), "next": "/"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)
