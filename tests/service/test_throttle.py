"""The login throttle: counted before the password is checked, per address and per user name,
bounded in memory, and on every route that checks a password."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from accord.errors import AuthenticationError
from accord.service import ServiceSettings, accounts, create_app
from accord.service.accounts import add_user, create_token
from accord.service.tenancy import Role, Scope
from accord.service.throttle import LoginThrottle, TooManyAttemptsError
from accord.store import connect, get_settings

T0 = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Served:
    engine: Engine
    settings: ServiceSettings
    clock: Clock
    app: FastAPI

    def client(self, address: str = "10.0.0.1", **kwargs: Any) -> TestClient:
        return TestClient(self.app, client=(address, 40000), **kwargs)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    settings = ServiceSettings(store=get_settings(f"sqlite:///{tmp_path / 'accord.db'}"))
    engine = connect(settings.store)
    for name in ("ann", "sam"):
        add_user(engine, username=name, password=PASSWORD, role=Role.STAFF, party=None, now=T0)
    clock = Clock()
    try:
        yield Served(engine, settings, clock, create_app(settings, engine, clock=clock))
    finally:
        engine.dispose()


def _login(client: TestClient, password: str, username: str = "ann") -> int:
    answer = client.post("/api/session", json={"username": username, "password": password})
    return answer.status_code


def test_parallel_wrong_logins_never_pass_the_limit(served: Served) -> None:
    async def attempt(client: httpx.AsyncClient) -> int:
        answer = await client.post("/api/session",
                                   json={"username": "ann", "password": "wrong password!"})
        return answer.status_code

    async def many() -> list[int]:
        transport = httpx.ASGITransport(app=served.app, client=("10.0.0.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return list(await asyncio.gather(*(attempt(client) for _ in range(40))))

    statuses = asyncio.run(many())
    assert statuses.count(401) == 5  # the password was checked 5 times, no more
    assert statuses.count(429) == 35


def test_many_addresses_guessing_one_user_are_throttled(served: Served) -> None:
    known = served.client("192.0.2.1")
    assert _login(known, PASSWORD) == 200  # the real user's machine, before the attack
    statuses = [_login(served.client(f"198.51.100.{i}"), "wrong password!") for i in range(30)]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    # The right password from yet another address is held back too, for a while …
    assert _login(served.client("203.0.113.7"), PASSWORD) == 429
    # … but the real user's own machine still gets in, and the lock ends with its window.
    assert _login(known, PASSWORD) == 200
    served.clock.now = T0 + timedelta(minutes=15, seconds=1)
    assert _login(served.client("203.0.113.7"), PASSWORD) == 200


def test_refused_attempts_do_not_extend_the_lock(served: Served) -> None:
    guesser = served.client()
    for _ in range(5):
        assert _login(guesser, "wrong password!") == 401
    for minute in range(5):
        served.clock.now = T0 + timedelta(minutes=minute)
        assert _login(guesser, "wrong password!") == 429
    served.clock.now = T0 + timedelta(minutes=5, seconds=1)
    assert _login(guesser, PASSWORD) == 200


def test_changing_a_password_is_throttled_like_a_login(served: Served) -> None:
    token = create_token(served.engine, username="ann", name="t", scopes=[Scope.READ], now=T0)
    client = served.client(headers={"Authorization": f"Bearer {token.secret}"})

    def change(current: str) -> int:
        return client.post("/api/me/password", json={
            "current": current, "new": "another long password"}).status_code

    assert [change("wrong password!") for _ in range(5)] == [401] * 5
    refused = client.post("/api/me/password", json={"current": PASSWORD,
                                                     "new": "another long password"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    # The guesses through the password change count against logins too.
    assert _login(served.client(), PASSWORD) == 429


def test_over_long_names_and_passwords_are_refused_before_hashing(
        served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[int] = []
    hasher = accounts._HASHER

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            verified.append(len(password))
            return hasher.verify(stored, password)

        def check_needs_rehash(self, stored: str) -> bool:
            return hasher.check_needs_rehash(stored)

    monkeypatch.setattr(accounts, "_HASHER", Counting())
    client = served.client()
    long_name = client.post("/api/session", json={"username": "a" * 201, "password": "x"})
    assert long_name.status_code == 422
    assert long_name.json()["problems"][0]["path"] == "body.username"
    long_password = client.post("/api/session", json={"username": "ann",
                                                      "password": "x" * 1025})
    assert long_password.status_code == 422
    with pytest.raises(AuthenticationError):
        accounts.authenticate(served.engine, username="ann", password="x" * 1_000_000)
    assert verified == []


def test_the_throttle_keeps_its_memory_bounded() -> None:
    throttle = LoginThrottle(max_keys=100)
    huge = "x" * 1_000_000
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(300):
            throttle.attempt(f"{huge}{i}", f"{huge}{i}", T0)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert throttle.size() <= 300
    assert grown < 2_000_000  # no user name or address is kept


def test_the_oldest_entries_go_first() -> None:
    throttle = LoginThrottle(per_address=1, max_keys=3)
    throttle.attempt("ann", "a", T0)
    with pytest.raises(TooManyAttemptsError):
        throttle.attempt("ann", "a", T0)
    for name in ("b", "c", "d"):
        throttle.attempt(name, "a", T0)
    throttle.attempt("ann", "a", T0)  # forgotten: the table holds the three newest only
