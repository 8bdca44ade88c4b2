"""The service's configuration: one object, built on demand from the command line and the
environment, never at import time (STYLE.md rule 7).

    ACCORD_DATABASE_URL        the database (or --db)
    ACCORD_SECURE_COOKIES      true | false | auto (default: Secure when the request is HTTPS)
    ACCORD_SESSION_HOURS       how long a browser session lasts (default 12)
    ACCORD_WARN_THRESHOLDS     fractions of a target that warn, e.g. "0.75,0.9" (the default);
                               a timer past the lowest one is "at risk"
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from accord.errors import Problem, UsageError
from accord.store import Settings, get_settings

__all__ = ["DEFAULT_THRESHOLDS", "ServiceSettings", "get_service_settings", "parse_thresholds"]

DEFAULT_THRESHOLDS = (0.75, 0.9)


@dataclass(frozen=True)
class ServiceSettings:
    store: Settings
    secure_cookies: bool | None = None
    """True or False to force the cookie's Secure flag; None: Secure exactly when the request
    came over HTTPS (behind a TLS proxy, run uvicorn with --proxy-headers)."""
    session_lifetime: timedelta = timedelta(hours=12)
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS

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


def get_service_settings(db: str | None = None) -> ServiceSettings:
    """Settings from ``--db`` and the environment."""
    hours = os.environ.get("ACCORD_SESSION_HOURS", "12")
    try:
        lifetime = timedelta(hours=float(hours))
    except ValueError:
        lifetime = timedelta(0)
    if lifetime <= timedelta(0):
        raise UsageError("bad ACCORD_SESSION_HOURS", [Problem(
            f"ACCORD_SESSION_HOURS is {hours!r}", hint="give a positive number of hours")])
    thresholds = os.environ.get("ACCORD_WARN_THRESHOLDS")
    return ServiceSettings(
        store=get_settings(db),
        secure_cookies=_secure(os.environ.get("ACCORD_SECURE_COOKIES")),
        session_lifetime=lifetime,
        thresholds=parse_thresholds(thresholds) if thresholds else DEFAULT_THRESHOLDS,
    )
