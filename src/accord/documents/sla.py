"""The SLA document: an agreement as the readable contract it stands for (issue 5).

Every section is generated from the agreement model, so the document says what the evaluation
computes; where the agreement format holds nothing (contacts, security), the section says so
rather than inventing terms. :func:`sla_document` builds plain data (:mod:`.blocks`), which
:mod:`.render` turns into HTML, Markdown or PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from accord.documents.blocks import (
    Block,
    Bullets,
    Document,
    Facts,
    Paragraph,
    Section,
    Signatures,
    Table,
)
from accord.documents.credits import credit_example, tier_rows
from accord.documents.hours import calendar_summary, calendar_views
from accord.documents.measures import ObjectiveTerms, objective_terms, status_words
from accord.documents.words import human_date, join, percent
from accord.formatting import money
from accord.model import (
    ALWAYS,
    Agreement,
    AgreementType,
    AvailabilityObjective,
    DeliveryObjective,
    KpiObjective,
    ResolutionObjective,
    ResponseObjective,
    TicketObjective,
)
from accord.model.parties import Contact, Parties

__all__ = ["Source", "content_hash", "sla_document"]

_TYPES = {
    AgreementType.SLA: (
        "Service level agreement (SLA)",
        "This is a service level agreement, a customer-facing agreement: the service levels "
        "{provider} commits to {customer}."),
    AgreementType.OLA: (
        "Operational level agreement (OLA)",
        "This is an operational level agreement, an agreement between internal teams of one "
        "organisation: the service levels {provider} commits to {customer}, in support of the "
        "organisation's agreements with its customers."),
    AgreementType.UC: (
        "Underpinning contract (UC)",
        "This is an underpinning contract, an agreement with a supplier: the service levels "
        "{provider} commits to {customer}, which relies on them to deliver its own services to "
        "its customers."),
}
_EVERY_CUSTOMER = "every customer of the services"

Built = tuple[list[Block], list[tuple[str, str, list[Block]]]]
"""A section's blocks, and its subsections as (title, anchor, blocks)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where the agreement's text came from: a file, or a stored version."""

    content_hash: str
    """The sha256 of the agreement's text, as ``accord apply`` stores it."""
    file: str | None = None
    version: int | None = None
    applied_at: datetime | None = None
    applied_by: str | None = None


def content_hash(text: str) -> str:
    """The sha256 of an agreement's text, the same digest the store keeps for each version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class _Names:
    """The parties as the document names them (DESIGN.md §8: names, ids where none)."""

    provider: str
    customer: str
    """The customer's name, or "every customer of the services" (service-based)."""
    contacts: tuple[tuple[str, Contact], ...]
    """(party name, contact) of the provider's and the customer's contacts."""


def _names(agreement: Agreement, parties: Parties) -> _Names:
    ids = [agreement.provider] + ([] if agreement.service_based else [agreement.customer])
    contacts = tuple((parties.name(i), c) for i in ids if i in parties
                     for c in parties[i].contacts)
    return _Names(parties.name(agreement.provider),
                  _EVERY_CUSTOMER if agreement.service_based else parties.name(agreement.customer),
                  contacts)


