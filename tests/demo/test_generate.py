"""The demo's data generator: deterministic, twelve months up to ``now``, and the story's
patterns (accord.demo.story)."""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
import pytest

from accord.demo import TABLES, Story, agreement_files, generate, write_agreements
from accord.demo.story import BERLIN
from accord.model.loader import load_agreement

NOW = datetime(2026, 5, 14, 10, 30, tzinfo=UTC)  # a Thursday morning
STORY = Story(NOW)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-data")
    generate(directory, now=NOW, seed=7)
    return directory


def test_same_seed_and_instant_write_the_same_bytes(data: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", now=NOW, seed=7)
    for name in TABLES:
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == \
            (data / f"{name}.csv").read_bytes(), name


def test_tickets_cover_twelve_months_ending_at_now(data: Path) -> None:
    tickets = _read(data, "tickets")
    months = {t["created_at"][:7] for t in tickets}
    assert months == set(STORY.labels)
    assert STORY.labels[0] == "2025-06"
    assert STORY.labels[-1] == "2026-05"
    for name, columns in (("tickets", ("created_at", "first_response_at", "resolved_at")),
                          ("ticket_status", ("at",)), ("incidents", ("start", "end")),
                          ("deliveries", ("delivered_at",)), ("measurements", ("at",))):
        for row in _read(data, name):
            for column in columns:
                assert not row[column] or _instant(row[column]) <= NOW, (name, row)


def test_the_current_month_has_open_tickets_some_past_their_targets(data: Path) -> None:
    open_now = [t for t in _read(data, "tickets") if not t["resolved_at"]]
    assert len([t for t in open_now if t["created_at"].startswith("2026-05")]) >= 10
    # the live P1 escalated to Ledgerworks seven hours ago: Northwind's 4h target is missed
    p1 = [t for t in open_now if t["customer"] == "acme" and t["priority"] == "P1"
          and _instant(t["created_at"]) == NOW - timedelta(hours=7)]
    assert len(p1) == 1
    assert p1[0]["supplier"] == "ledgerworks"
    # SkyHost's P1 waiting 40 minutes for its 15-minute first response
    waiting = [t for t in open_now if t["id"].startswith("SKY-") and not t["first_response_at"]
               and t["priority"] == "P1"]
    assert [_instant(t["created_at"]) for t in waiting] == [NOW - timedelta(minutes=40)]


def test_service_desk_tickets_peak_in_business_hours(data: Path) -> None:
    desk = [_instant(t["created_at"]).astimezone(BERLIN) for t in _read(data, "tickets")
            if t["id"].startswith("NW-")]
    office = [t for t in desk if STORY.is_office_day(t.date()) and 8 <= t.hour < 18]
    assert len(office) / len(desk) > 0.8
    by_hour = Counter(t.hour for t in office)
    assert by_hour[10] > 1.5 * by_hour[8]
    assert by_hour[14] > 1.5 * by_hour[17]


def test_public_holidays_have_no_deliveries_and_only_a_trickle_of_tickets(data: Path) -> None:
    berlin = holidays.country_holidays("DE", subdiv="BE", years=[2025, 2026])
    closed = [d for d in STORY.days() if d in berlin and d.weekday() < 5]
    assert date(2025, 12, 25) in closed
    assert date(2026, 4, 3) in closed
    delivered = {_instant(d["delivered_at"]).astimezone(BERLIN).date()
                 for d in _read(data, "deliveries")}
    assert not delivered & set(closed)
    created = Counter(_instant(t["created_at"]).astimezone(BERLIN).date() for t in _read(data, "tickets")
                      if t["id"].startswith("NW-"))
    office_days = [d for d in STORY.days()[:-1] if STORY.is_office_day(d)]
    per_office_day = sum(created[d] for d in office_days) / len(office_days)
    per_holiday = sum(created[d] for d in closed) / len(closed)
    assert per_holiday < per_office_day / 5


def test_the_bad_month_has_the_most_acme_tickets(data: Path) -> None:
    acme = Counter(t["created_at"][:7] for t in _read(data, "tickets")
                   if t["customer"] == "acme" and t["id"].startswith("NW-"))
    assert acme.most_common(1)[0][0] == STORY.labels[7]


def test_the_long_outage_takes_vm_hosting_down_for_everyone_for_over_eight_hours(
        data: Path) -> None:
    outages = [(i["service"], i["customer"],
                _instant(i["end"]) - _instant(i["start"]))
               for i in _read(data, "incidents") if i["kind"] == "outage" and i["end"]]
    long = [o for o in outages if o[2] >= timedelta(hours=8)]
    assert ("vm-hosting", "", timedelta(hours=8, minutes=20)) in long
    assert ("billing-system", "", timedelta(hours=8, minutes=20)) in long
    assert all(o[2] < timedelta(hours=2) for o in outages if o not in long)


def test_escalated_tickets_wait_for_the_supplier_while_it_works(data: Path) -> None:
    tickets = _read(data, "tickets")
    statuses: dict[str, list[str]] = {}
    for row in _read(data, "ticket_status"):
        statuses.setdefault(row["ticket_id"], []).append(row["status"])
    escalated = [t for t in tickets if t["id"].startswith("NW-")
                 and t["supplier"] == "ledgerworks"]
    cases = [t for t in tickets if t["id"].startswith("LW-")]
    assert len(escalated) == len(cases) >= 5
    assert all("pending_vendor" in statuses[t["id"]] for t in escalated)
    assert {t["customer"] for t in cases} == {"northwind-it"}


def test_status_histories_pause_for_customers_and_reopen(data: Path) -> None:
    histories: dict[str, list[str]] = {}
    for row in _read(data, "ticket_status"):
        histories.setdefault(row["ticket_id"], []).append(row["status"])
    paused = [h for h in histories.values() if "pending_customer" in h]
    reopened = [h for h in histories.values()
                if any(a == "resolved" and b == "open" for a, b in itertools.pairwise(h))]
    assert len(paused) > 100
    assert len(reopened) > 10


def test_every_provider_has_two_or_three_customers_in_the_data(data: Path) -> None:
    tickets = _read(data, "tickets")
    customers = {prefix: {t["customer"] for t in tickets if t["id"].startswith(prefix)}
                 for prefix in ("NW-", "SF-", "SKY-")}
    assert customers == {"NW-": {"acme", "globex", "initech"}, "SF-": {"acme", "initech"},
                         "SKY-": {"globex", "initech", "northwind-it"}}
    assert {(d["customer"], d["item"]) for d in _read(data, "deliveries")} == {
        (c, i) for c in ("acme", "globex") for i in ("tea", "coffee", "juice")} | {
        (c, "cleaning-round") for c in ("acme", "initech")}


@pytest.mark.parametrize("shipped", agreement_files(), ids=lambda p: p.stem)
def test_every_demo_agreement_validates_as_shipped_and_as_written(
        shipped: Path, tmp_path: Path) -> None:
    as_shipped = load_agreement(shipped)
    (written,) = [p for p in write_agreements(tmp_path, STORY) if p.name == shipped.name]
    as_written = load_agreement(written)
    assert as_written.id == as_shipped.id
    assert as_written.effective.start == STORY.first_day
    assert as_written.effective.end is None or as_written.effective.end >= STORY.last_day
