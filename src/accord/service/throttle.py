"""Slowing down password guessing: after a few failed logins for one user name from one
address, further attempts are refused for a while (per process; a restart forgets)."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from accord.errors import NotAllowedError, Problem

__all__ = ["LoginThrottle", "TooManyAttemptsError"]


class TooManyAttemptsError(NotAllowedError):
    """Too many failed logins: wait, then try again."""

    def __init__(self, wait: timedelta) -> None:
        seconds = max(1, int(wait.total_seconds()) + 1)
        super().__init__("too many failed logins", [Problem(
            "too many failed logins for this user name from this address",
            hint=f"wait {seconds} seconds, then try again")])
        self.retry_after = seconds


class LoginThrottle:
    """At most ``limit`` failures per (user name, address) within ``window``."""

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=5)) -> None:
        self._limit = limit
        self._window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return failures

    def check(self, username: str, address: str, now: datetime) -> None:
        """TooManyAttemptsError while the key has used up its failures."""
        with self._lock:
            failures = self._recent((username.lower(), address), now)
            if len(failures) >= self._limit:
                raise TooManyAttemptsError(failures[0] + self._window - now)

    def failed(self, username: str, address: str, now: datetime) -> None:
        with self._lock:
            self._recent((username.lower(), address), now).append(now)
            if len(self._failures) > 100_000:  # bound the memory an attacker can make us use
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)
