"""The audit trail: the API's actions on users, tokens and subscriptions are noted with who,
when, what and the target, in the action's own transaction (a refused action leaves none),
never with a secret; only admins read it."""

from __future__ import annotations

import pytest

from accord.errors import NotFoundError, UsageError
from accord.service import accounts
from accord.service.audit import Action, Actor, Via, audit_log
from accord.service.notify import Channel, create_subscription
from accord.service.tenancy import Principal, Role, Scope
from tests.service.conftest import NOW, PASSWORD, USERS, Workspace

ADA = Principal(1, "ada", Role.ADMIN, None, frozenset(Scope))


def _entries(workspace: Workspace) -> list[tuple[str, str, str, str]]:
    _, found = audit_log(workspace.engine, Principal.system(), limit=100)
    return [(e.actor, e.via.value, e.action.value, e.target) for e in found]


def test_the_apis_actions_on_users_are_audited(fresh_workspace: Workspace) -> None:
    api = fresh_workspace.client("ada")
    assert api.post("/api/users", json={"username": "zoe", "password": "a good password",
                                        "role": "staff"}).status_code == 201
    assert api.patch("/api/users/zoe", json={"role": "customer", "party": "acme"}
                     ).status_code == 200
    assert api.patch("/api/users/zoe", json={"disabled": True}).status_code == 200
    assert api.patch("/api/users/zoe", json={"password": "another good one"}
                     ).status_code == 200
    assert _entries(fresh_workspace)[:4] == [
        ("ada", "api", "user.password", "zoe"), ("ada", "api", "user.disable", "zoe"),
        ("ada", "api", "user.role", "zoe"), ("ada", "api", "user.add", "zoe")]
    _, (latest, *_) = audit_log(fresh_workspace.engine, Principal.system())
    assert latest.at == NOW
    assert "another good one" not in str(audit_log(fresh_workspace.engine,
                                                   Principal.system()))


def test_a_party_without_a_role_is_refused_by_the_api(fresh_workspace: Workspace) -> None:
    answer = fresh_workspace.client("ada").patch("/api/users/sam", json={"party": "acme"})
    assert answer.status_code == 400
    assert _entries(fresh_workspace) == []


def test_the_apis_token_actions_are_audited_without_the_secret(
        fresh_workspace: Workspace) -> None:
    api = fresh_workspace.client("sam")
    made = api.post("/api/tokens", json={"name": "ci", "scopes": ["read"]})
    assert made.status_code == 201
    token = made.json()["token"]["id"]
    assert api.delete(f"/api/tokens/{token}").status_code == 200
    assert _entries(fresh_workspace) == [
        ("sam", "api", "token.revoke", f"token {token} (ci) of sam"),
        ("sam", "api", "token.create", f"token {token} (ci) of sam")]
    assert made.json()["secret"] not in str(audit_log(fresh_workspace.engine,
                                                      Principal.system()))


def test_the_apis_subscription_actions_are_audited(fresh_workspace: Workspace) -> None:
    api = fresh_workspace.client("ann")
    made = api.post("/api/subscriptions", json={"target": "ops@acme.example",
                                                "channel": "email", "events": ["sla.breach"]})
    assert made.status_code == 201
    number = made.json()["subscription"]["id"]
    changed = api.patch(f"/api/subscriptions/{number}", json={"thresholds": [0.5],
                                                              "active": False})
    assert changed.status_code == 200
    assert changed.json()["thresholds"] == [0.5]
    assert not changed.json()["active"]
    assert api.post(f"/api/subscriptions/{number}/test").status_code == 202
    assert api.delete(f"/api/subscriptions/{number}").status_code == 204
    target = f"subscription {number}"
    assert _entries(fresh_workspace) == [
        ("ann", "api", "subscription.delete", target), ("ann", "api", "subscription.test", target),
        ("ann", "api", "subscription.edit", target),
        ("ann", "api", "subscription.create", target)]


def test_a_customer_cannot_test_or_edit_anothers_subscription(
        fresh_workspace: Workspace) -> None:
    made = create_subscription(fresh_workspace.engine, ADA, channel=Channel.EMAIL,
                               target="ops@example.com", now=NOW)
    number = made.subscription.id
    api = fresh_workspace.client("ann")
    assert api.post(f"/api/subscriptions/{number}/test").status_code == 404
    assert api.patch(f"/api/subscriptions/{number}", json={"active": False}).status_code == 404
    assert _entries(fresh_workspace) == []


def test_a_refused_action_leaves_no_entry(fresh_workspace: Workspace) -> None:
    by = Actor(ADA, NOW, Via.PORTAL)
    with pytest.raises(UsageError):
        accounts.add_user(fresh_workspace.engine, username="sam", password=PASSWORD,
                          role=Role.STAFF, party=None, now=NOW, by=by)
    with pytest.raises(NotFoundError):
        accounts.set_role(fresh_workspace.engine, username="ann", role=Role.CUSTOMER,
                          party="nobody", by=by)
    assert _entries(fresh_workspace) == []
    assert accounts.find_user(fresh_workspace.engine, username="ann").party == "acme"


def test_revoking_a_revoked_token_is_not_noted_again(fresh_workspace: Workspace) -> None:
    by = Actor(ADA, NOW, Via.PORTAL)
    made = accounts.create_token(fresh_workspace.engine, username="ann", name="x",
                                 scopes=[Scope.READ], now=NOW)
    for _ in range(2):
        accounts.revoke_token(fresh_workspace.engine, token_id=made.token.id, now=NOW, by=by)
    assert [e[2] for e in _entries(fresh_workspace)] == ["token.revoke"]


def test_without_an_actor_nothing_is_noted(fresh_workspace: Workspace) -> None:
    accounts.set_disabled(fresh_workspace.engine, username="greg", disabled=True)
    assert _entries(fresh_workspace) == []


@pytest.mark.parametrize("username", [u for u in USERS if u != "ada"])
def test_only_admins_read_the_audit_trail(workspace: Workspace, username: str) -> None:
    role, party = USERS[username]
    with pytest.raises(NotFoundError):
        audit_log(workspace.engine, Principal(2, username, role, party, frozenset(Scope)))


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, 0), (0, 501)])
def test_a_bad_page_of_the_audit_trail_is_refused(workspace: Workspace, offset: int,
                                                  limit: int) -> None:
    with pytest.raises(UsageError):
        audit_log(workspace.engine, ADA, offset=offset, limit=limit)


def test_the_audit_entry_names_each_action(fresh_workspace: Workspace) -> None:
    accounts.set_role(fresh_workspace.engine, username="sam", role=Role.SUPPLIER,
                      party="ledgerworks", by=Actor(ADA, NOW, Via.PORTAL))
    _, (entry,) = audit_log(fresh_workspace.engine, ADA)
    assert (entry.action, entry.via, entry.detail) == (
        Action.USER_ROLE, Via.PORTAL, "role staff → role supplier, party ledgerworks")
