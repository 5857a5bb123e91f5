"""French first, English second: the interface's words and number/date formats.

Texts live in ``resources/i18n/*.json``, one file per part of the app (``common.json``,
``clients.json``…), each ``{"fr": {key: text}, "en": {key: text}}``; keys are namespaced by the
file name (``clients.title``). The language is a cookie read on every request; formats come from
Babel's locale data (no hand-made number formatting).
"""

from __future__ import annotations

import json
import logging
from functools import cache

from babel import Locale
from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit

from engine.labels import DAYS_PER_MONTH
from engine.resources import resources_dir

log = logging.getLogger(__name__)

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
LANG_COOKIE = "creditscore_lang"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
CURRENCY = "EUR"  # the currency of the amounts in the client files


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
    """The text for ``key`` in ``lang`` (default: the request's), with ``{name}`` fields filled."""
    lang = lang or current_lang()
    texts = catalogue()
    text = texts[lang].get(key) or texts[DEFAULT_LANG].get(key)
    if text is None:
        log.warning("no text for %s", key)
        return key
    return text.format(**values) if values else text


def plural(key: str, count: int, lang: str | None = None, **values: object) -> str:
    """The text of ``key`` that agrees with ``count`` (``key_one``, ``key_many``…, else ``key_other``), by the
    language's plural rules (Babel: « 0 client », « 2 clients »); ``{n}`` is the count, formatted."""
    lang = lang or current_lang()
    form = Locale.parse(LOCALES[lang]).plural_form(abs(count))
    chosen = f"{key}_{form}" if f"{key}_{form}" in catalogue()[lang] else f"{key}_other"
    return t(chosen, lang, n=number(count, lang), **values)


def number(value: float | None, lang: str | None = None, decimals: int = 0) -> str:
    """``1 234 567`` / ``1,234,567`` (with ``decimals`` digits); an en dash when unknown."""
    if value is None or value != value:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang or current_lang()])


def percent(value: float | None, lang: str | None = None, decimals: int = 1) -> str:
    """``12,3 %`` / ``12.3%``."""
    if value is None or value != value:
        return "–"
    locale = LOCALES[lang or current_lang()]
    # The locale's own pattern (French puts a space before %), with exactly ``decimals`` digits.
    pattern = Locale.parse(locale).percent_formats[None].pattern.replace("0", "0." + "0" * decimals, 1) if decimals else None
    return format_percent(value, format=pattern, locale=locale)


def money(value: float | None, lang: str | None = None) -> str:
    """An amount with its currency, whole units: ``135 000 €`` / ``€135,000``; an en dash when unknown."""
    if value is None or value != value:
        return "–"
    locale = LOCALES[lang or current_lang()]
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(value, CURRENCY, format=pattern, currency_digits=False, locale=locale)


def duration(days: float, lang: str | None = None) -> str:
    """A length of time in years and months, sign dropped: ``6 ans et 5 mois`` / ``6 years and 5 months``."""
    locale = LOCALES[lang or current_lang()]
    years, months = divmod(round(abs(days) / DAYS_PER_MONTH), 12)
    parts = [format_unit(years, "duration-year", length="long", locale=locale)] if years else []
    if months or not years:
        parts.append(format_unit(months, "duration-month", length="long", locale=locale))
    return format_list(parts, locale=locale)


def timestamp(iso: str | None, lang: str | None = None) -> str:
    """A stored ISO timestamp as the user reads dates (local time, medium format)."""
    if not iso:
        return "–"
    from datetime import datetime

    moment = datetime.fromisoformat(iso).astimezone()
    return format_datetime(moment, format="medium", locale=LOCALES[lang or current_lang()])
