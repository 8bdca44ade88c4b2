"""Service credits in the document: tiers, credits per breach, the cap, a worked example."""

from decimal import Decimal
from pathlib import Path

from accord.documents.credits import credit_example, tier_rows
from accord.model import load_agreement
from tests.documents.conftest import EXAMPLES, MINIMAL, agreement_of

NORTHWIND = next(p for p in EXAMPLES if p.stem == "northwind-acme-billing")


def test_every_tier_and_credit_per_breach_is_listed_mildest_first() -> None:
    rows = tier_rows(load_agreement(NORTHWIND))
    assert rows[:3] == [
        ("first-response", "7.2.1", "share of tickets on time below 95%", "3% of the fee"),
        ("first-response", "7.2.1", "share of tickets on time below 85%", "6% of the fee"),
        ("p1-resolution", "7.2.2", "each ticket that misses its target", "2% of the fee")]
    assert ("csat", "7.5", "mean of csat below 3.8", "4% of the fee") in rows
    assert len(rows) == 10


def test_the_worked_example_is_computed_by_the_engine() -> None:
    example = credit_example(load_agreement(NORTHWIND))
    assert example is not None
    assert example.month == "January 2026"
    assert example.rows == (
        # halfway between the 95% and 85% tiers: the 3% tier
        ("first-response (7.2.1)", "share of tickets on time 90%", "3%"),
        ("p1-resolution (7.2.2)", "2 breaches (each a ticket that misses its target)", "4%"))
    assert example.total == "7%"
    assert not example.capped
    assert example.amount == "EUR 1,295.00"  # 7% of EUR 18,500
    assert example.maximum == "EUR 4,625.00"  # the 25% cap


def test_the_example_shows_the_cap_when_it_bites(tmp_path: Path) -> None:
    text = MINIMAL.replace("objectives:\n", "fee: {amount: 1000, currency: USD, per: quarter}\n"
                           "credit_cap: 5%\nobjectives:\n").replace(
        "    target: 4h\n", "    target: 4h\n    credit_per_breach: 10%\n")
    example = credit_example(agreement_of(text))
    assert example is not None
    assert example.rows == (("response", "2 breaches (each a ticket that misses its target)",
                             "20%"),)
    assert example.capped
    assert example.total == "5%"
    # A quarterly fee counts a third per month: 5% of USD 333.33…
    assert example.amount == "USD 16.67"
    assert example.maximum == "USD 16.67"


def test_kpi_tiers_above_a_threshold_use_the_measures_unit() -> None:
    text = MINIMAL.replace("""  response:
    metric: response_time
    target: 4h
""", """  handle-time:
    metric: kpi
    measure: handle_s
    aggregate: p90
    target: "<= 600"
    credits:
      - {above: 900, credit: 3%}
      - {above: 600, credit: 1%}
""")
    agreement = agreement_of(text)
    assert tier_rows(agreement) == [
        ("handle-time", "—", "90th percentile of handle_s above 600", "1% of the fee"),
        ("handle-time", "—", "90th percentile of handle_s above 900", "3% of the fee")]
    example = credit_example(agreement)
    assert example is not None
    assert example.rows == (("handle-time", "90th percentile of handle_s 750", "1%"),)
    assert example.amount is None  # no fee: credits stay percentages


def test_no_credits_no_example() -> None:
    assert credit_example(agreement_of(MINIMAL)) is None
    assert tier_rows(agreement_of(MINIMAL)) == []


def test_shares_in_the_example_are_exact() -> None:
    example = credit_example(load_agreement(next(p for p in EXAMPLES
                                                 if p.stem == "skyhost-availability")))
    assert example is not None
    # halfway between 99.99% and 99.0%, in the 10% tier
    assert example.rows == (("vm-uptime (4.1)", "availability 99.495%", "10%"),)
    assert example.amount == f"USD {Decimal('420.00'):,.2f}"
