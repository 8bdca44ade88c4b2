"""What one try at delivering a notification came to, whatever the channel."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Outcome", "Result"]


class Result(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    """Failed in a way that may pass later: a 5xx, 408 or 429, a timeout, a lost connection."""
    FINAL = "final"
    """Failed for good: the receiver refused the notification (another 4xx, a 5xx SMTP reply)."""


@dataclass(frozen=True)
class Outcome:
    result: Result
    status_code: int | None = None
    """The HTTP status or the SMTP reply code, when there was one."""
    error: str | None = None
    duration_ms: float = 0.0

    @property
    def delivered(self) -> bool:
        return self.result is Result.DELIVERED
