"""The engine agrees with the oracle (tests/oracle.py) on random scenarios (docs/semantics.md).

Every number, instant and item of the engine's document must equal the oracle's, except KPI
aggregates (floats summed in another order), which may differ by a relative 1e-9.
Set ACCORD_EXAMPLES to run more examples; the ``slow`` tests run many more.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.engine.periods import Period
from tests.engine.build import agreement, evaluator_named, make_tables
from tests.engine.scenarios import KINDS, Scenario, scenarios
from tests.oracle import reference_document

EXAMPLES = int(os.environ.get("ACCORD_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
THOROUGH = settings(PROPERTY, max_examples=max(EXAMPLES, 300))


def differences(engine: Any, oracle: Any, path: str = "") -> list[str]:
    """Where two documents differ: exact everywhere but KPI attainments (relative 1e-9)."""
    if isinstance(oracle, dict) and isinstance(engine, dict):
        found = [f"{path}.{key}: missing in the engine" for key in oracle if key not in engine]
        found += [f"{path}.{key}: not in the oracle" for key in engine if key not in oracle]
        kpi = oracle.get("metric") == "kpi"
        for key in oracle.keys() & engine.keys():
            if kpi and key == "attainment" and _close(engine[key], oracle[key]):
                continue
            found += differences(engine[key], oracle[key], f"{path}.{key}")
        return found
    if isinstance(oracle, list) and isinstance(engine, list):
        if len(oracle) != len(engine):
            return [f"{path}: {len(engine)} entries in the engine, {len(oracle)} in the oracle"
                    f"\n  engine: {engine}\n  oracle: {oracle}"]
        return [d for i, (e, o) in enumerate(zip(engine, oracle, strict=True))
                for d in differences(e, o, f"{path}[{i}]")]
    flags = type(engine) is bool or type(oracle) is bool
    same = engine is oracle if flags else engine == oracle
    return [] if same else [f"{path}: engine {engine!r} != oracle {oracle!r}"]


def _close(engine: Any, oracle: Any) -> bool:
    if isinstance(engine, int | float) and isinstance(oracle, int | float):
        return math.isclose(engine, oracle, rel_tol=1e-9)
    return False


def check(scenario: Scenario) -> None:
    agreements = scenario.agreements
    oracle = reference_document(agreements, scenario.tables, scenario.period, scenario.at)
    engine = evaluator_named("engine")(agreements, scenario.tables, scenario.period, scenario.at)
    found = differences(engine, oracle)
    assert not found, "\n".join(found[:20])


@PROPERTY
@given(scenarios(kinds=("response_time", "resolution_time"), many=True))
def test_ticket_timers_agree_with_the_oracle(scenario: Scenario) -> None:
    check(scenario)


@PROPERTY
@given(scenarios(kinds=("availability",)))
def test_availability_agrees_with_the_oracle(scenario: Scenario) -> None:
    check(scenario)


@PROPERTY
@given(scenarios(kinds=("delivery",)))
def test_deliveries_agree_with_the_oracle(scenario: Scenario) -> None:
    check(scenario)


@PROPERTY
@given(scenarios(kinds=("kpi",)))
def test_kpis_agree_with_the_oracle(scenario: Scenario) -> None:
    check(scenario)


@PROPERTY
@given(scenarios(kinds=KINDS, agreements=3))
def test_whole_documents_with_credits_agree_with_the_oracle(scenario: Scenario) -> None:
    check(scenario)


@pytest.mark.slow
@THOROUGH
@given(scenarios(kinds=KINDS, many=True, agreements=3))
def test_many_whole_documents_agree_with_the_oracle(scenario: Scenario) -> None:
    check(scenario)


def test_differences_are_found() -> None:
    """The comparison itself can fail: a changed number, flag or length is a difference."""
    document = {"agreements": [{"objectives": [{"metric": "kpi", "attainment": 1.0,
                                                "met": True, "counted": 1}]}], "items": [1]}
    assert differences(document, document) == []
    kpi_rounding = {"agreements": [{"objectives": [{"metric": "kpi",
                                                    "attainment": 1.0 + 1e-12,
                                                    "met": True, "counted": 1}]}], "items": [1]}
    assert differences(kpi_rounding, document) == []
    for changed in ({"metric": "kpi", "attainment": 1.01, "met": True, "counted": 1},
                    {"metric": "kpi", "attainment": 1.0, "met": 1, "counted": 1},
                    {"metric": "kpi", "attainment": 1.0, "met": True, "counted": 2},
                    {"metric": "kpi", "attainment": 1.0, "met": True}):
        other = {"agreements": [{"objectives": [changed]}], "items": [1]}
        assert differences(other, document) != []
    assert differences({**document, "items": []}, document) != []


# --- the oracle's business clock against an independent business-time library -------------


_OFFICE = """
accord: 1
id: desk
type: sla
provider: northwind
customer: acme
services: [desk]
effective: {{from: 2025-01-01}}
calendars:
  office:
    hours: {{mon-fri: "{start}-{end}"}}
