"""Users, managed by admins; every change is noted in the audit trail."""

from __future__ import annotations

from fastapi import APIRouter

from accord.errors import Problem, UsageError
from accord.service import accounts
from accord.service.audit import Actor, Via
from accord.service.deps import AdminDep, EngineDep, NowDep
from accord.service.schemas import ErrorOut, UserIn, UserOut, UserPatch

router = APIRouter(prefix="/api/users", tags=["users"],
                   responses={400: {"model": ErrorOut}})


@router.get("", response_model=list[UserOut])
def list_users(_: AdminDep, engine: EngineDep) -> list[accounts.User]:
    return accounts.list_users(engine)


@router.post("", response_model=UserOut, status_code=201)
def add_user(body: UserIn, admin: AdminDep, engine: EngineDep, now: NowDep) -> accounts.User:
    return accounts.add_user(engine, username=body.username, password=body.password,
                             role=body.role, party=body.party, now=now,
                             by=Actor(admin, now, Via.API))


@router.get("/{username}", response_model=UserOut)
def get_user(username: str, _: AdminDep, engine: EngineDep) -> accounts.User:
    return accounts.find_user(engine, username=username)


@router.patch("/{username}", response_model=UserOut)
def change_user(username: str, body: UserPatch, admin: AdminDep, engine: EngineDep,
                now: NowDep) -> accounts.User:
    """Disable or enable a user, set its password, or give it another role (and party)."""
    by = Actor(admin, now, Via.API)
    if body.party is not None and body.role is None:
        raise UsageError("a party comes with a role", [Problem(
            "party was given without role", hint="give the role too (customer or supplier)")])
    if body.role is not None:
        accounts.set_role(engine, username=username, role=body.role, party=body.party, by=by)
    if body.password is not None:
        accounts.set_password(engine, username=username, password=body.password, now=now,
                              by=by)
    if body.disabled is not None:
        return accounts.set_disabled(engine, username=username, disabled=body.disabled, by=by)
    return accounts.find_user(engine, username=username)
