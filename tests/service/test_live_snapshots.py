"""Live status keeps each caller's timers and gives them again at later instants: the answers
are those computed afresh, new data is seen at once, and a ticket's instants still to come
(a resolution ingested ahead) end the kept timers when they come."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from accord.engine import TableName
from accord.service import live
from accord.service.live import MAX_AGE, live_timers
from accord.service.tenancy import Principal, Role, Scope
from accord.store.ingest import FileLoad, ingest_file
from accord.store.ingestions import record_ingestion
from tests.service.conftest import NOW, Workspace
from tests.service.random_loads import random_load

ANN = Principal(2, "ann", Role.CUSTOMER, "acme", frozenset({Scope.READ}))
STAFF = Principal(1, "sam", Role.STAFF, None, frozenset({Scope.READ}))


def _fresh(workspace: Workspace, at: datetime, principal: Principal) -> list[live.LiveTimer]:
    live._SNAPSHOTS.clear()
    return live_timers(workspace.engine, at, principal)


@pytest.mark.parametrize("principal", [ANN, STAFF], ids=["customer", "staff"])
def test_kept_timers_later_are_the_timers_computed_then(workspace: Workspace,
                                                        principal: Principal) -> None:
    live._SNAPSHOTS.clear()
    first = live_timers(workspace.engine, NOW, principal)
    assert first
    for step in (timedelta(0), timedelta(seconds=1), timedelta(minutes=3, microseconds=7),
                 timedelta(minutes=4, seconds=59)):
        kept = live_timers(workspace.engine, NOW + step, principal)
        assert kept == _fresh(workspace, NOW + step, principal)
        live_timers(workspace.engine, NOW, principal)  # kept again, from NOW
    moved = live_timers(workspace.engine, NOW + timedelta(minutes=4), principal)
    assert [t.elapsed_s for t in moved] != [t.elapsed_s for t in first]


def test_an_earlier_instant_and_an_old_snapshot_are_computed_afresh(
        workspace: Workspace) -> None:
    live._SNAPSHOTS.clear()
    live_timers(workspace.engine, NOW, ANN)
    earlier = NOW - timedelta(hours=30)
    assert live_timers(workspace.engine, earlier, ANN) == _fresh(workspace, earlier, ANN)
    live._SNAPSHOTS.clear()
    live_timers(workspace.engine, NOW, ANN)
    late = NOW + MAX_AGE + timedelta(hours=2)
    assert live_timers(workspace.engine, late, ANN) == _fresh(workspace, late, ANN)


def _ticket_file(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_text("id,customer,service,priority,created_at,first_response_at,resolved_at,"
                    "type\n" + rows, "utf-8")
    return path


def test_a_load_is_seen_at_once(fresh_workspace: Workspace, tmp_path: Path) -> None:
    engine = fresh_workspace.engine
    live._SNAPSHOTS.clear()
    before = live_timers(engine, NOW, ANN)
    assert "NEW-1" not in {t.ticket for t in before}
    ingest_file(engine, _ticket_file(tmp_path, "new", "NEW-1,acme,billing-system,P3,"
                                     "2026-03-17T13:00:00Z,,,incident\n"), TableName.TICKETS)
    after = live_timers(engine, NOW + timedelta(seconds=5), ANN)
    assert "NEW-1" in {t.ticket for t in after}


def test_a_load_logged_by_another_process_is_seen_at_once(fresh_workspace: Workspace) -> None:
    engine = fresh_workspace.engine
    live._SNAPSHOTS.clear()
    assert "NEW-2" not in {t.ticket for t in live_timers(engine, NOW, ANN)}
    # Another process writes the row and logs its load: nothing in this process counts it.
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO tickets (id, customer, service, priority, created_at) "
            "VALUES ('NEW-2', 'acme', 'billing-system', 'P3', :created)"),
            {"created": (NOW - timedelta(hours=1) - datetime(1970, 1, 1, tzinfo=UTC))
             // timedelta(microseconds=1)})
    record_ingestion(engine, FileLoad(Path("other.csv"), TableName.TICKETS, inserted=1),
                     source="other.csv", by="another process", now=NOW)
    assert "NEW-2" in {t.ticket for t in live_timers(engine, NOW + timedelta(seconds=5), ANN)}


def test_instants_still_to_come_end_the_kept_timers(fresh_workspace: Workspace,
                                                     tmp_path: Path) -> None:
    engine = fresh_workspace.engine
    # Loaded ahead: created now, answered in 10 minutes, resolved in an hour; and one created
    # in 2 minutes.
    at = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    answered = (NOW + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    resolved = (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = (NOW + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ingest_file(engine, _ticket_file(tmp_path, "ahead", f"AHEAD-1,acme,billing-system,P3,{at},"
                                     f"{answered},{resolved},incident\nAHEAD-2,acme,billing-system,"
                                     f"P3,{created},,,incident\n"), TableName.TICKETS)
    live._SNAPSHOTS.clear()

    def objectives(when: datetime, ticket: str) -> set[str]:
        return {t.objective for t in live_timers(engine, when, ANN) if t.ticket == ticket}

    assert objectives(NOW + timedelta(minutes=1), "AHEAD-2") == set()  # not created yet
    assert len(objectives(NOW + timedelta(minutes=3), "AHEAD-2")) == 2  # created meanwhile
    assert len(objectives(NOW + timedelta(minutes=4), "AHEAD-1")) == 2  # response, resolution
    assert len(objectives(NOW + timedelta(minutes=11), "AHEAD-1")) == 1  # answered
    assert objectives(NOW + timedelta(minutes=61), "AHEAD-1") == set()  # resolved
    for minutes in (1, 3, 11, 61):
        when = NOW + timedelta(minutes=minutes)
        assert live_timers(engine, when, ANN) == _fresh(fresh_workspace, when, ANN)


def test_live_status_is_refused_far_ahead(workspace: Workspace) -> None:
    sam = workspace.client("sam")
    ahead = sam.get("/api/live", params={"at": "2027-03-17T14:00:00Z"})
    assert ahead.status_code == 200
    far = sam.get("/api/live", params={"at": "2028-03-17T14:00:00Z"})
    assert far.status_code == 400
    assert "live timers are as of now" in far.text
    ticket = sam.get("/api/live").json()["timers"][0]["ticket"]
    assert sam.get(f"/api/tickets/{ticket}", params={"at": "3000-01-01T00:00:00Z"}
                   ).status_code == 400


def test_the_least_recently_used_snapshots_go_first(workspace: Workspace) -> None:
    kept = live._Snapshots(size=2)
    built: list[str] = []

    class Counting:
        def __init__(self, key: str) -> None:
            self.key = key

        def full(self, at: datetime, customer: str | None) -> None:
            built.append(self.key)

    def build(key: str) -> None:
        kept.timers(workspace.engine, key, NOW, None, Counting(key))  # type: ignore[arg-type]

    for key in ("a", "b", "a", "c", "a", "b"):
        build(key)
    # "a" was used again before "c" came, so "b" went; then "b" was built again
    assert built == ["a", "b", "c", "b"]
    assert set(kept._building[workspace.engine]) == {"a", "b"}


def _fresh_apart(engine: Engine, at: datetime, principal: Principal) -> list[live.LiveTimer]:
    """The timers computed afresh, leaving the kept snapshots as they are."""
    kept = live._SNAPSHOTS
    live._SNAPSHOTS = live._Snapshots()
    try:
        return live_timers(engine, at, principal)
    finally:
        live._SNAPSHOTS = kept


@pytest.mark.parametrize("seed", [1, 2])
def test_timers_brought_up_to_date_after_random_loads_are_those_computed_afresh(
        fresh_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        seed: int) -> None:
    engine = fresh_workspace.engine
    rng = random.Random(seed)
    afresh: list[int] = []
    full = live._Builder.full

    def counted(self: live._Builder, at: datetime, customer: str | None) -> object:
        if live._SNAPSHOTS is kept:
            afresh.append(1)
        return full(self, at, customer)

    monkeypatch.setattr(live._Builder, "full", counted)
    live._SNAPSHOTS.clear()
    kept = live._SNAPSHOTS
    with engine.connect() as connection:
        known = list(connection.execute(text(
            "SELECT id FROM tickets ORDER BY id")).scalars())[::40]
    at = NOW
    for principal in (STAFF, ANN):
        assert live_timers(engine, at, principal)
    computed = len(afresh)
    for number in range(8):
        random_load(rng, engine, tmp_path, number, known, at)
        at += timedelta(minutes=rng.choice([0, 1, 3, 6]), seconds=rng.randint(0, 59))
        for principal in (STAFF, ANN):
            assert live_timers(engine, at, principal) == _fresh_apart(engine, at, principal)
    # Brought up to date each time, never computed afresh (within MAX_AGE, the same day).
    assert len(afresh) == computed == 2
