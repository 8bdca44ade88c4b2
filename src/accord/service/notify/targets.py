"""Where a customer's or supplier's webhooks may point: only at public addresses.

A webhook is a request that Accord's server makes; a URL chosen by a customer could otherwise
reach what only that server can reach (loopback, the private network, a cloud's metadata
service at 169.254.169.254). So a subscription made by a customer or supplier user must name a
host whose every address is public — unless the operator allows private targets with
``ACCORD_WEBHOOK_ALLOW_PRIVATE=true`` (e.g. an on-premises installation). Staff and admins,
who run the installation, may point webhooks anywhere.

The host is checked twice: when the subscription is made, and at each delivery, where the
request goes to the address that was checked (:func:`public_addresses`, used by
:class:`~accord.service.notify.webhooks.WebhookSender`). Otherwise a host whose name resolved to
a public address when it was subscribed could resolve to 127.0.0.1 when it is sent to ("DNS
rebinding").
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from accord.errors import NotAllowedError, Problem, UsageError

__all__ = ["ALLOW_PRIVATE", "Resolver", "allowed_private", "check_public_target",
           "is_public", "public_addresses", "resolve"]

ALLOW_PRIVATE = "ACCORD_WEBHOOK_ALLOW_PRIVATE"

Resolver = Callable[[str, int], list[str]]
"""A host name and port → its addresses, as text (:func:`resolve`; tests give their own)."""


def allowed_private() -> bool:
    """Whether the operator allows webhooks to private addresses."""
    return os.environ.get(ALLOW_PRIVATE, "").strip().lower() in ("1", "true", "yes", "on")


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (the system's resolver), in its order; OSError or
    UnicodeError when it does not resolve."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def is_public(address: str) -> bool:
    """Whether ``address`` is a global unicast address: not loopback, private, link-local,
    multicast, reserved or unspecified (an IPv4 address mapped into IPv6 as itself)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private or ip.is_unspecified)


def public_addresses(host: str, port: int, resolver: Resolver = resolve, *,
                     check: bool = True) -> list[str]:
    """The addresses of ``host`` now, every one public (with ``check``); UsageError when it
    does not resolve, NotAllowedError when one is not public."""
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as error:
        found, reason = [], str(error)
    else:
        reason = "no address"
    if not found:
        raise UsageError(f"cannot resolve {host!r}", [Problem(
            f"the webhook's host {host!r} does not resolve: {reason}",
            hint="give a URL whose host name resolves to a public address")])
    private = sorted(a for a in found if not is_public(a))
    if check and private:
        raise NotAllowedError("webhook target not public", [Problem(
            f"the webhook's host {host!r} is at a non-public address ({', '.join(private)})",
            hint="a customer's or supplier's webhook must point at a public address; the "
                 f"operator can allow private ones with {ALLOW_PRIVATE}=true")])
    return found


def check_public_target(url: str, resolver: Resolver = resolve) -> None:
    """NotAllowedError when ``url``'s host is (or resolves to) a non-public address."""
    if allowed_private():
        return
    parts = urlsplit(url)
    public_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                     resolver)
