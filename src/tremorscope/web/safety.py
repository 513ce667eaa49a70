"""Checks on every request to the local server: the Host it was sent to, where a change came from.

A page on another site can make the browser send requests to ``127.0.0.1`` (directly, or by a
name of its own that it later resolves there: DNS rebinding). The ``Host`` header gives such a
request away: only the names the server was started for are accepted. A request that changes
something (upload, delete) must moreover come from the app's own page: when the browser says
where it came from (``Origin``, ``Sec-Fetch-Site``), that must be this server.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

#: The names of this machine's loopback interface a browser may use.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: Methods that change nothing.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback interface."""
    bare = host.strip("[]").lower()
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a ``Host`` header without its port, lower case (IPv6 kept in brackets)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header.partition("]")[0] + "]"
    return header.partition(":")[0]


def allowed_hosts(bound: str) -> frozenset[str]:
    """The ``Host`` names accepted by a server bound to ``bound``.

    The loopback names always (the machine's own browser); a server bound elsewhere also
    accepts the name or address it was bound to (IPv6 in brackets).
    """
    names = set(LOOPBACK_NAMES)
    if not is_loopback(bound):
        bare = bound.strip("[]").lower()
        names.add(f"[{bare}]" if ":" in bare else bare)
    return frozenset(names)


def same_origin(origin: str, host: str) -> bool:
    """Whether an ``Origin`` header names the server a request was sent to (its ``Host``)."""
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.strip().lower()


def request_problem(method: str, headers: dict[str, str], hosts: Iterable[str]) -> tuple[int, str]:
    """Why a request is refused, as a status code and a reason; ``(0, "")`` when it is not.

    Parameters
    ----------
    method : str
        The HTTP method.
    headers : dict
        The request's headers, lower-case names.
    hosts : iterable of str
        Accepted ``Host`` names (:func:`allowed_hosts`).

    Returns
    -------
    tuple
        ``(400, ...)`` for a missing or foreign ``Host``, ``(403, ...)`` for a change from
        another origin, else ``(0, "")``.

    """
    host = headers.get("host", "")
    if host_name(host) not in set(hosts):
        return 400, f"this server does not answer to the host {host!r}"
    if method.upper() in SAFE_METHODS:
        return 0, ""
    origin = headers.get("origin")
    if origin is not None and not same_origin(origin, host):
        return 403, f"a change from another origin ({origin}) is refused"
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return 403, "a change from another site is refused"
    return 0, ""


class Guard:
    """ASGI middleware applying :func:`request_problem` to every HTTP request.

    Parameters
    ----------
    app : ASGI application
        What an accepted request goes to.
    hosts : iterable of str
        Accepted ``Host`` names.

    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        """Answer a refused request with its status and reason; pass the others on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, reason = request_problem(scope["method"], headers, self.hosts)
        if not status:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": reason}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
