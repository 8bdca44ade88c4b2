"""The database commands (accord.cli._database, _report, _documents, _service, _notify) as a
user runs them: a real process on a real SQLite file."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from tests.test_cli import AT, EXAMPLES, accord_db, ok

READ_ONLY = [
    ("agreements", "list"), ("agreements", "show", "northwind-acme-billing"),
    ("agreements", "history", "northwind-acme-billing"), ("parties", "list"),
    ("services", "list"), ("results", "list"),
    ("results", "show", "northwind-acme-billing", "--period", "2026-03"),
    ("report", "--customer", "acme", "--period", "2026-03", "--format", "csv"),
    ("doc", "northwind-acme-billing"), ("evaluate", "--period", "2026-03"),
    ("users", "list"), ("users", "disable", "ann"), ("tokens", "list"),
    ("tokens", "revoke", "1"), ("subscriptions", "list"), ("subscriptions", "deliveries"),
]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database with the examples applied, loaded and evaluated for March 2026."""
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'accord.db'}"
    ok(accord_db("apply", str(EXAMPLES / "agreements"), db=db))
    ok(accord_db("ingest", str(EXAMPLES / "data"), db=db))
    ok(accord_db("evaluate", "--period", "2026-03", "--at", AT, db=db))
    return db


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda args: " ".join(args[:2]))
def test_a_command_that_only_reads_creates_no_database(args: tuple[str, ...],
                                                       tmp_path: Path) -> None:
    result = accord_db(*args, "--db", "sqlite:///missing.db", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"no database at {tmp_path / 'missing.db'}" in result.stderr
    assert "accord apply PATH" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("agreements", "list"), ("results", "list"),
                                  ("report", "--customer", "acme", "--period", "2026-03")])
def test_nor_is_the_default_database_created_by_reading_it(args: tuple[str, ...],
                                                           tmp_path: Path) -> None:
    result = accord_db(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"no database at {tmp_path / 'accord.db'}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_apply_creates_the_database_that_the_reading_commands_then_read(tmp_path: Path) -> None:
    ok(accord_db("apply", str(EXAMPLES / "agreements"), cwd=tmp_path))
    assert (tmp_path / "accord.db").is_file()
    assert "northwind-acme-billing" in ok(accord_db("agreements", "list", cwd=tmp_path)).stdout


def test_ingest_refuses_a_data_file_of_no_known_table_as_evaluate_does(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    (data / "tickets.csv").rename(data / "ticket.csv")
    result = accord_db("ingest", str(data), "--db", f"sqlite:///{tmp_path / 'a.db'}")
    assert result.returncode == 2
    assert f"{data / 'ticket.csv'}: not a table Accord knows" in result.stderr
    assert "did you mean tickets.csv?" in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_report_for_an_unknown_customer_says_so_and_names_the_customers(evaluated: str) -> None:
    result = accord_db("report", "--customer", "nobody", "--period", "2026-03", "--format",
                       "csv", db=evaluated)
    assert result.returncode == 1
    assert "no customer 'nobody'" in result.stderr
    assert "the customers are: acme, globex, initech, northwind-it" in result.stderr


@pytest.mark.parametrize("args", [
    ("report", "--customer", "acme", "--format", "csv"), ("results", "list"),
    ("results", "show", "northwind-acme-billing"), ("evaluate",)])
def test_a_bad_period_is_explained_once_by_every_command(args: tuple[str, ...],
                                                         evaluated: str) -> None:
    result = accord_db(*args, "--period", "2026-13", db=evaluated)
    assert result.returncode == 2
    assert result.stderr.count("'2026-13'") == 1, result.stderr
    assert "write a month (2026-03), a quarter (2026-Q1) or a year (2026)" in result.stderr


def test_results_show_prints_percentages_as_the_evaluation_table_does(evaluated: str) -> None:
    table = ok(accord_db("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                         str(EXAMPLES / "data"), "--period", "2026-03", "--at", AT)).stdout
    part = table[table.index("northwind-acme-billing · acme"):]
    part = part[:part.index("Credit:")]
    expected = {line.split()[0]: re.findall(r"(\S+ %|—|\d\S*) [✓✗]", line)[0]
                for line in part.splitlines() if re.search(r"[✓✗]", line)}
    goals = {line.split()[0]: re.findall(r"(≥ \S+ %|>= \S+)", line)[0]
             for line in part.splitlines() if re.search(r"[✓✗]", line)}
    assert "89.474 %" in expected.values()
    shown = ok(accord_db("results", "show", "northwind-acme-billing", "--period", "2026-03",
                         db=evaluated)).stdout
    rows = {line.split()[0]: line for line in shown.splitlines()
            if line.split() and line.split()[0] in expected}
    assert set(rows) == set(expected)
    for objective, attainment in expected.items():
        assert f" {attainment} " in rows[objective], (objective, rows[objective])
        assert f" {goals[objective]} " in rows[objective], (objective, rows[objective])


def test_the_report_csv_writes_a_formula_in_the_data_as_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://x","y")'
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    tickets = (data / "tickets.csv").read_text()
    (data / "tickets.csv").write_text(
        tickets.replace("NW-10001,", '"=HYPERLINK(""http://x"",""y"")",', 1))
    db = f"sqlite:///{tmp_path / 'a.db'}"
    ok(accord_db("apply", str(EXAMPLES / "agreements"), db=db))
    ok(accord_db("ingest", str(data), db=db))
    ok(accord_db("evaluate", "--period", "2026-01", "--at", AT, db=db))
    report = ok(accord_db("report", "--customer", "acme", "--period", "2026-01", "--format",
                          "csv", db=db)).stdout
    rows = list(csv.DictReader(io.StringIO(report)))
    assert {row["ticket"] for row in rows if "HYPERLINK" in row["ticket"]} == {"'" + formula}
    assert not [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "@")]


def test_results_list_writes_credits_as_the_evaluation_table_does(evaluated: str) -> None:
    listed = ok(accord_db("results", "list", "--period", "2026-03", db=evaluated)).stdout
    (row,) = [line for line in listed.splitlines() if "northwind-acme-billing" in line]
    assert "25 % = EUR 4,625.00 (capped)" in row
