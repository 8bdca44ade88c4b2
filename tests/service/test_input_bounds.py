"""Input that once cost a 500 or minutes of work, each answered with a clear 4xx (issue 12,
item 14): instants outside the supported range, evaluations far ahead, and the same readers
on a database that already holds such instants."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from accord.service.overview import agreement_statuses
from accord.service.tenancy import Principal
from tests.service.conftest import EXAMPLES as WORKSPACE_EXAMPLES
from tests.service.conftest import NOW, Workspace

EXAMPLES = WORKSPACE_EXAMPLES / "agreements"

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


LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True))
ROW = ('{"id": "A", "customer": "acme", "service": "billing-system", "priority": "P1", '
       '"created_at": "2026-03-02T09:15:00Z", "x": %s}')


@pytest.mark.parametrize(("source", "message"), [
    (LAUGHS, "refused: it holds more than 100,000 values once its aliases are expanded"),
    ("a: " + "[" * 5_000 + "]" * 5_000, "refused: it nests deeper than 50 levels"),
])
def test_applying_an_alias_bomb_or_deep_yaml_is_refused(workspace: Workspace, source: str,
                                                        message: str) -> None:
    answer = served(workspace, "sam").post("/api/agreements", json={"source": source,
                                                                    "dry_run": True})
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert problem["message"] == message
    assert problem["file"] == "agreement.yaml"
    assert problem["line"] is not None


@pytest.mark.parametrize(("value", "message"), [
    ("[" * 5_000 + "]" * 5_000,
     "the JSON body nests arrays or objects too deeply to be read"),
    ("9" * 4_301, "the JSON body cannot be read: Exceeds the limit (4300 digits) for integer "
                  "string conversion: value has 4301 digits"),
])
def test_a_json_body_too_deep_or_with_a_huge_number_is_a_400(workspace: Workspace, value: str,
                                                             message: str) -> None:
    answer = served(workspace, "sam").post(
        "/api/ingest/tickets", content='{"rows": [' + ROW % value + "]}",
        headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert [p["message"] for p in answer.json()["problems"]] == [message]


@pytest.mark.parametrize(("value", "message"), [
    ("[" * 5_000 + "]" * 5_000, "nests arrays or objects too deeply to be read"),
    ("9" * 4_301, "holds a number of more than 4,300 digits"),
])
def test_a_json_lines_row_too_deep_or_with_a_huge_number_is_a_located_bad_row(
        workspace: Workspace, value: str, message: str) -> None:
    good = ROW.replace('"A"', '"B"') % "1"
    upload = (good + "\n" + ROW % value + "\n").encode()
    answer = served(workspace, "sam").post("/api/ingest/tickets/file",
                                           files={"file": ("tickets.jsonl", upload)})
    assert answer.status_code == 422
    assert {"message": message, "file": "tickets.jsonl", "line": 2} in [
        {k: p[k] for k in ("message", "file", "line")} for p in answer.json()["problems"]]


@pytest.mark.parametrize("zone", ["A" * 300, "Europe/" + "a" * 300, "a/" * 150])
def test_a_zone_name_of_hundreds_of_characters_is_not_a_time_zone(workspace: Workspace,
                                                                  zone: str) -> None:
    sam = served(workspace, "sam")
    rows = sam.post("/api/ingest/tickets", json={"rows": [{"id": "A"}], "data_timezone": zone})
    assert rows.status_code == 400
    assert rows.json()["problems"][0]["message"].endswith("'… is not a time zone")
    upload = sam.post("/api/ingest/tickets/file", files={"file": ("t.csv", b"id\n")},
                      data={"data_timezone": zone})
    assert upload.status_code == 400
    source = (EXAMPLES / "northwind-acme-billing.yaml").read_text().replace(
        "timezone: Europe/Berlin", f"timezone: {zone}")
    applied = sam.post("/api/agreements", json={"source": source, "dry_run": True})
    assert applied.status_code == 422
    [problem] = applied.json()["problems"]
    assert problem["path"] == "timezone"
    assert "is not a time zone" in problem["message"]


@pytest.mark.parametrize("target", ["https://example.com:99999/hook",
                                    "https://example.com:0/hook",
                                    "https://example.com:https/hook"])
@pytest.mark.parametrize("username", ["ann", "sam"])
def test_a_webhook_url_without_a_valid_port_is_refused(workspace: Workspace,
                                                       target: str, username: str) -> None:
    answer = served(workspace, username).post("/api/subscriptions",
                                                    json={"target": target})
    assert answer.status_code == 400
    assert answer.json()["problems"][0]["message"] == (
        f"{target!r} has no valid port: a port is a number from 1 to 65535")


def test_a_row_nested_hundreds_deep_is_a_bad_row_answered_in_moments(
        workspace: Workspace) -> None:
    # Valid JSON that Python reads, 900 arrays deep: Polars took over a minute on it.
    value = "[" * 900 + "]" * 900
    sam = served(workspace, "sam")
    started = time.perf_counter()
    batch = sam.post("/api/ingest/tickets", content='{"rows": [' + ROW % value + "]}",
                     headers={"Content-Type": "application/json"})
    upload = sam.post("/api/ingest/tickets/file",
                      files={"file": ("tickets.jsonl", (ROW % value + "\n").encode())})
    assert time.perf_counter() - started < 10
    assert batch.status_code == upload.status_code == 422
    assert [(p["path"], p["message"]) for p in batch.json()["problems"]] == [
        ("row 1: x", "is an array")]
    assert [(p["line"], p["path"], p["message"]) for p in upload.json()["problems"]] == [
        (1, "x", "is an array")]
