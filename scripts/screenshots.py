#!/usr/bin/env python3
"""Take the README's screenshots of the portal on a demo workspace, in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [WORKSPACE]    # default ./accord-demo (built if missing)
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from accord.demo import SEED, Workspace, build_workspace
from accord.portal import create_site
from accord.service import ServiceSettings
from accord.store import connect, get_settings

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = "accord-demo"


def main() -> None:
    place = Workspace(Path(sys.argv[1] if len(sys.argv) > 1 else "accord-demo"))
    if place.built() is None:
        build_workspace(place, now=datetime.now(UTC), seed=SEED)
    settings = ServiceSettings(store=get_settings(place.url))
    engine = connect(settings.store)
    server = uvicorn.Server(uvicorn.Config(create_site(settings, engine), host="127.0.0.1",
                                           port=8799, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = "http://127.0.0.1:8799"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        for user, shots in (("acme", [("/", "customer-home.png"),
                                      ("/agreements/northwind-acme-billing/acme",
                                       "agreement.png")]),
                            ("staff", [("/", "staff-overview.png")])):
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{base}/login")
            page.fill("#username", user)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            for path, name in shots:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / name), full_page=name == "customer-home.png")
                print(OUT / name)
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
