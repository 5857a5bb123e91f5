"""French first, English second: the interface's words and number/date formats.

Texts live in ``resources/i18n/*.json``, one file per part of the app (``common.json``,
``clients.json``…), each ``{"fr": {key: text}, "en": {key: text}}``; keys are namespaced by the
file name (``clients.title``). The language is a cookie read on every request; texts are filled,
numbers and dates formatted by :mod:`engine.formats` in that language (a count with the words that
agree with it: ``{n:client|clients}``; the currency's symbol: ``{currency}``).
"""

from __future__ import annotations

from engine import formats
from engine.catalogues import FIRST_LANG, text
from engine.catalogues import texts as catalogue
from engine.formats import LANGS

__all__ = ["LANGS", "catalogue", "current_lang", "duration", "money", "number", "percent", "t", "timestamp"]

DEFAULT_LANG = FIRST_LANG
LANG_COOKIE = "creditscore_lang"


def current_lang() -> str:
    """The language of the request being served (the cookie), French outside a request."""
    from flask import has_request_context, request

    if has_request_context():
        lang = request.cookies.get(LANG_COOKIE)
        if lang in LANGS:
            return lang
    return DEFAULT_LANG


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` (default: the request's), its fields filled by :func:`engine.formats.fill`."""
    return text(key, lang or current_lang(), **values)


def number(value: float | None, lang: str | None = None, decimals: int = 0) -> str:
    """``1 234 567`` / ``1,234,567`` (with ``decimals`` digits); an en dash when unknown."""
    return formats.number(value, lang or current_lang(), decimals)


def percent(value: float | None, lang: str | None = None, decimals: int = 1) -> str:
    """``12,3 %`` / ``12.3%``."""
    return formats.percent(value, lang or current_lang(), decimals)


def money(value: float | None, lang: str | None = None) -> str:
    """An amount with its currency, whole units: ``135 000 €`` / ``€135,000``; an en dash when unknown."""
    return formats.money(value, lang or current_lang())


def duration(days: float, lang: str | None = None) -> str:
    """A length of time in years and months, sign dropped: ``6 ans et 5 mois`` / ``6 years and 5 months``."""
    return formats.duration(days, lang or current_lang())


def timestamp(iso: str | None, lang: str | None = None) -> str:
    """A stored ISO timestamp as the user reads dates (local time, medium format)."""
    return formats.timestamp(iso, lang or current_lang())