def sla_document(agreement: Agreement, source: Source, parties: Parties | None = None
                 ) -> Document:
    """The SLA document of ``agreement``: sections 1 to 12, each generated from the model;
    the parties by the names of ``parties`` (their ids without)."""
    names = _names(agreement, parties if parties is not None else Parties())
    terms = [objective_terms(agreement, key, objective)
             for key, objective in agreement.objectives.items()]
    built: list[tuple[str, str, Built]] = [
        ("Agreement", "agreement", _agreement(agreement, source, names)),
        ("Services covered", "services", _services(agreement, names)),
        ("Service hours", "service-hours", _hours(agreement)),
        ("Responsibilities", "responsibilities", _responsibilities(agreement, names)),
        ("Service levels", "service-levels", _service_levels(agreement, terms)),
        ("Scheduled maintenance and exclusions", "exclusions", _exclusions(agreement)),
        ("Reporting", "reporting", _reporting(agreement)),
        ("Service credits", "credits", _credits(agreement)),
        ("Escalation and contacts", "escalation", _contacts(agreement, names)),
        ("Security", "security", _not_specified(agreement, "sets no security terms")),
        ("Review and change", "review", _review(agreement, source)),
        ("Signatures", "signatures", _signatures(names)),
    ]
    sections = []
    for number, (title, anchor, (blocks, subsections)) in enumerate(built, start=1):
        sections.append(Section(str(number), title, anchor, tuple(blocks), tuple(
            Section(f"{number}.{i}", sub_title, f"{anchor}-{sub_anchor}", tuple(sub_blocks))
            for i, (sub_title, sub_anchor, sub_blocks) in enumerate(subsections, start=1))))
    what = _TYPES[agreement.type][0]
    version = f", version {source.version}" if source.version is not None else ""
    return Document(
        title=agreement.title or agreement.id,
        subtitle=f"{what} between {names.provider} and {names.customer}",
        sections=tuple(sections),
        footer=f"Agreement {agreement.id}{version} · sha256 {source.content_hash[:12]} · "
               "generated by Accord from the agreement file that drives its evaluation",
    )


def _term(agreement: Agreement) -> str:
    start = human_date(agreement.effective.start)
    if agreement.effective.end is None:
        return f"from {start}, with no end date"
    return f"from {start} to {human_date(agreement.effective.end)} (both included)"


def _contract(agreement: Agreement) -> str | None:
    contract = agreement.contract
    if contract is None or (contract.title is None and contract.section is None):
        return None
    if contract.section is None:
        return contract.title
    return f"{contract.title or 'the contract'}, section {contract.section}"


def _fee(agreement: Agreement) -> str | None:
    if agreement.fee is None:
        return None
    return f"{money(agreement.fee.amount, agreement.fee.currency)} per {agreement.fee.per}"


def _agreement(agreement: Agreement, source: Source, names: _Names) -> Built:
    what, explained = _TYPES[agreement.type]
    customer = names.customer
    facts: list[tuple[str, str]] = [
        ("Title", agreement.title or "—"),
        ("Agreement", agreement.id),
        ("Type", what),
        ("Provider", names.provider),
        ("Customer", customer),
        ("Term", _term(agreement)),
    ]
    contract = _contract(agreement)
    if contract is not None:
        facts.append(("Contract", contract))
    fee = _fee(agreement)
    if fee is not None:
        facts.append(("Fee", fee))
    facts.append(("Time zone", agreement.timezone))
    if source.version is not None:
        applied = ""
        if source.applied_at is not None:
            applied = f", applied {source.applied_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            applied += f" by {source.applied_by}" if source.applied_by else ""
        facts.append(("Version", f"{source.version}{applied}"))
    if source.file is not None:
        facts.append(("Source file", source.file))
    facts.append(("Content hash (sha256)", source.content_hash))
    blocks: list[Block] = [
        Facts(tuple(facts)),
        Paragraph(explained.format(provider=names.provider, customer=customer)),
    ]
    if agreement.service_based:
        blocks.append(Paragraph(
            "It is a service-based agreement: it applies to every customer of the services it "
            "covers, and each customer's service levels and credits are measured on their own, "
            "from that customer's tickets, incidents, deliveries and measurements."))
    blocks.append(Paragraph(
        "This document is generated from the agreement file that Accord uses to measure the "
        "service levels and compute the service credits, so the two cannot disagree. Where "
        "this document and the file differ, the file is authoritative.", note=True))
    return blocks, []


def _services(agreement: Agreement, names: _Names) -> Built:
    rows = []
    for service in agreement.services:
        keys = [key for key, objective in agreement.objectives.items()
                if objective.service in (None, service)]
        rows.append((service, join(keys) or "—"))
    return [
        Paragraph(f"{names.provider} provides these services under this agreement:"),
        Table(("Service", "Service levels that apply (section 5)"), tuple(rows), id="services"),
    ], []


