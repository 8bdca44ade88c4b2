"""Stored evaluations: the current result per agreement, customer and period, and history."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from accord.engine import Period, evaluate
from accord.errors import NotFoundError
from accord.store.agreements import apply_agreements, versions_in_effect
from accord.store.ingest import ingest_file, table_files
from accord.store.results import list_results, result_history, store_evaluation
from accord.store.tables import load_tables

EXAMPLES = Path(__file__).parents[2] / "examples"
AT = datetime(2026, 5, 1, tzinfo=UTC)


def evaluate_stored(engine: Engine, label: str, at: datetime, by: str) -> int:
    period = Period.parse(label)
    versions = versions_in_effect(engine, period)
    agreements = [a for _, a in versions]
    evaluation = evaluate(agreements, load_tables(engine), period, at)
    return store_evaluation(engine, evaluation, {a.id: v for v, a in versions},
                            evaluated=[a.id for a in agreements], by=by, now=at)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    apply_agreements(engine, [EXAMPLES / "agreements"], by="ana", now=AT)
    for file, table in table_files([EXAMPLES / "data"]):
        ingest_file(engine, file, table)
    return engine


def test_a_stored_result_carries_its_numbers_items_and_version(loaded: Engine) -> None:
    evaluate_stored(loaded, "2026-03", AT, "ana")
    period = Period.parse("2026-03")
    versions = versions_in_effect(loaded, period)
    document = evaluate([a for _, a in versions], load_tables(loaded), period, AT).document()
    [stored] = result_history(loaded, "northwind-acme-billing", "2026-03")
    [expected] = [a for a in document["agreements"] if a["id"] == "northwind-acme-billing"]
    items = [i for i in document["items"] if i["agreement"] == "northwind-acme-billing"]
    assert {k: v for k, v in stored.document.items() if k != "items"} == expected
    assert stored.document["items"] == json.loads(json.dumps(items))
    assert (stored.version, stored.at, stored.current) == (1, AT, True)
    assert stored.credit_amount == expected["credit"]["amount"]


def test_every_stored_result_keeps_exactly_its_items(loaded: Engine) -> None:
    evaluate_stored(loaded, "2026-03", AT, "ana")
    period = Period.parse("2026-03")
    versions = versions_in_effect(loaded, period)
    document = evaluate([a for _, a in versions], load_tables(loaded), period, AT).document()
    results = list_results(loaded, "2026-03")
    assert len(results) == len(document["agreements"])
    kept = []
    for result in results:
        [stored] = result_history(loaded, result.agreement_id, "2026-03",
                                  customer=result.customer)
        kept += stored.document["items"]
    key = [(i["agreement"], i["customer"]) for i in document["items"]]
    assert sorted(kept, key=lambda i: (i["agreement"], i["customer"])) == [
        i for _, i in sorted(zip(key, document["items"], strict=True), key=lambda p: p[0])]
    assert {i.get("slot") is not None for i in kept} == {True, False}


def test_evaluating_again_replaces_the_current_result_and_keeps_the_old(loaded: Engine) -> None:
    first = evaluate_stored(loaded, "2026-03", datetime(2026, 3, 20, tzinfo=UTC), "ana")
    second = evaluate_stored(loaded, "2026-03", AT, "bo")
    assert second > first
    current = list_results(loaded, "2026-03")
    assert {r.evaluated_by for r in current} == {"bo"}
    assert len({(r.agreement_id, r.customer) for r in current}) == len(current)
    history = result_history(loaded, "northwind-acme-billing", "2026-03", history=True)
    assert [(r.current, r.evaluated_by) for r in history] == [(True, "bo"), (False, "ana")]
    assert history[0].document != history[1].document


def test_results_of_other_periods_stay_current(loaded: Engine) -> None:
    evaluate_stored(loaded, "2026-02", AT, "ana")
    evaluate_stored(loaded, "2026-03", AT, "ana")
    evaluate_stored(loaded, "2026-03", AT, "bo")
    assert {r.evaluated_by for r in list_results(loaded, "2026-02")} == {"ana"}
    assert {r.period for r in list_results(loaded)} == {"2026-02", "2026-03"}


def test_a_result_not_stored_is_not_found(loaded: Engine) -> None:
    with pytest.raises(NotFoundError, match="run `accord evaluate --period 2026-03`"):
        result_history(loaded, "northwind-acme-billing", "2026-03")


def test_two_evaluations_stored_at_once_leave_one_current_result(loaded: Engine) -> None:
    period = Period.parse("2026-03")
    versions = versions_in_effect(loaded, period)
    evaluation = evaluate([a for _, a in versions], load_tables(loaded), period, AT)
    errors: list[str] = []

    def store(barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            store_evaluation(loaded, evaluation, {a.id: v for v, a in versions},
                             evaluated=[a.id for _, a in versions], by="ana", now=AT)
        except Exception as error:  # every failure is the finding
            errors.append(f"{type(error).__name__}: {error}")

    for _ in range(8):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=store, args=(barrier,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    current = list_results(loaded, "2026-03")
    keys = [(r.agreement_id, r.customer) for r in current]
    assert len(keys) == len(set(keys)) == len(evaluation.agreements)
