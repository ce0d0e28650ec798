"""The sandbox's webhook answers this machine only: its token is published in
the README, so from anywhere else a signed request proves nothing."""
from __future__ import annotations

import ipaddress
import logging

from flask import abort, request

log = logging.getLogger(__name__)

# Headers a reverse proxy adds for the client it relays.
FORWARDING = _FORWARDING = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def from_loopback(proxy_count: int) -> bool:
    """Whether the request's client is this machine. With PROXY_COUNT set,
    ProxyFix has already put the proxied client's address in remote_addr; with
    none, a request that a local proxy relays (forwarding headers) came from
    outside even though its connection is local."""
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    if not (address.is_loopback or (mapped is not None and mapped.is_loopback)):
        return False
    return proxy_count > 0 or not any(request.headers.get(h) for h in _FORWARDING)


def guard(settings) -> None:
    """403 for a sandbox webhook request from anywhere but loopback."""
    if settings["SANDBOX"] and not from_loopback(int(settings.get("PROXY_COUNT") or 0)):
        log.warning("sandbox webhook refused (403): request from %s is not loopback; the sandbox token is "
                    "public, set the WeChat settings to go live", request.remote_addr)
        abort(403)
