"""Evaluations for people (tables) and for tools (the items as the evidence CSV).

:func:`render_table` prints one table per agreement and customer. A service-based agreement
(``customer: "*"``) has a result per customer, a thousand of them as easily as one, so for it
the table is a summary, one row per customer (objectives met and missed, the credit), followed
by the detail of the customers that missed. Those two are laid out here as plain text
(:func:`grid`): Rich takes about a millisecond per table row, a second for a thousand
customers, where the evaluation itself takes a few.

Percentages, goals and credits are written by the functions below, the one place that the
evaluation table and ``accord results show`` take them from. A customer is shown by the name
``name`` gives for its id (the id itself by default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from accord.engine import Evaluation
from accord.engine.results import AgreementResult, ObjectiveResult
from accord.io.writer import evidence_csv
from accord.model import Metric

__all__ = ["Name", "attainment_text", "counts_text", "credit_text", "goal_text", "grid",
           "percent", "render_csv", "render_table"]

Name = Callable[[str], str]
"""A party's name for people, from its id."""


def _same(party: str) -> str:
    return party


def percent(share: float | None) -> str:
    """A share (0.89474…) as a percentage to three decimals, trailing zeros cut: ``89.474 %``."""
    return "—" if share is None else f"{share * 100:.3f}".rstrip("0").rstrip(".") + " %"


def attainment_text(metric: Metric, attainment: float | None, target: str | None) -> str:
    """What an objective attained: a percentage, or a KPI's own value when its target is not
    one (``3.91724`` against ``>= 4.2``)."""
    if attainment is None:
        return "—"
    if metric is Metric.KPI and not (target or "").endswith("%"):
        return f"{attainment:.6g}"
    return percent(attainment)


def goal_text(goal: float, target: str | None) -> str:
    """An objective's goal: a KPI's target as written, else ``≥ 95 %``."""
    return target if target is not None else "≥ " + percent(goal)


def credit_text(share_percent: float, amount: Decimal | str | None, currency: str | None,
                capped: bool, cap_percent: float | None = None, *, of: str = "") -> str:
    """``5.5 % = EUR 4,528.00`` (``of`` goes after the percentage: ``5.5 % of the fee = …``),
    and ``(capped at 30 %)`` when the cap applied. ``amount`` as computed or as stored (the
    decimal text of the JSON document)."""
    text = f"{share_percent:g} %{of}"
    if amount is not None:
        text += f" = {currency} {Decimal(amount):,}"
    if capped:
        text += f" (capped at {cap_percent:g} %)" if cap_percent is not None else " (capped)"
    return text


def counts_text(objective: ObjectiveResult) -> str:
    """The evidence of an objective in a few words: late tickets, missed slots, downtime."""
    if objective.metric is Metric.KPI:
        return f"{objective.counted} values"
    if objective.metric is Metric.AVAILABILITY:
        minutes = (objective.downtime_us or 0) / 60_000_000
        return f"{minutes:.6g} min down"
    late = "slots missed" if objective.metric is Metric.DELIVERY else "tickets late"
    text = f"{objective.breached}/{objective.counted} {late}"
    return text + (f", {objective.pending} open" if objective.pending else "")


def _attainment(objective: ObjectiveResult) -> str:
    value = None if objective.attainment is None else float(objective.attainment)
    return attainment_text(objective.metric, value, objective.target)


def _goal(objective: ObjectiveResult) -> str:
    return goal_text(float(objective.goal), objective.target)


def _credit(result: AgreementResult, of: str = "") -> str:
    credit = result.credit
    return credit_text(float(credit.share * 100), credit.amount, credit.currency, credit.capped,
                       float(result.agreement.credit_cap * 100), of=of)


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()
         ) -> str:
    """``rows`` under ``headers`` as aligned plain text, a rule under the headers (the look of
    Rich's SIMPLE_HEAD tables); the columns numbered in ``right`` aligned right."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(headers)
    widths = [max(len(h), *map(len, column)) if column else len(h)
              for h, column in zip(headers, columns, strict=True)]
    last = len(widths) - 1
    # The last column, aligned left, is not padded: no line ends in spaces.
    line = "  ".join("{}" if i == last and i not in right
                     else f"{{:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths))
    rule = "─" * (sum(widths) + 2 * last)
    return "\n".join([line.format(*headers), rule, *(line.format(*row) for row in rows)]) + "\n"


def _write(console: Console, text: str) -> None:
    """Plain text straight to the console's file: Rich would look at every line again (see
    the module), for nothing but control characters, which are taken out here."""
    console.file.write(_CONTROL.sub("", text))
    console.file.flush()


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
"""Control characters but the newline: a customer's id from the data must not drive the
terminal."""


def render_table(evaluation: Evaluation, console: Console, *, name: Name = _same) -> None:
    """Each agreement and customer: each objective against its goal, and the credit; for a
    service-based agreement with several customers, a summary row per customer and the detail
    of those that missed. ``name`` gives a customer's name for people."""
    console.print(Text(f"Period {evaluation.period.label}, as of "
                       f"{evaluation.at.strftime('%Y-%m-%d %H:%M UTC')}", style="bold"))
    if not evaluation.agreements:
        console.print("No agreement is in effect for this period.")
    results = evaluation.agreements
    start = 0
    while start < len(results):
        agreement = results[start].agreement
        end = start + 1
        while end < len(results) and results[end].agreement is agreement:
            end += 1
        if agreement.customer == "*" and end - start > 1:
            _summary(results[start:end], console, name)
        else:
            for result in results[start:end]:
                _full(result, console, name)
        start = end


