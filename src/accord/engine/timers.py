"""Ticket timers: response and resolution, with pauses, reopen and stop (DESIGN.md §5).

Tickets are columns; each ticket's status history is a slice of history columns sorted by
ticket and instant (``ptr[i]:ptr[i + 1]``). One compiled pass walks every ticket's segments,
adds the business time of the running ones with the clock, and finds the earliest instant at
which the running time reaches the target (docs/semantics.md, "Ticket timers").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum

import numba
import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import BusinessClock, _b, _reach

__all__ = ["NULL", "Run", "TicketColumns", "TimerResult", "TimerState", "prepare_tickets",
           "resolution_timers", "response_timers"]

NULL = np.iinfo(np.int64).min
STOP_STATUSES = ("resolved", "closed")
Ints = npt.NDArray[np.int64]


class TimerState(IntEnum):
    STOPPED = 0
    RUNNING = 1
    PAUSED = 2


class Run(IntEnum):
    """How a status acts on a timer."""

    RUNS = 0
    PAUSES = 1
    STOPS = 2


@dataclass(frozen=True, eq=False)
class TicketColumns:
    """Tickets as of ``at``: instants as int64 microseconds (``NULL`` when empty).

    ``customer_code[i]`` indexes ``customers``; ticket ``i``'s status history is
    ``history_at[ptr[i]:ptr[i + 1]]`` (sorted by instant, ties in the order read) with the
    statuses ``statuses[history_status[k]]``.
    """

    frame: pl.DataFrame
    created: Ints
    first_response: Ints
    resolved: Ints
    customers: list[str]
    customer_code: npt.NDArray[np.int32]
    ptr: Ints
    history_at: Ints
    history_status: npt.NDArray[np.int32]
    statuses: list[str]
    _codes: dict[str, tuple[list[str], npt.NDArray[np.int32]]] = field(default_factory=dict)

    def codes(self, column: str) -> tuple[list[str], npt.NDArray[np.int32]]:
        """A text column's distinct values and each ticket's index among them (-1: empty)."""
        if column not in self._codes:
            self._codes[column] = _codes(self.frame.get_column(column).cast(pl.String))
        return self._codes[column]

    def matches(self, column: str, values: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Which tickets hold one of ``values`` in ``column`` (an empty cell matches nothing)."""
        names, codes = self.codes(column)
        wanted = set(values)
        allowed = np.array([name in wanted for name in names] + [False])
        result: npt.NDArray[np.bool_] = allowed[codes]
        return result

    def lookup(self, column: str, table: Callable[[str], int | None]) -> Ints:
        """``table(value)`` for each ticket's value in ``column`` (0 for none or empty)."""
        names, codes = self.codes(column)
        values = np.array([table(name) or 0 for name in names] + [0], dtype=np.int64)
        result: Ints = values[codes]
        return result

    def classes(self, pause: tuple[str, ...], *, pausing: bool) -> tuple[npt.NDArray[np.int8], int]:
        """How each status code acts on a timer, and how the implicit first ``open`` acts."""
        def run(status: str) -> Run:
            if status in STOP_STATUSES:
                return Run.STOPS
            return Run.PAUSES if pausing and status in pause else Run.RUNS
        table = np.array([int(run(s)) for s in self.statuses] or [0], dtype=np.int8)
        return table, int(run("open"))


def _us(series: pl.Series) -> Ints:
    values: Ints = series.dt.epoch("us").fill_null(NULL).to_numpy().astype(np.int64, copy=False)
    return values


def _codes(series: pl.Series) -> tuple[list[str], npt.NDArray[np.int32]]:
    """The distinct values of a text column and each row's index among them (-1 when empty):
    dense codes from 64-bit hashes of the text, checked text by text."""
    valid = series.is_not_null().to_numpy()
    codes, firsts = _dense_codes(series.hash().to_numpy(), valid)
    names = series.gather(firsts)
    shown = pl.Series(np.where(valid, codes, 0))
    if len(names) == 0 or bool((series.filter(pl.Series(valid))
                                == names.gather(shown.filter(pl.Series(valid)))).all()):
        return names.to_list(), codes
    values = series.drop_nulls().unique().sort().to_list()  # two texts share a hash
    exact = series.cast(pl.Enum(values)).to_physical().fill_null(-1)
    return values, exact.to_numpy().astype(np.int32)


@numba.njit(cache=True, nogil=True)
def _dense_codes(hashes, valid):  # type: ignore[no-untyped-def]
    """Dense codes of hashes in order of first appearance, and each code's first row."""
    size = 16
    while size < 2 * hashes.shape[0] + 1:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    codes = np.full(hashes.shape[0], -1, dtype=np.int32)
    firsts = np.empty(hashes.shape[0], dtype=np.int64)
    count = 0
    for i in range(hashes.shape[0]):
        if not valid[i]:
            continue
        j = hashes[i] & mask
        while slots[j] >= 0 and hashes[firsts[slots[j]]] != hashes[i]:
            j = (j + np.uint64(1)) & mask
        if slots[j] < 0:
            slots[j] = count
            firsts[count] = i
            count += 1
        codes[i] = slots[j]
    return codes, firsts[:count]


