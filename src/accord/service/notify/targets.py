"""Where a customer's or supplier's webhooks may point: only at public addresses.

A webhook is a request that Accord's server makes; a URL chosen by a customer could otherwise
reach what only that server can reach (loopback, the private network, a cloud's metadata
service at 169.254.169.254). So a subscription made by a customer or supplier user must name a
host whose every address is public — unless the operator allows private targets with
``ACCORD_WEBHOOK_ALLOW_PRIVATE=true`` (e.g. an on-premises installation). Staff and admins,
who run the installation, may point webhooks anywhere.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from accord.errors import NotAllowedError, Problem, UsageError

__all__ = ["ALLOW_PRIVATE", "check_public_target"]

ALLOW_PRIVATE = "ACCORD_WEBHOOK_ALLOW_PRIVATE"


def _allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE, "").strip().lower() in ("1", "true", "yes", "on")


def check_public_target(url: str) -> None:
    """NotAllowedError when ``url``'s host is (or resolves to) a non-public address."""
    if _allowed():
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = {str(info[4][0])
                 for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as error:
        raise UsageError(f"cannot resolve {host!r}", [Problem(
            f"the webhook's host {host!r} does not resolve: {error}",
            hint="give a URL whose host name resolves to a public address")]) from None
    private = sorted(a for a in found if not ipaddress.ip_address(a.split("%")[0]).is_global)
    if private:
        raise NotAllowedError("webhook target not public", [Problem(
            f"the webhook's host {host!r} is at a non-public address ({', '.join(private)})",
            hint="a customer's or supplier's webhook must point at a public address; the "
                 f"operator can allow private ones with {ALLOW_PRIVATE}=true")])
