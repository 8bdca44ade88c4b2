"""The evidence pages: a ticket with its timeline and the objectives it counts in, an incident
with its downtime, a delivery slot with its delivery — each only for those who may see it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accord.service import evidence
from accord.service.evaluations import result_items
from accord.service.live import live_timers
from accord.service.tenancy import Principal
from tests.portal.conftest import NOW, logged_in
from tests.portal.test_browser import _log_in_with_the_keyboard, browser, served
from tests.service.conftest import Workspace

__all__ = ["browser", "served"]  # the browser tests' fixtures, shared


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_ticket_page_shows_the_ticket_by_name_in_local_time(site: Workspace) -> None:
    answer = logged_in(site, "ann").get("/tickets/NW-10644")
    assert answer.status_code == 200
    text = _text(answer.text)
    assert "Customer Acme Corp" in text
    assert "Service billing-system" in text
    assert "Priority P4" in text
    assert "Type service_request" in text
    assert "Created 2026-03-06 10:04 CET" in text  # 09:04 UTC, read in Berlin
    assert "First response 2026-03-06 16:42 CET" in text
    # Resolved after the page's instant: shown, but not counted yet.
    assert "Resolved 2026-03-18 10:16 CET (after 2026-03-17 15:00 CET: not yet counted)" in text
    assert "Billing system support for Acme Corp" in text
    assert "section 7.2.4" in text


def test_a_ticket_created_after_now_is_not_counted_yet(site: Workspace) -> None:
    answer = logged_in(site, "ann").get("/tickets/NW-10814")  # created 14:20 UTC, now is 14:00
    assert answer.status_code == 200
    text = _text(answer.text)
    assert "Created 2026-03-17 15:20 CET (after 2026-03-17 15:00 CET: not yet counted)" in text
    assert "This ticket is created after 2026-03-17 15:00 CET: no objective counts it yet." \
        in text
    assert "evidence-objective" not in answer.text


def test_a_customer_is_not_shown_the_providers_suppliers(site: Workspace) -> None:
    assert "Supplier" not in _text(logged_in(site, "ann").get("/tickets/NW-10758").text)
    assert "Supplier" not in _text(logged_in(site, "ann").get("/incidents/INC-0025").text)
    assert "Supplier SkyHost" in _text(logged_in(site, "sam").get("/incidents/INC-0025").text)


@pytest.mark.parametrize(("username", "path"), [
    ("greg", "/tickets/NW-10644"),  # acme's ticket, asked for by globex
    ("ann", "/tickets/SKY-50004"),  # globex's
    ("lena", "/tickets/NW-10644"),  # a supplier, not party to acme's agreement
    ("ann", "/incidents/INC-0003"),  # globex's outage
    ("greg", "/incidents/INC-0023"),  # acme's degraded billing system
    ("lena", "/incidents/INC-0025"),  # on a service none of its agreements covers
    ("ann", "/tickets/NO-SUCH-TICKET"),
    ("ann", "/incidents/NO-SUCH-INCIDENT"),
    ("greg", "/agreements/brewline-office-drinks/acme/slots/morning-tea/2026-02-02T07:00:00Z"),
])
def test_what_is_not_yours_is_not_found(site: Workspace, username: str, path: str) -> None:
    answer = logged_in(site, username).get(path)
    assert answer.status_code == 404
    assert "no such" in answer.text
    assert "Acme Corp" not in answer.text or username == "ann"


@pytest.mark.parametrize(("username", "path"), [
    ("sam", "/tickets/NW-10644"),
    ("sam", "/tickets/SKY-50004"),
    ("greg", "/tickets/SKY-50004"),
    ("lena", "/tickets/LW-7004"),
    ("ann", "/incidents/INC-0025"),
    ("greg", "/incidents/INC-0003"),
    ("sam", "/incidents/INC-0003"),
    ("lena", "/incidents/INC-0023"),  # one it caused
])
def test_each_sees_its_own_evidence_and_staff_see_all(site: Workspace, username: str,
                                                      path: str) -> None:
    assert logged_in(site, username).get(path).status_code == 200


_SAMPLE = ["LW-7002", "LW-7004", "LW-7007", "LW-7008", "NW-10001", "NW-10007", "NW-10644",
           "NW-10671", "NW-10700", "NW-10758", "NW-10781", "NW-10790", "NW-10809", "SF-2005",
           "SKY-50001", "SKY-50004"]


@pytest.mark.parametrize("ticket_id", _SAMPLE)
def test_the_running_segments_add_up_to_the_engines_elapsed(site: Workspace,
                                                             ticket_id: str) -> None:
    page = evidence.ticket_page(site.engine, Principal.system(), ticket_id, at=NOW,
                                at_risk=0.75)
    assert page.objectives, ticket_id
    for view in page.objectives:
        elapsed = view.item["elapsed_s"]
        assert view.running_s == pytest.approx(elapsed, abs=1e-6), view.objective
        drawn = sum(p.business_s for p in view.pieces)
        assert drawn == pytest.approx(elapsed, abs=1e-6), view.objective
        if view.timer is not None:  # the API's live timer says the same
            assert view.timer.elapsed_s == pytest.approx(elapsed, abs=1e-6)
        # The segments follow one another without a gap, and fill the drawing.
        for before, after in zip(view.segments, view.segments[1:], strict=False):
            assert before.end == after.start
        assert sum(s.share_width for s in view.segments) == pytest.approx(1.0)


def test_a_stopped_tickets_items_are_the_stored_evaluations(site: Workspace) -> None:
    """What the page says of a ticket that stopped in February is, key for key, what the
    stored evaluation of February (as of 1 March) lists for it."""
    compared = 0
    for ticket_id in _SAMPLE:
        page = evidence.ticket_page(site.engine, Principal.system(), ticket_id, at=NOW,
                                    at_risk=0.75)
        for view in page.objectives:
            if view.item["period"] != "2026-02":
                continue
            stored = result_items(site.engine, Principal.system(), period="2026-02",
                                  agreement_id=view.agreement, customer=view.item["customer"],
                                  objective=view.objective, limit=10**6).items
            (same,) = [i for i in stored if i["ticket"] == ticket_id]
            assert view.item == same
            compared += 1
    assert compared >= 4


def test_every_open_timer_is_on_its_ticket_page(site: Workspace) -> None:
    """The live timers the API gives (a few of each kind) each appear on their ticket's page,
    with the same elapsed time."""
    timers = live_timers(site.engine, NOW, Principal.system())
    chosen = timers[:4] + [t for t in timers if t.state == "paused"][:3]
    assert len(chosen) == 7
    for timer in chosen:
        page = evidence.ticket_page(site.engine, Principal.system(), timer.ticket, at=NOW,
                                    at_risk=0.75)
        (view,) = [v for v in page.objectives
                   if (v.agreement, v.objective) == (timer.agreement, timer.objective)]
        assert view.timer == timer
        assert view.running_s == pytest.approx(timer.elapsed_s, abs=1e-6)


def test_a_paused_segment_is_marked(site: Workspace) -> None:
    page = evidence.ticket_page(site.engine, Principal.system(), "NW-10758", at=NOW,
                                at_risk=0.75)
    (view,) = [v for v in page.objectives if v.objective == "request-fulfilment"]
    paused = [s for s in view.segments if s.kind == "paused"]
    assert [s.status for s in paused] == ["pending_customer", "pending_vendor"]
    assert all(s.business_s == 0 for s in paused)
    html = logged_in(site, "ann").get("/tickets/NW-10758").text
    assert html.count('<tr class="segment-paused">') == 2
    assert '<rect class="seg-paused"' in html
    assert "paused by a pause status" in html
    assert '<rect class="seg-outside"' in html  # the weekend it was open through


def test_an_open_breached_ticket_reads_past_its_target_still_open(site: Workspace) -> None:
    text = _text(logged_in(site, "ann").get("/tickets/NW-10644").text)
    fulfilment = text[text.index("request-fulfilment resolution time"):]
    assert fulfilment.startswith("request-fulfilment resolution time · section 7.2.4 "
                                 "Billing system support for Acme Corp past its target, "
                                 "still open ")
    assert "running now, 1 d 55 min past its target" in fulfilment
    assert "In 2026-03, as breached: an open ticket" in fulfilment
    assert "resolved late" not in text
    assert "Stopped after its target" not in fulfilment


def test_a_stopped_ticket_says_where_it_counts(site: Workspace) -> None:
    text = _text(logged_in(site, "lena").get("/tickets/LW-7004").text)
    fix = text[text.index("fix resolution time"):]
    # Created in January, resolved in February: it counts in February, breached.
    assert "breached Stopped after its target." in fix
    assert "Elapsed 2 d 15 h 16 min" in fix
    assert "In 2026-02: a stopped ticket counts in the period in which its timer stopped." in fix
    assert "Pauses pending_customer" in fix


def test_an_incident_shows_the_downtime_it_caused_per_objective(site: Workspace) -> None:
    stored = result_items(site.engine, Principal.system(), period="2026-03",
                          agreement_id="northwind-acme-billing", customer="acme",
                          objective="availability", limit=1000).items
    (item,) = [i for i in stored if i["incident"] == "INC-0025"]
    text = _text(logged_in(site, "ann").get("/incidents/INC-0025").text)
    assert "Kind outage" in text
    assert "Customers every customer of the service" in text
    assert "Start 2026-03-17 06:50 CET End 2026-03-17 15:10 CET" in text
    assert item["downtime_s"] == 25_800
    assert "availability 7 h 10 min Billing system support for Acme Corp Acme Corp 2026-03" \
        in text


def test_a_maintenance_window_says_so(site: Workspace) -> None:
    text = _text(logged_in(site, "ann").get("/incidents/INC-0022").text)
    assert "maintenance — not downtime" in text
    assert "Maintenance is taken out of the time measured" in text


def _missed_slot(site: Workspace) -> dict[str, Any]:
    stored = result_items(site.engine, Principal.system(), period="2026-02",
                          agreement_id="brewline-office-drinks", customer="acme",
                          objective="morning-tea", limit=1000).items
    return next(i for i in stored if not i["met"])


def test_a_delivery_slot_shows_its_window_and_delivery(site: Workspace) -> None:
    client = logged_in(site, "ann")
    missed = _missed_slot(site)
    slot = missed["slot"]
    answer = client.get(f"/agreements/brewline-office-drinks/acme/slots/morning-tea/{slot}")
    assert answer.status_code == 200
    text = _text(answer.text)
    assert "missed" in text
    assert "Counted in 2026-02" in text
    assert " CET" in text
    assert "UTC" not in text
    kept = next(i for i in result_items(
        site.engine, Principal.system(), period="2026-02", agreement_id="brewline-office-drinks",
        customer="acme", objective="morning-tea", limit=1000).items if i["met"])
    text = _text(client.get("/agreements/brewline-office-drinks/acme/slots/morning-tea/"
                            f"{kept['slot']}").text)
    assert "kept" in text
    assert f"Delivery {kept['delivery']} at" in text


def test_a_slot_that_is_not_an_instant_is_a_clear_400(site: Workspace) -> None:
    answer = logged_in(site, "ann").get(
        "/agreements/brewline-office-drinks/acme/slots/morning-tea/tea-time")
    assert answer.status_code == 400
    assert "bad slot &#39;tea-time&#39;: not an instant" in answer.text
    assert "e.g. 2026-03-02T07:00:00Z" in answer.text


def test_ticket_ids_incidents_and_slots_link_to_their_pages(site: Workspace) -> None:
    client = logged_in(site, "ann")
    billing = client.get("/agreements/northwind-acme-billing/acme?period=2026-03").text
    assert '<a href="/tickets/NW-10594">NW-10594</a>' in billing  # a breach in the evidence
    assert '<a href="/tickets/NW-10644">NW-10644</a>' in billing  # open tickets now
    assert '<a href="/incidents/INC-0025">INC-0025</a>' in billing
    drinks = client.get("/agreements/brewline-office-drinks/acme?period=2026-02").text
    slot = _missed_slot(site)["slot"]
    assert (f'href="/agreements/brewline-office-drinks/acme/slots/morning-tea/'
            f'{slot.replace(":", "%3A")}"') in drinks
    queue = logged_in(site, "sam").get("/at-risk").text
    assert re.search(r'<a href="/tickets/NW-\d+">NW-\d+</a>', queue)
    for link in re.findall(r'href="(/(?:tickets|incidents)/[^"]+)"', billing)[:20]:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("path", [
    "/tickets/NW-10758", "/incidents/INC-0025",
    "/agreements/brewline-office-drinks/acme/slots/morning-tea/2026-02-02T07:00:00Z"])
def test_the_evidence_pages_carry_no_inline_script_or_style(site: Workspace, path: str
                                                            ) -> None:
    html = logged_in(site, "ann").get(path).text
    main = html[html.index("<main"):html.index("</main>")]
    assert "<script" not in main
    assert "style=" not in main
    assert "<style" not in html
    assert all(re.fullmatch(r'<script src="/static/[\w.]+" defer>', tag)
               for tag in re.findall(r"<script[^>]*>", html))


# --- in a real browser -----------------------------------------------------------------------

_STRICT = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
"""The portal's policy: no inline script; inline styles only for what htmx adds (the evidence
pages themselves have none, see test_the_evidence_pages_carry_no_inline_script_or_style)."""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_evidence_pages_fit_the_screen_under_a_strict_policy(served: str, browser: Any,
                                                                 width: int) -> None:
    """At desktop and phone widths no evidence page scrolls sideways or logs an error, even
    under a Content-Security-Policy without inline scripts or styles."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _log_in_with_the_keyboard(page, served, "ann")

    def strict(route: Any) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, headers={**answer.headers,
                                                "content-security-policy": _STRICT})

    page.route(re.compile(r".*/(tickets|incidents|agreements/[^/]+/[^/]+/slots)/.*"), strict)
    slot = "2026-02-02T07:00:00Z"
    for path in ("/tickets/NW-10644", "/tickets/NW-10758", "/incidents/INC-0025",
                 f"/agreements/brewline-office-drinks/acme/slots/morning-tea/{slot}"):
        answer = page.goto(f"{served}{path}")
        assert answer is not None
        assert answer.status == 200, path
        page.wait_for_load_state("networkidle")
        fits = page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, (path, page.evaluate("document.documentElement.scrollWidth"))
    assert page.locator("h1").inner_text().startswith("Delivery slot of 2026-02-02 08:00 CET")
    page.goto(f"{served}/tickets/NW-10758")
    box = page.locator("figure.timeline svg").first.bounding_box()
    assert box is not None
    assert box["width"] > 0.5 * min(width, 1000)
    assert errors == []
    context.close()
