"""The per-launch secret: every page and API request must carry it.

The window opens ``/?token=…`` once; the guard then sets an HttpOnly, SameSite=Strict cookie and
redirects to the same address without the token, so it never stays in the address bar. API
clients send ``Authorization: Bearer …``. Requests whose Host is not this loopback server are
refused too (no DNS rebinding).
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, jsonify, redirect, request

TOKEN_COOKIE = "creditscore_token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _presented(token: str) -> bool:
    bearer = request.headers.get("Authorization", "")
    return _same(request.cookies.get(TOKEN_COOKIE), token) or (
        bearer.startswith("Bearer ") and _same(bearer.removeprefix("Bearer "), token)
    )


def install_token_guard(server: Flask, token: str) -> None:
    """Refuse every request without the launch token (401 for the API, 403 for pages)."""

    @server.before_request
    def guard() -> Response | None:
        host = request.host.rsplit(":", 1)[0].strip("[]")
        if host not in LOOPBACK_HOSTS:
            return Response("creditscore answers on 127.0.0.1 only", status=403, mimetype="text/plain")
        if _same(request.args.get("token"), token):
            query = "&".join(f"{k}={v}" for k, v in request.args.items(multi=True) if k != "token")
            response = redirect(request.path + (f"?{query}" if query else ""))
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return response
        if _presented(token):
            return None
        if request.path.startswith("/api/"):
            return jsonify(error="missing or wrong token"), 401
        return Response("Accès refusé / Access denied", status=403, mimetype="text/plain")