def _heading(result: AgreementResult, customer: str, met: bool) -> Text:
    agreement = result.agreement
    status = Text("met", style="green") if met else Text("missed", style="bold red")
    return Text.assemble((agreement.title or agreement.id, "bold"),
                         f"  {agreement.id} · {customer} · ", status)


def _full(result: AgreementResult, console: Console, name: Name) -> None:
    table = Table(title=_heading(result, name(result.customer), result.met),
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("objective", no_wrap=True)
    table.add_column("clause", no_wrap=True)
    table.add_column("attainment", justify="right", no_wrap=True)
    table.add_column("goal", justify="right", no_wrap=True)
    table.add_column("evidence", min_width=20)
    table.add_column("credit", justify="right", no_wrap=True)
    for objective in result.objectives:
        mark = Text(" ✓", style="green") if objective.met else Text(" ✗", style="bold red")
        table.add_row(
            objective.id, objective.clause or "",
            Text.assemble(_attainment(objective), mark), _goal(objective),
            counts_text(objective),
            f"{float(objective.credit * 100):g} %" if objective.credit else "",
        )
    console.print(table)
    console.print(f"Credit: {_credit(result, ' of the fee')}\n", markup=False)


def _summary(results: Sequence[AgreementResult], console: Console, name: Name) -> None:
    """A row per customer, then one table of the objectives of the customers that missed.

    What customers share is written once: the goals (the agreement's), and each distinct
    credit, of which there are a few (the tiers).
    """
    first = results[0]
    cap = float(first.agreement.credit_cap * 100)
    credits: dict[object, str] = {}
    shares: dict[Decimal, str] = {Decimal(0): ""}
    goals = {o.id: _goal(o) for o in first.objectives}
    met_by_result = [all(o.met for o in r.objectives) for r in results]
    missed = [r for r, met in zip(results, met_by_result, strict=True) if not met]
    heading = Text.assemble(
        (first.agreement.title or first.agreement.id, "bold"),
        f"  {first.agreement.id} · {len(results)} customers · ",
        Text(f"{len(results) - len(missed)} met", style="green"), ", ",
        Text(f"{len(missed)} missed", style="bold red" if missed else "green"))
    console.print(heading)
    rows = []
    for result, all_met in zip(results, met_by_result, strict=True):
        credit = result.credit
        shown = credits.get(credit)
        if shown is None:
            shown = credits[credit] = credit_text(float(credit.share * 100), credit.amount,
                                                  credit.currency, credit.capped, cap)
        met = sum(o.met for o in result.objectives)
        rows.append((name(result.customer), "met" if all_met else "missed", str(met),
                     str(len(result.objectives) - met), shown))
    # Plain text, printed as it is: no markup, no highlighting, no wrapping (see the module).
    _write(console, grid(("customer", "result", "objectives met", "missed", "credit"), rows,
                         right=frozenset({2, 3, 4})))
    if missed:
        console.print(Text(f"\nThe {len(missed)} customer{'s' if len(missed) != 1 else ''} "
                           "that missed:", style="bold"))
        detail = []
        for result in missed:
            customer = name(result.customer)
            for objective in result.objectives:
                share = shares.get(objective.credit)
                if share is None:
                    share = shares[objective.credit] = f"{float(objective.credit * 100):g} %"
                attained = objective.attainment
                detail.append((customer, objective.id, objective.clause or "",
                               attainment_text(objective.metric, None if attained is None
                                               else attained.numerator / attained.denominator,
                                               objective.target)
                               + (" ✓" if objective.met else " ✗"),
                               goals.get(objective.id) or _goal(objective),
                               counts_text(objective), share))
                customer = ""
        _write(console, grid(("customer", "objective", "clause", "attainment", "goal",
                              "evidence", "credit"), detail, right=frozenset({3, 4, 6})))
    total = sum((r.credit.amount or Decimal(0) for r in results), Decimal(0))
    currency = first.credit.currency
    line = f"Credits owed to {len(missed)} of {len(results)} customers"
    if currency is not None:
        line += f": {currency} {total:,} in all"
    console.print(line + "\n", markup=False)


def render_csv(evaluation: Evaluation, out: TextIO) -> None:
    """Every item, one row each: the evidence CSV (:func:`accord.io.writer.evidence_csv`)."""
    out.write(evidence_csv(evaluation.formatted_items()))
