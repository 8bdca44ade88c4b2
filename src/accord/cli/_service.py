"""The service's commands: serve, users and tokens."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from accord.cli._app import app, connect_database, out, stderr
from accord.cli._database import _show, _table, _when
from accord.cli._files import Db
from accord.errors import Problem, UsageError

__all__ = ["serve"]

users_app = typer.Typer(help="People who log in: admins, staff, customers, suppliers.",
                        no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
    proxy_headers: Annotated[bool, typer.Option(
        help="Trust X-Forwarded-Proto/For from a TLS proxy in front (marks cookies Secure).")
    ] = False,
    workers: Annotated[int, typer.Option(
        min=1, help="Server processes (each keeps its own live timers; about one per core).")
    ] = 1,
    db: Db = None,
) -> None:
    """Serve the portal at / and the REST API at /api (interactive docs at /docs)."""
    import os

    import uvicorn

    from accord.portal import create_site
    from accord.service import get_service_settings
    from accord.service.observability import configure_json_logging

    settings = get_service_settings(db)
    engine = connect_database(db, create=True)
    stderr().print(f"Accord on http://{host}:{port} — the portal at /, API docs at /docs, "
                   f"database {settings.store.shown_url}"
                   + (f", {workers} processes" if workers > 1 else ""), markup=False)
    configure_json_logging()  # one JSON line per request, with its request id
    options: dict[str, object] = {"host": host, "port": port, "proxy_headers": proxy_headers,
                                  "log_level": "warning", "access_log": False}
    if workers == 1:
        try:
            uvicorn.run(create_site(settings, engine), **options)  # type: ignore[arg-type]
        finally:
            engine.dispose()
        return
    engine.dispose()
    # Each process builds the site from the environment: the same database, and the same
    # secret key (a random one is made once here), so that sessions hold in every process.
    os.environ["ACCORD_DATABASE_URL"] = settings.store.database_url.render_as_string(
        hide_password=False)
    os.environ["ACCORD_SECRET_KEY"] = settings.secret_key
    uvicorn.run("accord.portal.site:site_from_environment", factory=True, workers=workers,
                **options)  # type: ignore[arg-type]


def _password(username: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError("no password on standard input")
        return line
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password", [Problem(
            "the password is asked on a terminal", hint="pipe it in with --password-stdin")])
    text: str = typer.prompt(f"password for {username}", hide_input=True,
                             confirmation_prompt=True)
    return text


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The name to log in with.")],
    role: Annotated[str, typer.Option(help="admin, staff, customer or supplier.")],
    party: Annotated[str | None, typer.Option(
        help="The customer's or supplier's party (see `accord parties list`).")] = None,
    password_stdin: Annotated[bool, typer.Option(
        help="Read the password from standard input instead of asking.")] = False,
    db: Db = None,
) -> None:
    """Add a user (the password is asked twice on the terminal, or read from stdin)."""
    from accord.service.accounts import add_user
    from accord.service.tenancy import Role

    try:
        chosen = Role(role)
    except ValueError:
        raise UsageError(f"--role {role!r} is not one of admin, staff, customer, supplier"
                         ) from None
    password = _password(username, password_stdin)
    engine = connect_database(db, create=True)
    try:
        user = add_user(engine, username=username, password=password, role=chosen,
                        party=party, now=datetime.now(UTC))
    finally:
        engine.dispose()
    bound = f" of {user.party}" if user.party else ""
    out().print(f"added {user.role.value} {user.username}{bound}", markup=False)


@users_app.command("list")
def users_list(db: Db = None) -> None:
    """List users."""
    from accord.service.accounts import list_users

    engine = connect_database(db)
    try:
        users = list_users(engine)
    finally:
        engine.dispose()
    if not users:
        out().print("no users yet: add one with `accord users add NAME --role admin`",
                    markup=False)
        return
    table = _table("user", "role", "party", "state", "since")
    for u in users:
        table.add_row(u.username, u.role.value, u.party or "-",
                      "disabled" if u.disabled else "active", _when(u.created_at))
    _show(table)


@users_app.command("disable")
def users_disable(
    username: str,
    enable: Annotated[bool, typer.Option(help="Enable the user again instead.")] = False,
    db: Db = None,
) -> None:
    """Disable a user: its sessions end and its tokens stop working."""
    from accord.service.accounts import set_disabled

    engine = connect_database(db)
    try:
        user = set_disabled(engine, username=username, disabled=not enable)
    finally:
        engine.dispose()
    out().print(f"{user.username} is {'disabled' if user.disabled else 'enabled'}",
                markup=False)


@users_app.command("passwd")
def users_passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option(
        help="Read the password from standard input instead of asking.")] = False,
    db: Db = None,
) -> None:
    """Set a user's password (its sessions end)."""
    from accord.service.accounts import set_password

    password = _password(username, password_stdin)
    engine = connect_database(db)
    try:
        set_password(engine, username=username, password=password, now=datetime.now(UTC))
    finally:
        engine.dispose()
    out().print(f"password of {username} changed", markup=False)


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="The user the token acts as.")],
    scopes: Annotated[str, typer.Option(
        help="Comma-separated: read, ingest (load data, evaluate), apply, admin.")] = "read",
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
    db: Db = None,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    from accord.service.accounts import create_token
    from accord.service.tenancy import Scope

    chosen = []
    for part in scopes.split(","):
        try:
            chosen.append(Scope(part.strip()))
        except ValueError:
            raise UsageError(f"--scopes: {part.strip()!r} is not one of "
                             + ", ".join(s.value for s in Scope)) from None
    now = datetime.now(UTC)
    engine = connect_database(db)
    try:
        made = create_token(engine, username=user, name=name, scopes=chosen, now=now,
                            expires_at=now + timedelta(days=days) if days else None)
    finally:
        engine.dispose()
    granted = ", ".join(s.value for s in made.token.scopes)
    stderr().print(f"token {made.token.id} for {user} ({granted}); it is shown only now:",
                   markup=False)
    out().print(made.secret, markup=False)


@tokens_app.command("list")
def tokens_list(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
    db: Db = None,
) -> None:
    """List tokens (never their secrets)."""
    from accord.service.accounts import list_tokens

    engine = connect_database(db)
    try:
        tokens = list_tokens(engine, username=user)
    finally:
        engine.dispose()
    table = _table("id", "user", "name", "token", "scopes", "state", "last used")
    for t in tokens:
        table.add_row(str(t.id), t.username, t.name, f"{t.prefix}…",
                      ",".join(s.value for s in t.scopes),
                      "revoked" if t.revoked_at else "active",
                      _when(t.last_used_at) if t.last_used_at else "never")
    _show(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int, db: Db = None) -> None:
    """Revoke a token: it stops working at once."""
    from accord.service.accounts import revoke_token

    engine = connect_database(db)
    try:
        token = revoke_token(engine, token_id=token_id, now=datetime.now(UTC))
    finally:
        engine.dispose()
    out().print(f"token {token.id} of {token.username} revoked", markup=False)
