"""Webhook secrets at rest: sealed with Fernet (AES-128-CBC and HMAC-SHA256), never stored in
clear (issue 12, item 14).

The key is derived with HKDF-SHA256 from the installation's secret (``ACCORD_SECRET_KEY``,
:attr:`~accord.service.settings.ServiceSettings.webhook_key`) under a label of its own, so the
same secret never keys two things. Production refuses to start without a secret of its own
(accord.service.settings); in development without one, every process of an installation uses
the same fixed development key, so that the API, the command line and the worker agree.

A sealed secret is stored as ``fernet:<token>``. A value without that prefix is a secret stored
in clear by an earlier Accord: it is used as it is, so existing subscriptions keep working.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from accord.errors import Problem, UsageError

__all__ = ["PREFIX", "SecretBox", "secret_box"]

PREFIX = "fernet:"
_LABEL = b"accord webhook secrets v1"


class SecretBox:
    """Seals and opens webhook secrets with the key derived from ``material``."""

    def __init__(self, material: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
            material.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> str:
        """What is stored for ``secret``."""
        return PREFIX + self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """The secret of a stored value (one stored in clear: as it is); UsageError when it
        was sealed with another key."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode(
                "utf-8")
        except (InvalidToken, UnicodeError):
            raise UsageError("a webhook secret cannot be opened", [Problem(
                "the webhook secret was sealed with another key",
                hint="run with the ACCORD_SECRET_KEY it was stored under, or subscribe the "
                     "webhook again")]) from None


def secret_box(material: str | None = None) -> SecretBox:
    """The box of ``material``, or of the settings' :attr:`webhook_key` (read on demand)."""
    if material is None:
        from accord.service.settings import get_service_settings

        material = get_service_settings().webhook_key
    return SecretBox(material)
