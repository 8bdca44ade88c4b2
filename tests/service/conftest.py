"""A workspace for the service tests: the bundled examples applied, loaded and evaluated
(2026-02 and 2026-03), with one user of each kind and a token for each, served by the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from accord.service import ServiceSettings, create_app
from accord.service.accounts import add_user, create_token
from accord.service.evaluations import evaluate_period
from accord.service.tenancy import Role, Scope
from accord.store import connect, get_settings
from accord.store.agreements import apply_agreements
from accord.store.ingest import ingest_file, table_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"

USERS = {
    # username: (role, party)
    "ada": (Role.ADMIN, None),
    "sam": (Role.STAFF, None),
    "ann": (Role.CUSTOMER, "acme"),
    "greg": (Role.CUSTOMER, "globex"),
    "lena": (Role.SUPPLIER, "ledgerworks"),
}


@dataclass
class Workspace:
    url: str
    engine: Engine
    tokens: dict[str, str]
    settings: ServiceSettings

    def client(self, username: str | None = None, *, now: datetime = NOW) -> TestClient:
        """A client of the app, calling with ``username``'s token (anonymous with None)."""
        app = create_app(self.settings, self.engine, clock=lambda: now)
        headers = {"Authorization": f"Bearer {self.tokens[username]}"} if username else {}
        return TestClient(app, headers=headers)


def build_workspace(url: str) -> Workspace:
    engine = connect(get_settings(url))
    apply_agreements(engine, [EXAMPLES / "agreements"], by="tests", now=NOW)
    for file, table in table_files([EXAMPLES / "data"]):
        ingest_file(engine, file, table)
    for period, at in (("2026-02", datetime(2026, 3, 1, tzinfo=UTC)),
                       ("2026-03", datetime(2026, 4, 1, tzinfo=UTC))):
        evaluate_period(engine, period=period, at=at, by="tests", now=NOW)
    tokens = {}
    for username, (role, party) in USERS.items():
        add_user(engine, username=username, password=PASSWORD, role=role, party=party, now=NOW)
        scopes = [s for s in Scope if role is Role.ADMIN or s is not Scope.ADMIN]
        allowed = {Role.ADMIN: scopes, Role.STAFF: scopes}.get(role, [Scope.READ])
        tokens[username] = create_token(engine, username=username, name="tests",
                                        scopes=allowed, now=NOW).secret
    return Workspace(url, engine, tokens, ServiceSettings(store=get_settings(url)))


@pytest.fixture(scope="module")
def workspace(module_db_url: str) -> Iterator[Workspace]:
    """The examples' workspace, shared by a module's tests (which only read it)."""
    built = build_workspace(module_db_url)
    try:
        yield built
    finally:
        built.engine.dispose()


@pytest.fixture
def fresh_workspace(db_url: str) -> Iterator[Workspace]:
    """The examples' workspace, for a test that changes it."""
    built = build_workspace(db_url)
    try:
        yield built
    finally:
        built.engine.dispose()
