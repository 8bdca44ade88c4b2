"""``accord subscriptions`` and ``accord worker`` as a user runs them: real processes, a real
database and a real webhook receiver; in this process where no restart is needed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from accord.cli import app
from accord.errors import UsageError
from tests.service.notify.receivers import http_receiver
from tests.service.notify.world import T0, Ticket, load_tickets

ROOT = Path(__file__).parents[3]


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)


def cli(*args: str) -> Result:
    """A command run in this process (faster than a new one, where no restart is needed)."""
    return CliRunner().invoke(app, list(args))


def test_worker_once_twice_sends_each_warning_once(world: Engine, tmp_path: Path) -> None:
    db = world.url.render_as_string(hide_password=False)
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0),
                                            Ticket("B-1", "beta", T0)])
    with http_receiver() as receiver:
        added = cli("subscriptions", "add", "--url", receiver.url, "--secret", "s3cret",
                    "--party", "beta", "--events", "sla.warning,sla.breach", "--db", db)
        assert added.exit_code == 0, added.output
        assert added.stdout.startswith("subscription 1: sla.warning, sla.breach to webhook")
        at = "2026-03-02T12:30:00Z"  # 3h30 of 4h: past 75 %, not yet 90 %
        first = accord("worker", "--once", "--at", at, "--db", db)
        second = accord("worker", "--once", "--at", at, "--db", db)
    assert first.returncode == 0, first.stderr
    assert "1 new notification(s), 1 delivered" in first.stdout
    assert "0 new notification(s), 0 delivered" in second.stdout
    [request] = receiver.received
    body = json.loads(request.body)
    assert (body["event"], body["customer"], body["ticket"], body["threshold"]) == (
        "sla.warning", "beta", "B-1", 0.75)
    assert receiver.url in cli("subscriptions", "list", "--db", db).stdout
    deliveries = cli("subscriptions", "deliveries", "--format", "json", "--db", db)
    [shown] = json.loads(deliveries.stdout)
    assert (shown["status"], shown["delivery_id"]) == ("delivered", body["id"])
    assert cli("subscriptions", "remove", "1", "--db", db).exit_code == 0
    assert "No subscription" in cli("subscriptions", "list", "--db", db).stdout


def test_subscriptions_add_prints_a_new_secret_alone_on_its_last_line(world: Engine) -> None:
    db = world.url.render_as_string(hide_password=False)
    added = cli("subscriptions", "add", "--url", "https://example.com/hook", "--db", db)
    assert added.exit_code == 0, added.output
    secret = added.stdout.splitlines()[-1]
    assert len(secret) >= 32
    assert " " not in secret


def test_bad_worker_and_subscription_options_are_refused(world: Engine) -> None:
    db = world.url.render_as_string(hide_password=False)
    at_alone = cli("worker", "--at", "2026-03-02T13:30:00Z", "--db", db)
    assert isinstance(at_alone.exception, UsageError)
    assert at_alone.exception.message == "--at goes with --once"
    both = cli("subscriptions", "add", "--url", "https://e.com", "--email", "a@e.com",
               "--db", db)
    assert isinstance(both.exception, UsageError)
    assert "exactly one" in str(both.exception.problems[0])


def test_the_worker_loop_stops_cleanly_on_sigterm(world: Engine) -> None:
    db = world.url.render_as_string(hide_password=False)
    with subprocess.Popen([sys.executable, "-m", "accord", "worker", "--db", db, "--poll",
                           "0.2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        assert process.stderr is not None
        started = process.stderr.readline()
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        try:
            _, rest = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert "a pass every 60 s" in started
    assert process.returncode == 0
    assert "accord worker: stopped" in rest
