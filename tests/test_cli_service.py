"""The service's commands as an operator runs them: users and tokens from the command line,
and `accord serve` as a real server process answering real HTTP requests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
PASSWORD = "a long and winding passphrase"


def accord(*args: str, db: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_DATABASE_URL": db}
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False, input=stdin, env=env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(db_url: str, *options: str) -> Iterator[str]:
    """`accord serve [options]` on ``db_url``; its base URL."""
    port = _free_port()
    env = {**os.environ, "ACCORD_DATABASE_URL": db_url}
    server = subprocess.Popen([sys.executable, "-m", "accord", "serve", "--port", str(port),
                               *options],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"accord serve did not start: {server.stdout.read() if server.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


@pytest.fixture
def served(db_url: str) -> Iterator[tuple[str, str]]:
    """`accord serve` on a workspace with the examples applied; (base URL, database URL)."""
    assert accord("apply", str(EXAMPLES / "agreements"), db=db_url).returncode == 0
    with serving(db_url) as base:
        yield base, db_url


def test_serve_with_several_processes_keeps_logins_and_sessions_across_them(
        tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'accord.db'}"
    assert accord("apply", str(EXAMPLES / "agreements"), db=db_url).returncode == 0
    assert accord("users", "add", "ann", "--role", "customer", "--party", "acme",
                  "--password-stdin", db=db_url, stdin=PASSWORD + "\n").returncode == 0
    with serving(db_url, "--workers", "2") as base:
        for _ in range(6):  # new connections: each may reach either process
            with httpx.Client(base_url=base) as browser:
                form = browser.get("/login").text
                token = re.search(r'name="login_token" value="([^"]+)"', form)
                assert token is not None
            with httpx.Client(base_url=base, cookies=browser.cookies) as browser:
                done = browser.post("/login", data={
                    "username": "ann", "password": PASSWORD, "login_token": token.group(1),
                    "next": "/"})
                assert done.status_code == 303, done.text[:500]
            with httpx.Client(base_url=base, cookies=browser.cookies) as browser:
                session = browser.get("/api/session")
                assert session.status_code == 200
                assert session.json()["username"] == "ann"


def test_users_are_added_listed_disabled_and_given_new_passwords(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'accord.db'}"
    assert accord("apply", str(EXAMPLES / "agreements"), db=db_url).returncode == 0
    added = accord("users", "add", "ann", "--role", "customer", "--party", "acme",
                   "--password-stdin", db=db_url, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added customer ann of acme"
    unbound = accord("users", "add", "bob", "--role", "customer", "--password-stdin",
                     db=db_url, stdin=PASSWORD + "\n")
    assert unbound.returncode == 2
    assert "--party" in unbound.stderr
    weak = accord("users", "add", "bob", "--role", "staff", "--password-stdin", db=db_url,
                  stdin="short\n")
    assert weak.returncode == 2
    assert "at least 10" in weak.stderr
    no_terminal = accord("users", "add", "bob", "--role", "staff", db=db_url, stdin="")
    assert no_terminal.returncode == 2
    assert "--password-stdin" in no_terminal.stderr
    assert accord("users", "disable", "ann", db=db_url).stdout.strip() == "ann is disabled"
    listed = [line.split() for line in accord("users", "list", db=db_url).stdout.splitlines()]
    assert listed[0][:4] == ["user", "role", "party", "state"]
    assert [row[:4] for row in listed[2:]] == [["ann", "customer", "acme", "disabled"]]
    changed = accord("users", "passwd", "ann", "--password-stdin", db=db_url,
                     stdin="yet another passphrase\n")
    assert changed.returncode == 0
    missing = accord("users", "disable", "nobody", db=db_url)
    assert missing.returncode == 1
    assert "no user 'nobody'" in missing.stderr


def test_serve_answers_a_token_created_on_the_command_line(served: tuple[str, str]) -> None:
    base, db = served
    assert accord("users", "add", "sam", "--role", "staff", "--password-stdin", db=db,
                  stdin=PASSWORD + "\n").returncode == 0
    made = accord("tokens", "create", "--user", "sam", "--scopes", "read,ingest",
                  "--name", "helpdesk", db=db)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("accord_")
    assert "shown only now" in made.stderr
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
    agreements = httpx.get(f"{base}/api/agreements", headers=headers)
    assert agreements.status_code == 200
    assert len(agreements.json()) == len(
        [p for p in (EXAMPLES / "agreements").glob("*.yaml") if p.name != "parties.yaml"])
    loaded = httpx.post(f"{base}/api/ingest/tickets/file", headers=headers,
                        files={"file": ("tickets.csv", (EXAMPLES / "data" / "tickets.csv")
                                        .read_bytes(), "text/csv")}, timeout=120)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["inserted"] == 1894
    assert httpx.get(f"{base}/api/agreements").status_code == 401
    listed = accord("tokens", "list", db=db).stdout
    assert "helpdesk" in listed
    assert secret not in listed
    token_id = next(line.split()[0] for line in listed.splitlines() if "helpdesk" in line)
    assert accord("tokens", "revoke", token_id, db=db).returncode == 0
    assert httpx.get(f"{base}/api/agreements", headers=headers).status_code == 401


def test_a_token_scope_beyond_the_users_role_is_refused(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'accord.db'}"
    assert accord("apply", str(EXAMPLES / "agreements"), db=db_url).returncode == 0
    accord("users", "add", "ann", "--role", "customer", "--party", "acme", "--password-stdin",
           db=db_url, stdin=PASSWORD + "\n")
    refused = accord("tokens", "create", "--user", "ann", "--scopes", "read,ingest", db=db_url)
    assert refused.returncode == 2
    assert "cannot have the scope 'ingest'" in refused.stderr
    unknown = accord("tokens", "create", "--user", "ann", "--scopes", "everything", db=db_url)
    assert unknown.returncode == 2
