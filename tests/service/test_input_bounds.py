"""Input that once cost a 500 or minutes of work, each answered with a clear 4xx (issue 12,
item 14): instants outside the supported range, evaluations far ahead, and the same readers
on a database that already holds such instants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from accord.service.overview import agreement_statuses
from accord.service.tenancy import Principal
from tests.service.conftest import NOW, Workspace

YEAR_1 = (datetime(1, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).days * 86_400_000_000
YEAR_10000 = (datetime(9999, 12, 31, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).days \
    * 86_400_000_000 + 86_400_000_000


def served(workspace: Workspace, username: str) -> TestClient:
    """A client that answers a server error as a 500 rather than raising it."""
    client = workspace.client(username)
    return TestClient(client.app, raise_server_exceptions=False, headers=dict(client.headers))


@pytest.mark.parametrize("created", ["0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
                                     "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z"])
def test_ingestion_refuses_an_instant_outside_the_supported_range(
        workspace: Workspace, created: str) -> None:
    answer = workspace.client("sam").post("/api/ingest/tickets", json={"rows": [
        {"id": "BAD-1", "customer": "acme", "service": "billing-system", "priority": "P1",
         "created_at": created}]})
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert problem["path"] == "row 1: created_at"
    assert "outside the supported range (1970-01-01 to 2199-12-31 UTC)" in problem["message"]
    assert workspace.client("sam").get("/api/tickets/BAD-1").status_code == 404


def test_readers_leave_out_instants_stored_before_they_were_refused(
        fresh_workspace: Workspace) -> None:
    # A database loaded before ingestion refused them: a ticket of the year 1 and one of the
    # year 10000, open and covered by an agreement, and a status change of the year 1.
    with fresh_workspace.engine.begin() as connection:
        for ticket, created in (("BAD-1", YEAR_1), ("BAD-2", YEAR_10000)):
            connection.execute(text(
                "INSERT INTO tickets (id, customer, service, priority, created_at) "
                "VALUES (:id, 'acme', 'billing-system', 'P1', :created)"),
                {"id": ticket, "created": created})
        connection.execute(text(
            'INSERT INTO ticket_status (ticket_id, "at", status, seq, position) '
            "VALUES ('NW-10001', :at, 'open', 0, 0)"), {"at": YEAR_1})
    sam = served(fresh_workspace, "sam")
    live = sam.get("/api/live")
    assert live.status_code == 200
    assert live.json()["timers"]
    assert not {"BAD-1", "BAD-2"} & {t["ticket"] for t in live.json()["timers"]}
    assert served(fresh_workspace, "ann").get("/api/live").status_code == 200
    assert sam.get("/metrics").status_code == 200
    assert agreement_statuses(fresh_workspace.engine, Principal.system(), period="2026-03",
                              now=NOW, at_risk=0.75)
    evaluated = sam.post("/api/evaluations",
                         json={"period": "2026-03", "at": "2026-04-01T00:00:00Z"})
    assert evaluated.status_code == 201
    for ticket, what in (("BAD-1", "created_at"), ("BAD-2", "created_at"),
                         ("NW-10001", "instant of a status change")):
        page = sam.get(f"/api/tickets/{ticket}")
        assert page.status_code == 422
        assert page.json()["problems"][0]["message"] == (
            f"the stored {what} of ticket {ticket!r} is outside the supported range "
            "(1970-01-01 to 2199-12-31 UTC)")
    assert sam.get("/api/tickets/NW-10002").status_code == 200


@pytest.mark.parametrize("at", ["6373-01-01T00:00:00Z", "2027-03-19T14:00:00Z"])
def test_an_evaluation_more_than_a_year_ahead_is_refused(workspace: Workspace, at: str) -> None:
    answer = workspace.client("sam").post("/api/evaluations", json={"period": "2026-03",
                                                                    "at": at})
    assert answer.status_code == 400
    problem = answer.json()["problems"][0]
    assert problem["path"] == "at"
    assert problem["message"] == f"{at} is more than 366 days ahead"
