"""The local API's own problems (a request it cannot serve), worded FR/EN as its input problems are.

Every error answer of ``/api/v1`` has one shape: ``{"error": <English sentence>, "problems": [...]}``,
each problem with its ``code``, ``params``, ``message`` (English) and its sentence in every language
(``fr``, ``en``). Input problems come worded from ``engine/problems.json``; the request's own problems
(no file, a name no file can have, an unknown client, a bad parameter, an HTTP error) from the
catalogue ``resources/i18n/api.json`` (keys ``api.<code>``), through :func:`desktop.i18n.t`.
"""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from desktop.i18n import LANGS, catalogue, t

_PREFIX = "api."


class RequestRefused(HTTPException):
    """A request the API cannot serve, for the reason ``reason`` (``api.<reason>``) with ``params``."""

    def __init__(self, reason: str, status: int = 400, file: str | None = None, **params: object) -> None:
        super().__init__(t(_PREFIX + reason, "en", **params))
        self.code = status
        self.reason, self.file, self.params = reason, file, params

    def answer(self) -> tuple[Response, int]:
        return refused(self.reason, self.code, self.file, **self.params)


def request_problem(code: str, file: str | None = None, **params: object) -> dict:
    """A problem of the request in the API's problem shape, its sentence in every language."""
    words = {lang: t(_PREFIX + code, lang, **params) for lang in LANGS}
    return {"file": file, "column": None, "line": None, "severity": "error", "code": code, "params": params,
            "message": words["en"], **words}


def refused(code: str, status: int = 400, file: str | None = None, **params: object) -> tuple[Response, int]:
    """The answer to a request refused for ``code``."""
    problem = request_problem(code, file, **params)
    return jsonify(error=problem["message"], problems=[problem]), status


def listed(code: str, problems: list[dict], status: int) -> tuple[Response, int]:
    """The answer listing the input's ``problems`` (already worded) under the English headline ``code``."""
    return jsonify(error=t(_PREFIX + code, "en"), problems=problems), status


def http_code(status: int) -> str:
    """The catalogue's code for an HTTP error of ``status``."""
    code = f"http_{status}"
    return code if _PREFIX + code in catalogue()["en"] else "http_other"
