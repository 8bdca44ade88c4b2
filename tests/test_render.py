"""The evaluation table for people (accord.render): many customers as a summary, the one
formatter of percentages and goals."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.console import Console

from accord.engine import Evaluation, Period, evaluate
from accord.model import Metric, parse_agreement
from accord.render import attainment_text, goal_text, grid, percent, render_table
from tests import many_customers

AT = datetime(2026, 4, 1, tzinfo=UTC)


def _evaluated(customers: int) -> Evaluation:
    agreement = parse_agreement(many_customers.AGREEMENT, "desk.yaml")
    return evaluate([agreement], many_customers.tables(customers), Period.parse("2026-03"), AT)


def _printed(evaluation: Evaluation, **options: object) -> str:
    out = io.StringIO()
    render_table(evaluation, Console(file=out, width=100, highlight=False), **options)
    return out.getvalue()


def test_a_service_agreement_prints_a_row_per_customer_then_the_detail_of_those_missed() -> None:
    text = _printed(_evaluated(30))
    lines = text.splitlines()
    summary = [line for line in lines
               if line.startswith("cust-") and line.split()[1] in ("met", "missed")]
    assert [line.split()[0] for line in summary] == [f"cust-{c:04d}" for c in range(30)]
    for line in summary:
        customer = int(line.split()[0].removeprefix("cust-"))
        assert line.split()[1] == ("missed" if many_customers.missed(customer) else "met")
    detail = [line for line in lines if line.startswith("cust-") and "first-response" in line]
    assert [line.split()[0] for line in detail] == [
        f"cust-{c:04d}" for c in range(30) if many_customers.missed(c)]
    assert all("0 % ✗" in line and "≥ 90 %" in line and "4/4 tickets late" in line
               for line in detail)
    assert "30 customers · 20 met, 10 missed" in text
    assert "Credits owed to 10 of 30 customers: EUR 500.00 in all" in text
    assert "Credit: " not in text  # no table of its own for each customer


def test_one_customer_of_a_service_agreement_keeps_its_full_table() -> None:
    text = _printed(_evaluated(1))
    assert "desk-for-all · cust-0000 · missed" in text
    assert "Credit: 5 % of the fee = EUR 50.00" in text


def test_a_customer_is_shown_by_the_name_given_for_its_id() -> None:
    names = {"cust-0000": "Acme Corp", "cust-0003": "Globex Inc"}
    text = _printed(_evaluated(4), name=lambda party: names.get(party, party))
    assert "Acme Corp" in text
    assert "Globex Inc" in text
    assert "cust-0001" in text
    assert "cust-0000" not in text
    assert "cust-0003" not in text


@pytest.mark.parametrize(("metric", "attainment", "target", "shown"), [
    (Metric.RESPONSE_TIME, 17 / 19, None, "89.474 %"),
    (Metric.AVAILABILITY, 1.0, None, "100 %"),
    (Metric.DELIVERY, None, None, "—"),
    (Metric.KPI, 3.9172413793103447, ">= 4.2", "3.91724"),
    (Metric.KPI, 0.968051, ">= 95%", "96.805 %"),
])
def test_attainment_is_a_percentage_unless_a_kpi_counts_in_its_unit(
        metric: Metric, attainment: float | None, target: str | None, shown: str) -> None:
    assert attainment_text(metric, attainment, target) == shown


def test_goals_and_shares_are_written_one_way() -> None:
    assert goal_text(0.95, None) == "≥ 95 %"
    assert goal_text(4.2, ">= 4.2") == ">= 4.2"
    assert percent(0.9999) == "99.99 %"
    assert percent(None) == "—"


def test_a_grid_aligns_its_columns_under_a_rule() -> None:
    assert grid(("a", "n"), [("xyz", "1"), ("b", "100")], right=frozenset({1})) == (
        "a      n\n"
        "────────\n"
        "xyz    1\n"
        "b    100\n")
