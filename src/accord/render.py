"""Evaluations for people (a Rich summary) and for tools (the items as CSV)."""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from accord.engine import Evaluation
from accord.engine.results import ITEM_COLUMNS, ObjectiveResult
from accord.model import Metric

__all__ = ["render_csv", "render_table"]


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.3f}".rstrip("0").rstrip(".") + " %"


def _attainment(objective: ObjectiveResult) -> str:
    if objective.attainment is None:
        return "—"
    if objective.metric is Metric.KPI and not (objective.target or "").endswith("%"):
        return f"{float(objective.attainment):.6g}"
    return _share(float(objective.attainment))


def _goal(objective: ObjectiveResult) -> str:
    if objective.target is not None:
        return objective.target
    return "≥ " + _share(float(objective.goal))


def _counts(objective: ObjectiveResult) -> str:
    if objective.metric is Metric.KPI:
        return f"{objective.counted} values"
    if objective.metric is Metric.AVAILABILITY:
        minutes = (objective.downtime_us or 0) / 60_000_000
        return f"{minutes:.6g} min down"
    late = "slots missed" if objective.metric is Metric.DELIVERY else "tickets late"
    text = f"{objective.breached}/{objective.counted} {late}"
    return text + (f", {objective.pending} open" if objective.pending else "")


def render_table(evaluation: Evaluation, console: Console) -> None:
    """One table per agreement and customer: each objective against its goal, and the credit."""
    console.print(Text(f"Period {evaluation.period.label}, as of "
                       f"{evaluation.at.strftime('%Y-%m-%d %H:%M UTC')}", style="bold"))
    if not evaluation.agreements:
        console.print("No agreement is in effect for this period.")
    for result in evaluation.agreements:
        agreement = result.agreement
        title = agreement.title or agreement.id
        status = Text("met", style="green") if result.met else Text("missed", style="bold red")
        heading = Text.assemble((f"{title}", "bold"), f"  {agreement.id} · {result.customer} · ",
                                status)
        table = Table(title=heading, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
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
                Text.assemble(_attainment(objective), mark), _goal(objective), _counts(objective),
                f"{float(objective.credit * 100):g} %" if objective.credit else "",
            )
        console.print(table)
        credit = result.credit
        line = f"Credit: {float(credit.share * 100):g} % of the fee"
        if credit.amount is not None:
            line += f" = {credit.currency} {credit.amount:,}"
        if credit.capped:
            line += f" (capped at {float(agreement.credit_cap * 100):g} %)"
        console.print(line + "\n")


def render_csv(evaluation: Evaluation, out: TextIO) -> None:
    """Every item, one row each: the columns of every metric, empty where they do not apply."""
    columns = ["agreement", "customer", "objective", "metric"]
    for metric in Metric:
        columns += [c for c in ITEM_COLUMNS[metric] if c not in columns]
    out.write(evaluation.formatted_items().select(columns).write_csv())
