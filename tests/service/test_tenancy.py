"""Tenancy: every route of the OpenAPI document, called as a customer of another tenant and as
a supplier, answers nothing of the first tenant (acme)."""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import EXAMPLES, Workspace

TENANT = "acme"
ACME_AGREEMENTS = ("northwind-acme-billing", "brewline-office-drinks", "sparkle-janitorial")


def _acme_ids() -> set[str]:
    """Every id in the data that is acme's alone: its tickets, deliveries and incidents."""
    ids: set[str] = set()
    for table in ("tickets", "deliveries", "incidents"):
        with (EXAMPLES / "data" / f"{table}.csv").open(encoding="utf-8") as f:
            ids.update(row["id"] for row in csv.DictReader(f) if row["customer"] == TENANT)
    return ids


MARKERS = re.compile("|".join(re.escape(m) for m in sorted(
    {TENANT, *ACME_AGREEMENTS, *_acme_ids()}, key=len, reverse=True)))

PATH_VALUES = {"period": "2026-03", "agreement_id": "northwind-acme-billing", "customer": TENANT,
               "table": "tickets", "username": "ann", "version": "1", "ticket_id": "NW-10001"}
QUERY_VALUES = {"period": "2026-03", "customer": TENANT, "agreement": "northwind-acme-billing",
                "username": "ann", "at": "2026-03-17T14:00:00Z", "objective": "resolution"}
BODIES: dict[str, Any] = {
    "/api/evaluations": {"period": "2026-03"},
    "/api/ingest/{table}": {"rows": [{"id": "X-1", "customer": TENANT, "service": "billing-system",
                                      "priority": "P1", "created_at": "2026-03-02T09:00:00Z"}]},
    "/api/tokens": {"name": "steal", "scopes": ["read"], "username": "ann"},
    "/api/users": {"username": "mallory", "password": "a long enough password", "role": "admin"},
    "/api/session": {"username": "ann", "password": "wrong password!"},
}


def _calls(client: TestClient, ann_ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation of the OpenAPI document, its path filled with acme's ids."""
    document = client.get("/openapi.json").json()
    calls = []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            path = template
            for name in re.findall(r"{(\w+)}", template):
                value = ann_ids.get(name) or PATH_VALUES.get(name, "1")
                path = path.replace("{" + name + "}", value)
            query = {p["name"]: QUERY_VALUES[p["name"]]
                     for p in operation.get("parameters", [])
                     if p["in"] == "query" and p["name"] in QUERY_VALUES}
            calls.append((method.upper(), path, {"params": query,
                                                 "json": BODIES.get(template, {})}))
    return calls


def _ann_ids(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The ids of acme's own resources that a path can name (its token, subscription, …)."""
    monkeypatch.setenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", "true")
    ann = workspace.client("ann")
    token = ann.get("/api/tokens").json()[0]["id"]
    ids = {"token_id": str(token)}
    made = ann.post("/api/subscriptions", json={
        "channel": "webhook", "target": "http://127.0.0.1:9/acme", "secret": "s" * 32})
    assert made.status_code == 201, made.text
    ids["subscription_id"] = str(made.json()["subscription"]["id"]
                                 if "subscription" in made.json() else made.json()["id"])
    return ids


@pytest.mark.parametrize("username", ["greg", "lena"])
def test_no_route_shows_one_tenant_to_another(workspace: Workspace, username: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ann_ids = _ann_ids(workspace, monkeypatch)
    other = workspace.client(username)
    calls = _calls(other, ann_ids)
    assert len(calls) >= 20  # the enumeration found the API
    leaks = []
    for method, path, request in calls:
        answer = other.request(method, path, params=request["params"],
                               json=request["json"] if method in ("POST", "PUT", "PATCH")
                               else None)
        assert answer.status_code < 500, (method, path, answer.text)
        found = MARKERS.search(answer.text)
        if found:
            leaks.append(f"{method} {path} → {answer.status_code}: …{found.group()}…")
    assert leaks == []


def test_the_tenant_itself_sees_its_own_data(workspace: Workspace) -> None:
    """The markers are real: the same routes show them to acme's own user."""
    ann = workspace.client("ann")
    for path in ("/api/agreements", "/api/evaluations/2026-03", "/api/credits/2026-03",
                 "/api/evaluations/2026-03/northwind-acme-billing/acme/items",
                 "/api/parties"):
        answer = ann.get(path)
        assert answer.status_code == 200
        assert MARKERS.search(answer.text), path


@pytest.mark.parametrize("username", ["greg", "lena"])
def test_another_tenants_resource_answers_404(workspace: Workspace, username: str) -> None:
    client = workspace.client(username)
    for path in ("/api/agreements/northwind-acme-billing",
                 "/api/agreements/northwind-acme-billing/versions",
                 "/api/agreements/northwind-acme-billing/versions/1",
                 "/api/evaluations/2026-03/northwind-acme-billing/acme",
                 "/api/evaluations/2026-03/northwind-acme-billing/acme/items",
                 "/api/evaluations/2026-03/skyhost-cloud-availability/acme"):
        assert client.get(path).status_code == 404, path
