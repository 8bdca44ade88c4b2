"""What every metric needs while one evaluation runs: the data as of ``at``, clocks, scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import US, BusinessClock
from accord.engine.tables import INSTANT, Tables
from accord.engine.timers import NULL, TicketColumns, prepare_tickets
from accord.model.agreement import Agreement
from accord.model.calendar import Calendar

__all__ = ["Context", "Outcome", "Scope", "Tally", "from_us", "instant_column"]

_DAY = 86_400 * US


def from_us(instant: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant)


def instant_column(name: str, values: npt.NDArray[np.int64]) -> pl.Series:
    """A UTC instant column from int64 microseconds (nulls where ``NULL``)."""
    series = pl.Series(name, values, dtype=pl.Int64)
    return series.set(series == NULL, None).cast(INSTANT)


@dataclass(frozen=True)
class Scope:
    """One agreement in one period: its customers and the period's bounds (microseconds)."""

    agreement: Agreement
    customers: tuple[str, ...]
    start: int
    end: int
    label: str

    def services(self, service: str | None) -> tuple[str, ...]:
        return (service,) if service is not None else self.agreement.services

    def customer_filter(self, column: str = "customer") -> pl.Expr:
        return pl.col(column).is_in(list(self.customers))


@dataclass
class Tally:
    """An objective's numbers for one customer."""

    attainment: Fraction | None
    counted: int
    breached: int
    pending: int = 0
    downtime_us: int | None = None
    measured_us: int | None = None


@dataclass
class Outcome:
    """An objective's numbers per customer, and its evidence items (all customers)."""

    tallies: dict[str, Tally]
    items: pl.LazyFrame | None = None


@dataclass
class Context:
    """The data of one evaluation as of ``at``, and the clocks built for it."""

    tables: Tables
    at: int
    horizon_start: int
    horizon_end: int
    _tickets: TicketColumns | None = None
    _clocks: dict[tuple[Calendar, int], BusinessClock] = field(default_factory=dict)

    @property
    def tickets(self) -> TicketColumns:
        if self._tickets is None:
            self._tickets = prepare_tickets(self.tables.tickets, self.tables.ticket_status, self.at)
        return self._tickets

    def clock(self, calendar: Calendar, reach: int = 0) -> BusinessClock:
        """The clock of ``calendar``, reaching at least ``reach`` past the horizon's end."""
        for (known, known_reach), clock in self._clocks.items():
            if known == calendar and known_reach >= reach:
                return clock
        end = self.horizon_end + reach + 2 * _DAY
        clock = BusinessClock.build(calendar, self.horizon_start, end)
        self._clocks[(calendar, reach)] = clock
        return clock