def _hours(agreement: Agreement) -> Built:
    subsections: list[tuple[str, str, list[Block]]] = []
    for view in calendar_views(agreement):
        blocks: list[Block] = []
        if view.name == ALWAYS:
            blocks.append(Paragraph(
                "Around the clock: every hour of every day, including weekends and public "
                f"holidays ({view.weekly_hours} a week). {calendar_summary(view)}"))
        else:
            blocks.append(Table(("Day", "Service hours", "Hours"), view.week,
                                id=f"calendar-{view.name}",
                                caption=f"Weekly service hours of {view.name} ({view.zone}), "
                                        f"{view.weekly_hours} a week"))
            blocks.append(Paragraph(calendar_summary(view)))
            if view.holidays:
                blocks.append(Table(("Date", "Public holiday"), view.holidays,
                                    id=f"holidays-{view.name}",
                                    caption=f"Public holidays of {view.region} in {view.year} "
                                            "within the term (closed)"))
                blocks.append(Paragraph(
                    "Public holidays in later years follow the same rules for "
                    f"{view.region}.", note=True))
        subsections.append((f"Calendar {view.name}", view.name, blocks))
    lead = Paragraph(
        "Business-hours clocks run only in the service hours of their calendar: the times of "
        "day below, in the calendar's time zone, except on closed dates. Each service level in "
        "section 5 names its calendar.")
    return [lead], subsections


def _ticket_objectives(agreement: Agreement) -> dict[str, TicketObjective]:
    return {key: o for key, o in agreement.objectives.items() if isinstance(o, TicketObjective)}


def _pauses(agreement: Agreement) -> dict[str, list[str]]:
    """Each pause status and the objectives whose clock it stops, in file order."""
    pauses: dict[str, list[str]] = {}
    for key, objective in agreement.objectives.items():
        if isinstance(objective, ResolutionObjective):
            for status in objective.pause:
                pauses.setdefault(status, []).append(key)
    return pauses


def _responsibilities(agreement: Agreement, names: _Names) -> Built:
    objectives = agreement.objectives.values()
    customer = "each customer" if agreement.service_based else names.customer
    provider: list[str] = [
        f"Provide {join(list(agreement.services))} and meet the service levels of section 5, "
        "measured as that section describes."]
    if any(isinstance(o, ResponseObjective) for o in objectives):
        provider.append("Respond to tickets within the response targets of section 5.")
    if any(isinstance(o, ResolutionObjective) for o in objectives):
        provider.append("Resolve tickets within the resolution targets of section 5.")
    if any(isinstance(o, AvailabilityObjective) for o in objectives):
        provider.append("Keep the services available; planned work is excluded from downtime "
                        "only when it is recorded as scheduled maintenance (section 6).")
    items = [o.item for o in objectives if isinstance(o, DeliveryObjective)]
    if items:
        provider.append(f"Deliver {join(list(dict.fromkeys(items)))} on the schedules of "
                        "section 5.")
    if any(o.credits or o.credit_per_breach is not None for o in objectives):
        provider.append(f"Credit {customer} as section 8 sets out when a service level is "
                        "missed.")
    theirs: list[str] = []
    fee = _fee(agreement)
    if fee is not None:
        theirs.append(f"Pay the fee of {fee}, the base of the service credits (section 8).")
    waiting = _pauses(agreement).get("pending_customer")
    if waiting:
        theirs.append(
            "Answer the provider when a ticket is waiting for the customer (status "
            f"pending_customer): while it waits, the clock of {join(waiting)} stops, and the "
            "time does not count against the provider.")
    records = []
    if _ticket_objectives(agreement):
        records.append("tickets and their status changes")
    if any(isinstance(o, AvailabilityObjective) for o in objectives):
        records.append("incidents (outages, degraded service and maintenance)")
    if items:
        records.append("deliveries")
    measures = [o.measure for o in objectives if isinstance(o, KpiObjective)]
    if measures:
        records.append("measurements of " + join(list(dict.fromkeys(measures))))
    blocks: list[Block] = [
        Paragraph(f"The provider, {names.provider}:"), Bullets(tuple(provider))]
    if theirs:
        blocks += [Paragraph(f"The customer, {customer}:"), Bullets(tuple(theirs))]
    blocks.append(Paragraph(
        f"Both parties: the service levels are computed from the recorded {join(records)}. "
        "The agreement file does not say which party records which, and assigns no other "
        "responsibilities" + _see_contract(agreement) + ".", note=True))
    return blocks, []


