"""The `accord` command end to end, as a user runs it: a real process, real files."""

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)


def evaluate_examples(*extra: str) -> subprocess.CompletedProcess[str]:
    return accord("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                  str(EXAMPLES / "data"), "--period", "2026-03", "--at", "2026-04-01T00:00:00Z",
                  *extra)


def test_validate_accepts_the_examples_with_a_line_per_file() -> None:
    result = accord("validate", str(EXAMPLES / "agreements"))
    assert result.returncode == 0, result.stderr
    files = sorted((EXAMPLES / "agreements").glob("*.yaml"))
    assert len(result.stdout.splitlines()) == len(files)
    assert all(": ok — " in line for line in result.stdout.splitlines())


def test_validate_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    good = (EXAMPLES / "agreements" / "northwind-acme-billing.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.replace("compliance: 95%", "compliance: 195%", 1)
                   .replace("timezone: Europe/Berlin", "timezone: Europe/Berln", 1))
    result = accord("validate", str(bad), str(EXAMPLES / "agreements" / "brewline-office-drinks.yaml"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert len(errors) >= 2
    assert any("'195%' is over 100%" in e for e in errors)
    assert any("'Europe/Berln' is not a time zone" in e for e in errors)
    assert "brewline-office-drinks.yaml: ok" in result.stdout


def test_evaluate_json_counts_agree_with_the_items() -> None:
    result = evaluate_examples("--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["period"] == {"label": "2026-03", "at": "2026-04-01T00:00:00Z"}
    keys = [(a["id"], a["customer"]) for a in document["agreements"]]
    assert keys == sorted(keys)
    counted: Counter[tuple[str, str, str]] = Counter()
    late: Counter[tuple[str, str, str]] = Counter()
    pending: Counter[tuple[str, str, str]] = Counter()
    for item in document["items"]:
        key = (item["agreement"], item["customer"], item["objective"])
        if item["period"] is None:
            pending[key] += 1
        else:
            assert item["period"] == "2026-03"
            counted[key] += 1
            late[key] += not item["met"]
    checked = 0
    for agreement in document["agreements"]:
        for objective in agreement["objectives"]:
            key = (agreement["id"], agreement["customer"], objective["id"])
            if objective["metric"] in ("response_time", "resolution_time", "delivery"):
                assert objective["counted"] == counted[key], key
                assert objective["breached"] == late[key], key
                assert objective["pending"] == pending[key], key
                if objective["counted"]:
                    share = (objective["counted"] - objective["breached"]) / objective["counted"]
                    assert objective["attainment"] == pytest.approx(share, abs=0)
                checked += 1
    assert checked >= 10


def test_evaluate_table_names_every_agreement_and_its_credit() -> None:
    result = evaluate_examples()
    assert result.returncode == 0, result.stderr
    for agreement in ("northwind-acme-billing", "brewline-office-drinks", "sparkle-janitorial",
                      "skyhost-cloud-availability"):
        assert agreement in result.stdout
    assert "Credit: 25 % of the fee = EUR 4,625.00 (capped at 25 %)" in result.stdout


def test_evaluate_csv_writes_one_row_per_item() -> None:
    as_json = json.loads(evaluate_examples("--format", "json").stdout)
    result = evaluate_examples("--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(as_json["items"])
    assert rows[0]["agreement"] == as_json["items"][0]["agreement"]
    assert {"ticket", "elapsed_s", "due_at", "slot", "incident", "downtime_s"} <= set(rows[0])


def test_bad_data_is_refused_with_its_location(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for file in (EXAMPLES / "data").iterdir():
        (data / file.name).write_text(file.read_text())
    lines = (data / "tickets.csv").read_text().splitlines()
    header = lines[0].split(",")
    broken = lines[3].split(",")
    broken[header.index("created_at")] = "yesterday"
    lines[3] = ",".join(broken)
    (data / "tickets.csv").write_text("\n".join(lines) + "\n")
    args = ("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data", str(data),
            "--period", "2026-03", "--at", "2026-04-01T00:00:00Z")
    refused = accord(*args)
    assert refused.returncode == 1
    where = f"{data / 'tickets.csv'}:4:{header.index('created_at') + 1}"
    assert where in refused.stderr
    assert "yesterday" in refused.stderr
    skipped = accord(*args, "--skip-bad-rows")
    assert skipped.returncode == 0, skipped.stderr
    assert where in skipped.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "2026-13"), "is not a period"),
    (("--period", "2026-03", "--at", "2026-04-01"), "has no UTC offset"),
    (("--period", "2026-03", "--format", "xml"), "is not one of table, json, csv"),
])
def test_usage_mistakes_exit_2(args: tuple[str, ...], message: str) -> None:
    result = accord("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                    str(EXAMPLES / "data"), *args)
    assert result.returncode == 2
    assert message in result.stderr
