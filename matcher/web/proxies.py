"""Who is asking, and for which host: trusted hosts and trusted proxies.

A request naming a ``Host`` outside ``TRUSTED_HOSTS`` is refused (400) before any view
runs. ``X-Forwarded-For`` and ``-Proto`` are read only when the connection comes from
an address in ``ENLACE_FORWARDED_ALLOW_IPS`` and only for ``ENLACE_PROXY_COUNT``
proxies: the rate limiter keys on the client's address, so a forged header from
anyone else must not give an attacker a fresh limit, nor lock out everyone behind the
load balancer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from matcher.config import trusted_hosts

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    """``127.0.0.1``, ``10.0.0.0/8`` or ``::1`` entries as networks (``*``: any)."""
    found: list[Network] = []
    for entry in entries:
        if entry == "*":
            found += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        else:
            found.append(ipaddress.ip_network(entry, strict=False))
    return found


class TrustedProxyFix:
    """``ProxyFix`` applied only to connections from a trusted proxy."""

    def __init__(self, app, count: int, allowed: list[Network]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=count, x_proto=count)
        self.allowed = allowed

    def trusted(self, remote_addr: str | None) -> bool:
        try:
            address = ipaddress.ip_address(remote_addr or "")
        except ValueError:
            return False
        return any(address in network for network in self.allowed)

    def __call__(self, environ, start_response):
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    count = int(app.config.get("ENLACE_PROXY_COUNT") or 0)
    if count > 0:
        allowed = networks(app.config.get("ENLACE_FORWARDED_ALLOW_IPS") or [])
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, count, allowed)  # type: ignore[method-assign]

    @app.errorhandler(SecurityError)
    def untrusted_host(_error: SecurityError):
        # Plain text: the error page's links would be built for the untrusted host.
        return "Unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
