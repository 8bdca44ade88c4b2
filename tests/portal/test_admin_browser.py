"""The admin console in a real browser (Debian's Chromium through Playwright), at a desktop's
and a phone's width: every page answers without a console error and without scrolling
sideways, and the forms work with the keyboard and the mouse."""

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
PAGES = ["/admin/users", "/admin/tokens", "/admin/subscriptions", "/admin/notifications",
         "/admin/audit"]


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
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Any, base: str, width: int, username: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page, errors


def _fits(page: Any, width: int) -> None:
    page.wait_for_load_state("networkidle")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, (page.url, wide)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_works_the_console_at_a_desktops_and_a_phones_width(
        served: str, browser: Any, width: int) -> None:
    page, errors = _page(browser, served, width, "ada")
    page.get_by_role("link", name="Admin").click()
    page.wait_for_url(f"{served}/admin/users")
    _fits(page, width)
    # a token, its secret shown once in a box that fits
    page.get_by_role("link", name="API tokens").click()
    page.fill("#name", f"browser {width}")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("code.secret").inner_text().startswith("accord_")
    _fits(page, width)
    # a webhook with a long address, and its test event
    page.get_by_role("link", name="Subscriptions", exact=True).click()
    page.fill("#target", "https://hooks.example.com/" + "very-long-path-segment/" * 8 + str(width))
    page.get_by_role("button", name="Subscribe").click()
    assert page.locator("code.secret").count() == 1
    _fits(page, width)
    page.get_by_role("link", name="Edit").last.click()
    _fits(page, width)
    page.get_by_role("button", name="Send a test event").click()
    page.wait_for_url(f"{served}/admin/notifications?*")
    assert "Test event queued" in page.locator("[role=status]").inner_text()
    _fits(page, width)
    assert errors == []
    # a bad form comes back with its message (a 400, which the console reports; nothing else)
    page.goto(f"{served}/admin/users")
    page.fill("#username", "has space")
    page.fill("#password", "long enough password")
    page.get_by_role("button", name="Add user").click()
    assert "is not a user name" in page.locator("[role=alert]").inner_text()
    assert [e for e in errors if "status of 400" not in e] == []
    errors.clear()
    for path in PAGES:
        page.goto(f"{served}{path}")
        _fits(page, width)
    assert "token.create" in page.locator("table").inner_text()
    assert errors == []
    page.close()


def test_the_console_is_not_in_a_customers_navigation_nor_reachable(served: str,
                                                                      browser: Any) -> None:
    page, _ = _page(browser, served, 390, "ann")
    assert page.get_by_role("link", name="Admin").count() == 0
    answer = page.goto(f"{served}/admin/users")
    assert answer is not None
    assert answer.status == 404
    page.close()
