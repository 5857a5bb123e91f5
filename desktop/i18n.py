"""French first, English second: the interface's words and number/date formats.

Texts live in ``resources/i18n/*.json``, one file per part of the app (``common.json``,
``clients.json``…), each ``{"fr": {key: text}, "en": {key: text}}``; keys are namespaced by the
file name (``clients.title``). The language is a cookie read on every request; texts are filled,
numbers and dates formatted by :mod:`engine.formats` in that language (a count with the words that
agree with it: ``{n:client|clients}``; the currency's symbol: ``{currency}``).
"""

from __future__ import annotations

import json
import logging
from functools import cache

from engine import formats
from engine.formats import LANGS
from engine.resources import resources_dir

log = logging.getLogger(__name__)

DEFAULT_LANG = "fr"
LANG_COOKIE = "creditscore_lang"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All texts by language, keys namespaced by their file's name."""
    texts: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for path in sorted((resources_dir() / "i18n").glob("*.json")):
        part = json.loads(path.read_text("utf-8"))
        for lang in LANGS:
            texts[lang].update({f"{path.stem}.{key}": text for key, text in part.get(lang, {}).items()})
    return texts


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
    lang = lang or current_lang()
    texts = catalogue()
    text = texts[lang].get(key) or texts[DEFAULT_LANG].get(key)
    if text is None:
        log.warning("no text for %s", key)
        return key
    return formats.fill(text, lang, **values)


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
