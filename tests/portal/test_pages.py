"""The portal's pages as a customer, a supplier and the provider's staff meet them."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

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
    assert "EUR 4625.00" in page


def test_the_agreement_page_shows_objectives_breaches_and_credit(site: Workspace) -> None:
    client = logged_in(site, "ann")
    page = client.get("/agreements/northwind-acme-billing/acme?period=2026-03").text
    assert "You are entitled to EUR 4625.00" in page
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
    assert "You are entitled to EUR 4625.00" in answer.text
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
    for customer in ("acme", "globex", "initech", "northwind-it"):
        assert f"<th scope=\"col\">{customer}</th>" in page
    assert "At risk now" in page
    assert "Credits owed, 2026-03" in page
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


def _login_form_post(client: Any, password: str) -> Any:
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    return client.post("/login", data={"username": "ann", "password": password,
                                       "login_token": token.group(1)},
                       follow_redirects=False)


def test_guessing_passwords_at_the_login_form_is_slowed_down(site: Workspace) -> None:
    client = browser_of(site)
    assert [_login_form_post(client, "not it at all").status_code
            for _ in range(5)] == [401] * 5
    held = _login_form_post(client, PASSWORD)
    assert held.status_code == 429
    assert re.search(r"Please wait \d+ seconds", held.text)


def test_guessing_the_current_password_in_the_portal_is_slowed_down(site: Workspace) -> None:
    client = logged_in(site, "lena")
    token = csrf_of(client.get("/account").text)

    def change(current: str) -> Any:
        return client.post("/account/password", data={
            "csrf_token": token, "current": current, "new": "new passphrase one",
            "again": "new passphrase one"}, follow_redirects=False)

    assert [change("not it at all").status_code for _ in range(5)] == [400] * 5
    held = change(PASSWORD)
    assert held.status_code == 429
    assert re.search(r"Please wait \d+ seconds", held.text)
