"""``accord evaluate`` on files (accord.cli._files), as a user runs it: a real process."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from tests import many_customers
from tests.test_cli import EXAMPLES, accord

FORMULA = '=HYPERLINK("http://x","y")'


def _evaluate(agreements: Path, data: Path, *extra: str) -> tuple[int, str, str]:
    result = accord("evaluate", "--agreements", str(agreements), "--data", str(data),
                    "--period", "2026-03", "--at", "2026-04-01T00:00:00Z", *extra)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(("name", "meant"), [
    ("ticket.csv", "tickets.csv"), ("Tickets.CSV", "tickets.csv"),
    ("incident.jsonl", "incidents.jsonl"), ("tickets-2026-03.csv", "tickets.csv")])
def test_evaluate_refuses_a_data_file_of_no_known_table_and_names_the_one_meant(
        tmp_path: Path, name: str, meant: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    (data / "tickets.csv").rename(data / name)
    code, _, stderr = _evaluate(EXAMPLES / "agreements", data)
    assert code == 2
    assert f"{data / name}: not a table Accord knows" in stderr
    assert f"did you mean {meant}?" in stderr


def test_evaluate_passes_over_the_files_it_writes_and_files_that_hold_no_data(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    (data / "tickets.rejects.csv").write_text("line,problem\n")
    (data / "README.md").write_text("the March export\n")
    code, _, stderr = _evaluate(EXAMPLES / "agreements", data, "--format", "json")
    assert code == 0, stderr


@pytest.mark.parametrize("period", ["2026-13", "March", "0999-01"])
def test_a_bad_period_is_explained_once(period: str) -> None:
    result = accord("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                    str(EXAMPLES / "data"), "--period", period)
    assert result.returncode == 2
    assert result.stderr.count(repr(period)) == 1, result.stderr
    assert "write a month (2026-03), a quarter (2026-Q1) or a year (2026)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_service_agreement_of_many_customers_prints_a_summary_row_each(tmp_path: Path
                                                                         ) -> None:
    agreements, data = many_customers.write(tmp_path, 60)
    code, stdout, stderr = _evaluate(agreements, data)
    assert code == 0, stderr
    assert "60 customers · 40 met, 20 missed" in stdout
    rows = [line.split() for line in stdout.splitlines() if line.startswith("cust-")]
    summary = [row[0] for row in rows if row[1] in ("met", "missed")]
    detail = [row[0] for row in rows if row[1] == "first-response"]
    assert summary == [f"cust-{c:04d}" for c in range(60)]
    assert detail == [f"cust-{c:04d}" for c in range(60) if many_customers.missed(c)]


def test_evaluate_csv_writes_a_formula_in_the_data_as_text(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    tickets = (data / "tickets.csv").read_text()
    # NW-10001 has no status history: its id appears in tickets.csv only.
    assert "NW-10001," in tickets
    assert "NW-10001," not in (data / "ticket_status.csv").read_text()
    (data / "tickets.csv").write_text(tickets.replace("NW-10001,", '"=HYPERLINK(""http://x"",'
                                                                  '""y"")",', 1))
    result = accord("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                    str(data), "--period", "2026-01", "--at", "2026-04-01T00:00:00Z",
                    "--format", "csv")
    code, stdout, stderr = result.returncode, result.stdout, result.stderr
    assert code == 0, stderr
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert {row["ticket"] for row in rows if "HYPERLINK" in row["ticket"]} == {"'" + FORMULA}
    assert not [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "@")]