def _see_contract(agreement: Agreement) -> str:
    contract = _contract(agreement)
    return f"; see {contract}" if contract else ""


def _service_levels(agreement: Agreement, terms: list[ObjectiveTerms]) -> Built:
    rows = tuple((t.clause, t.key, t.metric, "\n".join(t.target), t.goal,
                  t.calendar.split(" (")[0], "calendar month") for t in terms)
    blocks: list[Block] = [
        Table(("Clause", "Objective", "Metric", "Target", "Compliance goal", "Service hours",
               "Measured per"), rows, id="service-levels"),
        Paragraph(
            f"Each service level is measured per calendar month, from local midnight in "
            f"{agreement.timezone}, and met or missed for that month. Accord can also evaluate "
            "a quarter or a year; the fee then counts once per month of the period. Durations "
            "on a business-hours calendar count only its service hours (section 3); a day is "
            "24 hours, never a business day."),
    ]
    subsections: list[tuple[str, str, list[Block]]] = []
    for t in terms:
        title = f"{t.key} (clause {t.clause})" if t.clause != "—" else t.key
        subsections.append((title, t.key, [
            Facts((("Metric", t.metric), ("Scope", t.scope), ("Target", "; ".join(t.target)),
                   ("Compliance goal", t.goal), ("Service hours", t.calendar))),
            Paragraph(" ".join(t.how)),
        ]))
    return blocks, subsections


def _exclusions(agreement: Agreement) -> Built:
    items: list[str] = []
    availability = {k: o for k, o in agreement.objectives.items()
                    if isinstance(o, AvailabilityObjective)}
    if availability:
        items.append(
            "Scheduled maintenance: the time of maintenance incidents of a service is neither "
            f"downtime nor measured time for {join(list(availability))}.")
        degraded = [k for k, o in availability.items() if o.count_degraded]
        not_degraded = [k for k, o in availability.items() if not o.count_degraded]
        if not_degraded:
            items.append(f"Degraded service is not downtime for {join(not_degraded)}.")
        if degraded:
            items.append(f"Degraded service counts as downtime for {join(degraded)}.")
        items.append("Incidents recorded for another customer do not count; incidents "
                     "recorded for no customer count for every customer of the service.")
    for status, keys in _pauses(agreement).items():
        items.append(f"The resolution clock of {join(keys)} stops while a ticket is "
                     f"{status_words(status)}.")
    for key, objective in _ticket_objectives(agreement).items():
        for column, values in (objective.where or {}).items():
            items.append(f"{key} measures only tickets whose {column} is "
                         f"{join(list(values), 'or')}; other tickets are not measured by it.")
        if objective.targets is not None:
            items.append(f"{key} measures only priorities {join(list(objective.targets))}.")
    timed = [o for o in agreement.objectives.values() if o.calendar != ALWAYS]
    if any(isinstance(o, TicketObjective | AvailabilityObjective) for o in timed):
        items.append("Outside the service hours of section 3 — including public holidays and "
                     "extra closed dates — business-hours clocks do not run.")
    if any(isinstance(o, DeliveryObjective) for o in timed):
        items.append("No delivery slot is due on a day its calendar is closed (section 3).")
    items.append("A month wholly outside the term (section 1) is not measured.")
    return [Bullets(tuple(items)), Paragraph(
        "The agreement file names no other exclusions (such as force majeure)"
        + _see_contract(agreement) + ".", note=True)], []


def _reporting(agreement: Agreement) -> Built:
    return [Paragraph(
        "Accord evaluates every service level and credit for each calendar month in "
        f"{agreement.timezone} from the recorded data. Each result comes with its evidence — "
        "each ticket, outage and delivery slot that counted — and is stored with the version "
        "of this agreement it was computed from. The customer sees the results in the Accord "
        "portal and in the monthly SLA report."), Paragraph(
        "The agreement file sets no other reporting duties" + _see_contract(agreement) + ".",
        note=True)], []


