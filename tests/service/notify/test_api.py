"""/api/subscriptions: each caller manages its own subscriptions (an admin everyone's), for
its own party; deliveries and dead letters are visible to their owner, and can be retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from accord.service import ServiceSettings, create_app
from accord.service.accounts import add_user, create_token
from accord.service.notify import Notifier, run_once
from accord.service.tenancy import Role, Scope
from accord.store import get_settings
from tests.service.notify.receivers import http_receiver
from tests.service.notify.world import T0, Ticket, load_tickets

NOW = T0 + timedelta(hours=3, minutes=30)


def _app(engine: Engine) -> FastAPI:
    url = engine.url.render_as_string(hide_password=False)
    return create_app(ServiceSettings(store=get_settings(url)), engine, clock=lambda: NOW)


@pytest.fixture
def clients(world: Engine) -> Iterator[dict[str | None, TestClient]]:
    """A client per user (``None``: anonymous): admin ada, customers ann (alpha) and bob
    (beta)."""
    app = _app(world)
    made: dict[str | None, TestClient] = {None: TestClient(app)}
    for name, role, party in (("ada", Role.ADMIN, None), ("ann", Role.CUSTOMER, "alpha"),
                              ("bob", Role.CUSTOMER, "beta")):
        add_user(world, username=name, password="correct horse battery", role=role,
                 party=party, now=T0)
        scopes = list(Scope) if role is Role.ADMIN else [Scope.READ]
        token = create_token(world, username=name, name="test", scopes=scopes, now=T0).secret
        made[name] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    yield made
    for client in made.values():
        client.close()


def test_a_customer_subscribes_for_its_own_party_and_gets_the_secret_once(
        clients: dict[str | None, TestClient]) -> None:
    made = clients["ann"].post("/api/subscriptions", json={
        "target": "https://hooks.example.com/accord", "events": ["sla.breach"]})
    assert made.status_code == 201, made.text
    body = made.json()
    assert len(body["secret"]) >= 32
    assert {k: body["subscription"][k] for k in ("owner", "party", "channel", "events",
                                                 "thresholds", "signed")} == {
        "owner": "ann", "party": "alpha", "channel": "webhook", "events": ["sla.breach"],
        "thresholds": [0.75, 0.9], "signed": True}
    listed = clients["ann"].get("/api/subscriptions").json()
    assert [s["id"] for s in listed] == [body["subscription"]["id"]]
    assert "secret" not in listed[0]


def test_a_customer_cannot_subscribe_to_another_party(
        clients: dict[str | None, TestClient]) -> None:
    answer = clients["ann"].post("/api/subscriptions", json={
        "target": "https://hooks.example.com/accord", "party": "beta"})
    assert answer.status_code == 400
    assert "can only be for party 'alpha'" in answer.text


@pytest.mark.parametrize(("body", "message"), [
    ({"target": "ftp://example.com/x"}, "is not an http(s) URL"),
    ({"channel": "email", "target": "not-an-address"}, "is not an email address"),
    ({"channel": "email", "target": "ops@example.com", "secret": "x"}, "takes no secret"),
    ({"target": "https://example.com/x", "thresholds": [1.5]}, "between 0 and 1"),
])
def test_a_bad_subscription_is_refused_with_the_reason(
        clients: dict[str | None, TestClient], body: dict[str, object], message: str) -> None:
    answer = clients["ann"].post("/api/subscriptions", json=body)
    assert answer.status_code == 400
    assert message in answer.text


def test_anothers_subscription_is_not_found_and_an_admin_sees_all(
        clients: dict[str | None, TestClient]) -> None:
    made = clients["ann"].post("/api/subscriptions", json={
        "target": "https://hooks.example.com/a"}).json()["subscription"]
    clients["bob"].post("/api/subscriptions", json={"target": "https://hooks.example.com/b"})
    path = f"/api/subscriptions/{made['id']}"
    assert clients["bob"].get(path).status_code == 404
    assert clients["bob"].delete(path).status_code == 404
    assert [s["owner"] for s in clients["bob"].get("/api/subscriptions").json()] == ["bob"]
    assert [s["owner"] for s in clients["ada"].get("/api/subscriptions").json()] == [
        "ann", "bob"]
    assert clients[None].get("/api/subscriptions").status_code == 401
    assert clients["ann"].get(path).json()["target"] == "https://hooks.example.com/a"
    assert clients["ann"].delete(path).status_code == 204
    assert clients["ann"].get(path).status_code == 404


def test_dead_letters_are_listed_for_their_owner_only_and_can_be_retried(
        world: Engine, tmp_path: Path, clients: dict[str | None, TestClient],
        notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver(410) as receiver:
        clients["ann"].post("/api/subscriptions", json={
            "target": receiver.url, "events": ["sla.warning"]})
        run_once(world, NOW, notifier=notifier)
        page = clients["ann"].get("/api/subscriptions/deliveries",
                                  params={"status": "dead"}).json()
        assert page["total"] == 1
        [dead] = page["deliveries"]
        assert (dead["event"], dead["status"], dead["attempts"]) == ("sla.warning", "dead", 1)
        assert dead["last_error"] == "HTTP 410 Gone (not retried)"
        assert dead["history"][0]["status_code"] == 410
        assert dead["body"]["ticket"] == "A-1"
        assert clients["bob"].get("/api/subscriptions/deliveries").json()["total"] == 0
        retry = f"/api/subscriptions/deliveries/{dead['id']}/retry"
        assert clients["bob"].post(retry).status_code == 404
        again = clients["ann"].post(retry)
        assert again.status_code == 200
        assert again.json()["status"] == "pending"
        assert clients["ann"].post(retry).status_code == 400  # only a dead letter
        notifier.deliver_due(world, NOW)
    delivered = clients["ann"].get("/api/subscriptions/deliveries").json()["deliveries"]
    assert [(d["status"], d["delivery_id"]) for d in delivered] == [
        ("delivered", dead["delivery_id"])]
    assert len(receiver.received) == 2
