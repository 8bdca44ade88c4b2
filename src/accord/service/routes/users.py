"""Users, managed by admins."""

from __future__ import annotations

from fastapi import APIRouter

from accord.service import accounts
from accord.service.deps import AdminDep, EngineDep, NowDep
from accord.service.schemas import ErrorOut, UserIn, UserOut, UserPatch

router = APIRouter(prefix="/api/users", tags=["users"],
                   responses={400: {"model": ErrorOut}})


@router.get("", response_model=list[UserOut])
def list_users(_: AdminDep, engine: EngineDep) -> list[accounts.User]:
    return accounts.list_users(engine)


@router.post("", response_model=UserOut, status_code=201)
def add_user(body: UserIn, _: AdminDep, engine: EngineDep, now: NowDep) -> accounts.User:
    return accounts.add_user(engine, username=body.username, password=body.password,
                             role=body.role, party=body.party, now=now)


@router.get("/{username}", response_model=UserOut)
def get_user(username: str, _: AdminDep, engine: EngineDep) -> accounts.User:
    return accounts.find_user(engine, username=username)


@router.patch("/{username}", response_model=UserOut)
def change_user(username: str, body: UserPatch, _: AdminDep, engine: EngineDep,
                now: NowDep) -> accounts.User:
    """Disable or enable a user, or set its password."""
    if body.password is not None:
        accounts.set_password(engine, username=username, password=body.password, now=now)
    if body.disabled is not None:
        return accounts.set_disabled(engine, username=username, disabled=body.disabled)
    return accounts.find_user(engine, username=username)
