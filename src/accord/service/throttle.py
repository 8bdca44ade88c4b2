"""Slowing down password guessing, at login and wherever a password is checked (per process; a
restart forgets).

Two budgets, both counted over a sliding ``window``:

- per user name and address: ``per_address`` attempts (5 in 5 minutes);
- per user name, over every address: ``per_user`` attempts (20 in 15 minutes), so that an
  attacker with many addresses cannot guess freely either. An address that logged in as the
  user before (the last ``max_keys`` such pairs are remembered) is not held to this budget, so
  an attacker spending it cannot lock the real user out of a machine it used before; and since
  refused attempts are not counted, every lock ends ``window`` after the attacker's last
  counted attempt.

An attempt is counted *before* the password is checked, in one step with the check of the
budget (under a lock), so parallel requests cannot all pass a budget that only some of them
fit; a successful attempt gives its count back. Memory is bounded: at most ``max_keys``
entries per table (the least recently used go first), each key a fixed-size digest of the user
name and address, never the text a caller sent.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from accord.errors import AuthenticationError, NotAllowedError, Problem

__all__ = ["LoginThrottle", "TooManyAttemptsError"]

_T = TypeVar("_T")


class TooManyAttemptsError(NotAllowedError):
    """Too many failed password attempts: wait, then try again."""

    def __init__(self, wait: timedelta, whose: str) -> None:
        seconds = max(1, int(wait.total_seconds()) + 1)
        super().__init__("too many failed logins", [Problem(
            f"too many failed password attempts for this user name{whose}",
            hint=f"wait {seconds} seconds, then try again")])
        self.retry_after = seconds


def _key(*parts: str) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


class _Window:
    """Instants of counted attempts per key within a sliding window, for at most ``max_keys``
    keys (the least recently touched are forgotten first)."""

    def __init__(self, limit: int, window: timedelta, max_keys: int) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._entries: OrderedDict[bytes, deque[datetime]] = OrderedDict()

    def recent(self, key: bytes, now: datetime) -> deque[datetime]:
        found = self._entries.get(key)
        if found is None:
            return deque()
        while found and found[0] <= now - self.window:
            found.popleft()
        if not found:
            del self._entries[key]
        return found

    def wait(self, key: bytes, now: datetime) -> timedelta | None:
        """How long until ``key`` may try again (None: it may now)."""
        found = self.recent(key, now)
        return found[0] + self.window - now if len(found) >= self.limit else None

    def count(self, key: bytes, now: datetime) -> None:
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = deque()
        self._entries.move_to_end(key)
        found.append(now)
        while len(found) > self.limit:  # a key never holds more than its budget
            found.popleft()
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)

    def give_back(self, key: bytes, at: datetime) -> None:
        found = self._entries.get(key)
        if found is not None and at in found:
            found.remove(at)

    def clear(self, key: bytes) -> None:
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class LoginThrottle:
    """Password attempts per (user name, address) and per user name; see the module's text."""

    def __init__(self, per_address: int = 5, window: timedelta = timedelta(minutes=5), *,
                 per_user: int = 20, user_window: timedelta = timedelta(minutes=15),
                 max_keys: int = 10_000) -> None:
        self._pairs = _Window(per_address, window, max_keys)
        self._users = _Window(per_user, user_window, max_keys)
        self._trusted: OrderedDict[bytes, None] = OrderedDict()
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def attempt(self, username: str, address: str, now: datetime) -> None:
        """Count one attempt at ``username``'s password from ``address``, or refuse it with
        TooManyAttemptsError (not counted) when a budget is spent."""
        name = username.strip().lower()
        pair, user = _key(name, address), _key(name)
        with self._lock:
            wait = self._pairs.wait(pair, now)
            if wait is not None:
                raise TooManyAttemptsError(wait, " from this address")
            trusted = pair in self._trusted
            if not trusted:
                wait = self._users.wait(user, now)
                if wait is not None:
                    raise TooManyAttemptsError(wait, "")
            self._pairs.count(pair, now)
            if not trusted:
                self._users.count(user, now)

    def succeeded(self, username: str, address: str, now: datetime, *,
                  verified: bool = True) -> None:
        """The attempt counted at ``now`` was right: its count is given back, the pair's
        failures are forgotten, and the address is trusted for the user. With ``verified``
        False (the check failed for another reason than a wrong password), only the count is
        given back."""
        name = username.strip().lower()
        pair, user = _key(name, address), _key(name)
        with self._lock:
            self._users.give_back(user, now)
            if not verified:
                self._pairs.give_back(pair, now)
                return
            self._pairs.clear(pair)
            self._trusted[pair] = None
            self._trusted.move_to_end(pair)
            while len(self._trusted) > self._max_keys:
                self._trusted.popitem(last=False)

    def guard(self, username: str, address: str, now: datetime, check: Callable[[], _T]) -> _T:
        """``check()`` (which verifies ``username``'s password) within the budgets: counted
        first; given back unless it raised AuthenticationError."""
        self.attempt(username, address, now)
        try:
            result = check()
        except AuthenticationError:
            raise
        except BaseException:
            self.succeeded(username, address, now, verified=False)
            raise
        self.succeeded(username, address, now)
        return result

    def size(self) -> int:
        """Entries held, all tables together (bounded by three times ``max_keys``)."""
        with self._lock:
            return len(self._pairs) + len(self._users) + len(self._trusted)
