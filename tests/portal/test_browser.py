"""The portal in a real browser (Debian's Chromium through Playwright): logging in with the
keyboard, the charts drawn from the bundled Vega, a phone-sized screen, logging out."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from accord.portal import create_site
from tests.portal.conftest import NOW, PASSWORD
from tests.service.conftest import Workspace

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _unavailable(reason: str) -> None:
    """Skip here; fail under CI, which installs Chromium (.ci/run)."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def served(site: Workspace) -> Iterator[str]:
    app = create_site(site.settings, site.engine, clock=lambda: NOW)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        _unavailable("Chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def _log_in_with_the_keyboard(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login")
    page.keyboard.type(username)  # the user name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def test_a_customer_logs_in_and_reads_an_agreement_with_its_charts(served: str,
                                                                    browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _log_in_with_the_keyboard(page, served, "ann")
    assert page.locator("h1").inner_text() == "Your agreements"
    page.get_by_role("link", name="Billing system support for Acme Corp").click()
    page.wait_for_load_state("networkidle")
    assert "You are entitled to EUR 4625.00" in page.locator(".credit-box").inner_text()
    page.wait_for_selector("div.vega svg")
    drawn = page.locator("div.vega svg").count()
    assert drawn == page.locator("div.vega").count()
    assert drawn >= 10
    assert errors == []
    assert all(url.startswith(served) for url in requests)  # nothing from the internet
    page.close()


def test_the_pages_fit_a_phone(served: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    _log_in_with_the_keyboard(page, served, "ann")
    for path in ("/", "/agreements/northwind-acme-billing/acme", "/credits"):
        page.goto(f"{served}{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    page.close()


def test_the_skip_link_comes_first_and_logging_out_works(served: str, browser: Any) -> None:
    page = browser.new_page()
    _log_in_with_the_keyboard(page, served, "sam")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{served}/login")
    page.goto(f"{served}/credits")
    assert page.url.startswith(f"{served}/login")
    page.close()
