"""Loading the compiled kernels ahead of need, on a thread of their own.

Importing numba, and a process's first call of a compiled kernel (numba's typing and
lowering registries, then the kernel's machine code from the on-disk cache), take about half
a second or more before anything is computed; the first public holidays of a process import
every country module of the ``holidays`` package (0.2-0.4 s). :func:`warm_up_in_background` does both on a
daemon thread, by evaluating a tiny built-in agreement (every metric, a status history with a
pause) on a few rows, while the caller reads its data: Polars and Arrow release the GIL
while they parse, so on a machine with more than one core the two overlap. The kernels'
machine code does not depend on the data, so the real evaluation then finds every kernel
loaded. Nothing here is needed for
correctness: a call before the warm-up ends waits for numba's compiler lock and loads the
kernel itself. With a single CPU to run on nothing overlaps, and the warm-up would only add
the kernels the real evaluation does not need: :func:`spare_cpu` tells the caller.
"""

from __future__ import annotations

import contextlib
import os
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from accord.engine.results import Evaluation

__all__ = ["spare_cpu", "warm_up", "warm_up_in_background"]

_AGREEMENT = """\
accord: 1
id: warm-up
type: sla
provider: p
customer: c
services: [s]
effective: {from: 2026-01-01}
timezone: Europe/Berlin
fee: {amount: 100, currency: EUR, per: month}
calendars:
  office:
    hours: {mon-fri: "09:00-17:00"}
    holidays: {country: DE}
objectives:
  response:
    metric: response_time
    calendar: office
    target: 1h
    compliance: 90%
    credits: [{below: 90%, credit: 5%}]
  resolution:
    metric: resolution_time
    pause: [waiting]
    target: 8h
    compliance: 90%
    credit_per_breach: 1%
  uptime:
    metric: availability
    target: 99%
  tea:
    metric: delivery
    item: tea
    schedule: {rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", window: 30m}
    target: 90%
  score:
    metric: kpi
    measure: score
    aggregate: mean
    target: ">= 1"
"""


def _instants(*values: str | None) -> pl.Series:
    import polars as pl

    from accord.engine.tables import INSTANT

    return pl.Series([None if v is None else datetime.fromisoformat(v) for v in values],
                     dtype=INSTANT)


def warm_up() -> Evaluation:
    """Evaluate the built-in agreement on a few rows: every kernel is then loaded."""
    import polars as pl

    from accord.engine.evaluator import evaluate  # numba and the kernels: the slow import
    from accord.engine.periods import Period
    from accord.engine.tables import Tables
    from accord.model import parse_agreement

    agreement = parse_agreement(_AGREEMENT, "<warm-up>")
    tables = Tables(
        tickets=pl.DataFrame({
            "id": ["t1", "t2"], "customer": ["c", "c"], "service": ["s", "s"],
            "priority": ["P1", "P2"],
            "created_at": _instants("2026-03-02T08:00:00+00:00", "2026-03-03T08:00:00+00:00"),
            "first_response_at": _instants("2026-03-02T09:00:00+00:00", None),
            "resolved_at": _instants(None, "2026-03-04T08:00:00+00:00"),
            "type": ["incident", "request"], "supplier": [None, None],
        }, schema_overrides={"supplier": pl.String}),
        ticket_status=pl.DataFrame({
            "ticket_id": ["t1", "t1", "t1"],
            "at": _instants("2026-03-02T10:00:00+00:00", "2026-03-02T12:00:00+00:00",
                            "2026-03-02T14:00:00+00:00"),
            "status": ["waiting", "in_progress", "resolved"],
        }),
        incidents=pl.DataFrame({
            "id": ["i1"], "service": ["s"], "start": _instants("2026-03-05T10:00:00+00:00"),
            "end": _instants("2026-03-05T11:00:00+00:00"), "kind": ["outage"],
            "customer": [None], "supplier": [None],
        }, schema_overrides={"customer": pl.String, "supplier": pl.String}),
        deliveries=pl.DataFrame({
            "id": ["d1"], "customer": ["c"], "item": ["tea"],
            "delivered_at": _instants("2026-03-02T08:10:00+00:00"),
        }),
        measurements=pl.DataFrame({
            "customer": ["c"], "measure": ["score"], "at": _instants("2026-03-02T08:00:00+00:00"),
            "value": [2.0], "good": [None], "total": [None],
        }, schema_overrides={"good": pl.Float64, "total": pl.Float64}),
    )
    result = evaluate([agreement], tables, Period.parse("2026-03"),
                      datetime(2026, 4, 1, tzinfo=UTC))
    if result.items.is_empty():  # the items are built when first read: build them too
        raise AssertionError("the warm-up agreement found no evidence")
    return result


def warm_up_in_background() -> threading.Thread:
    """Start :func:`warm_up` on a daemon thread (a failure there is the real call's to report)."""
    def run() -> None:
        with contextlib.suppress(Exception):  # the evaluation itself will meet and report it
            warm_up()

    thread = threading.Thread(target=run, name="accord-warm-up", daemon=True)
    thread.start()
    return thread


def spare_cpu() -> bool:
    """Whether this process may run on more than one CPU, so that a warm-up can overlap."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # no affinity on this platform (macOS, Windows)
        return (os.cpu_count() or 1) > 1
