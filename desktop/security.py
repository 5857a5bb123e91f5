"""The per-launch secret: every page and API request must carry it.

The window opens ``/?token=…`` once; the guard then sets an HttpOnly, SameSite=Strict cookie and
redirects to the same address without the token, so it never stays in the address bar. API
clients send ``Authorization: Bearer …``. Requests whose Host is not this loopback server are
refused too (no DNS rebinding).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import unquote_plus

from flask import Flask, Response, redirect, request

from desktop.api_problems import refused
from desktop.i18n import LANGS, t

TOKEN_COOKIE = "creditscore_token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _presented(token: str) -> bool:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return _same(request.cookies.get(TOKEN_COOKIE), token) or (
        scheme.lower() == "bearer" and _same(credentials.strip(), token)  # the scheme is case-insensitive (RFC 9110)
    )


def local_path(path: str) -> str:
    """``path`` as a path on this server: leading slashes and backslashes collapse to one slash, so
    a redirect never reads as another host (``//evil.example/x``, ``/\\evil.example``)."""
    return "/" + path.lstrip("/\\")


def query_without_token(raw: bytes) -> str:
    """The raw query string without its ``token`` parameters; every other byte kept as sent (never decoded)."""
    kept = [part for part in raw.decode("latin-1").split("&")
            if part and unquote_plus(part.partition("=")[0]) != "token"]
    return "&".join(kept)


def install_token_guard(server: Flask, token: str) -> None:
    """Refuse every request without the launch token (401 for the API, 403 for pages)."""

    @server.before_request
    def guard() -> Response | None:
        host = request.host.rsplit(":", 1)[0].strip("[]")
        if host not in LOOPBACK_HOSTS:
            return _denied("common.loopback_only")
        if _same(request.args.get("token"), token):
            query = query_without_token(request.query_string)
            response = redirect(local_path(request.path) + (f"?{query}" if query else ""))
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return response
        if _presented(token):
            return None
        if request.path.startswith("/api/"):
            return refused("bad_token", 401)
        return _denied("common.access_denied")


def _denied(key: str) -> Response:
    """A page refused, said in both languages (a request not from the app carries no language of its own)."""
    return Response("\n".join(t(key, lang) for lang in LANGS) + "\n", status=403, mimetype="text/plain")
