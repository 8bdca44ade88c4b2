"""The `accord` command end to end, as a user runs it: a real process, real files, and (for
the database commands) a real database, SQLite and PostgreSQL (the ``db_url`` fixture)."""

import csv
import functools
import gc
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.errors import UsageError

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
AT = "2026-05-01T00:00:00Z"


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


# One-shot commands (evaluate, validate) run without the cyclic garbage collector and freeze
# their objects out of it before they leave (cli/_app.py); the others keep it. Every command
# ends through sys.exit, as Python programs do.


def test_one_shot_commands_run_without_the_cycle_collector_and_give_it_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import accord.model
    from accord.cli import app

    seen: list[bool] = []
    listing = accord.model.agreement_files

    def spy(paths: list[Path]) -> list[Path]:
        seen.append(gc.isenabled())
        return listing(paths)

    monkeypatch.setattr(accord.model, "agreement_files", spy)
    result = CliRunner().invoke(app, ["validate", str(EXAMPLES / "agreements")])
    assert result.exit_code == 0, result.output
    assert seen == [False]
    assert gc.isenabled()


def test_other_commands_keep_the_cycle_collector(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from accord.cli import app

    database = sys.modules["accord.cli._database"]  # where `agreements list` is (kept off
    # accord.cli's names)
    seen: list[bool] = []

    def spy(db: str | None) -> None:
        seen.append(gc.isenabled())
        raise UsageError("stopped here")

    monkeypatch.setattr(database, "connect_database", spy)
    result = CliRunner().invoke(app, ["agreements", "list", "--db",
                                      f"sqlite:///{tmp_path / 'a.db'}"])
    assert isinstance(result.exception, UsageError)
    assert seen == [True]


LEAVING = """\
import atexit, gc, sys
from accord.cli import main

class Teardown:
    def __del__(self):
        print("taken apart", file=sys.stderr)

kept = Teardown()  # deleted when the interpreter takes __main__ apart, unless frozen
atexit.register(lambda: print(f"exit handlers ran, frozen: {gc.get_freeze_count() > 0}",
                              file=sys.stderr))
sys.argv = ["accord", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(("args", "code", "one_shot"), [
    (("validate", str(EXAMPLES / "agreements")), 0, True),
    (("validate", "/no/such/agreements"), 1, True),
    (("evaluate", "--period", "2026-13", "--agreements", "a", "--data", "d"), 2, True),
    (("users", "--help"), 0, False),
])
def test_every_command_ends_through_sys_exit_with_its_output_and_exit_handlers(
        args: tuple[str, ...], code: int, one_shot: bool) -> None:
    result = subprocess.run([sys.executable, "-c", LEAVING, *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=300, check=False)
    assert result.returncode == code, result.stderr
    assert f"exit handlers ran, frozen: {one_shot}" in result.stderr
    # A frozen object is not finalised at exit (Python does not promise it); others are.
    assert ("taken apart" in result.stderr) is not one_shot
    if code == 0 and args[0] == "validate":
        files = sorted((EXAMPLES / "agreements").glob("*.yaml"))
        assert len(result.stdout.splitlines()) == len(files)


def test_evaluating_files_warms_the_kernels_up_only_with_a_spare_cpu(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import accord.engine.warm
    from accord.cli import app

    started: list[bool] = []
    monkeypatch.setattr(accord.engine.warm, "warm_up_in_background",
                        lambda: started.append(True))
    args = ["evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
            str(EXAMPLES / "data"), "--period", "2026-03", "--at", "2026-04-01T00:00:00Z"]
    outputs = []
    for cpus in ({0}, {0, 1}):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid, cpus=cpus: cpus, raising=False)
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert started == [True]
    assert outputs[0] == outputs[1]


# The database commands: init, apply, agreements, ingest, evaluate from the database, results.


def accord_db(*args: str, db: str | None = None,
           cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ACCORD_DATABASE_URL"}
    if db is not None:
        env["ACCORD_DATABASE_URL"] = db
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


@functools.cache
def from_files(period: str) -> str:
    return ok(accord_db("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                     str(EXAMPLES / "data"), "--period", period, "--at", AT,
                     "--format", "json")).stdout


def copy_example_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    return data


def test_evaluating_from_the_database_prints_exactly_what_the_files_give(db_url: str) -> None:
    created = ok(accord_db("init", "--db", db_url))
    assert "created the database schema" in created.stdout
    ok(accord_db("apply", str(EXAMPLES / "agreements"), db=db_url))
    ok(accord_db("ingest", str(EXAMPLES / "data"), db=db_url))
    for period in ("2026-01", "2026-02", "2026-03", "2026-04"):
        stored = ok(accord_db("evaluate", "--period", period, "--at", AT, "--format", "json",
                           db=db_url))
        assert stored.stdout == from_files(period), period
        assert f"results for {period}" in stored.stderr
    listed = ok(accord_db("results", "list", db=db_url)).stdout
    assert len(re.findall(r"^2026-0[1-4] ", listed, re.MULTILINE)) >= 4 * 5


def test_the_table_and_csv_outputs_match_the_files_too(db_url: str) -> None:
    ok(accord_db("apply", str(EXAMPLES / "agreements"), "--db", db_url))
    ok(accord_db("ingest", str(EXAMPLES / "data"), "--db", db_url))
    for output in ("table", "csv"):
        stored = ok(accord_db("evaluate", "--period", "2026-03", "--at", AT, "--format", output,
                           "--db", db_url))
        files = ok(accord_db("evaluate", "--agreements", str(EXAMPLES / "agreements"), "--data",
                          str(EXAMPLES / "data"), "--period", "2026-03", "--at", AT,
                          "--format", output))
        assert stored.stdout == files.stdout


def test_ingesting_twice_duplicates_nothing(db_url: str) -> None:
    first = ok(accord_db("ingest", str(EXAMPLES / "data"), db=db_url)).stdout.splitlines()
    assert len(first) == 5
    assert all(", 0 updated, 0 unchanged, 0 rejected" in line for line in first)
    again = ok(accord_db("ingest", str(EXAMPLES / "data"), db=db_url)).stdout.splitlines()
    assert all(re.search(r": 0 inserted, 0 updated, \d+ unchanged, 0 rejected$", line)
               for line in again), again
    counts = [int(re.findall(r"(\d+) inserted", line)[0]) for line in first]
    assert counts == [int(re.findall(r"(\d+) unchanged", line)[0]) for line in again]


def test_a_bad_file_is_refused_with_every_bad_row_named(db_url: str, tmp_path: Path) -> None:
    data = copy_example_data(tmp_path)
    lines = (data / "tickets.csv").read_text().splitlines()
    header = lines[0].split(",")
    for index in (3, 10):
        cells = lines[index].split(",")
        cells[header.index("created_at")] = "yesterday"
        lines[index] = ",".join(cells)
    (data / "tickets.csv").write_text("\n".join(lines) + "\n")
    refused = accord_db("ingest", str(data / "tickets.csv"), db=db_url)
    assert refused.returncode == 1
    column = header.index("created_at") + 1
    for line in (4, 11):
        assert f"{data / 'tickets.csv'}:{line}:{column}" in refused.stderr
    assert "tickets: nothing loaded, 2 bad rows" in refused.stdout
    skipped = ok(accord_db("ingest", str(data / "tickets.csv"), "--skip-bad-rows", db=db_url))
    assert f"{len(lines) - 3} inserted, 0 updated, 0 unchanged, 2 rejected" in skipped.stdout
    rejects = (data / "tickets.rejects.csv").read_text()
    assert "yesterday" in rejects
    assert rejects.count("\n") == 3


def test_apply_stores_a_version_per_change_and_dry_run_shows_it(db_url: str,
                                                                tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    shutil.copy(EXAMPLES / "agreements" / "northwind-acme-billing.yaml", file)
    assert "created version 1" in ok(accord_db("apply", str(file), "--by", "ana", db=db_url)).stdout
    assert "unchanged (version 1)" in ok(accord_db("apply", str(file), db=db_url)).stdout
    file.write_text(file.read_text().replace("compliance: 95%", "compliance: 90%", 1))
    planned = ok(accord_db("apply", str(file), "--dry-run", db=db_url)).stdout
    assert "northwind-acme-billing would change version 2" in planned
    assert "~ objective first-response: compliance" in planned
    assert "nothing stored" in planned
    assert "changed version 2" in ok(accord_db("apply", str(file), "--by", "bo", db=db_url)).stdout
    history = ok(accord_db("agreements", "history", "northwind-acme-billing", db=db_url)).stdout
    assert re.search(r"^1 .* ana ", history, re.MULTILINE)
    assert re.search(r"^2 .* bo ", history, re.MULTILINE)
    shown = ok(accord_db("agreements", "show", "northwind-acme-billing", "--version", "1",
                      db=db_url)).stdout
    assert "compliance: 95%" in shown
    assert "# northwind-acme-billing version 1" in shown
    listed = ok(accord_db("agreements", "list", db=db_url)).stdout
    assert re.search(r"^northwind-acme-billing +2 +sla", listed, re.MULTILINE)
    parties = ok(accord_db("parties", "list", db=db_url)).stdout
    assert re.search(r"^acme +customer", parties, re.MULTILINE)
    services = ok(accord_db("services", "list", db=db_url)).stdout
    assert re.search(r"^billing-system +northwind-it", services, re.MULTILINE)


def test_results_show_the_current_one_and_the_history(db_url: str) -> None:
    ok(accord_db("apply", str(EXAMPLES / "agreements"), db=db_url))
    ok(accord_db("ingest", str(EXAMPLES / "data"), db=db_url))
    ok(accord_db("evaluate", "--period", "2026-03", "--at", "2026-03-15T00:00:00Z", db=db_url))
    ok(accord_db("evaluate", "--period", "2026-03", "--at", AT, "--agreement",
              "northwind-acme-billing", db=db_url))
    shown = ok(accord_db("results", "show", "northwind-acme-billing", "--period", "2026-03",
                      db=db_url)).stdout
    assert "(current): version 1, as of 2026-05-01 00:00:00 UTC" in shown
    assert "first-response" in shown
    assert "replaced" not in shown
    history = ok(accord_db("results", "show", "northwind-acme-billing", "--period", "2026-03",
                        "--history", "--format", "json", db=db_url)).stdout
    documents = json.loads(history)
    assert [(d["current"], d["at"]) for d in documents] == [
        (True, "2026-05-01T00:00:00Z"), (False, "2026-03-15T00:00:00Z")]
    assert documents[0]["items"]
    others = ok(accord_db("results", "show", "sparkle-janitorial", "--period", "2026-03",
                       "--history", "--format", "json", db=db_url)).stdout
    assert [d["at"] for d in json.loads(others)] == ["2026-03-15T00:00:00Z"]


def test_an_older_database_is_upgraded_and_an_unknown_one_refused(db_url: str) -> None:
    from sqlalchemy import inspect, text

    from accord.store import get_settings, head_revision
    from accord.store.database import create_database_engine

    ok(accord_db("init", db=db_url))
    engine = create_database_engine(get_settings(db_url))
    try:
        with engine.begin() as connection:
            for table in reversed(inspect(connection).get_table_names()):
                if table != "alembic_version":
                    connection.execute(text(f'DROP TABLE "{table}"'
                                            + (" CASCADE" if connection.dialect.name ==
                                               "postgresql" else "")))
            connection.execute(text("DELETE FROM alembic_version"))
        upgraded = ok(accord_db("init", db=db_url))
        assert f"created the database schema (revision {head_revision()})" in upgraded.stdout
        assert "up to date" in ok(accord_db("init", db=db_url)).stdout
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
        for command in (("init",), ("agreements", "list"), ("ingest", str(EXAMPLES / "data"))):
            refused = accord_db(*command, db=db_url)
            assert refused.returncode == 1, command
            assert "revision '0999', which this Accord does not know" in refused.stderr
    finally:
        engine.dispose()


def test_the_default_database_is_accord_db_in_the_current_folder(tmp_path: Path) -> None:
    created = ok(accord_db("agreements", "list", cwd=tmp_path))
    assert "sqlite:///accord.db: created the database schema" in created.stderr
    assert "No agreement is stored" in created.stdout
    assert (tmp_path / "accord.db").is_file()


def test_evaluating_an_empty_database_says_what_to_do(tmp_path: Path) -> None:
    result = accord_db("evaluate", "--period", "2026-03", "--db", f"sqlite:///{tmp_path}/a.db")
    assert result.returncode == 1
    assert "accord apply PATH" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--agreements", str(EXAMPLES / "agreements")), "--agreements is given without --data"),
    (("--data", str(EXAMPLES / "data")), "--data is given without --agreements"),
    (("--skip-bad-rows",), "go with --data"),
])
def test_evaluate_takes_files_or_the_database_not_half_of_each(args: tuple[str, ...],
                                                               message: str,
                                                               tmp_path: Path) -> None:
    result = accord_db("evaluate", "--period", "2026-03", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "accord.db").exists()


def test_a_file_that_cannot_be_used_is_refused_and_the_others_load(db_url: str,
                                                                    tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(EXAMPLES / "data" / "incidents.csv", data / "incidents.csv")
    (data / "tickets.csv").write_text("id,customer,service\nT-1,acme,desk\n")
    result = accord_db("ingest", str(data), db=db_url)
    assert result.returncode == 1
    assert "required column 'priority' is missing" in result.stderr
    assert "tickets: nothing loaded, the file cannot be used" in result.stdout
    assert re.search(r"incidents: \d+ inserted", result.stdout)


def test_every_load_is_logged_for_staff_and_the_worker(tmp_path: Path) -> None:
    from accord.store import connect, get_settings
    from accord.store.ingestions import latest_ingestions

    db = f"sqlite:///{tmp_path / 'accord.db'}"
    ok(accord_db("ingest", str(EXAMPLES / "data" / "deliveries.csv"), db=db))
    engine = connect(get_settings(db))
    try:
        (logged,) = latest_ingestions(engine)
    finally:
        engine.dispose()
    assert logged.table == "deliveries"
    assert logged.source.endswith("deliveries.csv")
    assert logged.inserted == 496
    assert not logged.refused
