"""Stored evaluations: the current result per agreement, customer and period, and history."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, select

from accord.engine import Evaluation, Period, evaluate
from accord.engine import results as engine_results
from accord.engine.results import ITEM_COLUMNS
from accord.errors import NotFoundError
from accord.model import Metric
from accord.store.agreements import apply_agreements, versions_in_effect
from accord.store.ingest import ingest_file, table_files
from accord.store.results import list_results, result_history, store_evaluation
from accord.store.schema import ObjectiveResultRow, ResultRow
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


# Tickets whose ids need escaping in JSON (a quote, a backslash, a tab, non-ASCII), in no
# order, created at instants with microseconds (so some durations are fractional seconds).
_TRICKY_AGREEMENT = """\
accord: 1
id: tricky-desk
type: sla
provider: northwind-it
customer: "*"
services: [desk]
effective: {from: 2026-01-01}
timezone: Europe/Berlin
fee: {amount: 1000, currency: EUR, per: month}
objectives:
  first-response:
    metric: response_time
    targets: {P1: 30m, P2: 2h}
    compliance: 90%
  resolution:
    metric: resolution_time
    pause: [waiting]
    targets: {P1: 4h, P2: 1d}
    compliance: 90%
"""
_TRICKY_TICKETS = """\
id,customer,service,priority,created_at,first_response_at,resolved_at
T-9,acme,desk,P1,2026-03-02T09:00:00Z,2026-03-02T09:10:00Z,2026-03-02T12:00:00Z
"T-""1",acme,desk,P2,2026-03-03T09:00:00.250000Z,,2026-03-05T09:00:00Z
T-\\2,zeta é,desk,P1,2026-03-04T10:00:00Z,2026-03-04T11:00:00.5Z,
"T-	3",acme,desk,P2,2026-03-05T08:00:00Z,,
Ü-4,zeta é,desk,P2,2026-03-06T08:00:00.000001Z,2026-03-06T08:30:00Z,2026-03-07T08:00:00Z
T-10,acme,desk,P1,2026-03-31T21:00:00Z,,
"""


def _reference_items(evaluation: Evaluation) -> dict[tuple[str, str, str], bytes]:
    """The stored text by its definition: the items sorted by agreement, customer, objective
    order and key (stably), instants as ``…Z`` text, and each run of one agreement, customer
    and objective written as JSON lines by Polars and joined into a list."""
    items = evaluation.items.sort(["agreement", "customer", "_order", "_key"],
                                  maintain_order=True)
    items = items.with_columns(
        pl.when(pl.col(c).dt.microsecond() == 0)
        .then(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        .otherwise(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S.%6fZ")).alias(c)
        for c in ("due_at", "slot", "window_end", "delivered_at", "start", "end"))
    runs: dict[tuple[str, str, str], bytes] = {}
    for (agreement, customer, objective), run in items.group_by(
            ["agreement", "customer", "objective"], maintain_order=True):
        metric = Metric(run.item(0, "metric"))
        lines = run.select("agreement", "customer", "objective", *ITEM_COLUMNS[metric])
        encoded = lines.write_ndjson().encode("utf-8")
        runs[(str(agreement), str(customer), str(objective))] = (
            b"[" + encoded.rstrip(b"\n").replace(b"\n", b",") + b"]")
    return runs


@pytest.mark.parametrize("source", ["examples", "tricky"])
def test_stored_items_are_byte_for_byte_the_items_as_defined(engine: Engine, tmp_path: Path,
                                                              source: str) -> None:
    if source == "examples":
        apply_agreements(engine, [EXAMPLES / "agreements"], by="ana", now=AT)
        files = table_files([EXAMPLES / "data"])
    else:
        (tmp_path / "tricky.yaml").write_text(_TRICKY_AGREEMENT, encoding="utf-8")
        (tmp_path / "tickets.csv").write_text(_TRICKY_TICKETS, encoding="utf-8")
        apply_agreements(engine, [tmp_path / "tricky.yaml"], by="ana", now=AT)
        files = table_files([tmp_path / "tickets.csv"])
    for file, table in files:
        ingest_file(engine, file, table)
    period = Period.parse("2026-03")
    versions = versions_in_effect(engine, period)
    evaluation = evaluate([a for _, a in versions], load_tables(engine), period, AT)
    store_evaluation(engine, evaluation, {a.id: v for v, a in versions},
                     evaluated=[a.id for _, a in versions], by="ana", now=AT)
    expected = _reference_items(evaluation)
    with engine.connect() as connection:
        stored = connection.execute(
            select(ResultRow.agreement_id, ResultRow.customer, ObjectiveResultRow.objective,
                   ObjectiveResultRow.items)
            .join(ResultRow, ResultRow.id == ObjectiveResultRow.result_id)).all()
    found = {(a, c, o): items.encode("utf-8") for a, c, o, items in stored if items != "[]"}
    assert found == expected
    assert len(expected) >= (8 if source == "examples" else 4)
    if source == "tricky":
        every = b"".join(expected.values()).decode("utf-8")
        for text in ('T-\\"1', "T-\\\\2", "T-\\t3", "Ü-4", "zeta é", '"elapsed_s":3600.5,',
                     '"due_at":"2026-03-03T11:00:00.250000Z"', '"due_at":"2026-03-02T09:30:00Z"'):
            assert text in every


@pytest.mark.parametrize("ranked", [True, False], ids=["ranked", "sorted-by-columns"])
def test_items_keep_the_documented_order_with_repeated_and_missing_keys(
        ranked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not ranked:  # as with more groups than one integer holds
        monkeypatch.setattr(engine_results, "_ONE_INTEGER", 0)
    # Keys repeated within one objective keep the order they came in; a missing key sorts
    # first, as the sort puts empty cells.
    rows = [("b", "acme", 1, "k2", 0), ("a", "zeta", 0, "k1", 1), ("a", "acme", 0, None, 2),
            ("a", "acme", 0, "k1", 3), ("a", "acme", 1, "k0", 4), ("a", "acme", 0, "k1", 5),
            ("b", "acme", 1, None, 6), ("a", "acme", 0, "k0", 7), ("a", "acme", 0, None, 8)]
    plan = pl.LazyFrame(rows, schema={"agreement": pl.String, "customer": pl.String,
                                      "_order": pl.Int32, "_key": pl.String, "seen": pl.Int64},
                        orient="row").with_columns(
        pl.lit("obj").alias("objective"), pl.lit("response_time").alias("metric"))
    evaluation = Evaluation(Period.parse("2026-03"), AT, (), plan)
    assert evaluation.sorted_items().get_column("seen").to_list() == [2, 8, 7, 3, 5, 4, 1, 6, 0]
    runs = [(r.agreement, r.customer, r.start, r.length) for r in evaluation.item_runs()]
    assert runs == [("a", "acme", 0, 5), ("a", "acme", 5, 1), ("a", "zeta", 6, 1),
                    ("b", "acme", 7, 2)]
