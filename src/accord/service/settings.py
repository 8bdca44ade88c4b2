"""The service's configuration: one object, built on demand from the command line, the
environment and a ``.env`` file in the current folder (the environment wins), never at import
time (STYLE.md rule 7).

    ACCORD_ENV                 development (the default) or production
    ACCORD_SECRET_KEY          signs the login form's token and keys the webhook secrets sealed
                               at rest; production refuses to start without one of its own
                               (at least 32 characters, not a sample)
    ACCORD_DATABASE_URL        the database (or --db)
    ACCORD_SECURE_COOKIES      true | false | auto (default: Secure when the request is HTTPS)
    ACCORD_SESSION_HOURS       how long a browser session lasts (default 12)
    ACCORD_WARN_THRESHOLDS     fractions of a target that warn, e.g. "0.75,0.9" (the default);
                               a timer past the lowest one is "at risk"
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from accord.errors import Problem, UsageError
from accord.store import Settings, get_settings

__all__ = ["DEFAULT_THRESHOLDS", "ServiceSettings", "get_service_settings", "parse_thresholds"]

DEFAULT_THRESHOLDS = (0.75, 0.9)


_SAMPLES = frozenset({"change-me", "changeme", "secret", "development", "accord"})
_DEVELOPMENT_WEBHOOK_KEY = "accord development webhook key (set ACCORD_SECRET_KEY)"


@dataclass(frozen=True)
class ServiceSettings:
    store: Settings
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    """A random one per process unless configured (development only)."""
    production: bool = False
    secure_cookies: bool | None = None
    """True or False to force the cookie's Secure flag; None: Secure exactly when the request
    came over HTTPS (behind a TLS proxy, run uvicorn with --proxy-headers)."""
    session_lifetime: timedelta = timedelta(hours=12)
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    webhook_key: str = field(default=_DEVELOPMENT_WEBHOOK_KEY, repr=False)
    """What webhook secrets are sealed with at rest (accord.service.notify.sealing):
    ACCORD_SECRET_KEY when set; in development without it a fixed key, the same in every
    process (the API, the command line and the worker must agree, unlike ``secret_key``)."""

    @property
    def at_risk(self) -> float:
        """The share of a target past which an open timer is at risk."""
        return min(self.thresholds)


def parse_thresholds(text: str, source: str = "ACCORD_WARN_THRESHOLDS") -> tuple[float, ...]:
    """``"0.75,0.9"`` or ``"75%,90%"`` as sorted fractions in (0, 1)."""
    values: list[float] = []
    for part in text.split(","):
        part = part.strip()
        try:
            value = float(part.removesuffix("%")) / (100 if part.endswith("%") else 1)
        except ValueError:
            value = -1.0
        if not 0 < value < 1:
            raise UsageError(f"bad threshold {part!r}", [Problem(
                f"{source}: {part!r} is not a share of the target between 0 and 1",
                hint="write e.g. 0.75,0.9 or 75%,90%")])
        values.append(value)
    if not values:
        raise UsageError("no thresholds", [Problem(f"{source} is empty",
                                                   hint="write e.g. 0.75,0.9")])
    return tuple(sorted(set(values)))


def _secure(text: str | None) -> bool | None:
    if text is None or text.strip().lower() in ("", "auto"):
        return None
    if text.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if text.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise UsageError("bad ACCORD_SECURE_COOKIES", [Problem(
        f"ACCORD_SECURE_COOKIES is {text!r}", hint="write true, false or auto")])


def _environment(dotenv: Path) -> Mapping[str, str]:
    """The environment over the ``.env`` file's values (the environment wins)."""
    values: dict[str, str] = {}
    if dotenv.is_file():
        from dotenv import dotenv_values

        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update(os.environ)
    return values


def get_service_settings(db: str | None = None, *, dotenv: Path = Path(".env")
                         ) -> ServiceSettings:
    """Settings from ``--db``, the environment and ``.env``; in production, UsageError when
    the secret key is missing or a sample, or cookies are not Secure."""
    env = _environment(dotenv)
    mode = env.get("ACCORD_ENV", "development").strip().lower()
    if mode not in ("development", "production"):
        raise UsageError("bad ACCORD_ENV", [Problem(
            f"ACCORD_ENV is {mode!r}", hint="write development or production")])
    production = mode == "production"
    hours = env.get("ACCORD_SESSION_HOURS", "12")
    try:
        lifetime = timedelta(hours=float(hours))
    except ValueError:
        lifetime = timedelta(0)
    if lifetime <= timedelta(0):
        raise UsageError("bad ACCORD_SESSION_HOURS", [Problem(
            f"ACCORD_SESSION_HOURS is {hours!r}", hint="give a positive number of hours")])
    thresholds = env.get("ACCORD_WARN_THRESHOLDS")
    secure = _secure(env.get("ACCORD_SECURE_COOKIES"))
    key = env.get("ACCORD_SECRET_KEY", "").strip()
    if production:
        problems = []
        if len(key) < 32 or key.lower() in _SAMPLES:
            problems.append(Problem(
                "ACCORD_SECRET_KEY is missing, short or a sample value",
                hint="set it to a long random value of your own, e.g. the output of "
                     "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"))
        if secure is False:
            problems.append(Problem("ACCORD_SECURE_COOKIES is false in production",
                                    hint="serve over HTTPS and leave it auto or true"))
        if problems:
            raise UsageError("refusing to start in production with these settings", problems)
    url = db or env.get("ACCORD_DATABASE_URL")
    return ServiceSettings(
        store=get_settings(url),
        secure_cookies=secure,
        session_lifetime=lifetime,
        thresholds=parse_thresholds(thresholds) if thresholds else DEFAULT_THRESHOLDS,
        production=production,
        **({"secret_key": key, "webhook_key": key} if key else {}),
    )
