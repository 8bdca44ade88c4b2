"""Accounts: users with argon2-hashed passwords, API tokens and browser sessions.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, RFC 9106). Tokens and
session cookies are 256-bit random secrets: a SHA-256 of the secret finds the row and cannot be
turned back into it, so the secret is shown once and never stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.errors import AuthenticationError, NotFoundError, Problem, UsageError
from accord.service.audit import Action, Actor, note
from accord.service.tenancy import ROLE_SCOPES, Principal, Role, Scope
from accord.store.database import for_writing
from accord.store.schema import (
    ApiTokenRow,
    PartyRow,
    ResultRow,
    SessionRow,
    TicketRow,
    UserRow,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "NewToken",
    "OpenedSession",
    "Token",
    "User",
    "add_user",
    "authenticate",
    "change_password",
    "close_session",
    "create_token",
    "find_user",
    "list_tokens",
    "list_users",
    "open_session",
    "principal_for_session",
    "principal_for_token",
    "random_password",
    "revoke_token",
    "set_disabled",
    "set_password",
    "set_role",
]

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "accord_"
_HASHER = PasswordHasher()
# Verified against when the user is unknown, so that a wrong name takes as long as a wrong
# password and the answer tells nothing about which accounts exist.
_DECOY = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    party: str | None
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Token:
    id: int
    username: str
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    token: Token
    secret: str
    """The token itself: shown once, never stored."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(row: UserRow) -> User:
    return User(row.id, row.username, Role(row.role), row.party_id, row.disabled, row.created_at)


def _principal(row: UserRow, scopes: Iterable[Scope]) -> Principal:
    role = Role(row.role)
    return Principal(row.id, row.username, role, row.party_id,
                     frozenset(scopes) & ROLE_SCOPES[role])


def _check_password(password: str, username: str) -> None:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem(f"the password has {len(password)} characters",
                                hint=f"use at least {MIN_PASSWORD_LENGTH}"))
    if password.strip().lower() == username.strip().lower():
        problems.append(Problem("the password is the user name", hint="choose another one"))
    if problems:
        raise UsageError("the password is too weak", problems)


def _row(session: Session, username: str) -> UserRow:
    row = session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
    if row is None:
        raise NotFoundError(f"no user {username!r}", [Problem(
            f"no user {username!r}", hint="list users with `accord users list`")])
    return row


def _known_party(session: Session, party: str) -> bool:
    """A stored party, or a customer of a service-based agreement, found in the results or
    the tickets."""
    if session.get(PartyRow, party) is not None:
        return True
    for column in (ResultRow.customer, TicketRow.customer):
        if session.scalar(select(column).where(column == party).limit(1)) is not None:
            return True
    return False


def add_user(engine: Engine, *, username: str, password: str, role: Role,
             party: str | None, now: datetime, by: Actor | None = None) -> User:
    """A new user. Customers and suppliers are bound to one stored party; admins and staff
    to none. ``by``: who adds it, noted in the audit trail."""
    username = username.strip()
    if not username or len(username) > 200 or any(c.isspace() for c in username):
        raise UsageError("bad user name", [Problem(
            f"{username!r} is not a user name", hint="1 to 200 characters, no spaces")])
    _check_password(password, username)
    _check_role_party(role, party)
    with Session(for_writing(engine)) as session, session.begin():
        if party and not _known_party(session, party):
            raise _no_party(party)
        row = UserRow(username=username, role=role.value, party_id=party or None,
                      password_hash=_HASHER.hash(password), disabled=False, created_at=now,
                      password_changed_at=now)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise UsageError(f"user {username!r} exists", [Problem(
                f"there is already a user {username!r}", hint="choose another name")]) from None
        note(session, by, Action.USER_ADD, username, _role_text(role, party))
        return _user(row)


def _check_role_party(role: Role, party: str | None) -> None:
    if role in (Role.CUSTOMER, Role.SUPPLIER) and not party:
        raise UsageError(f"a {role.value} user needs a party", [Problem(
            f"a {role.value} user sees one party's data, and none was given",
            hint="give --party with the party's id (see `accord parties list`)")])
    if role in (Role.ADMIN, Role.STAFF) and party:
        raise UsageError(f"an {role.value} user has no party", [Problem(
            f"{role.value} users see every party; --party is only for customers and suppliers",
            hint="leave out --party")])


def _no_party(party: str) -> NotFoundError:
    return NotFoundError(f"no party {party!r}", [Problem(
        f"no party {party!r} is stored",
        hint="apply the agreements that name it (`accord apply`), or load its data, first")])


