"""Results over time: the periods a reader can pick, the twelve-month strip, credits added up
per currency for a period and for the year to date, and the per-customer roll-up."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accord.service.credits import statement
from accord.service.overview import AgreementStatus, customer_rollup
from accord.service.timeline import (
    agreement_strips,
    credit_total,
    last_month_of,
    period_choices,
    year_to_date,
)
from accord.store.results import StoredResult
from tests.service.conftest import Workspace

NOW = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)


def _result(period: str, *, agreement: str = "support", customer: str = "acme",
            met: bool = True, amount: str | None = None, currency: str | None = "EUR",
            percent: float = 0.0) -> StoredResult:
    document = {"id": agreement, "customer": customer, "title": None, "type": "sla",
                "period": {"start": "", "end": ""}, "met": met, "objectives": [],
                "credit": {"percent": percent, "amount": amount, "currency": currency,
                           "capped": False}}
    return StoredResult(1, agreement, customer, period, 1, NOW, NOW, "tests", True, met,
                        str(percent), amount, currency, document)


@pytest.mark.parametrize(("period", "last"), [
    ("2026-03", "2026-03"), ("2026-02", "2026-02"), ("2025-Q4", "2025-12"),
    ("2026-Q1", "2026-03"), ("2026-Q2", "2026-03"), ("2025", "2025-12"), ("2026", "2026-03"),
])
def test_a_period_reaches_at_most_to_the_current_month(period: str, last: str) -> None:
    assert last_month_of(period, NOW) == last


def test_the_picker_offers_every_month_to_the_current_one_and_quarters_and_years(
        workspace: Workspace) -> None:
    choices = period_choices(workspace.engine, NOW, "2026-03")
    assert choices.months[0] == "2026-03"  # the current month, newest first
    assert choices.months[:3] == ["2026-03", "2026-02", "2026-01"]
    assert len(choices.months) == 12  # a year back, where nothing older is stored
    assert choices.months[-1] == "2025-04"
    assert choices.quarters == ["2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2"]
    assert choices.years == ["2026", "2025"]
    older = period_choices(workspace.engine, NOW, "2019-Q3")
    assert "2019-Q3" in older.quarters


def test_credits_add_up_per_currency_and_shares_of_an_unstated_fee_stay_apart() -> None:
    total = credit_total([
        _result("2026-01", amount="1000.50", percent=5), _result("2026-02", amount="2000",
                                                                 percent=5),
        _result("2026-02", agreement="cloud", amount="420", currency="USD", percent=25),
        _result("2026-03", agreement="cloud", amount=None, currency=None, percent=2.5),
        _result("2026-03", amount="0", percent=0),
    ])
    assert total.amounts == {"EUR": Decimal("3000.50"), "USD": Decimal("420")}
    assert total.texts() == ["EUR 3,000.50", "USD 420.00", "2.5 % of the fee"]
    assert str(credit_total([])) == "none"
    assert not credit_total([]).owed


def test_the_year_to_date_counts_only_months_of_that_year_up_to_the_month() -> None:
    results = [_result(p) for p in ("2025-12", "2026-01", "2026-Q1", "2026-02", "2026-03",
                                    "2026")]
    assert [r.period for r in year_to_date(results, "2026-02")] == ["2026-01", "2026-02"]


def test_a_strip_shows_twelve_months_with_their_state_and_credit() -> None:
    results = [_result("2026-01", met=False, amount="480", percent=4),
               _result("2026-02"), _result("2026-Q1", met=False, amount="9", percent=1),
               _result("2025-06", met=False, amount="100", percent=1)]
    strip = agreement_strips(results, last_month="2026-02")["support", "acme"]
    assert [m.period for m in strip.months] == [
        "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
    states = {m.period: m.state for m in strip.months}
    assert states["2026-01"] == "missed"
    assert states["2026-02"] == "met"
    assert states["2025-06"] == "missed"
    assert states["2025-07"] == "none"
    january = strip.months[-2]
    assert january.text == "January 2026: missed, credit EUR 480.00"
    assert strip.months[4].text == "July 2025: no result stored"
    assert str(strip.year_to_date) == "EUR 480.00"  # not June 2025's, not the quarter's


def _status(customer: str, state: str, result: StoredResult) -> AgreementStatus:
    return AgreementStatus(result.agreement_id, None, "sla", customer, "2026-03",
                           state, state != "missed", 1 if state == "at_risk" else 0, 0,
                           statement(result), NOW)  # type: ignore[arg-type]


def test_the_rollup_counts_each_customers_agreements_and_adds_up_its_credits() -> None:
    march = [_result("2026-03", customer="acme", met=False, amount="4625", percent=25),
             _result("2026-03", agreement="cloud", customer="acme", met=False, amount="1050",
                     currency="USD", percent=25),
             _result("2026-03", agreement="drinks", customer="acme"),
             _result("2026-03", agreement="cloud", customer="globex")]
    earlier = [_result("2026-02", customer="acme", met=False, amount="100", percent=1),
               _result("2025-12", customer="acme", met=False, amount="999", percent=9)]
    statuses = [_status("acme", "missed", march[0]), _status("acme", "missed", march[1]),
                _status("acme", "at_risk", march[2]), _status("globex", "met", march[3])]
    rows = customer_rollup(statuses, march + earlier, period="2026-03", now=NOW)
    assert [r.customer for r in rows] == ["acme", "globex"]  # who needs attention first
    acme, globex = rows
    assert (acme.met, acme.at_risk, acme.missed, acme.state) == (0, 1, 2, "missed")
    assert acme.owed.texts() == ["EUR 4,625.00", "USD 1,050.00"]
    assert acme.year_to_date.texts() == ["EUR 4,725.00", "USD 1,050.00"]
    assert (globex.met, globex.at_risk, globex.missed, globex.state) == (1, 0, 0, "met")
    assert not globex.owed.owed
