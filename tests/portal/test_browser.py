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
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
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
    assert "You are entitled to EUR 4,625.00" in page.locator(".credit-box").inner_text()
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


def test_a_customer_follows_a_breach_to_its_evidence_and_downloads_the_report(
        served: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in_with_the_keyboard(page, served, "ann")
    page.goto(f"{served}/?period=2026-03")
    titles = page.locator("ul.cards h2").all_inner_texts()
    assert len(titles) == 4  # acme's four agreements, nobody else's
    page.get_by_role("link", name="Billing system support for Acme Corp").click()
    page.get_by_role("link", name="resolution", exact=True).click()
    assert page.url.endswith("#objective-resolution")
    evidence = page.locator("#objective-resolution details.evidence")
    if evidence.get_attribute("open") is None:
        evidence.locator("summary").click()
    rows = evidence.locator("tbody tr")
    assert rows.count() > 0
    assert rows.first.locator("td").first.inner_text().startswith("NW-")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the monthly report (PDF)").first.click()
    saved = download.value
    assert saved.suggested_filename.endswith(".pdf")
    with open(saved.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    page.close()


def test_staff_see_the_heatmap_and_the_at_risk_queue(served: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in_with_the_keyboard(page, served, "sam")
    heatmap = page.locator("table.heatmap")
    assert heatmap.locator("thead th").all_inner_texts()[1:] == [
        "Acme Corp", "Globex Corporation", "Initech", "Northwind IT GmbH"]
    assert heatmap.locator("td.bad").count() > 0
    queue = page.get_by_role("heading", name="At risk now").locator("xpath=..")
    assert queue.locator("tbody tr").count() > 0
    page.close()


def test_a_wrong_password_and_a_missing_csrf_token_are_refused(served: str,
                                                               browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{served}/login")
    page.fill("#username", "ann")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Wrong user name or password."
    _log_in_with_the_keyboard(page, served, "ann")
    # A form posted without the session's CSRF token (as another site would) is refused.
    page.evaluate("document.querySelector('form.logout input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Log out").click()
    assert "CSRF" in page.content()
    page.goto(f"{served}/")
    assert page.url == f"{served}/"  # still logged in
    page.close()


def _fits(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", [1280, 390])
def test_a_customer_reads_twelve_months_per_agreement_and_opens_one(
        served: str, browser: Any, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _log_in_with_the_keyboard(page, served, "ann")
    strips = page.locator("ol.strip")
    assert strips.count() == 4
    for index in range(4):
        strip = strips.nth(index)
        assert strip.locator("li").count() == 12
        box = strip.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width  # the whole strip on screen
    assert _fits(page)
    assert "Credits earned in 2026 to date" in page.locator(".year-to-date").inner_text()
    # Each month is a link to that month's page of the agreement.
    billing = page.locator("li.card", has_text="Billing system support for Acme Corp")
    billing.get_by_role("link", name="February 2026: met").click()
    page.wait_for_url(f"{served}/agreements/northwind-acme-billing/acme?period=2026-02")
    assert page.locator("h1").inner_text() == "Billing system support for Acme Corp"
    assert _fits(page)
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_read_who_is_at_risk_per_customer_at_both_widths(
        served: str, browser: Any, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    _log_in_with_the_keyboard(page, served, "sam")
    rollup = page.locator("table.rollup")
    rows = rollup.locator("tbody tr")
    assert rows.count() == 4
    first = rows.first
    assert first.locator("th").inner_text() == "Acme Corp"  # the most missed first
    assert first.locator("td").nth(2).inner_text() != "0"  # missed
    box = rollup.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width  # stacked on a phone: no box to scroll inside
    # The roll-up comes first, then the grid with its at-risk colour.
    heatmap = page.locator("table.heatmap")
    heatmap_box = heatmap.bounding_box()
    assert heatmap_box is not None
    assert box["y"] < heatmap_box["y"]
    assert heatmap.locator("td.warn").count() > 0
    assert _fits(page)
    page.close()
