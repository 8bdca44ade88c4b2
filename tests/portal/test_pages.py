"""The portal's pages as a customer, a supplier and the provider's staff meet them."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.portal.conftest import PASSWORD, browser_of, csrf_of, logged_in
from tests.service.conftest import Workspace


def test_a_page_without_a_session_leads_to_the_login_form(site: Workspace) -> None:
    answer = browser_of(site).get("/agreements/northwind-acme-billing/acme?period=2026-03",
                                  follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        "/login?next=/agreements/northwind-acme-billing/acme?period=2026-03")


def test_logging_in_goes_back_to_the_page_asked_for(site: Workspace) -> None:
    client = browser_of(site)
    form = client.get("/login?next=/credits").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token is not None
    assert 'value="/credits"' in form
    done = client.post("/login", data={"username": "ann", "password": PASSWORD,
                                       "login_token": token.group(1), "next": "/credits"},
                       follow_redirects=False)
    assert done.headers["location"] == "/credits"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_sends_a_browser_to_another_site(site: Workspace, target: str) -> None:
    client = browser_of(site)
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    done = client.post("/login", data={"username": "ann", "password": PASSWORD,
                                       "login_token": token.group(1), "next": target},
                       follow_redirects=False)
    assert done.headers["location"] == "/"


def test_the_login_form_refuses_a_post_from_elsewhere(site: Workspace) -> None:
    client = browser_of(site)
    answer = client.post("/login", data={"username": "ann", "password": PASSWORD,
                                         "login_token": "forged", "next": "/"},
                         follow_redirects=False)
    assert answer.status_code == 400
    assert "accord_session" not in answer.headers.get("set-cookie", "")


def test_a_wrong_password_shows_the_form_again(site: Workspace) -> None:
    client = browser_of(site)
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post("/login", data={"username": "ann", "password": "not it at all",
                                         "login_token": token.group(1)})
    assert answer.status_code == 401
    assert "Wrong user name or password." in answer.text
    assert 'value="ann"' in answer.text


def test_a_customer_sees_its_agreements_with_their_state(site: Workspace) -> None:
    page = logged_in(site, "ann").get("/?period=2026-03").text
    for agreement in ("northwind-acme-billing", "brewline-office-drinks", "sparkle-janitorial",
                      "skyhost-cloud-availability"):
        assert f"/agreements/{agreement}/acme?period=2026-03" in page
    assert "ledgerworks" not in page
    assert "globex" not in page
    assert "Missed" in page
    assert "EUR 4,625.00" in page


def test_the_agreement_page_shows_objectives_breaches_and_credit(site: Workspace) -> None:
    client = logged_in(site, "ann")
    page = client.get("/agreements/northwind-acme-billing/acme?period=2026-03").text
    assert "You are entitled to EUR 4,625.00" in page
    for clause in ("7.2.1", "7.2.2", "7.2.3", "7.2.4", "7.3", "7.5"):
        assert f"<td>{clause}</td>" in page
    assert "NW-10594" in page  # a late first response, in the evidence
    assert 'id="chart-specs"' in page
    assert 'data-spec="trend-resolution"' in page
    assert 'data-spec="burn-resolution"' in page


def test_the_period_of_now_shows_live_open_tickets(site: Workspace) -> None:
    page = logged_in(site, "ann").get("/agreements/northwind-acme-billing/acme").text
    assert "Open tickets now" in page
    assert "NW-10644" in page  # open and past its target on 2026-03-17 14:00
    assert 'class="bar bad"' in page


def test_evidence_downloads_as_csv(site: Workspace) -> None:
    client = logged_in(site, "ann")
    answer = client.get("/agreements/northwind-acme-billing/acme/evidence.csv?period=2026-03")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    api = site.client("ann").get(
        "/api/evaluations/2026-03/northwind-acme-billing/acme/items",
        params={"limit": 10_000}).json()
    assert len(rows) == api["total"]
    assert rows[0]["ticket"] == api["items"][0]["ticket"]


def test_a_credit_statement_downloads_as_text(site: Workspace) -> None:
    client = logged_in(site, "ann")
    answer = client.get("/credits/northwind-acme-billing/acme.txt?period=2026-03")
    assert "attachment" in answer.headers["content-disposition"]
    assert "You are entitled to EUR 4,625.00" in answer.text
    assert "section 7.2.3" in answer.text


@pytest.mark.parametrize("path", [
    "/agreements/northwind-acme-billing/acme?period=2026-03",
    "/agreements/northwind-acme-billing/acme/evidence.csv?period=2026-03",
    "/credits/northwind-acme-billing/acme.txt?period=2026-03",
    "/agreements/skyhost-cloud-availability/acme?period=2026-03"])
def test_another_customers_pages_are_not_found(site: Workspace, path: str) -> None:
    for username in ("greg", "lena"):
        answer = logged_in(site, username).get(path)
        assert answer.status_code == 404
        assert "acme" not in answer.text


def test_a_supplier_sees_its_underpinning_contract(site: Workspace) -> None:
    page = logged_in(site, "lena").get("/?period=2026-03").text
    assert "/agreements/ledgerworks-billing-uc/northwind-it?period=2026-03" in page
    assert "acme" not in page


def test_staff_see_every_customer_at_a_glance(site: Workspace) -> None:
    page = logged_in(site, "sam").get("/?period=2026-03").text
    for customer in ("Acme Corp", "Globex Corporation", "Initech", "Northwind IT GmbH"):
        assert f"<th scope=\"col\">{customer}</th>" in page
    assert "At risk now" in page
    assert "Credits owed, March 2026" in page
    assert "Supplier and team agreements" in page
    assert "ledgerworks-billing-uc" in page
    assert "Ingestion" in page


def test_logging_out_needs_the_form_token_and_ends_the_session(site: Workspace) -> None:
    client = logged_in(site, "ann")
    page = client.get("/").text
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    done = client.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert done.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_changing_the_password_in_the_portal(fresh_workspace: Workspace) -> None:
    client = logged_in(fresh_workspace, "greg")
    page = client.get("/account").text
    token = csrf_of(page)
    mismatch = client.post("/account/password", data={
        "csrf_token": token, "current": PASSWORD, "new": "new passphrase one",
        "again": "new passphrase two"})
    assert mismatch.status_code == 400
    assert "The two new passwords differ." in mismatch.text
    done = client.post("/account/password", data={
        "csrf_token": token, "current": PASSWORD, "new": "new passphrase one",
        "again": "new passphrase one"}, follow_redirects=False)
    assert done.headers["location"] == "/login?changed=1"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_chart_bundle_is_served_here(site: Workspace) -> None:
    answer = browser_of(site).get("/assets/vega.js")
    assert answer.status_code == 200
    assert "window.vegaEmbed" in answer.text
    assert browser_of(site).get("/static/htmx.min.js").status_code == 200


def test_the_agreement_reads_as_its_sla_document(site: Workspace) -> None:
    client = logged_in(site, "ann")
    page = client.get("/agreements/northwind-acme-billing/acme?period=2026-03").text
    assert '/documents/northwind-acme-billing?version=1' in page
    document = client.get("/documents/northwind-acme-billing?version=1")
    assert document.status_code == 200
    assert "Billing system support for Acme Corp" in document.text
    assert "7.2.3" in document.text
    pdf = client.get("/documents/northwind-acme-billing.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    other = logged_in(site, "greg")
    assert other.get("/documents/northwind-acme-billing").status_code == 404
    assert other.get("/documents/northwind-acme-billing.pdf").status_code == 404


def test_the_open_tickets_refresh_alone_and_stay_scoped(site: Workspace) -> None:
    ann = logged_in(site, "ann")
    page = ann.get("/agreements/northwind-acme-billing/acme").text
    assert 'hx-get="/agreements/northwind-acme-billing/acme/open-tickets"' in page
    fragment = ann.get("/agreements/northwind-acme-billing/acme/open-tickets").text
    assert "<html" not in fragment
    assert "NW-10644" in fragment
    greg = logged_in(site, "greg")
    assert greg.get("/agreements/northwind-acme-billing/acme/open-tickets").status_code == 404
    assert greg.get("/agreements/skyhost-cloud-availability/acme/open-tickets"
                    ).status_code == 404
    assert "NW-10644" not in greg.get("/at-risk").text
    assert "NW-10644" in logged_in(site, "sam").get("/at-risk").text


def _section(page: str, start: str, end: str = "</section>") -> str:
    """The part of ``page`` from ``start`` to the next ``end``."""
    found = page.index(start)
    return page[found:page.index(end, found)]


def test_pages_show_party_names_local_times_and_the_period_by_its_days(
        site: Workspace) -> None:
    ann = logged_in(site, "ann").get(
        "/agreements/northwind-acme-billing/acme?period=2026-03").text
    assert "<title>Billing system support for Acme Corp · Accord</title>" in ann
    assert "customer Acme Corp" in ann
    assert "1–31 March 2026 (Europe/Berlin)" in ann
    assert "evaluated as of 2026-04-01 02:00 CEST" in ann  # 00:00 UTC, read in Berlin
    assert "ann · Acme Corp" in ann
    assert "customer acme" not in ann
    # Globex reads in New York, and a page whose title does not name the customer gets it.
    greg = logged_in(site, "greg").get(
        "/agreements/skyhost-cloud-availability/globex?period=2026-03").text
    assert "<title>SkyHost Cloud Service Level Agreement for Globex Corporation · Accord" \
        "</title>" in greg
    assert "evaluated as of 2026-03-31 20:00 EDT" in greg
    # The evidence is listed in the reader's zone too.
    evidence = _section(ann, 'id="objective-resolution"')
    assert re.search(r"<td>2026-03-\d\d \d\d:\d\d CES?T</td>", evidence)
    assert " UTC</td>" not in evidence


def test_a_breach_still_open_reads_past_its_target_never_resolved_late(
        site: Workspace) -> None:
    page = logged_in(site, "ann").get(
        "/agreements/northwind-acme-billing/acme?period=2026-03").text
    items = site.client("ann").get(
        "/api/evaluations/2026-03/northwind-acme-billing/acme/items",
        params={"limit": 10_000}).json()["items"]
    still_open = [i["ticket"] for i in items if i["objective"] == "resolution"
                  and i["met"] is False and i["period"] and i["state"] != "stopped"]
    late = [i["ticket"] for i in items if i["objective"] == "resolution"
            and i["met"] is False and i["period"] and i["state"] == "stopped"]
    assert still_open  # the examples' March has one
    evidence = _section(page, 'id="objective-resolution"')
    for ticket in still_open:
        row = re.search(rf"<tr><td>{ticket}</td><td>([^<]*)</td>", evidence)
        assert row is not None
        assert row.group(1) == "past its target, still open"
    for ticket in late:
        row = re.search(rf"<tr><td>{ticket}</td><td>([^<]*)</td>", evidence)
        assert row is not None
        assert row.group(1) == "resolved late"
    statement = _section(page, '<p class="statement">', "</p>")
    assert f"under section 7.2.3: {len(late)} tickets resolved late and " \
           f"{len(still_open)} ticket{'s' if len(still_open) != 1 else ''} past " in statement


def test_only_the_customer_is_told_you_are_entitled(site: Workspace) -> None:
    path = "/agreements/northwind-acme-billing/acme?period=2026-03"
    assert "You are entitled to EUR 4,625.00" in logged_in(site, "ann").get(path).text
    staff = logged_in(site, "sam")
    page = staff.get(path).text
    assert "Acme Corp is entitled to EUR 4,625.00" in page
    assert "You are entitled" not in page
    credits = staff.get("/credits?period=2026-03").text
    assert "You are entitled" not in credits
    assert "Globex Corporation is entitled to USD" in credits
    text = staff.get("/credits/northwind-acme-billing/acme.txt?period=2026-03").text
    assert "Acme Corp is entitled to EUR 4,625.00" in text
    assert "Customer: Acme Corp" in text
    # The supplier reads its own contract's credit as owed to its customer, Northwind IT.
    lena = logged_in(site, "lena").get("/credits?period=2026-03").text
    assert "Northwind IT GmbH is entitled to" in lena
    assert "You are entitled" not in lena


def test_the_credits_page_adds_up_what_is_owed_per_currency(site: Workspace) -> None:
    api = site.client("sam").get("/api/credits/2026-03").json()
    totals: dict[str, float] = {}
    for owed in api:
        if owed["entitled"] and owed["amount"] is not None:
            totals[owed["currency"]] = totals.get(owed["currency"], 0) + float(owed["amount"])
    assert len(totals) >= 2  # euros and dollars in the examples
    page = logged_in(site, "sam").get("/credits?period=2026-03").text
    box = _section(page, '<section class="card credit-totals">')
    entitled = sum(1 for owed in api if owed["entitled"])
    assert f"under {entitled} of {len(api)} agreements" in box
    for currency, amount in totals.items():
        assert f"<strong>{currency} {amount:,.2f}</strong>" in box
    ann = logged_in(site, "ann").get("/credits?period=2026-03").text
    assert "Credits you are entitled to" in _section(ann, '<section class="card credit-totals">')


def test_the_period_picker_offers_months_to_the_current_one_quarters_and_years(
        site: Workspace) -> None:
    page = logged_in(site, "ann").get("/").text
    picker = _section(page, '<select id="period"', "</select>")
    groups = re.findall(r'<optgroup label="([^"]+)">', picker)
    assert groups == ["Months", "Quarters", "Years"]
    assert '<option value="2026-03" selected>March 2026</option>' in picker  # now's month
    assert '<option value="2026-Q1" >Q1 2026</option>' in picker
    assert '<option value="2026" >2026</option>' in picker
    assert '<option value="2025-04" >April 2025</option>' in picker


@pytest.mark.parametrize("user", ["ann", "sam"])
def test_a_quarter_or_a_year_without_stored_results_says_so(site: Workspace,
                                                            user: str) -> None:
    client = logged_in(site, user)
    for period, name in (("2026-Q1", "Q1 2026"), ("2025", "2025")):
        answer = client.get(f"/?period={period}")
        assert answer.status_code == 200
        assert f"No results are stored for {name}." in answer.text
        assert f'<option value="{period}" selected>' in answer.text
    assert client.get("/?period=2026-Q5").status_code == 400


def test_a_customer_sees_each_agreements_last_twelve_months_and_credits_this_year(
        site: Workspace) -> None:
    page = logged_in(site, "ann").get("/?period=2026-03").text
    strips = re.findall(r'<ol class="strip".*?</ol>', page, re.S)
    assert len(strips) == 4  # one per agreement of acme's
    billing = next(s for s in strips if "northwind-acme-billing" in s)
    months = re.findall(r'<li class="month ([^"]*)">', billing)
    assert len(months) == 12
    assert months[-1] == "missed credit chosen"  # March 2026, the period shown
    assert months[-2] == "met"  # February 2026
    assert all(m == "none" for m in months[:-2])  # nothing stored before February
    assert 'href="/agreements/northwind-acme-billing/acme?period=2026-02"' in billing
    assert 'title="March 2026: missed, credit EUR 4,625.00"' in billing
    # Credits this year: the sum of acme's monthly credits in 2026, per currency.
    api = site.client("ann")
    totals: dict[str, float] = {}
    for period in ("2026-01", "2026-02", "2026-03"):
        answer = api.get(f"/api/credits/{period}")
        for owed in answer.json() if answer.status_code == 200 else []:
            if owed["amount"] is not None and owed["entitled"]:
                totals[owed["currency"]] = totals.get(owed["currency"], 0) + float(
                    owed["amount"])
    expected = " + ".join(f"{c} {a:,.2f}" for c, a in sorted(totals.items()))
    assert f"Credits earned in 2026 to date (to the end of March 2026): <strong>{expected}" \
           "</strong>" in page
    # An earlier period's strip ends with that month.
    february = logged_in(site, "ann").get("/?period=2026-02").text
    first = re.findall(r'<li class="month ([^"]*)">', february)[:12]
    assert first[-1].endswith("chosen")
    assert "period=2026-03" not in re.findall(r'<ol class="strip".*?</ol>', february, re.S)[0]


def test_staff_see_who_is_at_risk_per_customer_above_the_grid(site: Workspace) -> None:
    page = logged_in(site, "sam").get("/?period=2026-03").text
    assert page.index("<table class=\"data rollup\">") < page.index("<table class=\"heatmap\">")
    rollup = _section(page, '<table class="data rollup">', "</table>")
    rows = re.findall(r'<tr class="state-([a-z_]+)">\s*<th scope="row">([^<]+)</th>(.*?)</tr>',
                      rollup, re.S)
    by_name = {name: (state, re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)</td>', cells))
               for state, name, cells in rows}
    assert set(by_name) == {"Acme Corp", "Globex Corporation", "Initech", "Northwind IT GmbH"}
    api = site.client("sam")
    results = [r for r in api.get("/api/evaluations/2026-03").json()
               if r["customer"] == "acme"]
    missed = sum(1 for r in results if not r["met"])
    state, cells = by_name["Acme Corp"]
    met, at_risk, missed_shown = (int(c) for c in cells[:3])
    assert missed_shown == missed
    assert met + at_risk + missed_shown == len(results)
    assert at_risk >= 1  # the cleaning contract: met so far, a ticket close to its target
    assert state == "missed"
    assert next(iter(by_name)) == "Acme Corp"  # the most missed first
    owed: dict[str, float] = {}
    for result in results:
        if result["credit"]["amount"] is not None:
            owed[result["credit"]["currency"]] = owed.get(result["credit"]["currency"], 0) \
                + float(result["credit"]["amount"])
    assert cells[3] == " + ".join(f"{c} {a:,.2f}" for c, a in sorted(owed.items()) if a)
    # The grid: names, objectives grouped by agreement, an at-risk colour.
    grid = _section(page, '<table class="heatmap">', "</table>")
    assert '<tr class="group"><th scope="colgroup" colspan="5">Billing system support for ' \
           'Acme Corp</th></tr>' in grid
    assert '<td class="warn">' in grid
    assert re.search(r"Acme Corp: met so far, \d+ open tickets? at risk", grid)


def test_a_past_period_has_no_live_at_risk_colour(site: Workspace) -> None:
    page = logged_in(site, "sam").get("/?period=2026-02").text
    grid = _section(page, '<table class="heatmap">', "</table>")
    assert '<td class="warn">' not in grid
    assert '<td class="bad">' in grid


def test_an_agreement_without_a_result_for_the_period_says_so(site: Workspace) -> None:
    ann = logged_in(site, "ann")
    answer = ann.get("/agreements/northwind-acme-billing/acme?period=2026-Q1")
    assert answer.status_code == 404
    assert "No result of this agreement is stored for Q1 2026." in answer.text
    assert 'href="/agreements/northwind-acme-billing/acme?period=2026-02">February 2026</a>' \
        in answer.text
    # Another customer's agreement stays not found, naming nothing.
    other = logged_in(site, "greg").get("/agreements/northwind-acme-billing/acme?period=2026-Q1")
    assert other.status_code == 404
    assert "acme" not in other.text
    assert "Billing system" not in other.text


def test_the_sentences_on_a_customers_pages_count_what_their_results_hold(
        site: Workspace) -> None:
    ann = logged_in(site, "ann")
    home = ann.get("/").text  # the period of now: live timers count
    timers = [t for t in site.client("ann").get("/api/live").json()["timers"]
              if t["agreement"] == "northwind-acme-billing"]
    risky = sum(1 for t in timers if t["at_risk"])
    breached = sum(1 for t in timers if t["breached"])
    assert risky
    assert breached
    card = _section(home, "Billing system support for Acme Corp</a></h2>", "</li>\n")
    assert f"{risky} open tickets at risk ({breached} already past their target)." in card
    # The error budget's caption against the result's own counts.
    page = ann.get("/agreements/northwind-acme-billing/acme?period=2026-03").text
    (result,) = site.client("ann").get(
        "/api/evaluations/2026-03/northwind-acme-billing/acme").json()
    resolution = next(o for o in result["objectives"] if o["id"] == "resolution")
    caption = _section(page, 'data-spec="burn-resolution"', "</figcaption>")
    assert f"allowed so far, {resolution['breached']} used." in caption
    summary = _section(page, 'id="objective-resolution"')
    assert f"{resolution['breached']} breaches — the evidence" in summary
