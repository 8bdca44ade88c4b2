"""Each objective of an agreement in words: its target, its goal and how it is measured.

The sentences follow the evaluation rules (DESIGN.md §5, docs/semantics.md) metric by metric;
a rule that changes there changes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accord.documents.words import (
    human_duration,
    join,
    number,
    percent,
    rrule_words,
    target_duration,
)
from accord.model import (
    ALWAYS,
    Aggregate,
    Agreement,
    AvailabilityObjective,
    Comparator,
    Comparison,
    DeliveryObjective,
    KpiObjective,
    Objective,
    ResolutionObjective,
    ResponseObjective,
    TicketObjective,
)

__all__ = ["ObjectiveTerms", "aggregate_name", "breach_words", "calendar_words", "comparison_words",
           "objective_terms", "status_words"]

_METRIC_NAMES = {
    "response_time": "Response time",
    "resolution_time": "Resolution time",
    "availability": "Availability",
    "delivery": "Delivery on schedule",
    "kpi": "Key performance indicator",
}
# (short name for the table, the words for how it is measured)
_AGGREGATES = {
    Aggregate.MEAN: ("mean", "the mean (average) of the values"),
    Aggregate.SUM: ("sum", "the sum of the values"),
    Aggregate.MIN: ("lowest value", "the lowest of the values"),
    Aggregate.MAX: ("highest value", "the highest of the values"),
    Aggregate.COUNT: ("count", "the number of values"),
    Aggregate.P50: ("median", "the median (50th percentile) of the values"),
    Aggregate.P90: ("90th percentile", "the 90th percentile of the values"),
    Aggregate.P95: ("95th percentile", "the 95th percentile of the values"),
    Aggregate.P99: ("99th percentile", "the 99th percentile of the values"),
    Aggregate.RATIO: ("ratio good ÷ total", "the sum of good divided by the sum of total"),
}
_COMPARATORS = {Comparator.GE: "at least", Comparator.LE: "at most", Comparator.GT: "more than",
                Comparator.LT: "less than"}
_STATUSES = {"pending_customer": "waiting for the customer",
             "pending_vendor": "waiting for a vendor or supplier",
             "pending_supplier": "waiting for a supplier"}


@dataclass(frozen=True, slots=True)
class ObjectiveTerms:
    """One row of the service levels table, and how it is measured."""

    key: str
    clause: str
    metric: str
    target: tuple[str, ...]
    """One line per priority for ticket timers, else one line."""
    goal: str
    calendar: str
    scope: str
    how: tuple[str, ...]


def comparison_words(comparison: Comparison) -> str:
    """``>= 4.5`` → "at least 4.5"; ``<= 5%`` → "at most 5%"."""
    threshold = percent(comparison.threshold) if comparison.percent else number(
        comparison.threshold)
    return f"{_COMPARATORS[comparison.comparator]} {threshold}"


def aggregate_name(aggregate: Aggregate) -> str:
    """``p90`` → "90th percentile"."""
    return _AGGREGATES[aggregate][0]


def status_words(status: str) -> str:
    """``pending_customer`` → "waiting for the customer (pending_customer)"."""
    meaning = _STATUSES.get(status)
    return f"{meaning} (status {status})" if meaning else f"in status {status}"


def breach_words(objective: Objective) -> str:
    """What one breach of the objective is, for credits per breach (docs/semantics.md)."""
    if isinstance(objective, TicketObjective):
        return "ticket that misses its target"
    if isinstance(objective, DeliveryObjective):
        return "missed delivery slot"
    if isinstance(objective, AvailabilityObjective):
        return "incident that caused downtime"
    return "breach (a KPI has none, so this adds nothing)"


def calendar_words(agreement: Agreement, name: str) -> str:
    if name == ALWAYS:
        return "24x7 (around the clock, every day of the year)"
    calendar = agreement.calendar(name)
    return f"{name} ({calendar.zone}; see section 3)"


def objective_terms(agreement: Agreement, key: str, objective: Objective) -> ObjectiveTerms:
    calendar = calendar_words(agreement, objective.calendar)
    business = objective.calendar != ALWAYS
    services = objective.service or join(list(agreement.services))
    clause = objective.clause or "—"
    name = _METRIC_NAMES[objective.metric.value]
    if isinstance(objective, TicketObjective):
        return ObjectiveTerms(key, clause, name, _ticket_targets(objective, business),
                              _share_goal(objective.compliance, "tickets"), calendar,
                              _ticket_scope(objective, services), _ticket_how(objective))
    if isinstance(objective, AvailabilityObjective):
        return ObjectiveTerms(key, clause, name, ("service available (not down)",),
                              f"at least {percent(objective.target)} availability", calendar,
                              f"service {services}" if objective.service or len(
                                  agreement.services) == 1 else f"services {services}",
                              _availability_how(objective))
    if isinstance(objective, DeliveryObjective):
        window = human_duration(objective.schedule.window)
        return ObjectiveTerms(key, clause, name, (f"delivered within {window} after each slot",),
                              _share_goal(objective.target, "slots"), calendar,
                              f"item {objective.item}", _delivery_how(agreement, objective))
    return ObjectiveTerms(key, clause, f"{name}: {objective.measure}",
                          (f"{_AGGREGATES[objective.aggregate][0]} "
                           f"{comparison_words(objective.target)}",),
                          comparison_words(objective.target), "— (not time-based)",
                          f"measure {objective.measure}", _kpi_how(objective))


def _share_goal(share: Decimal, things: str) -> str:
    return f"all {things} (100%)" if share == 1 else f"at least {percent(share)} of {things}"


def _ticket_targets(objective: TicketObjective, business: bool) -> tuple[str, ...]:
    if objective.targets is None:
        assert objective.target is not None
        return (f"every priority: {target_duration(objective.target, business=business)}",)
    return tuple(f"{priority}: {target_duration(seconds, business=business)}"
                 for priority, seconds in objective.targets.items())


def _ticket_scope(objective: TicketObjective, services: str) -> str:
    scope = f"tickets of {services}"
    for column, values in (objective.where or {}).items():
        scope += f" whose {column} is {join(list(values), 'or')}"
    if objective.targets is not None:
        priorities = list(objective.targets)
        scope += f"; priorit{'y' if len(priorities) == 1 else 'ies'} {join(priorities)}"
    return scope


def _ticket_how(objective: TicketObjective) -> tuple[str, ...]:
    hours = (f"counted only in the service hours of calendar {objective.calendar}"
             if objective.calendar != ALWAYS else "counted around the clock")
    sentences: list[str] = []
    if isinstance(objective, ResponseObjective):
        sentences.append(
            f"The time from the ticket's creation to its first response — or to its resolution, "
            f"if that comes first, since resolving a ticket answers it — {hours}. "
            "This clock never pauses.")
    else:
        assert isinstance(objective, ResolutionObjective)
        sentences.append(f"The time from the ticket's creation until it is resolved or closed, "
                         f"{hours}.")
        if objective.pause:
            sentences.append(
                "The clock stops while the ticket is "
                + join([status_words(s) for s in objective.pause], "or")
                + (", and runs again when it leaves that status." if len(objective.pause) == 1
                   else ", and runs again when it leaves those statuses."))
        else:
            sentences.append("The clock does not pause: it runs in every status until the "
                             "ticket is resolved or closed.")
        sentences.append("A ticket that is reopened resumes its clock where it stopped.")
    sentences.append(
        "A ticket counts in the period in which its clock stopped; a ticket still open counts, "
        "as late, once it is over its target, in the period in which the target passed.")
    if objective.where:
        sentences.append("Only the tickets described in the scope are measured; "
                         "a ticket with an empty value in a filtered column is not measured.")
    if objective.targets is not None:
        sentences.append("Tickets of a priority without a target here are not measured by "
                         "this objective.")
    sentences.append(f"The objective is met in a period when "
                     f"{_share_goal(objective.compliance, 'the tickets counted in it')} met their "
                     "target; a period without counted tickets is met.")
    return tuple(sentences)


def _availability_how(objective: AvailabilityObjective) -> tuple[str, ...]:
    hours = (f"in the service hours of calendar {objective.calendar}"
             if objective.calendar != ALWAYS else "around the clock")
    degraded = ("Degraded service (degraded incidents) also counts as downtime."
                if objective.count_degraded else
                "Degraded service (degraded incidents) does not count as downtime.")
    return (
        f"Availability = 1 − downtime ÷ measured time, {hours}, in the period.",
        "Downtime is the time covered by outage incidents of the service, for this customer or "
        "for all customers of the service; overlapping incidents count once. " + degraded,
        "Scheduled maintenance (maintenance incidents) is neither downtime nor measured time.",
        f"The objective is met when availability is at least {percent(objective.target)}; a "
        "period without measured time is met.",
    )


def _delivery_how(agreement: Agreement, objective: DeliveryObjective) -> tuple[str, ...]:
    rule = objective.schedule.rrule
    words = rrule_words(rule)
    when = (f"{words} ({agreement.timezone} time; RFC 5545 rule {rule})" if words else
            f"as the RFC 5545 rule {rule} gives them, from the start of each period "
            f"({agreement.timezone} time)")
    closed = ("" if objective.calendar == ALWAYS else
              f", except on days on which calendar {objective.calendar} is closed (public "
              "holidays, extra closed dates and days without service hours): no delivery is "
              "due then")
    window = human_duration(objective.schedule.window)
    return (
        f"Delivery slots are due {when}{closed}.",
        f"A slot is kept when a delivery of {objective.item} for the customer arrives within "
        f"{window} after the slot (from the slot to {window} after it, both included); each "
        "delivery keeps at most one slot, the earliest open one.",
        f"The objective is met when {_share_goal(objective.target, 'the due slots')} of the "
        "period are kept; a slot counts once its window has ended.",
    )


def _kpi_how(objective: KpiObjective) -> tuple[str, ...]:
    aggregate = _AGGREGATES[objective.aggregate][1]
    rows = (" (rows where both good and total are given)"
            if objective.aggregate is Aggregate.RATIO else "")
    sentences = [f"The result is {aggregate} of {objective.measure} recorded for the customer "
                 f"in the period{rows}; it must be {comparison_words(objective.target)}."]
    if objective.aggregate in (Aggregate.P50, Aggregate.P90, Aggregate.P95, Aggregate.P99):
        sentences.append("Percentiles interpolate linearly between the closest ranks.")
    if objective.aggregate in (Aggregate.COUNT, Aggregate.SUM):
        sentences.append("A period without values counts as 0.")
    else:
        sentences.append("A period without values is met.")
    return tuple(sentences)
