"""The admin console: each action works and is noted in the audit trail; nobody but an admin
reaches a page or an action; every form needs the session's CSRF token; bad input comes back
as a message on its form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from accord.service import accounts
from accord.service.audit import Actor, Via, audit_log
from accord.service.notify import Notifier, list_deliveries, verify
from accord.service.tenancy import Principal
from tests.portal.conftest import NOW, PASSWORD, browser_of, csrf_of, logged_in
from tests.service.conftest import Workspace
from tests.service.notify.receivers import Received, http_receiver

PAGES = ["/admin", "/admin/users", "/admin/tokens", "/admin/subscriptions",
         "/admin/subscriptions/1", "/admin/notifications", "/admin/audit"]
ACTIONS = ["/admin/users", "/admin/users/role", "/admin/users/disabled", "/admin/users/password",
           "/admin/tokens", "/admin/tokens/revoke", "/admin/subscriptions",
           "/admin/subscriptions/1", "/admin/subscriptions/1/delete",
           "/admin/subscriptions/1/test"]


def _latest(site: Workspace) -> list[tuple[str, str, str, str | None]]:
    _, entries = audit_log(site.engine, Principal.system(), limit=20)
    return [(e.actor, e.action.value, e.target, e.detail) for e in entries]


def _post(client: TestClient, path: str, page: str, **form: object) -> object:
    return client.post(path, data={"csrf_token": csrf_of(client.get(page).text), **form},
                       follow_redirects=False)


@pytest.mark.parametrize("username", ["sam", "ann", "lena"])
def test_nobody_but_an_admin_reaches_a_console_page_or_action(site: Workspace,
                                                             username: str) -> None:
    client = logged_in(site, username)
    token = csrf_of(client.get("/account").text)
    for path in PAGES:
        assert client.get(path, follow_redirects=False).status_code == 404, path
    for path in ACTIONS:
        answer = client.post(path, data={"csrf_token": token, "username": "ann",
                                         "role": "admin", "disabled": "true", "token": "1"},
                             follow_redirects=False)
        assert answer.status_code == 404, path
    assert 'href="/admin/users"' not in client.get("/account").text
    assert accounts.find_user(site.engine, username="ann").role.value == "customer"


def test_the_console_without_a_session_leads_to_the_login_form(site: Workspace) -> None:
    answer = browser_of(site).get("/admin/users", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/admin/users"


def test_an_admin_sees_the_console_in_the_navigation_and_every_page(site: Workspace) -> None:
    client = logged_in(site, "ada")
    assert 'href="/admin/users"' in client.get("/account").text
    for path in PAGES[1:]:
        if path == "/admin/subscriptions/1":
            continue
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert 'aria-label="Admin console"' in answer.text


def test_every_console_form_needs_the_sessions_csrf_token(site: Workspace) -> None:
    client = logged_in(site, "ada")
    for path in ACTIONS:
        for token in (None, "forged"):
            form = {"username": "csrf-victim", "role": "staff", "password": "x" * 12}
            if token:
                form["csrf_token"] = token
            answer = client.post(path, data=form, follow_redirects=False)
            assert answer.status_code == 403, (path, token)
    assert "csrf-victim" not in {u.username for u in accounts.list_users(site.engine)}


def test_an_admin_adds_a_user_and_it_is_audited(site: Workspace) -> None:
    client = logged_in(site, "ada")
    done = _post(client, "/admin/users", "/admin/users", username="carla", role="customer",
                 party="acme", password="a long enough secret")
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "User carla added." in page
    assert accounts.find_user(site.engine, username="carla").party == "acme"
    assert accounts.authenticate(site.engine, username="carla",
                                 password="a long enough secret").party == "acme"
    assert _latest(site)[0] == ("ada", "user.add", "carla", "role customer, party acme")
    assert "user.add" in client.get("/admin/audit").text


def test_a_user_added_without_a_password_gets_one_shown_once(site: Workspace) -> None:
    client = logged_in(site, "ada")
    answer = _post(client, "/admin/users", "/admin/users", username="dora", role="staff")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    shown = re.search(r'<code class="secret">([^<]+)</code>', answer.text)
    assert shown is not None
    assert accounts.authenticate(site.engine, username="dora",
                                 password=shown.group(1)).role.value == "staff"
    assert shown.group(1) not in client.get("/admin/users").text
    assert shown.group(1) not in str(_latest(site))


def test_an_admin_changes_a_role_disables_enables_and_resets_a_password(
        site: Workspace) -> None:
    accounts.add_user(site.engine, username="eve", password=PASSWORD, role=accounts.Role.STAFF,
                      party=None, now=NOW)
    eve = logged_in(site, "eve")
    client = logged_in(site, "ada")
    assert _post(client, "/admin/users/role", "/admin/users", username="eve",
                 role="customer", party="globex").status_code == 303
    assert accounts.find_user(site.engine, username="eve").party == "globex"
    assert eve.get("/", follow_redirects=False).status_code == 303  # its session ended
    assert _post(client, "/admin/users/disabled", "/admin/users", username="eve",
                 disabled="true").status_code == 303
    assert accounts.find_user(site.engine, username="eve").disabled
    assert _post(client, "/admin/users/disabled", "/admin/users", username="eve",
                 disabled="false").status_code == 303
    assert not accounts.find_user(site.engine, username="eve").disabled
    reset = _post(client, "/admin/users/password", "/admin/users", username="eve")
    shown = re.search(r'<code class="secret">([^<]+)</code>', reset.text)
    assert shown is not None
    accounts.authenticate(site.engine, username="eve", password=shown.group(1))
    assert [(a, w, t) for a, w, t, _ in _latest(site)[:4]] == [
        ("ada", "user.password", "eve"), ("ada", "user.enable", "eve"),
        ("ada", "user.disable", "eve"), ("ada", "user.role", "eve")]
    assert _latest(site)[3][3] == "role staff → role customer, party globex"


@pytest.mark.parametrize(("form", "message"), [
    ({"username": "", "role": "staff"}, "the user name has 0 characters"),
    ({"username": "x" * 300, "role": "staff"}, "the user name has 300 characters"),
    ({"username": "has space", "role": "staff"}, "is not a user name"),
    ({"username": "frank", "role": "emperor"}, "is not a role"),
    ({"username": "frank", "role": "customer"}, "sees one party"),
    ({"username": "frank", "role": "customer", "party": "nobody"}, "no party"),
    ({"username": "frank", "role": "staff", "password": "short"}, "the password has 5"),
    ({"username": "ann", "role": "staff", "password": "long enough pw"}, "already a user"),
])
def test_a_bad_user_form_comes_back_with_its_message(site: Workspace, form: dict[str, str],
                                                     message: str) -> None:
    client = logged_in(site, "ada")
    answer = _post(client, "/admin/users", "/admin/users", **form)
    assert answer.status_code == 400
    assert message in answer.text.replace("&#39;", "'")
    assert 'role="alert"' in answer.text


def test_an_admin_cannot_lock_itself_out(site: Workspace) -> None:
    client = logged_in(site, "ada")
    demoted = _post(client, "/admin/users/role", "/admin/users", username="ada", role="staff")
    disabled = _post(client, "/admin/users/disabled", "/admin/users", username="ada",
                     disabled="true")
    assert (demoted.status_code, disabled.status_code) == (400, 400)
    assert "you cannot take the admin role from your own account" in demoted.text
    assert "you cannot disable your own account" in disabled.text
    ada = accounts.find_user(site.engine, username="ada")
    assert (ada.role.value, ada.disabled) == ("admin", False)


def test_an_admin_creates_a_token_sees_it_once_and_revokes_it(site: Workspace) -> None:
    client = logged_in(site, "ada")
    made = _post(client, "/admin/tokens", "/admin/tokens", name="ticket sync", username="sam",
                 scopes=["read", "ingest"], days="30")
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    secret = re.search(r'<code class="secret">(accord_[^<]+)</code>', made.text)
    assert secret is not None
    api = TestClient(site.client().app, headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert api.get("/api/agreements").status_code == 200
    token = next(t for t in accounts.list_tokens(site.engine, username="sam")
                 if t.name == "ticket sync")
    assert {s.value for s in token.scopes} == {"read", "ingest"}
    assert token.expires_at is not None
    assert (token.expires_at - NOW).days == 30
    listed = client.get("/admin/tokens").text
    assert "ticket sync" in listed
    assert secret.group(1) not in listed
    assert _post(client, "/admin/tokens/revoke", "/admin/tokens",
                 token=str(token.id)).status_code == 303
    assert api.get("/api/agreements").status_code == 401
    assert [(a, w) for a, w, _, _ in _latest(site)[:2]] == [
        ("ada", "token.revoke"), ("ada", "token.create")]
    assert _latest(site)[1][2] == f"token {token.id} (ticket sync) of sam"


@pytest.mark.parametrize(("form", "message"), [
    ({"name": "", "username": "sam", "scopes": ["read"]}, "the token name has 0"),
    ({"name": "t", "username": "sam", "scopes": []}, "no scope given"),
    ({"name": "t", "username": "sam", "scopes": ["root"]}, "a scope is not known"),
    ({"name": "t", "username": "ann", "scopes": ["ingest"]}, "cannot have the scope"),
    ({"name": "t", "username": "sam", "scopes": ["read"], "days": "0"}, "not a number of days"),
    ({"name": "t", "username": "sam", "scopes": ["read"], "days": "9" * 40},
     "not a number of days"),
    ({"name": "t", "username": "nobody", "scopes": ["read"]}, "no user"),
])
def test_a_bad_token_form_comes_back_with_its_message(site: Workspace, form: dict[str, str],
                                                      message: str) -> None:
    client = logged_in(site, "ada")
    answer = _post(client, "/admin/tokens", "/admin/tokens", **form)
    assert answer.status_code == 400
    assert message in answer.text.replace("&#39;", "'")


def test_an_admin_subscribes_edits_tests_and_deletes_a_webhook(site: Workspace) -> None:
    with http_receiver() as receiver:
        _subscribe_edit_test_and_delete(site, receiver.url, receiver.received)


def _subscribe_edit_test_and_delete(site: Workspace, url: str,
                                    received: list[Received]) -> None:
    client = logged_in(site, "ada")
    made = _post(client, "/admin/subscriptions", "/admin/subscriptions",
                 channel="webhook", target="https://hooks.example.com/accord", party="acme",
                 thresholds="50 % 80 %", events=["sla.warning", "sla.breach"])
    assert made.status_code == 200
    secret = re.search(r'<code class="secret">([^<]+)</code>', made.text)
    assert secret is not None
    number = int(_latest(site)[0][2].split()[-1])
    assert _latest(site)[0][:3] == ("ada", "subscription.create", f"subscription {number}")
    edited = _post(client, f"/admin/subscriptions/{number}", f"/admin/subscriptions/{number}",
                   target=url, thresholds="0.9",
                   events=["sla.breach"], active="on")
    assert edited.status_code == 303
    listed = client.get("/admin/subscriptions").text
    assert url in listed
    assert "90 %" in listed
    assert _latest(site)[0][1] == "subscription.edit"
    assert "→" in (_latest(site)[0][3] or "")
    tested = _post(client, f"/admin/subscriptions/{number}/test", "/admin/subscriptions")
    assert tested.status_code == 303
    assert _latest(site)[0][:3] == ("ada", "subscription.test", f"subscription {number}")
    Notifier().deliver_due(site.engine, NOW)
    (got,) = received
    assert got.headers["X-Accord-Event"] == "sla.test"
    assert verify(got.body, secret.group(1), got.headers["X-Accord-Signature"])
    page = client.get(tested.headers["location"]).text
    assert "sla.test" in page
    assert "delivered" in page
    assert ">200<" in page
    assert _post(client, f"/admin/subscriptions/{number}/delete",
                 f"/admin/subscriptions/{number}").status_code == 303
    assert _latest(site)[0][:2] == ("ada", "subscription.delete")
    assert client.get(f"/admin/subscriptions/{number}").status_code == 404


@pytest.mark.parametrize(("form", "message"), [
    ({"channel": "pigeon", "target": "https://a.example"}, "is not a channel"),
    ({"channel": "webhook", "target": "ftp://a.example"}, "is not an http(s) URL"),
    ({"channel": "email", "target": "not an address"}, "is not an email address"),
    ({"channel": "webhook", "target": "https://a.example", "thresholds": "150 %"},
     "are not warning thresholds"),
    ({"channel": "webhook", "target": "https://a.example", "thresholds": "soon"},
     "are not warning thresholds"),
    ({"channel": "webhook", "target": "https://a.example", "events": []},
     "at least one event"),
    ({"channel": "webhook", "target": "https://a.example", "events": ["sla.test"]},
     "at least one event"),
    ({"channel": "webhook", "target": "https://a.example", "events": ["sla.nothing"]},
     "is not an event"),
    ({"channel": "webhook", "target": "https://" + "a" * 3000}, "the target has"),
])
def test_a_bad_subscription_form_comes_back_with_its_message(
        site: Workspace, form: dict[str, object], message: str) -> None:
    client = logged_in(site, "ada")
    filled: dict[str, object] = {"thresholds": "75 %", "events": ["sla.warning"], **form}
    answer = _post(client, "/admin/subscriptions", "/admin/subscriptions", **filled)
    assert answer.status_code == 400
    assert message in answer.text.replace("&#39;", "'")


def test_the_notifications_page_lists_attempts_status_codes_errors_and_the_next_try(
        site: Workspace) -> None:
    client = logged_in(site, "ada")
    with http_receiver(503) as failing:
        _post(client, "/admin/subscriptions", "/admin/subscriptions", channel="webhook",
              target=failing.url, thresholds="75 %", events=["sla.warning"],
              secret="s3cret-of-the-test")
        number = int(_latest(site)[0][2].split()[-1])
        _post(client, f"/admin/subscriptions/{number}/test", "/admin/subscriptions")
        Notifier().deliver_due(site.engine, NOW)
    _, (delivery,) = list_deliveries(site.engine, Principal.system(), subscription_id=number)
    assert delivery.next_attempt_at is not None
    page = client.get(f"/admin/notifications?subscription={number}").text
    assert ">503<" in page
    assert "HTTP 503" in page
    assert "Next try" in page
    assert "pending" in page
    assert "Test event queued" not in page


def test_the_audit_trail_is_paged_newest_first(fresh_workspace: Workspace) -> None:
    client = logged_in(fresh_workspace, "ada")
    for number in range(55):
        accounts.set_disabled(fresh_workspace.engine, username="sam", disabled=number % 2 == 0,
                              by=Actor(Principal.system(), NOW, Via.CLI))
    first = client.get("/admin/audit").text
    assert "55 actions" in first
    assert "Page 1 of 2" in first
    assert first.index("user.disable") < first.index("user.enable")  # #55 is a disable
    second = client.get("/admin/audit?page=2").text
    assert second.count("<tr><td") == 5
    assert client.get("/admin/audit?page=abc").status_code == 200
