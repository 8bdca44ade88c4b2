"""`accord demo`: the workspace it builds, and the command serving it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from accord.cli._demo import DEMO_NOW, DEMO_PASSWORD, DEMO_USERS, build_demo
from accord.portal import create_site
from accord.service import ServiceSettings
from accord.store import connect, get_settings

ROOT = Path(__file__).parents[2]


def _log_in(client: TestClient, username: str) -> None:
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    done = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                       "login_token": token.group(1)}, follow_redirects=False)
    assert done.status_code == 303


def test_every_demo_user_logs_in_and_sees_its_home(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    build_demo(database)
    build_demo(database)  # made afresh, not added to
    settings = ServiceSettings(store=get_settings(f"sqlite:///{database}"))
    engine = connect(settings.store)
    try:
        for username, role, party, _ in DEMO_USERS:
            client = TestClient(create_site(settings, engine, clock=lambda: DEMO_NOW))
            _log_in(client, username)
            home = client.get("/")
            assert home.status_code == 200
            if party is None:
                assert "At risk now" in home.text
            else:
                assert "Your agreements" in home.text
                assert 'href="/agreements/' in home.text, username
            assert role in client.get("/account").text
    finally:
        engine.dispose()


def test_accord_demo_serves_the_portal(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "demo", "--port", str(port), "--database",
         str(tmp_path / "demo.db")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "accord demo stopped"
            assert time.monotonic() < deadline, "accord demo did not start"
            time.sleep(0.3)
        page = httpx.get(f"http://127.0.0.1:{port}/login").text
        assert "the clock stands still at 2026-03-17 14:00 UTC" in page
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "every password is 'accord-demo'" in output
    for username, *_ in DEMO_USERS:
        assert username in output
