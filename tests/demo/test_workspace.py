"""A demo workspace built through the real paths, its users on the site, and ``accord demo``
reusing it and serving it with the worker (built once for the module)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import accord.demo
from accord.cli import app
from accord.demo import DEMO_PASSWORD, DEMO_USERS, Build, Workspace, build_workspace
from accord.engine import TableName
from accord.portal import create_site
from accord.service import ServiceSettings
from accord.store import connect, get_settings
from accord.store.ingest import ingest_file
from accord.store.ingestions import record_ingestion
from accord.store.results import list_results

NOW = datetime(2026, 5, 14, 10, 30, tzinfo=UTC)
ROOT = Path(__file__).parents[2]
PAIRS = {  # agreement -> customers, in every month
    "brewline-acme-office-drinks": {"acme"}, "brewline-globex-office-drinks": {"globex"},
    "ledgerworks-billing-uc": {"northwind-it"}, "northwind-acme-billing": {"acme"},
    "northwind-globex-service-desk": {"globex"}, "northwind-initech-service-desk": {"initech"},
    "skyhost-cloud-availability": {"globex", "initech", "northwind-it"},
    "sparkle-acme-janitorial": {"acme"}, "sparkle-initech-janitorial": {"initech"},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Build]:
    place = Workspace(tmp_path_factory.mktemp("demo") / "accord-demo")
    return place, build_workspace(place, now=NOW, seed=7)


@pytest.fixture
def site(built: tuple[Workspace, Build]) -> Iterator[tuple[ServiceSettings, object]]:
    settings = ServiceSettings(store=get_settings(built[0].url))
    engine = connect(settings.store)
    try:
        yield settings, engine
    finally:
        engine.dispose()


def test_every_month_has_a_result_for_every_agreement_and_customer(
        built: tuple[Workspace, Build]) -> None:
    place, build = built
    engine = connect(get_settings(place.url))
    try:
        for label in build.periods:
            found: dict[str, set[str]] = {}
            for result in list_results(engine, label):
                found.setdefault(result.agreement_id, set()).add(result.customer)
            assert found == PAIRS, label
        march = {(r.agreement_id, r.customer): r for r in list_results(engine, "2026-05")}
    finally:
        engine.dispose()
    assert build.periods[0] == "2025-06"
    assert build.periods[-1] == "2026-05"
    assert march["northwind-acme-billing", "acme"].at == NOW  # the current month, as of now


def test_the_bad_months_cost_the_most_credit(built: tuple[Workspace, Build]) -> None:
    place, build = built
    engine = connect(get_settings(place.url))
    try:
        credit = {(r.agreement_id, r.customer, r.period): float(r.credit_percent)
                  for r in list_results(engine)}
    finally:
        engine.dispose()

    def worst(agreement: str, customer: str) -> str:
        return max(build.periods, key=lambda p: credit[agreement, customer, p])

    assert worst("northwind-acme-billing", "acme") == build.periods[7]  # the release
    assert credit["northwind-acme-billing", "acme", build.periods[7]] == 25.0  # capped
    assert worst("skyhost-cloud-availability", "globex") == build.periods[7]  # power failure
    assert worst("brewline-acme-office-drinks", "acme") == build.periods[4]  # broken van
    assert worst("sparkle-acme-janitorial", "acme") == build.periods[10]  # staff turnover


def _log_in(client: TestClient, username: str) -> None:
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    done = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                       "login_token": token.group(1)}, follow_redirects=False)
    assert done.status_code == 303, username


def test_every_demo_user_logs_in_and_sees_its_home(
        site: tuple[ServiceSettings, object]) -> None:
    settings, engine = site
    for user in DEMO_USERS:
        client = TestClient(create_site(settings, engine,  # type: ignore[arg-type]
                                        clock=lambda: NOW))
        _log_in(client, user.username)
        home = client.get("/")
        assert home.status_code == 200
        if user.party is None:
            assert "At risk now" in home.text, user.username
        else:
            assert "Your agreements" in home.text
            assert 'href="/agreements/' in home.text, user.username
        assert user.role.value in client.get("/account").text


def test_accord_demo_reuses_a_built_workspace(built: tuple[Workspace, Build],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    place, _ = built
    monkeypatch.setattr(accord.demo, "build_workspace", _no_build)
    before = place.database.stat().st_mtime_ns
    for _ in range(2):
        ran = CliRunner().invoke(app, ["demo", "--workspace", str(place.directory),
                                       "--no-serve"])
        assert ran.exit_code == 0, ran.output
        assert f"reusing the demo workspace in {place.directory}" in ran.output
        assert "every password is 'accord-demo'" in ran.output
    assert place.database.stat().st_mtime_ns == before


def _no_build(*_: object, **__: object) -> Build:
    raise AssertionError("the workspace was rebuilt")


@pytest.mark.parametrize("fresh", [True, False])
def test_accord_demo_builds_when_asked_or_when_there_is_no_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bool) -> None:
    calls: list[Path] = []

    def fake(place: Workspace, **_: object) -> Build:
        calls.append(place.directory)
        return Build(NOW, 7, {}, ["2026-05"], 0.0)

    monkeypatch.setattr(accord.demo, "build_workspace", fake)
    arguments = ["demo", "--workspace", str(tmp_path / "ws"), "--no-serve"]
    ran = CliRunner().invoke(app, arguments + (["--fresh"] if fresh else []))
    assert ran.exit_code == 0, ran.output
    assert calls == [tmp_path / "ws"]
    assert "building the demo workspace" in ran.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(check: object, what: str, process: subprocess.Popen[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert process.poll() is None, f"accord demo stopped before {what}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.3)


def test_accord_demo_serves_the_portal_and_runs_the_worker(
        built: tuple[Workspace, Build]) -> None:
    place, _ = built
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "demo", "--workspace", str(place.directory),
         "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ})

    def serving() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def passes() -> int:
        text = place.log.read_text(encoding="utf-8") if place.log.exists() else ""
        return text.count(" INFO pass ")

    try:
        _wait(serving, "portal", process, 60)
        assert "Demo workspace" in httpx.get(f"http://127.0.0.1:{port}/login").text
        _wait(lambda: passes() >= 1, "first worker pass", process, 30)
        first = passes()
        # a load of data makes the worker run a pass soon (it polls the ingestion log)
        engine = connect(get_settings(place.url))
        try:
            load = ingest_file(engine, place.data / "incidents.csv", TableName.INCIDENTS)
            record_ingestion(engine, load, source="incidents.csv", by="tests",
                             now=datetime.now(UTC))
        finally:
            engine.dispose()
        _wait(lambda: passes() > first, "worker pass after the ingestion", process, 30)
        # the live incidents reach 75 % seconds after the start: the demo's own receiver
        # hears their warnings (signature checked) within the first minute
        _wait(lambda: place.log.read_text(encoding="utf-8").count(
            "demo receiver: sla.warning") >= 2, "warnings at the demo's receiver", process, 60)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "reusing the demo workspace" in output
    for user in DEMO_USERS:
        assert user.username in output
    assert "worker stopped" in place.log.read_text(encoding="utf-8")
