"""Ticket timers: response and resolution, with pauses, reopen and stop (DESIGN.md §5).

Tickets are columns; each ticket's status history is a slice of history columns sorted by
ticket and instant (``ptr[i]:ptr[i + 1]``). One compiled pass walks every ticket's segments,
adds the business time of the running ones with the clock, and finds the earliest instant at
which the running time reaches the target (docs/semantics.md, "Ticket timers").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

import numba
import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import BEYOND, US, BusinessClock, _b, _locate, _reach_after
from accord.engine.codes import dense_codes, rows_of
from accord.engine.tables import INSTANT
from accord.engine.views import read_only

__all__ = ["NULL", "Run", "Tallied", "TicketColumns", "TimerState", "prepare_tickets",
           "tally_timers"]

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
    _matrices: dict[tuple[str, ...], npt.NDArray[np.int32]] = field(default_factory=dict)

    def codes(self, column: str) -> tuple[list[str], npt.NDArray[np.int32]]:
        """A text column's distinct values and each ticket's index among them (-1: empty)."""
        if column not in self._codes:
            self._codes[column] = dense_codes(self.frame.get_column(column).cast(pl.String))
        return self._codes[column]

    def code_matrix(self, columns: tuple[str, ...]) -> npt.NDArray[np.int32]:
        """The codes of ``columns``, one row each (what a kernel filters tickets by)."""
        if columns not in self._matrices:
            matrix = np.empty((len(columns), len(self.created)), dtype=np.int32)
            for row, column in enumerate(columns):
                matrix[row] = self.codes(column)[1]
            self._matrices[columns] = read_only(matrix)
        return self._matrices[columns]

    def allowed(self, column: str, values: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Per code of ``column``, whether it is one of ``values``; the last entry (code -1, an
        empty cell) is False: an empty cell matches nothing."""
        names, _ = self.codes(column)
        wanted = set(values)
        return np.array([name in wanted for name in names] + [False])

    def matches(self, column: str, values: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Which tickets hold one of ``values`` in ``column`` (an empty cell matches nothing)."""
        result: npt.NDArray[np.bool_] = self.allowed(column, values)[self.codes(column)[1]]
        return result

    def kernel_columns(self) -> tuple[Ints, Ints, Ints, Ints, Ints, npt.NDArray[np.int32]]:
        """What the timer kernels read: created, first_response, resolved, ptr, history."""
        return (self.created, self.first_response, self.resolved, self.ptr, self.history_at,
                self.history_status)

    def classes(self, pause: tuple[str, ...], *, pausing: bool) -> tuple[npt.NDArray[np.int8], int]:
        """How each status code acts on a timer, and how the implicit first ``open`` acts."""
        def run(status: str) -> Run:
            if status in STOP_STATUSES:
                return Run.STOPS
            return Run.PAUSES if pausing and status in pause else Run.RUNS
        table = np.array([int(run(s)) for s in self.statuses] or [0], dtype=np.int8)
        return table, int(run("open"))


def _us(series: pl.Series, at: int | None = None) -> Ints:
    """Instants as int64 microseconds, ``NULL`` where empty (or, given ``at``, after ``at``)."""
    # An instant column's physical values already are microseconds: a view, not a copy.
    values = series.to_physical() if series.dtype == INSTANT else series.dt.epoch("us")
    if values.has_nulls():
        values = values.fill_null(NULL)
    result: Ints = values.to_numpy().astype(np.int64, copy=False)
    if at is not None and len(result) and result.max() > at:
        result = np.where(result > at, NULL, result)
    return read_only(result)


def _as_of(frame: pl.DataFrame, column: str, at: int) -> pl.DataFrame:
    """The rows that exist at ``at`` (a copy only when some do not)."""
    instants = frame.get_column(column)
    latest = (instants.to_physical() if instants.dtype == INSTANT
              else instants.dt.epoch("us")).max()
    if latest is None or (isinstance(latest, int) and latest <= at):
        return frame
    return frame.filter(pl.col(column) <= pl.lit(at).cast(pl.Datetime("us", "UTC")))


def prepare_tickets(tickets: pl.DataFrame, history: pl.DataFrame, at: int) -> TicketColumns:
    """Tickets and their status histories as they stood at ``at`` (microseconds)."""
    tickets = _as_of(tickets, "created_at", at)
    # Status rows after ``at`` are left out as they are indexed (no filtered copy of them).
    statuses, status_code = dense_codes(history.get_column("status"))
    rows, history_at, status_code, ptr, in_order = _index_history(
        rows_of(tickets.get_column("id"), history.get_column("ticket_id")),
        _us(history.get_column("at")), status_code, len(tickets), at)
    if not in_order:
        order = np.lexsort((history_at, rows))  # stable: ties keep the order read
        history_at, status_code = history_at[order], status_code[order]
    customers, customer_code = dense_codes(tickets.get_column("customer"))
    return TicketColumns(
        _codes={"customer": (customers, customer_code)},
        frame=tickets,
        created=_us(tickets.get_column("created_at")),
        first_response=_us(tickets.get_column("first_response_at"), at),
        resolved=_us(tickets.get_column("resolved_at"), at),
        customers=customers,
        customer_code=customer_code,
        ptr=ptr,
        history_at=history_at,
        history_status=status_code,
        statuses=statuses,
    )


@numba.njit(cache=True, nogil=True)
def _index_history(rows, history_at, status_code, n, at):  # type: ignore[no-untyped-def]
    """The status rows of known tickets (``rows >= 0``) up to ``at`` (not empty), each ticket's slice
    ``ptr[i]:ptr[i + 1]`` of them once sorted by ticket, and whether they already are sorted
    by ticket and instant."""
    counts = np.zeros(n + 1, dtype=np.int64)
    kept = 0
    in_order = True
    last_row = -1
    last_at = NULL
    for k in range(rows.shape[0]):
        r = rows[k]
        if r < 0 or history_at[k] > at or history_at[k] == NULL:
            continue
        counts[r + 1] += 1
        if r < last_row or (r == last_row and history_at[k] < last_at):
            in_order = False
        last_row = r
        last_at = history_at[k]
        kept += 1
    kept_rows = np.empty(kept, dtype=np.int64)
    kept_at = np.empty(kept, dtype=np.int64)
    kept_status = np.empty(kept, dtype=np.int32)
    j = 0
    for k in range(rows.shape[0]):
        if rows[k] >= 0 and NULL < history_at[k] <= at:
            kept_rows[j] = rows[k]
            kept_at[j] = history_at[k]
            kept_status[j] = status_code[k]
            j += 1
    ptr = np.cumsum(counts)
    return kept_rows, kept_at, kept_status, ptr, in_order


@dataclass(frozen=True, eq=False)
class Tallied:
    """The timers of one objective's tickets in one period, reduced to its evidence and counts.

    ``rows`` are the listed tickets (counted in the period, or pending; or every ticket in
    scope), in row order, with their ``state``, ``elapsed`` and ``target`` (microseconds),
    ``due`` (``NULL`` when none or past the clock), ``stop`` (``NULL`` while open), ``met`` and
    ``counted``; ``tallies[0 | 1 | 2, c]`` count the counted,
    breached and pending tickets of customer code ``c`` (the last column: no customer).
    ``whole`` says every listed elapsed is whole seconds; ``beyond`` that some ticket in scope
    fell due past the clock's horizon (the clock must reach further).
    """

    rows: Ints
    state: npt.NDArray[np.int8]
    elapsed: Ints
    target: Ints
    due: Ints
    stop: Ints
    met: npt.NDArray[np.bool_]
    counted: npt.NDArray[np.bool_]
    tallies: Ints
    whole: bool
    beyond: bool


def tally_timers(tickets: TicketColumns, filters: tuple[str, ...],
                 allowed: tuple[npt.NDArray[np.bool_], ...], targets: Ints, clock: BusinessClock,
                 pause: tuple[str, ...] | None, at: int, start: int, end: int, *,
                 everything: bool = False) -> Tallied:
    """The scope, the timer and the period attribution of every ticket, in one compiled pass.

    A ticket is in scope when ``allowed[f][code]`` holds for its code in every column
    ``filters[f]`` (a code of -1, an empty cell, reads the last entry, which must be False)
    and its priority's target ``targets[priority code]`` (microseconds, the last entry for
    none) is positive. ``pause`` is None for a response timer. Counting follows
    docs/semantics.md: a stopped ticket counts in the period of its stop, an open one past its
    target in the period of its due instant; any other open ticket created before ``end`` is
    pending. Those are listed; with ``everything``, every ticket in scope is.
    """
    width = max([len(a) for a in allowed] + [1])
    tables = np.zeros((len(filters), width), dtype=np.bool_)
    for f, table in enumerate(allowed):
        tables[f, :len(table) - 1] = table[:-1]  # the last column stays False: no value
    classes, open_class = tickets.classes(pause or (), pausing=pause is not None)
    rows, state, elapsed, target, due, stop, met, counted, tallies, whole, beyond = _tally(
        pause is not None, everything, tickets.code_matrix(filters), tables,
        tickets.codes("priority")[1], targets, *tickets.kernel_columns(), classes, open_class,
        at, tickets.customer_code, len(tickets.customers), start, end, *clock.kernel_columns())
    return Tallied(rows, state, elapsed, target, due, stop, met, counted, tallies, bool(whole),
                   bool(beyond))


# --- kernels: compiled loops over whole columns ---------------------------------------------
# Both timers are written out in the one loop, not called: numba binds every array a called
# function takes afresh on each call (counting references to it), which doubles the time of a
# pass. The timer is chosen by a flag the CPU predicts, as it is the same for every ticket.


@numba.njit(cache=True, nogil=True)
def _tally(resolution, everything, codes, tables, priority, targets, created, first_response,  # type: ignore[no-untyped-def]
           resolved, ptr, h_at, h_status, classes, open_class, at, customer, customers,
           period_start, period_end, origin, starts, ends, cum, buckets):
    """Every ticket in scope (``tables[f, codes[f, i]]`` for every filter ``f``, and a positive
    target for its priority), its timer (docs/semantics.md, "Ticket timers"), and whether it
    is listed: counted in the period or pending (or, with ``everything``, in scope). The
    listed tickets' columns, and per customer code the counted, breached and pending tickets
    (docs/semantics.md, "Counting")."""
    n = priority.shape[0]
    rows = np.empty(n, dtype=np.int64)
    state_out = np.empty(n, dtype=np.int8)
    elapsed_out = np.empty(n, dtype=np.int64)
    target_out = np.empty(n, dtype=np.int64)
    due_out = np.empty(n, dtype=np.int64)
    stop_out = np.empty(n, dtype=np.int64)
    met_out = np.empty(n, dtype=np.bool_)
    counted_out = np.empty(n, dtype=np.bool_)
    tallies = np.zeros((3, customers + 1), dtype=np.int64)
    whole = True
    beyond = False
    listed = 0
    for i in range(n):
        target = targets[priority[i]]
        keep = target > 0
        for f in range(codes.shape[0]):
            keep &= tables[f, codes[f, i]]
        if not keep:
            continue
        t0 = created[i]
        p0 = ptr[i]
        p1 = ptr[i + 1]
        if not resolution:
            # Response: resolving a ticket answers it (the first entry into a stop status, or
            # resolved_at), if nothing did before.
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
            b0, k0 = _locate(t0, origin, starts, ends, cum, buckets)
            elapsed = _b(end, origin, starts, ends, cum, buckets) - b0
            due = _reach_after(b0 + target, k0, origin, starts, cum)
            state = 0 if stop != NULL else 1
        elif p0 == p1:
            # Resolution without a history: from creation to resolved_at, unpaused.
            stop = resolved[i]
            if stop != NULL and stop < t0:
                stop = t0
            end = stop if stop != NULL else at
            b0, k0 = _locate(t0, origin, starts, ends, cum, buckets)
            elapsed = _b(end, origin, starts, ends, cum, buckets) - b0
            due = _reach_after(b0 + target, k0, origin, starts, cum)
            state = 0 if stop != NULL else 1
        else:
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
            elapsed = 0
            due = NULL
            while True:
                segment_end = h_at[k] if k < p1 and h_at[k] < end else end
                if current == 0 and segment_end > segment_start:
                    b_start, k_start = _locate(segment_start, origin, starts, ends, cum, buckets)
                    length = _b(segment_end, origin, starts, ends, cum, buckets) - b_start
                    if due == NULL and elapsed + length >= target:
                        due = _reach_after(b_start + target - elapsed, k_start, origin, starts,
                                           cum)
                    elapsed += length
                if k >= p1 or h_at[k] >= end:
                    break
                current = classes[h_status[k]]
                segment_start = h_at[k]
                k += 1
            state = 0 if stop != NULL else (2 if classes[h_status[p1 - 1]] == 1 else 1)
            if due == NULL and state != 2:
                b_end, k_end = _locate(end, origin, starts, ends, cum, buckets)
                due = _reach_after(b_end + target - elapsed, k_end, origin, starts, cum)
        if due == BEYOND:
            beyond = True
        open_ = state != 0
        over = elapsed > target
        # A stopped ticket counts where it stopped; an open one past its target where it fell due.
        when = due if open_ else stop
        counted = ((not open_ or over) and when >= period_start and when < period_end
                   and when != NULL)
        pending = open_ and not over and created[i] < period_end
        if not (counted or pending or everything):
            continue
        met = elapsed <= target or pending
        c = customer[i] if customer[i] >= 0 else customers
        tallies[0, c] += counted
        tallies[1, c] += counted and not met
        tallies[2, c] += pending
        if elapsed % US != 0:
            whole = False
        rows[listed] = i
        state_out[listed] = state
        elapsed_out[listed] = elapsed
        target_out[listed] = target
        due_out[listed] = NULL if due == BEYOND else due
        stop_out[listed] = stop
        met_out[listed] = met
        counted_out[listed] = counted
        listed += 1
    return (rows[:listed], state_out[:listed], elapsed_out[:listed], target_out[:listed],
            due_out[:listed], stop_out[:listed], met_out[:listed], counted_out[:listed], tallies,
            whole, beyond)
