"""Accord's errors: one root, grouped by who must act.

    AccordError                 every error Accord shows a person
    ├── AgreementError          an agreement file is wrong: fix the file
    ├── DataError               a data table is wrong: fix or skip the rows
    ├── UsageError              a command was called wrongly: fix the call
    ├── NotFoundError           something named does not exist (or is not the caller's)
    └── NotAllowedError         the caller may not do this: log in, or ask an admin
        └── AuthenticationError the caller is not known: wrong password, bad or revoked token

Each carries a list of :class:`Problem` so that every mistake is reported at once, each saying
what is wrong, where (file:line:column and key path or column) and what to do. The shells (the
CLI, the API) translate these into output and exit codes in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AccordError",
    "AgreementError",
    "AuthenticationError",
    "DataError",
    "NotAllowedError",
    "NotFoundError",
    "Problem",
    "UsageError",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake, located: ``file:line:column: path: message — hint``."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        path = f"{self.path}: " if self.path else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}{path}{self.message}{hint}"


class AccordError(Exception):
    """The root of every error Accord reports to a person."""

    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join(str(p) for p in self.problems)


class AgreementError(AccordError):
    """An agreement file is invalid; every problem in it is listed."""


class DataError(AccordError):
    """A data table is invalid; every bad row is listed."""


class UsageError(AccordError):
    """A command was called with arguments that cannot work."""

    exit_code = 2


class NotFoundError(AccordError):
    """Something named by the user does not exist."""


class NotAllowedError(AccordError):
    """The caller is known but may not do this (a role or a token scope is missing)."""


class AuthenticationError(NotAllowedError):
    """The caller could not be identified: no credentials, a wrong password, a disabled
    account, or an unknown, expired or revoked token or session."""