def _role_text(role: Role, party: str | None) -> str:
    return f"role {role.value}" + (f", party {party}" if party else "")


def set_role(engine: Engine, *, username: str, role: Role, party: str | None,
             by: Actor | None = None) -> User:
    """Give a user another role (and party: customers and suppliers need one, admins and staff
    have none). Its sessions end, so that no page is served under the old role; its tokens'
    scopes are cut down to the new role's when used."""
    party = (party or "").strip() or None
    _check_role_party(role, party)
    with Session(for_writing(engine)) as session, session.begin():
        row = _row(session, username)
        if party and not _known_party(session, party):
            raise _no_party(party)
        before = _role_text(Role(row.role), row.party_id)
        row.role, row.party_id = role.value, party
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        note(session, by, Action.USER_ROLE, username,
             f"{before} → {_role_text(role, party)}")
        return _user(row)


def random_password() -> str:
    """A new password for an admin to hand over (about 96 random bits)."""
    return secrets.token_urlsafe(12)


def list_users(engine: Engine) -> list[User]:
    with Session(engine) as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.username))]


def find_user(engine: Engine, *, username: str) -> User:
    with Session(engine) as session:
        return _user(_row(session, username))


def set_disabled(engine: Engine, *, username: str, disabled: bool,
                 by: Actor | None = None) -> User:
    """Disable (or enable) a user; a disabled user's sessions end and its tokens stop working."""
    with Session(for_writing(engine)) as session, session.begin():
        row = _row(session, username)
        row.disabled = disabled
        if disabled:
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        note(session, by, Action.USER_DISABLE if disabled else Action.USER_ENABLE, username)
        return _user(row)


def set_password(engine: Engine, *, username: str, password: str, now: datetime,
                 by: Actor | None = None) -> None:
    """Set a user's password; every session of the user ends."""
    _check_password(password, username)
    with Session(for_writing(engine)) as session, session.begin():
        row = _row(session, username)
        row.password_hash = _HASHER.hash(password)
        row.password_changed_at = now
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        note(session, by, Action.USER_PASSWORD, username, "password set")


def change_password(engine: Engine, principal: Principal, *, current: str, new: str,
                    now: datetime) -> None:
    """A user changing its own password, proving it knows the current one."""
    authenticate(engine, username=principal.username, password=current)
    set_password(engine, username=principal.username, password=new, now=now)


def authenticate(engine: Engine, *, username: str, password: str) -> Principal:
    """The user with this name and password (AuthenticationError, the same for every reason)."""
    with Session(engine) as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
        stored = row.password_hash if row is not None else _DECOY
        try:
            _HASHER.verify(stored, password)
            known = row is not None and not row.disabled
        except (VerificationError, InvalidHashError):
            known = False
        if row is None or not known:
            raise _refused("wrong user name or password")
        principal = _principal(row, ROLE_SCOPES[Role(row.role)])
    if _HASHER.check_needs_rehash(stored):
        with Session(for_writing(engine)) as session, session.begin():
            fresh = session.get(UserRow, row.id)
            if fresh is not None:
                fresh.password_hash = _HASHER.hash(password)
    return principal


def _refused(message: str) -> AuthenticationError:
    return AuthenticationError(message, [Problem(message, hint="log in again")])


def create_token(engine: Engine, *, username: str, name: str, scopes: Iterable[Scope],
                 now: datetime, expires_at: datetime | None = None,
                 by: Actor | None = None) -> NewToken:
    """A new API token for ``username`` with ``scopes`` (each allowed to the user's role)."""
    wanted = tuple(sorted(set(scopes), key=list(Scope).index))
    if not wanted:
        raise UsageError("a token needs a scope", [Problem(
            "no scope given", hint="give one or more of: " + ", ".join(s.value for s in Scope))])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with Session(for_writing(engine)) as session, session.begin():
        user = _row(session, username)
        refused = [s for s in wanted if s not in ROLE_SCOPES[Role(user.role)]]
        if refused:
            raise UsageError("scope not allowed", [Problem(
                f"a {user.role} user cannot have the scope "
                + ", ".join(repr(s.value) for s in refused),
                hint="allowed: " + ", ".join(s.value for s in sorted(
                    ROLE_SCOPES[Role(user.role)], key=list(Scope).index)))])
        row = ApiTokenRow(user_id=user.id, name=name, prefix=secret[:len(TOKEN_PREFIX) + 6],
                          token_hash=_digest(secret), scopes=" ".join(s.value for s in wanted),
                          created_at=now, expires_at=expires_at)
        session.add(row)
        session.flush()
        note(session, by, Action.TOKEN_CREATE, f"token {row.id} ({name}) of {user.username}",
             "scopes " + " ".join(s.value for s in wanted) + ", expires "
             + (expires_at.isoformat() if expires_at is not None else "never"))
        return NewToken(_token(row, user.username), secret)