def _rows_of(ids: pl.Series, refs: pl.Series) -> Ints:
    """The row of ``ids`` each of ``refs`` names (-1 for none): a hash join on 64-bit hashes of
    the text, checked text by text, and a plain join when two ids share a hash."""
    rows: Ints
    rows, unique = _hash_join(ids.hash().to_numpy(), refs.hash().to_numpy())
    found = rows >= 0
    if unique and bool((ids.gather(rows[found]) == refs.filter(pl.Series(found))).all()):
        return rows
    first = pl.DataFrame({"id": ids, "_row": np.arange(len(ids))}).unique("id", keep="first")
    joined = pl.DataFrame({"id": refs}).join(first, on="id", how="left", maintain_order="left")
    return joined.get_column("_row").fill_null(-1).to_numpy().astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _hash_join(keys, probes):  # type: ignore[no-untyped-def]
    """Open addressing: the index of each probe among ``keys`` (-1 when absent), and whether
    the keys were all distinct."""
    size = 1
    while size < 2 * keys.shape[0] + 1:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    unique = True
    for i in range(keys.shape[0]):
        j = keys[i] & mask
        while slots[j] >= 0 and keys[slots[j]] != keys[i]:
            j = (j + np.uint64(1)) & mask
        if slots[j] >= 0:
            unique = False
        else:
            slots[j] = i
    rows = np.full(probes.shape[0], -1, dtype=np.int64)
    for i in range(probes.shape[0]):
        j = probes[i] & mask
        while slots[j] >= 0:
            if keys[slots[j]] == probes[i]:
                rows[i] = slots[j]
                break
            j = (j + np.uint64(1)) & mask
    return rows, unique


def _as_of(frame: pl.DataFrame, column: str, at: int) -> pl.DataFrame:
    """The rows that exist at ``at`` (a copy only when some do not)."""
    latest = frame.get_column(column).dt.epoch("us").max()
    if latest is None or (isinstance(latest, int) and latest <= at):
        return frame
    return frame.filter(pl.col(column) <= pl.lit(at).cast(pl.Datetime("us", "UTC")))


def prepare_tickets(tickets: pl.DataFrame, history: pl.DataFrame, at: int) -> TicketColumns:
    """Tickets and their status histories as they stood at ``at`` (microseconds)."""
    tickets = _as_of(tickets, "created_at", at)
    history = _as_of(history, "at", at)
    rows = _rows_of(tickets.get_column("id"), history.get_column("ticket_id"))
    known = rows >= 0
    history_at = _us(history.get_column("at"))[known]
    statuses, status_code = _codes(history.get_column("status"))
    rows, status_code = rows[known], status_code[known]
    in_order = bool(np.all((rows[1:] > rows[:-1])
                           | ((rows[1:] == rows[:-1]) & (history_at[1:] >= history_at[:-1]))))
    if not in_order:
        order = np.lexsort((history_at, rows))  # stable: ties keep the order read
        rows, history_at, status_code = rows[order], history_at[order], status_code[order]
    customers, customer_code = _codes(tickets.get_column("customer"))
    first_response = _us(tickets.get_column("first_response_at"))
    resolved = _us(tickets.get_column("resolved_at"))
    return TicketColumns(
        _codes={"customer": (customers, customer_code)},
        frame=tickets,
        created=_us(tickets.get_column("created_at")),
        first_response=np.where(first_response > at, NULL, first_response),
        resolved=np.where(resolved > at, NULL, resolved),
        customers=customers,
        customer_code=customer_code,
        ptr=np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(tickets)))))
        .astype(np.int64),
        history_at=history_at,
        history_status=status_code,
        statuses=statuses,
    )


@dataclass(frozen=True, eq=False)
class TimerResult:
    """Per selected ticket: business ``elapsed``, ``due`` and ``stop`` instants, ``state``."""

    elapsed: Ints
    due: Ints
    stop: Ints
    state: npt.NDArray[np.int8]


def resolution_timers(tickets: TicketColumns, selected: Ints, targets: Ints, clock: BusinessClock,
                      pause: tuple[str, ...], at: int) -> TimerResult:
    """Resolution timers of the ``selected`` tickets (row numbers), paused on ``pause``."""
    classes, open_class = tickets.classes(pause, pausing=True)
    return TimerResult(*_resolution(
        selected, targets, tickets.created, tickets.resolved, tickets.ptr, tickets.history_at,
        tickets.history_status, classes, open_class, at,
        clock.origin, clock.starts, clock.ends, clock.cum, clock.buckets))


