import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from accord.engine import Period, evaluate
from accord.io import read_tables
from accord.model import load_agreements

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize("period", ["2026-02", "2026-Q1", "2024-03"])
def test_streamed_json_is_the_document(period: str) -> None:
    tables, _ = read_tables(EXAMPLES / "data")
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    evaluation = evaluate(agreements, tables, Period.parse(period),
                          datetime.fromisoformat("2026-05-01T00:00:00Z"))
    out = io.StringIO()
    evaluation.write_json(out)
    document = evaluation.document()
    assert json.loads(out.getvalue()) == document
    assert len(document["items"]) == len(evaluation.items)


def test_items_print_in_the_documented_order() -> None:
    tables, _ = read_tables(EXAMPLES / "data")
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    evaluation = evaluate(agreements, tables, Period.parse("2026-03"),
                          datetime.fromisoformat("2026-04-01T00:00:00Z"))
    order = {(a.id, key): i for a in agreements for i, key in enumerate(a.objectives)}
    keys = [(item["agreement"], item["customer"], order[(item["agreement"], item["objective"])],
             item.get("ticket") or item.get("slot") or item.get("incident"))
            for item in evaluation.document()["items"]]
    assert keys == sorted(keys)


def test_the_runs_of_many_customers_encode_as_their_items() -> None:
    from accord.model import parse_agreement
    from tests import many_customers

    evaluation = evaluate([parse_agreement(many_customers.AGREEMENT, "desk.yaml")],
                          many_customers.tables(40), Period.parse("2026-03"),
                          datetime.fromisoformat("2026-04-01T00:00:00Z"))
    runs = evaluation.item_runs()
    assert len(runs) == 40
    documents = evaluation.item_documents()
    for run in runs:
        encoded = evaluation.encoded_items(run, b",", (b"[", b"]"))
        assert json.loads(encoded) == documents[run.start:run.start + run.length]
    out = io.StringIO()
    evaluation.write_json(out)
    assert json.loads(out.getvalue()) == evaluation.document()
