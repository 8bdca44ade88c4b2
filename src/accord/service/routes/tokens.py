"""API tokens: a user's own, or anyone's for an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from accord.service import accounts
from accord.service.audit import Actor, Via
from accord.service.deps import CallerDep, EngineDep, NowDep
from accord.service.schemas import DB_INT_MAX, ErrorOut, NewTokenOut, TokenIn, TokenOut
from accord.service.tenancy import Principal, Scope

router = APIRouter(prefix="/api/tokens", tags=["tokens"],
                   responses={400: {"model": ErrorOut}})


def _whose(principal: Principal, username: str | None) -> str | None:
    """The user whose tokens are meant: one's own, unless an admin names someone (or, with
    None, everyone)."""
    if username is not None and username != principal.username:
        principal.require(Scope.ADMIN)
        return username
    if principal.user_id is None:
        principal.require(Scope.ADMIN)
    return principal.username


@router.get("", response_model=list[TokenOut])
def list_tokens(principal: CallerDep, engine: EngineDep,
                username: str | None = None) -> list[accounts.Token]:
    return accounts.list_tokens(engine, username=_whose(principal, username))


@router.post("", response_model=NewTokenOut, status_code=201)
def create_token(body: TokenIn, principal: CallerDep, engine: EngineDep,
                 now: NowDep) -> accounts.NewToken:
    """A new token; its secret is in this answer only."""
    principal.require(Scope.READ)
    owner = _whose(principal, body.username) or principal.username
    if owner == principal.username:  # a token never has more than its creator's credentials
        for scope in body.scopes:
            principal.require(scope)
    return accounts.create_token(engine, username=owner, name=body.name, scopes=body.scopes,
                                 now=now, expires_at=body.expires_at,
                                 by=Actor(principal, now, Via.API))


@router.delete("/{token_id}", response_model=TokenOut)
def revoke_token(token_id: Annotated[int, Path(ge=0, le=DB_INT_MAX)], principal: CallerDep, engine: EngineDep,
                 now: NowDep) -> accounts.Token:
    mine = None if Scope.ADMIN in principal.scopes and principal.role.value == "admin" \
        else principal.username
    return accounts.revoke_token(engine, token_id=token_id, now=now, username=mine,
                                 by=Actor(principal, now, Via.API))
