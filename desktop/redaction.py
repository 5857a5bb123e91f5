"""Nothing secret reaches a log: query strings (the launch token arrives as ``/?token=…``) and
``Authorization`` credentials are cut out of every record before a handler writes it —
Werkzeug's request lines included."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_SECRETS = (
    (re.compile(r"(/[^\s?\"']*)\?[^\s\"']*"), rf"\1?{REDACTED}"),  # the query string of a URL or request line
    (re.compile(r"\b(token=)[^\s&\"']+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"\b(bearer\s+)[^\s\"']+", re.IGNORECASE), rf"\1{REDACTED}"),
)


def redact(text: str) -> str:
    """``text`` without query strings, tokens and bearer credentials."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites each record's message with :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