def _token(row: ApiTokenRow, username: str) -> Token:
    return Token(row.id, username, row.name, row.prefix,
                 tuple(Scope(s) for s in row.scopes.split()), row.created_at, row.expires_at,
                 row.last_used_at, row.revoked_at)


def list_tokens(engine: Engine, *, username: str | None = None) -> list[Token]:
    """The tokens of ``username`` (everyone's when None), newest first."""
    query = (select(ApiTokenRow, UserRow.username).join(UserRow, UserRow.id == ApiTokenRow.user_id)
             .order_by(ApiTokenRow.id.desc()))
    if username is not None:
        query = query.where(UserRow.username == username)
    with Session(engine) as session:
        return [_token(row, name) for row, name in session.execute(query)]


def revoke_token(engine: Engine, *, token_id: int, now: datetime,
                 username: str | None = None, by: Actor | None = None) -> Token:
    """Revoke a token (only one of ``username``'s, when given: NotFoundError otherwise)."""
    with Session(for_writing(engine)) as session, session.begin():
        found = session.execute(
            select(ApiTokenRow, UserRow.username).join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.id == token_id)).one_or_none()
        if found is None or (username is not None and found[1] != username):
            raise NotFoundError(f"no token {token_id}", [Problem(
                f"no token {token_id}", hint="list tokens with `accord tokens list`")])
        row, owner = found
        if row.revoked_at is None:
            row.revoked_at = now
            note(session, by, Action.TOKEN_REVOKE, f"token {row.id} ({row.name}) of {owner}")
        return _token(row, owner)


def principal_for_token(engine: Engine, secret: str, *, now: datetime) -> Principal:
    """The caller presenting the API token ``secret`` (AuthenticationError if it is unknown,
    revoked or expired, or its user is disabled)."""
    with Session(engine) as session:
        found = session.execute(
            select(ApiTokenRow, UserRow).join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash == _digest(secret))).one_or_none()
        if found is None:
            raise _refused("unknown API token")
        token, user = found
        if token.revoked_at is not None:
            raise _refused("this API token was revoked")
        if token.expires_at is not None and token.expires_at <= now:
            raise _refused("this API token has expired")
        if user.disabled:
            raise _refused("the token's user is disabled")
        principal = _principal(user, (Scope(s) for s in token.scopes.split()))
        stale = token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)
        token_id = token.id
    if stale:  # written at most once a minute, not on every request
        with Session(for_writing(engine)) as session, session.begin():
            fresh = session.get(ApiTokenRow, token_id)
            if fresh is not None:
                fresh.last_used_at = now
    return principal


@dataclass(frozen=True)
class OpenedSession:
    secret: str
    """The cookie's value: shown to the browser only."""
    csrf_token: str
    expires_at: datetime


def open_session(engine: Engine, principal: Principal, *, now: datetime,
                 lifetime: timedelta) -> OpenedSession:
    """A browser session for an authenticated user."""
    if principal.user_id is None:
        raise UsageError("only users have sessions", [])
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with Session(for_writing(engine)) as session, session.begin():
        session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        session.add(SessionRow(id=_digest(secret), user_id=principal.user_id, csrf_token=csrf,
                               created_at=now, expires_at=now + lifetime))
    return OpenedSession(secret, csrf, now + lifetime)


def principal_for_session(engine: Engine, secret: str, *, now: datetime
                          ) -> tuple[Principal, str]:
    """The user of the session cookie ``secret`` and the session's CSRF token."""
    with Session(engine) as session:
        found = session.execute(
            select(SessionRow, UserRow).join(UserRow, UserRow.id == SessionRow.user_id)
            .where(SessionRow.id == _digest(secret))).one_or_none()
        if found is None or found[0].expires_at <= now or found[1].disabled:
            raise _refused("the session has ended")
        row, user = found
        return _principal(user, ROLE_SCOPES[Role(user.role)]), row.csrf_token


def close_session(engine: Engine, secret: str) -> None:
    with Session(for_writing(engine)) as session, session.begin():
        session.execute(delete(SessionRow).where(SessionRow.id == _digest(secret)))
