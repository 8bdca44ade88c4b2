"""The REST API as a client meets it: reading agreements, results, evidence, live timers and
credit statements; what each role may do."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accord.engine import TableName
from accord.formatting import money
from accord.model import load_agreements
from tests.service.conftest import EXAMPLES, Workspace


def _clause(objective: str) -> str | None:
    ((_, billing),) = load_agreements([EXAMPLES / "agreements" / "northwind-acme-billing.yaml"])
    return billing.objectives[objective].clause


def test_health_and_readiness(workspace: Workspace) -> None:
    anonymous = workspace.client()
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["revision"] == ready.json()["head"]


def test_the_openapi_document_names_every_resource(workspace: Workspace) -> None:
    paths = workspace.client().get("/openapi.json").json()["paths"]
    for path in ("/api/parties", "/api/services", "/api/agreements",
                 "/api/agreements/{agreement_id}/versions/{version}", "/api/evaluations/{period}",
                 "/api/evaluations/{period}/{agreement_id}/{customer}/items", "/api/live",
                 "/api/credits/{period}", "/api/ingest/{table}", "/api/ingest/{table}/file",
                 "/api/users", "/api/tokens", "/api/session", "/healthz", "/readyz"):
        assert path in paths


def test_the_interactive_docs_work_offline(workspace: Workspace) -> None:
    anonymous = workspace.client()
    for page in ("/docs", "/redoc"):
        html = anonymous.get(page)
        assert html.status_code == 200
        scripts = re.findall(r'src="([^"]+)"', html.text)
        assert scripts
        for script in scripts:
            assert script.startswith("/"), script  # served here, not from a CDN
            assert anonymous.get(script).status_code == 200


def test_without_credentials_every_api_route_answers_401(workspace: Workspace) -> None:
    anonymous = workspace.client()
    for path in ("/api/agreements", "/api/evaluations/2026-03", "/api/live",
                 "/api/credits/2026-03", "/api/users"):
        answer = anonymous.get(path)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
    forged = anonymous.get("/api/agreements", headers={"Authorization": "Bearer accord_forged"})
    assert forged.status_code == 401
    assert forged.json()["error"] == "unknown API token"


def test_staff_see_every_agreement_and_customer(workspace: Workspace) -> None:
    sam = workspace.client("sam")
    ids = [a["id"] for a in sam.get("/api/agreements").json()]
    assert ids == sorted(a.id for _, a in load_agreements([EXAMPLES / "agreements"]))
    customers = {(r["agreement"], r["customer"]) for r in
                 sam.get("/api/evaluations", params={"period": "2026-03"}).json()}
    assert ("skyhost-cloud-availability", "globex") in customers
    assert ("skyhost-cloud-availability", "acme") in customers


def test_a_version_has_its_source_and_effective_objectives(workspace: Workspace) -> None:
    ann = workspace.client("ann")
    version = ann.get("/api/agreements/northwind-acme-billing/versions/1").json()
    source = (EXAMPLES / "agreements" / "northwind-acme-billing.yaml").read_text()
    assert version["source"] == source
    assert version["version"] == 1
    assert version["objectives"]["resolution"]["metric"] == "resolution_time"
    assert "pause" in version["objectives"]["resolution"]
    assert ann.get("/api/agreements/northwind-acme-billing/versions/2").status_code == 404


def test_a_result_carries_objectives_and_credit(workspace: Workspace) -> None:
    ann = workspace.client("ann")
    (result,) = ann.get("/api/evaluations/2026-03/northwind-acme-billing/acme").json()
    assert result["current"] is True
    assert result["version"] == 1
    assert result["at"] == "2026-04-01T00:00:00Z"
    objectives = {o["id"]: o for o in result["objectives"]}
    assert objectives["resolution"]["clause"] == _clause("resolution")
    assert result["credit"]["currency"] == "EUR"


@pytest.mark.parametrize("objective", ["first-response", "resolution", "availability"])
def test_breached_items_are_the_objectives_breaches(workspace: Workspace, objective: str) -> None:
    ann = workspace.client("ann")
    base = "/api/evaluations/2026-03/northwind-acme-billing/acme"
    (result,) = ann.get(base).json()
    counts = next(o for o in result["objectives"] if o["id"] == objective)
    missed = ann.get(f"{base}/items", params={"objective": objective, "met": "false",
                                              "limit": 10_000}).json()
    every = ann.get(f"{base}/items", params={"objective": objective, "limit": 10_000}).json()
    assert all(i["objective"] == objective and i["met"] is False for i in missed["items"])
    if objective != "availability":  # availability items are the outages, not a count
        assert missed["total"] == counts["breached"]
        assert every["total"] == counts["counted"] + counts["pending"]


def test_items_are_paged_in_order(workspace: Workspace) -> None:
    ann = workspace.client("ann")
    url = "/api/evaluations/2026-03/northwind-acme-billing/acme/items"
    whole = ann.get(url, params={"limit": 10_000}).json()
    pages = [ann.get(url, params={"offset": offset, "limit": 50}).json()
             for offset in range(0, whole["total"], 50)]
    assert [i for page in pages for i in page["items"]] == whole["items"]
    assert {page["total"] for page in pages} == {whole["total"]}
    for state in ("stopped", "running", "paused"):
        chosen = ann.get(url, params={"state": state, "limit": 10_000}).json()
        assert chosen["items"] == [i for i in whole["items"] if i.get("state") == state]
    assert ann.get(url, params={"limit": 0}).status_code == 422


def test_live_status_lists_open_timers_least_time_left_first(workspace: Workspace) -> None:
    sam = workspace.client("sam")
    live = sam.get("/api/live").json()
    assert live["at"] == "2026-03-17T14:00:00Z"
    timers = live["timers"]
    assert timers
    assert [t["time_left_s"] for t in timers] == sorted(t["time_left_s"] for t in timers)
    for timer in timers:
        assert timer["state"] in ("running", "paused")
        assert timer["time_left_s"] == timer["target_s"] - timer["elapsed_s"]
        assert timer["at_risk"] is (timer["used"] >= 0.75)
        assert timer["breached"] is (timer["elapsed_s"] > timer["target_s"])
    risky = sam.get("/api/live", params={"at_risk": "true"}).json()["timers"]
    assert risky == [t for t in timers if t["at_risk"]]
    ann_only = workspace.client("ann").get("/api/live").json()["timers"]
    assert ann_only == [t for t in timers if t["customer"] == "acme"]
    later = sam.get("/api/live", params={"at": "2026-03-17T15:00:00Z"}).json()
    assert later["at"] == "2026-03-17T15:00:00Z"


def resolution_breached(workspace: Workspace) -> int:
    """How many tickets the stored March result of acme's billing agreement counts as breached
    under its resolution objective."""
    (result,) = workspace.client("ann").get(
        "/api/evaluations/2026-03/northwind-acme-billing/acme").json()
    return int(next(o["breached"] for o in result["objectives"] if o["id"] == "resolution"))


def test_a_credit_statement_says_what_is_owed_and_why(workspace: Workspace) -> None:
    ann = workspace.client("ann")
    statements = {s["agreement"]: s for s in ann.get("/api/credits/2026-03").json()}
    billing = statements["northwind-acme-billing"]
    assert billing["entitled"] is True
    assert billing["text"].startswith(
        f"You are entitled to {money(billing['amount'], billing['currency'])} ")
    assert f"under section {_clause('resolution')}: " in billing["text"]
    resolution = next(line for line in billing["lines"] if line["objective"] == "resolution")
    # 7.2.3's late tickets: resolved late, and one still open past its target (never said to
    # be resolved).
    assert resolution["reason"].startswith(f"{resolution_breached(workspace) - 1} tickets "
                                           "resolved late and 1 ticket past its target")
    assert resolution["reason"].endswith("still open")
    assert all(s["customer"] == "acme" for s in statements.values())
    assert ann.get("/api/credits/2026-13").status_code == 400


@pytest.mark.parametrize("username", ["ann", "greg", "lena"])
def test_customers_and_suppliers_cannot_change_anything(workspace: Workspace,
                                                        username: str) -> None:
    client = workspace.client(username)
    source = (EXAMPLES / "agreements" / "northwind-acme-billing.yaml").read_text()
    assert client.post("/api/agreements", json={"source": source}).status_code == 403
    assert client.post("/api/evaluations", json={"period": "2026-03"}).status_code == 403
    assert client.post("/api/ingest/tickets", json={"rows": [{}]}).status_code == 403
    assert client.get("/api/users").status_code == 403
    assert client.get("/api/ingest").status_code == 403


def test_the_agreement_text_is_checked_like_a_file(workspace: Workspace) -> None:
    sam = workspace.client("sam")
    answer = sam.post("/api/agreements", json={
        "source": "accord: 1\nid: broken\ntype: sla\n", "filename": "broken.yaml",
        "dry_run": True})
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert problems
    assert all(p["file"] == "broken.yaml" for p in problems)
    assert any(p["path"] == "provider" for p in problems)
    source = (EXAMPLES / "agreements" / "brewline-office-drinks.yaml").read_text()
    same = sam.post("/api/agreements", json={"source": source, "dry_run": True}).json()
    assert same["kind"] == "unchanged"


def test_staff_apply_a_changed_agreement_as_a_new_version(fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    source = (EXAMPLES / "agreements" / "brewline-office-drinks.yaml").read_text()
    changed = source.replace("credit_cap: 15%", "credit_cap: 20%")
    assert changed != source
    dry = sam.post("/api/agreements", json={"source": changed, "dry_run": True}).json()
    assert dry == {"agreement": "brewline-office-drinks", "kind": "changed", "version": 2,
                   "details": ["~ agreement: credit_cap"]}
    assert len(sam.get("/api/agreements/brewline-office-drinks/versions").json()) == 1
    done = sam.post("/api/agreements", json={"source": changed, "filename": "b.yaml"}).json()
    assert done["version"] == 2
    versions = sam.get("/api/agreements/brewline-office-drinks/versions").json()
    assert [(v["version"], v["applied_by"]) for v in versions] == [(1, "tests"), (2, "sam")]


def test_staff_run_an_evaluation_and_the_old_result_stays_as_history(
        fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    run = sam.post("/api/evaluations", json={"period": "2026-03",
                                             "at": "2026-03-20T00:00:00Z"})
    assert run.status_code == 201
    assert run.json()["period"] == "2026-03"
    url = "/api/evaluations/2026-03/northwind-acme-billing/acme"
    history = sam.get(url, params={"history": "true"}).json()
    assert [r["at"] for r in history] == ["2026-03-20T00:00:00Z", "2026-04-01T00:00:00Z"]
    assert [r["current"] for r in history] == [True, False]


def test_ingesting_rows_inserts_then_updates_and_never_duplicates(
        fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    row = {"id": "API-1", "customer": "acme", "service": "billing-system", "priority": "P2",
           "created_at": "2026-03-17T09:00:00Z", "type": "incident"}
    first = sam.post("/api/ingest/tickets", json={"rows": [row]}).json()
    assert (first["inserted"], first["updated"], first["unchanged"]) == (1, 0, 0)
    again = sam.post("/api/ingest/tickets", json={"rows": [row]}).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 1)
    resolved = {**row, "resolved_at": "2026-03-17T11:00:00Z"}
    update = sam.post("/api/ingest/tickets", json={"rows": [resolved]}).json()
    assert (update["inserted"], update["updated"], update["unchanged"]) == (0, 1, 0)
    log = sam.get("/api/ingest").json()
    assert [entry["source"] for entry in log[:3]] == ["batch"] * 3
    assert log[0]["updated"] == 1


def test_a_batch_with_bad_rows_loads_nothing_and_names_each(fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    good = {"id": "API-2", "customer": "acme", "service": "billing-system", "priority": "P2",
            "created_at": "2026-03-17T09:00:00Z"}
    answer = sam.post("/api/ingest/tickets", json={"rows": [
        good, {**good, "id": "API-3", "created_at": "yesterday"},
        {**good, "id": "API-4", "created_at": "2026-03-17T09:00:00"}]})
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert [p["path"].split(":")[0].split(" column")[0] for p in problems] == ["row 2", "row 3"]
    assert all("batch" not in (p["file"] or "") for p in problems)
    assert sam.post("/api/ingest/tickets", json={"rows": [good]}).json()["inserted"] == 1
    assert sam.get("/api/ingest").json()[1]["refused"] is True


def test_a_batch_counts_its_new_changed_and_unchanged_rows_exactly(
        fresh_workspace: Workspace) -> None:
    sam = fresh_workspace.client("sam")
    rows = [{"id": f"MIX-{i}", "customer": "acme", "service": "billing-system",
             "priority": "P3", "created_at": "2026-03-17T09:00:00Z"} for i in range(6)]
    assert sam.post("/api/ingest/tickets", json={"rows": rows[:4]}).json()["inserted"] == 4
    changed = [{**rows[0], "priority": "P1"}, {**rows[1], "resolved_at": "2026-03-17T10:00:00Z"},
               rows[2], rows[3], rows[4], rows[5]]
    answer = sam.post("/api/ingest/tickets", json={"rows": changed}).json()
    assert (answer["inserted"], answer["updated"], answer["unchanged"]) == (2, 2, 2)
    ticket = sam.get("/api/tickets/MIX-0").json()
    assert ticket["priority"] == "P1"
    again = sam.post("/api/ingest/tickets", json={"rows": changed}).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 6)


def test_a_batch_is_read_as_a_json_lines_file_of_its_rows(fresh_workspace: Workspace,
                                                          tmp_path: Path) -> None:
    # `accord ingest` of the same rows as tickets.jsonl names the same problems, by line.
    import json

    from accord.io import read_table
    from accord.store.ingest import ingest_file

    good = {"id": "JL-1", "customer": "acme", "service": "billing-system", "priority": 2,
            "created_at": "2026-03-17T09:00:00Z", "region": 7.5, "vip": True, "note": None}
    rows = [good, {**good, "id": "JL-2", "created_at": "soon"}, {},
            {**good, "id": "JL-3", "tags": ["a"]}, {**good, "id": "JL-1"},
            {**good, "id": "JL-4", "created_at": "2026-03-17T09:00:00"}]
    file = tmp_path / "tickets.jsonl"
    file.write_text("".join(json.dumps(row) + "\n" for row in rows))
    expected = [(p.line, p.path, p.message)
                for p in read_table(file, TableName.TICKETS).problems]
    sam = fresh_workspace.client("sam")
    answer = sam.post("/api/ingest/tickets", json={"rows": rows})
    assert answer.status_code == 422
    assert answer.json()["error"] == "batch: nothing loaded, 4 bad rows"
    named = [(p["path"], p["message"]) for p in answer.json()["problems"]]
    assert named == [(f"row {line}: {path}", message) for line, path, message in expected]
    assert len(named) == 4
    assert sam.get("/api/tickets/JL-1").status_code == 404  # nothing loaded
    loaded = sam.post("/api/ingest/tickets", json={"rows": [good]}).json()
    assert loaded["inserted"] == 1
    ticket = sam.get("/api/tickets/JL-1").json()
    file.write_text(json.dumps({**good, "id": "JL-F"}) + "\n")
    ingest_file(fresh_workspace.engine, file, TableName.TICKETS)
    from_file = sam.get("/api/tickets/JL-F").json()
    assert ticket["priority"] == from_file["priority"] == "2"
    assert ticket["extra"] == from_file["extra"] == {"region": "7.5", "vip": "true", "note": None}
    assert {k: v for k, v in ticket.items() if k not in ("id", "timers")} == \
        {k: v for k, v in from_file.items() if k not in ("id", "timers")}


def test_a_batch_without_a_required_column_cannot_be_read(fresh_workspace: Workspace) -> None:
    answer = fresh_workspace.client("sam").post("/api/ingest/tickets", json={"rows": [
        {"id": "X-1", "customer": "acme", "service": "billing-system", "priority": "P2"}]})
    assert answer.status_code == 422
    assert answer.json()["error"] == "batch: cannot be read"
    (problem,) = answer.json()["problems"]
    assert (problem["file"], problem["path"]) == ("batch", "created_at")


def test_an_uploaded_file_loads_like_accord_ingest(fresh_workspace: Workspace,
                                                   tmp_path: Path) -> None:
    sam = fresh_workspace.client("sam")
    data = (EXAMPLES / "data" / "deliveries.csv").read_bytes()
    same = sam.post("/api/ingest/deliveries/file",
                    files={"file": ("deliveries.csv", data, "text/csv")}).json()
    assert same["inserted"] == 0
    assert same["unchanged"] == data.count(b"\n") - 1
    bad = b"id,customer,item,delivered_at\nX-1,acme,tea,not a time\n"
    refused = sam.post("/api/ingest/deliveries/file",
                       files={"file": ("late.csv", bad, "text/csv")})
    assert refused.status_code == 422
    (problem,) = refused.json()["problems"]
    assert (problem["file"], problem["line"]) == ("late.csv", 2)
    unknown = sam.post("/api/ingest/deliveries/file",
                       files={"file": ("x.txt", b"", "text/plain")})
    assert unknown.status_code == 400
    assert sam.post("/api/ingest/nonsense", json={"rows": [{}]}).status_code == 400


def test_at_is_the_evaluation_instant_not_today(workspace: Workspace) -> None:
    later = workspace.client("sam", now=datetime(2026, 3, 18, 9, 0, tzinfo=UTC))
    assert later.get("/api/live").json()["at"] == "2026-03-18T09:00:00Z"


def test_a_ticket_shows_its_history_and_open_timers(workspace: Workspace) -> None:
    sam = workspace.client("sam")
    live = sam.get("/api/live").json()["timers"]
    first = live[0]
    found = sam.get(f"/api/tickets/{first['ticket']}").json()
    assert found["id"] == first["ticket"]
    assert found["customer"] == first["customer"]
    assert first in found["timers"]
    assert found["timers"] == [t for t in live if t["ticket"] == first["ticket"]]
    assert [h["at"] for h in found["history"]] == sorted(h["at"] for h in found["history"])
    assert sam.get("/api/tickets/NO-SUCH").status_code == 404


def test_a_ticket_is_seen_only_by_its_customer_and_covering_supplier(
        workspace: Workspace) -> None:
    acme_ticket = "NW-10001"
    assert workspace.client("ann").get(f"/api/tickets/{acme_ticket}").status_code == 200
    assert workspace.client("greg").get(f"/api/tickets/{acme_ticket}").status_code == 404
    assert workspace.client("lena").get(f"/api/tickets/{acme_ticket}").status_code == 404
    uc = workspace.client("sam").get(
        "/api/evaluations/2026-03/ledgerworks-billing-uc/northwind-it/items").json()["items"]
    covered = uc[0]["ticket"]
    assert workspace.client("lena").get(f"/api/tickets/{covered}").status_code == 200
    assert workspace.client("ann").get(f"/api/tickets/{covered}").status_code == 404
