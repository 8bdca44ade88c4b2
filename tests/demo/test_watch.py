"""The demo's warnings a new user can watch arrive: live incidents that reach their warning
thresholds seconds after the start, the demo's own receiver (which checks signatures), and
the worker delivering the warnings to it — listed on the admin console's notifications page.
The worker runs for real, on a controlled clock, for a bounded time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from accord.demo.agreements import write_agreements
from accord.demo.story import Story
from accord.demo.watch import (
    CROSSINGS,
    RECEIVER_PATH,
    TARGET,
    Receiver,
    live_tickets,
    watch_warnings,
)
from accord.portal import create_site
from accord.service import ServiceSettings
from accord.service.accounts import add_user
from accord.service.notify import PassReport, Worker, list_deliveries, sign
from accord.service.tenancy import Principal, Role
from accord.store import get_settings
from accord.store.agreements import apply_agreements
from tests.portal.conftest import csrf_of

T0 = datetime(2026, 5, 14, 21, 30, tzinfo=UTC)  # after office hours: only 24x7 timers run
PASSWORD = "correct horse battery staple"


@pytest.fixture
def served(engine: Engine, db_url: str, tmp_path: Path
           ) -> Iterator[tuple[str, Receiver, list[datetime]]]:
    write_agreements(tmp_path / "agreements", Story(T0))
    apply_agreements(engine, [tmp_path / "agreements"], by="tests", now=T0)
    add_user(engine, username="admin", password=PASSWORD, role=Role.ADMIN, party=None, now=T0)
    clock = [T0]
    receiver = Receiver()
    app = create_site(ServiceSettings(store=get_settings(db_url)), engine,
                      clock=lambda: clock[0])
    app.include_router(receiver.router())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", receiver, clock
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _until(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)


def test_the_live_incidents_reach_each_threshold_seconds_after_the_start() -> None:
    rows = live_tickets(T0)
    assert len(rows) == len(CROSSINGS) == 2
    for row, after in zip(rows, CROSSINGS, strict=True):
        created = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
        assert created + TARGET * 0.75 == T0 + after
        assert row["resolved_at"] == ""
        assert row["priority"] == "P1"
    assert all(after < timedelta(minutes=1) for after in CROSSINGS)


def test_the_demo_watches_warnings_arrive_at_its_own_receiver_within_a_minute(
        engine: Engine, served: tuple[str, Receiver, list[datetime]], tmp_path: Path) -> None:
    url, receiver, clock = served
    watched = watch_warnings(engine, receiver, url=url + RECEIVER_PATH, now=T0,
                             folder=tmp_path / "live")
    passes: list[PassReport] = []
    stop = threading.Event()
    worker = Worker(engine, interval=15, poll=0.1, stop=stop, clock=lambda: clock[0],
                    report=passes.append)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        _until(lambda: passes, 60)
        assert passes, "the worker made no pass"
        assert receiver.events() == []  # at the start, no threshold is reached yet
        clock[0] = T0 + timedelta(seconds=30)  # both crossings passed
        _until(lambda: len(receiver.events()) >= 2, 60)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert receiver.events() == ["sla.warning", "sla.warning"]
    assert all(watched.tickets[0][:5] in h.body.decode() for h in receiver.heard)
    _, deliveries = list_deliveries(engine, Principal.system(),
                                    subscription_id=watched.subscription)
    assert {(d.event, d.status.value, d.history[-1].status_code) for d in deliveries} == {
        ("sla.warning", "delivered", 204)}
    assert sorted(d.body["threshold"] for d in deliveries) == [0.75, 0.75]
    assert sorted(d.body["ticket"] for d in deliveries) == sorted(watched.tickets)
    with httpx.Client(base_url=url) as browser:
        form = browser.get("/login").text
        token = form.split('name="login_token" value="')[1].split('"')[0]
        browser.post("/login", data={"username": "admin", "password": PASSWORD,
                                     "login_token": token, "next": "/"})
        page = browser.get("/admin/notifications").text
        assert csrf_of(page)
    assert page.count("sla.warning") == 2
    assert page.count(">204<") == 2
    assert all(ticket in page for ticket in watched.tickets)


def test_the_demo_receiver_refuses_a_bad_signature(
        served: tuple[str, Receiver, list[datetime]]) -> None:
    url, receiver, _ = served
    body = b'{"event":"sla.warning"}'
    with httpx.Client(base_url=url) as client:
        forged = client.post(RECEIVER_PATH, content=body, headers={
            "X-Accord-Signature": sign(body, "not the secret"), "X-Accord-Event": "sla.warning"})
        signed = client.post(RECEIVER_PATH, content=body, headers={
            "X-Accord-Signature": sign(body, receiver.secret), "X-Accord-Event": "sla.warning"})
    assert (forged.status_code, signed.status_code) == (401, 204)
    assert receiver.events() == ["sla.warning"]


def test_a_restarted_demo_replaces_its_earlier_subscription(
        engine: Engine, served: tuple[str, Receiver, list[datetime]], tmp_path: Path) -> None:
    url, receiver, _ = served
    first = watch_warnings(engine, receiver, url=url + RECEIVER_PATH, now=T0,
                           folder=tmp_path / "live")
    again = watch_warnings(engine, Receiver(), url=url + RECEIVER_PATH,
                           now=T0 + timedelta(hours=1), folder=tmp_path / "live")
    from accord.service.notify import list_subscriptions

    (only,) = list_subscriptions(engine, Principal.system())
    assert only.id == again.subscription
    assert only.created_at == T0 + timedelta(hours=1)
    assert first.tickets != again.tickets