def response_timers(tickets: TicketColumns, selected: Ints, targets: Ints, clock: BusinessClock,
                    at: int) -> TimerResult:
    """Response timers: never paused; answered by the first response or by resolving."""
    classes, _ = tickets.classes((), pausing=False)
    return TimerResult(*_response(
        selected, targets, tickets.created, tickets.first_response, tickets.resolved, tickets.ptr,
        tickets.history_at, tickets.history_status, classes, at,
        clock.origin, clock.starts, clock.ends, clock.cum, clock.buckets))


@numba.njit(cache=True, nogil=True)
def _resolution(selected, targets, created, resolved, ptr, h_at, h_status, classes,  # type: ignore[no-untyped-def]
                open_class, at, origin, starts, ends, cum, buckets):
    n = selected.shape[0]
    elapsed = np.empty(n, dtype=np.int64)
    due = np.empty(n, dtype=np.int64)
    stop_at = np.empty(n, dtype=np.int64)
    state = np.empty(n, dtype=np.int8)
    for j in range(n):
        i = selected[j]
        t0 = created[i]
        target = targets[j]
        p0 = ptr[i]
        p1 = ptr[i + 1]
        if p0 == p1:
            # Without a history the timer runs from creation to resolved_at, unpaused.
            stop = resolved[i]
            if stop != NULL and stop < t0:
                stop = t0
            end = stop if stop != NULL else at
            b0 = _b(t0, origin, starts, ends, cum, buckets)
            elapsed[j] = _b(end, origin, starts, ends, cum, buckets) - b0
            due[j] = _reach(b0 + target, origin, starts, cum)
            stop_at[j] = stop
            state[j] = 0 if stop != NULL else 1
            continue
        # Stopped for good: the final unbroken run of stop statuses, from its first row.
        stop = NULL
        if classes[h_status[p1 - 1]] == 2:
            k = p1 - 1
            while k - 1 >= p0 and classes[h_status[k - 1]] == 2:
                k -= 1
            stop = h_at[k] if h_at[k] > t0 else t0
        end = stop if stop != NULL else at
        current = open_class
        k = p0
        while k < p1 and h_at[k] <= t0:
            current = classes[h_status[k]]
            k += 1
        segment_start = t0
        total = 0
        reached = NULL
        while True:
            segment_end = h_at[k] if k < p1 and h_at[k] < end else end
            if current == 0 and segment_end > segment_start:
                b_start = _b(segment_start, origin, starts, ends, cum, buckets)
                length = _b(segment_end, origin, starts, ends, cum, buckets) - b_start
                if reached == NULL and total + length >= target:
                    reached = _reach(b_start + target - total, origin, starts, cum)
                total += length
            if k >= p1 or h_at[k] >= end:
                break
            current = classes[h_status[k]]
            segment_start = h_at[k]
            k += 1
        final = classes[h_status[p1 - 1]]
        if stop != NULL:
            state[j] = 0
        elif final == 1:
            state[j] = 2
        else:
            state[j] = 1
        if reached == NULL and state[j] != 2:
            b_end = _b(end, origin, starts, ends, cum, buckets)
            reached = _reach(b_end + target - total, origin, starts, cum)
        elapsed[j] = total
        due[j] = reached
        stop_at[j] = stop
    return elapsed, due, stop_at, state


@numba.njit(cache=True, nogil=True)
def _response(selected, targets, created, first_response, resolved, ptr, h_at, h_status,  # type: ignore[no-untyped-def]
              classes, at, origin, starts, ends, cum, buckets):
    n = selected.shape[0]
    elapsed = np.empty(n, dtype=np.int64)
    due = np.empty(n, dtype=np.int64)
    stop_at = np.empty(n, dtype=np.int64)
    state = np.empty(n, dtype=np.int8)
    for j in range(n):
        i = selected[j]
        t0 = created[i]
        p0 = ptr[i]
        p1 = ptr[i + 1]
        # Resolving a ticket answers it: the first entry into a stop status, or resolved_at.
        answered = resolved[i] if p0 == p1 else NULL
        for k in range(p0, p1):
            if classes[h_status[k]] == 2:
                answered = h_at[k]
                break
        stop = first_response[i]
        if answered != NULL and (stop == NULL or answered < stop):
            stop = answered
        if stop != NULL and stop < t0:
            stop = t0
        end = stop if stop != NULL else at
        b0 = _b(t0, origin, starts, ends, cum, buckets)
        elapsed[j] = _b(end, origin, starts, ends, cum, buckets) - b0
        due[j] = _reach(b0 + targets[j], origin, starts, cum)
        stop_at[j] = stop
        state[j] = 0 if stop != NULL else 1
    return elapsed, due, stop_at, state