objectives:
  resolution:
    metric: resolution_time
    calendar: office
    target: 2d
"""


@PROPERTY
@given(
    start_hour=st.integers(0, 11), length=st.integers(1, 12),
    created=st.integers(0, 20 * 1440), elapsed=st.integers(0, 10 * 1440),
)
def test_oracle_business_time_matches_businesstimedelta(
    start_hour: int, length: int, created: int, elapsed: int
) -> None:
    businesstimedelta = pytest.importorskip("businesstimedelta")
    begin = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=created)
    at = begin + timedelta(minutes=elapsed)
    text = _OFFICE.format(start=f"{start_hour:02d}:00", end=f"{start_hour + length:02d}:00")
    tables = make_tables(tickets=[{"id": "T-1", "customer": "acme", "service": "desk",
                                   "priority": "P1", "created_at": begin}])
    document = reference_document([agreement(text)], tables, Period.parse("2026-03"), at)
    rule = businesstimedelta.WorkDayRule(
        start_time=datetime(2000, 1, 1, start_hour).time(),
        end_time=datetime(2000, 1, 1, start_hour + length).time(),
        working_days=[0, 1, 2, 3, 4],
    )
    expected = rule.difference(begin.replace(tzinfo=None), at.replace(tzinfo=None))
    assert document["items"][0]["elapsed_s"] == expected.timedelta.total_seconds()


# --- calendars whose hours begin or end inside a skipped or repeated hour ------------------

_TRANSITIONS = (
    ("Europe/Berlin", "2026-03-29"), ("Europe/Berlin", "2026-10-25"),
    ("America/New_York", "2026-03-08"), ("America/New_York", "2026-11-01"),
    ("Australia/Sydney", "2026-04-05"), ("Australia/Sydney", "2026-10-04"),
    ("Australia/Lord_Howe", "2026-04-05"), ("Australia/Lord_Howe", "2026-10-04"),
)

_DST_DAY = """
accord: 1
id: desk
type: sla
provider: northwind
customer: acme
services: [desk]
effective: {{from: 2025-01-01}}
timezone: {zone}
calendars:
  office:
    hours: {{mon-sun: "{hours}"}}
objectives:
  resolution:
    metric: resolution_time
    calendar: office
    target: {target}
  uptime:
    metric: availability
    calendar: office
    target: 99%
"""


@PROPERTY
@given(
    transition=st.sampled_from(_TRANSITIONS),
    cuts=st.lists(st.integers(0, 24), min_size=2, max_size=4, unique=True),
    created=st.integers(-120, 300), length=st.integers(0, 1440),
    target=st.sampled_from(("15m", "45m", "1h", "2h", "8h")),
)
def test_business_time_around_daylight_saving_changes_agrees_with_the_oracle(
    transition: tuple[str, str], cuts: list[int], created: int, length: int, target: str
) -> None:
    """Ranges cut at quarter hours between 00:00 and 06:00 on the day of a change (semantics.md
    "Business time": local times convert to UTC with fold=0)."""
    zone, day = transition
    ordered = sorted(cuts[: len(cuts) // 2 * 2])
    hours = ", ".join(f"{a // 4:02d}:{a % 4 * 15:02d}-{b // 4:02d}:{b % 4 * 15:02d}"
                      for a, b in zip(ordered[::2], ordered[1::2], strict=True))
    start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    begin = start + timedelta(minutes=created)
    tables = make_tables(
        tickets=[{"id": "T-1", "customer": "acme", "service": "desk", "priority": "P1",
                  "created_at": begin}],
        incidents=[{"id": "I-1", "service": "desk", "kind": "outage", "start": begin,
                    "end": begin + timedelta(minutes=length)}],
    )
    text = _DST_DAY.format(zone=zone, hours=hours, target=target)
    check(Scenario((text,), tables, Period.parse(day[:7]), start + timedelta(days=1)))