def _credits(agreement: Agreement) -> Built:
    rows = tier_rows(agreement)
    if not rows:
        return [Paragraph("This agreement provides no service credits.")], []
    fee = _fee(agreement)
    objectives = agreement.objectives.values()
    rules: list[str] = []
    if any(o.credits for o in objectives):
        rules.append(
            "Tiers: an objective earns the credit of the lowest threshold its result is "
            "strictly below (or, for tiers above a threshold, of the highest threshold it is "
            "strictly above); tiers do not add up. A month in which nothing was measured earns "
            "no tier.")
    if any(o.credit_per_breach is not None for o in objectives):
        rules.append("Credits per breach are added for each breach counted in the month.")
    rules.append(f"The credits of all objectives add up, capped at "
                 f"{percent(agreement.credit_cap)} of the fee for the period.")
    rules.append(
        f"The fee is {fee}; a monthly credit is that share of one month's fee (a quarterly or "
        "yearly fee is divided by 3 or 12 per month), rounded half-even to the currency's "
        "smallest unit once, at the end." if fee else
        "The agreement names no fee: credits are percentages of the fee agreed in the contract.")
    blocks: list[Block] = [
        Table(("Objective", "Clause", "When", "Credit"), tuple(rows), id="credit-tiers"),
        Bullets(tuple(rules)),
    ]
    example = credit_example(agreement)
    subsections: list[tuple[str, str, list[Block]]] = []
    if example is not None:
        total = f"Total: {example.total} of the fee"
        total += " (capped)" if example.capped else ""
        total += f" = {example.amount} for {example.month}." if example.amount else "."
        cap = (f" However many service levels are missed, the credit for a month is at most "
               f"{percent(agreement.credit_cap)}" + (f" = {example.maximum}." if example.maximum
                                                     else " of the fee."))
        subsections.append(("Worked example", "example", [
            Paragraph(f"Suppose that in {example.month} these service levels were missed (the "
                      "figures are invented for the example; the credits are computed by "
                      "Accord's credit rules):"),
            Table(("Objective", "What happened", "Credit"), example.rows, id="credit-example"),
            Paragraph(total + cap),
        ]))
    subsections.append(("How to claim", "claim", [Paragraph(
        "Accord computes the credits for each month from the recorded data and shows them, "
        "with the calculation and the evidence, in the monthly SLA report and the portal. "
        "The agreement file sets no claim procedure or deadline" + _see_contract(agreement)
        + ".")]))
    return blocks, subsections


def _not_specified(agreement: Agreement, what: str) -> Built:
    return [Paragraph(f"The agreement file {what}{_see_contract(agreement)}.", note=True)], []


def _review(agreement: Agreement, source: Source) -> Built:
    origin = (f"version {source.version} of agreement {agreement.id}" if source.version
              is not None else f"the agreement file {source.file or agreement.id}")
    return [Paragraph(
        f"This document is generated from {origin} (sha256 {source.content_hash}). The "
        "agreement changes only by applying a new version of its file (accord apply): every "
        "version is kept with its content hash, and each month is measured with the latest "
        "version in effect for it."), Paragraph(
        "The agreement file sets no review schedule" + _see_contract(agreement) + ".",
        note=True)], []


def _contacts(agreement: Agreement, names: _Names) -> Built:
    if not names.contacts:
        return _not_specified(agreement, "names no contacts and no escalation path")
    rows = tuple((party, contact.name, contact.role or "—", contact.email or "—",
                  contact.phone or "—") for party, contact in names.contacts)
    return [Paragraph("Questions about this agreement, its reports and its credits go to these "
                      "contacts (from the parties file):"),
            Table(("Party", "Contact", "Role", "Email", "Phone"), rows, id="contacts"),
            Paragraph("The agreement file sets no escalation path" + _see_contract(agreement)
                      + ".", note=True)], []


def _signatures(names: _Names) -> Built:
    parties = [("Provider", names.provider), ("Customer", names.customer)]
    return [Signatures(tuple(parties))], []
