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
    "MAX_PASSWORD_LENGTH",
    "MAX_USERNAME_LENGTH",
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
    "revoke_token",
    "set_disabled",
    "set_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused before hashing: argon2 of megabytes is work an anonymous
caller could make the server do."""
MAX_USERNAME_LENGTH = 200
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


def _principal(row: UserRow, scopes: Iterable[Scope], token_id: int | None = None
               ) -> Principal:
    role = Role(row.role)
    return Principal(row.id, row.username, role, row.party_id,
                     frozenset(scopes) & ROLE_SCOPES[role], token_id)


def _check_password(password: str, username: str) -> None:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem(f"the password has {len(password)} characters",
                                hint=f"use at least {MIN_PASSWORD_LENGTH}"))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(Problem(f"the password has {len(password)} characters",
                                hint=f"use at most {MAX_PASSWORD_LENGTH}"))
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
             party: str | None, now: datetime) -> User:
    """A new user. Customers and suppliers are bound to one stored party; admins and staff
    to none."""
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_LENGTH or any(
            c.isspace() for c in username):
        shown = username if len(username) <= MAX_USERNAME_LENGTH else username[:40] + "…"
        raise UsageError("bad user name", [Problem(
            f"{shown!r} is not a user name",
            hint=f"1 to {MAX_USERNAME_LENGTH} characters, no spaces")])
    _check_password(password, username)
    if role in (Role.CUSTOMER, Role.SUPPLIER) and not party:
        raise UsageError(f"a {role.value} user needs a party", [Problem(
            f"a {role.value} user sees one party's data, and none was given",
            hint="give --party with the party's id (see `accord parties list`)")])
    if role in (Role.ADMIN, Role.STAFF) and party:
        raise UsageError(f"an {role.value} user has no party", [Problem(
            f"{role.value} users see every party; --party is only for customers and suppliers",
            hint="leave out --party")])
    with Session(for_writing(engine)) as session, session.begin():
        if party and not _known_party(session, party):
            raise NotFoundError(f"no party {party!r}", [Problem(
                f"no party {party!r} is stored",
                hint="apply the agreements that name it (`accord apply`), or load its data, "
                     "first")])
        row = UserRow(username=username, role=role.value, party_id=party or None,
                      password_hash=_HASHER.hash(password), disabled=False, created_at=now,
                      password_changed_at=now)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise UsageError(f"user {username!r} exists", [Problem(
                f"there is already a user {username!r}", hint="choose another name")]) from None
        return _user(row)


def list_users(engine: Engine) -> list[User]:
    with Session(engine) as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.username))]


def find_user(engine: Engine, *, username: str) -> User:
    with Session(engine) as session:
        return _user(_row(session, username))


def set_disabled(engine: Engine, *, username: str, disabled: bool) -> User:
    """Disable (or enable) a user; a disabled user's sessions end and its tokens stop working."""
    with Session(for_writing(engine)) as session, session.begin():
        row = _row(session, username)
        row.disabled = disabled
        if disabled:
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        return _user(row)


def set_password(engine: Engine, *, username: str, password: str, now: datetime) -> None:
    """Set a user's password; every session of the user ends."""
    _check_password(password, username)
    with Session(for_writing(engine)) as session, session.begin():
        row = _row(session, username)
        row.password_hash = _HASHER.hash(password)
        row.password_changed_at = now
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))


def change_password(engine: Engine, principal: Principal, *, current: str, new: str,
                    now: datetime) -> None:
    """A user changing its own password, proving it knows the current one."""
    authenticate(engine, username=principal.username, password=current)
    set_password(engine, username=principal.username, password=new, now=now)


def authenticate(engine: Engine, *, username: str, password: str) -> Principal:
    """The user with this name and password (AuthenticationError, the same for every reason)."""
    if len(username) > MAX_USERNAME_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        # No account has such a name or password: refused before any lookup or hashing.
        raise _refused("wrong user name or password")
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
                 parent: int | None = None) -> NewToken:
    """A new API token for ``username`` with ``scopes`` (each allowed to the user's role).

    ``parent`` is the token whose caller asks for this one: the new token then has none of
    the scopes the parent lacks, expires when the parent does (at the latest; by default
    exactly then), and is revoked with it (:func:`revoke_token`)."""
    wanted = tuple(sorted(set(scopes), key=list(Scope).index))
    if not wanted:
        raise UsageError("a token needs a scope", [Problem(
            "no scope given", hint="give one or more of: " + ", ".join(s.value for s in Scope))])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with Session(for_writing(engine)) as session, session.begin():
        if parent is not None:
            expires_at = _within_parent(session, parent, wanted, expires_at)
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
                          created_at=now, expires_at=expires_at, parent_id=parent)
        session.add(row)
        session.flush()
        return NewToken(_token(row, user.username), secret)


def _within_parent(session: Session, parent: int, wanted: tuple[Scope, ...],
                   expires_at: datetime | None) -> datetime | None:
    """The expiry of a token made by token ``parent``: ``expires_at`` when the parent lives at
    least as long, the parent's when none was asked; UsageError when it would outlive the
    parent or have a scope the parent lacks."""
    row = session.get(ApiTokenRow, parent)
    if row is None or row.revoked_at is not None:
        raise _refused("this API token was revoked")
    lacking = [s for s in wanted if s.value not in row.scopes.split()]
    if lacking:
        raise UsageError("scope not allowed", [Problem(
            "a token made with a token has at most that token's scopes; this one lacks "
            + ", ".join(repr(s.value) for s in lacking), path="scopes",
            hint=f"ask for some of: {', '.join(row.scopes.split())}, or create the token "
                 "logged in as the user")])
    if row.expires_at is None:
        return expires_at
    if expires_at is None:
        return row.expires_at
    if expires_at > row.expires_at:
        raise UsageError("the token would outlive its maker", [Problem(
            f"expires_at {expires_at.isoformat()} is after the expiry of the token making it "
            f"({row.expires_at.isoformat()})", path="expires_at",
            hint="a token made with a token expires no later than it: give an earlier "
                 "instant, or none to take the same expiry")])
    return expires_at


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
                 username: str | None = None) -> Token:
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
        # The tokens it made, and theirs, die with it.
        made = [row.id]
        while made:
            children = session.scalars(select(ApiTokenRow).where(
                ApiTokenRow.parent_id.in_(made))).all()
            for child in children:
                if child.revoked_at is None:
                    child.revoked_at = now
            made = [child.id for child in children]
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
        _check_makers(session, token, now)
        principal = _principal(user, (Scope(s) for s in token.scopes.split()), token.id)
        stale = token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)
        token_id = token.id
    if stale:  # written at most once a minute, not on every request
        with Session(for_writing(engine)) as session, session.begin():
            fresh = session.get(ApiTokenRow, token_id)
            if fresh is not None:
                fresh.last_used_at = now
    return principal


def _check_makers(session: Session, token: ApiTokenRow, now: datetime) -> None:
    """AuthenticationError unless every token up the chain that made ``token`` still works
    (revocation cascades when it happens; this also covers a maker that expired)."""
    seen = {token.id}
    parent_id = token.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = session.get(ApiTokenRow, parent_id)
        if parent is None or parent.revoked_at is not None or (
                parent.expires_at is not None and parent.expires_at <= now):
            raise _refused("the API token that made this one was revoked or has expired")
        parent_id = parent.parent_id


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
