"""Agreement versions: a changed file is a new version, an unchanged one is not."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from accord.engine import Period
from accord.errors import AgreementError, NotFoundError
from accord.store.agreements import (
    ChangeKind,
    agreement_history,
    agreement_version,
    apply_agreements,
    list_agreements,
    list_parties,
    list_services,
    party_directory,
    versions_in_effect,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
NOW = datetime(2026, 5, 1, tzinfo=UTC)
LATER = datetime(2026, 6, 1, tzinfo=UTC)


def acme(tmp_path: Path) -> Path:
    file = tmp_path / "acme.yaml"
    shutil.copy(EXAMPLES / "agreements" / "northwind-acme-billing.yaml", file)
    return file


def test_applying_the_same_file_twice_makes_one_version(engine: Engine, tmp_path: Path) -> None:
    file = acme(tmp_path)
    [first] = apply_agreements(engine, [file], by="ana", now=NOW)
    assert (first.kind, first.version) == (ChangeKind.NEW, 1)
    [again] = apply_agreements(engine, [file], by="ana", now=LATER)
    assert (again.kind, again.version, again.details) == (ChangeKind.UNCHANGED, 1, [])
    [stored] = agreement_history(engine, "northwind-acme-billing")
    assert (stored.version, stored.applied_by, stored.applied_at) == (1, "ana", NOW)
    assert stored.source == file.read_text()
    assert len(stored.content_hash) == 64


def test_a_changed_file_is_a_new_version_with_its_changes_named(engine: Engine,
                                                                tmp_path: Path) -> None:
    file = acme(tmp_path)
    apply_agreements(engine, [file], by="ana", now=NOW)
    text = file.read_text()
    file.write_text(text.replace("compliance: 95%", "compliance: 90%", 1)
                    .replace("title: ", "title: New ", 1))
    [planned] = apply_agreements(engine, [file], by="bo", now=LATER, dry_run=True)
    assert (planned.kind, planned.version) == (ChangeKind.CHANGED, 2)
    assert planned.details == ["~ agreement: title", "~ objective first-response: compliance"]
    assert len(agreement_history(engine, "northwind-acme-billing")) == 1
    [applied] = apply_agreements(engine, [file], by="bo", now=LATER)
    assert applied.details == planned.details
    history = agreement_history(engine, "northwind-acme-billing")
    assert [(v.version, v.applied_by) for v in history] == [(1, "ana"), (2, "bo")]
    assert agreement_version(engine, "northwind-acme-billing", 1).source == text
    assert agreement_version(engine, "northwind-acme-billing").version == 2


def test_added_and_removed_objectives_are_named(engine: Engine, tmp_path: Path) -> None:
    file = acme(tmp_path)
    apply_agreements(engine, [file], by="ana", now=NOW)
    file.write_text(file.read_text().replace("  csat:", "  satisfaction:", 1))
    [change] = apply_agreements(engine, [file], by="ana", now=LATER, dry_run=True)
    assert change.details == ["+ objective satisfaction", "- objective csat"]


def test_an_invalid_file_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    good = acme(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("id: northwind-acme-billing", "id: other", 1)
                   .replace("compliance: 95%", "compliance: 195%", 1))
    with pytest.raises(AgreementError):
        apply_agreements(engine, [good, bad], by="ana", now=NOW)
    assert list_agreements(engine) == []


def test_parties_and_services_come_from_the_agreements(engine: Engine) -> None:
    apply_agreements(engine, [EXAMPLES / "agreements"], by="ana", now=NOW)
    parties = dict(list_parties(engine))
    assert parties["acme"] == ["customer"]
    assert parties["northwind-it"] == ["provider", "customer"]
    assert "*" not in parties
    services = {s: (p, a) for s, p, a in list_services(engine)}
    assert services["vm-hosting"] == ("skyhost", ["skyhost-cloud-availability"])


def test_the_parties_file_names_the_parties_and_a_new_file_replaces_it(
        engine: Engine, tmp_path: Path) -> None:
    assert party_directory(engine).file is None
    apply_agreements(engine, [EXAMPLES / "agreements"], by="ana", now=NOW)
    names = party_directory(engine)
    assert names.name("acme") == "Acme Corp"
    assert names.timezone("globex") == "America/New_York"
    assert names["northwind-it"].contacts[0].email == "sla@northwind.example"
    acme(tmp_path)
    (tmp_path / "parties.yaml").write_text(
        "accord: 1\nparties:\n  northwind-it: {name: Northwind, kind: provider}\n"
        "  acme: {name: ACME Inc., kind: customer, timezone: Europe/Paris}\n")
    apply_agreements(engine, [tmp_path], by="ana", now=LATER)
    names = party_directory(engine)
    assert names.name("acme") == "ACME Inc."
    assert names.timezone("acme") == "Europe/Paris"
    assert names.name("globex") == "globex"  # no longer named: its id stands


def test_the_version_in_effect_is_the_latest_that_covers_the_period(engine: Engine,
                                                                    tmp_path: Path) -> None:
    file = acme(tmp_path)
    apply_agreements(engine, [file], by="ana", now=NOW)
    file.write_text(file.read_text().replace("effective: {from: 2026-01-01, to: 2026-12-31}",
                                             "effective: {from: 2027-01-01}", 1))
    [change] = apply_agreements(engine, [file], by="ana", now=LATER)
    assert change.version == 2
    [(_, in_2026)] = versions_in_effect(engine, Period.parse("2026-03"))
    [(_, in_2027)] = versions_in_effect(engine, Period.parse("2027-03"))
    assert str(in_2026.effective.start) == "2026-01-01"
    assert str(in_2027.effective.start) == "2027-01-01"


def test_unknown_agreements_and_versions_are_not_found(engine: Engine) -> None:
    apply_agreements(engine, [EXAMPLES / "agreements"], by="ana", now=NOW)
    with pytest.raises(NotFoundError, match="no agreement 'nope'"):
        agreement_history(engine, "nope")
    with pytest.raises(NotFoundError, match="has no version 7"):
        agreement_version(engine, "sparkle-janitorial", 7)
    with pytest.raises(NotFoundError):
        versions_in_effect(engine, Period.parse("2026-03"), ["nope"])
