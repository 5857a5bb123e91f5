"""Numbers, percentages, amounts, timestamps, durations and plurals in French and English, through Babel.

The one place that formats a value for a reader: the engine's words (``engine.labels``, the problems of
input files) and the interface (``desktop.i18n``) call it. Grouping, decimal marks, the space before
"%", plural rules (French "1,5 an", English "1.5 years") and unit words come from Babel's locale
data; nothing here groups digits or picks a plural by hand.

Every text of a catalogue (the app's ``resources/i18n``, the engine's ``problems.json``) is filled by
:func:`fill`, the one plural mechanism: ``{n:client prêt|clients prêts}`` is the count ``n`` followed by
the words its plural form takes in the language (French: 0 and 1 singular; English: 0 plural),
``{n:,}`` a number in the language's format and ``{currency}`` the symbol of the amounts' currency
(:data:`engine.constants.CURRENCY`, the one place it is named).
"""

from __future__ import annotations

import decimal
import math
import string
from datetime import datetime
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import NumberPattern, format_currency, get_currency_symbol, parse_pattern
from babel.units import format_unit

from engine import constants
from engine.constants import DAYS_PER_MONTH, DAYS_PER_YEAR

LANGS = ("fr", "en")
#: Babel locales of the languages.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
#: What a missing number reads as.
MISSING = "–"
#: Significant digits a small value keeps when ``small`` is asked (0,0005, not 0,00); at most MAX_DECIMALS.
SIGNIFICANT = 2
MAX_DECIMALS = 8
#: From this many years, a duration is said in whole years (as an age).
WHOLE_YEARS_FROM = 10
#: Decimals a number of a template (``{n:,}``, a count) keeps at most (trailing zeros dropped).
EXACT_DECIMALS = 6


def check(lang: str) -> None:
    """Refuse a language the app has no words for."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}, expected one of {LANGS}")


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


def missing(value: float | None) -> bool:
    return value is None or value != value  # NaN is the one value unequal to itself


@cache
def _pattern(lang: str, decimals: int, minimum: int, percent: bool) -> NumberPattern:
    """The locale's decimal or percent pattern with ``minimum`` to ``decimals`` decimals."""
    base = locale(lang).percent_formats[None].pattern if percent else "#,##0"
    fraction = "." + "0" * minimum + "#" * (decimals - minimum) if decimals else ""
    return parse_pattern(base.replace("0", "0" + fraction, 1))


def _decimals(value: float, decimals: int) -> int:
    """``decimals``, or more for a small value so that it keeps :data:`SIGNIFICANT` digits."""
    if value == 0 or math.isinf(value):
        return decimals
    needed = SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))
    return max(decimals, min(needed, MAX_DECIMALS))


#: Digits of the largest float (309 before the point) with a percentage's and the most decimals shown.
_FLOAT_DIGITS = 330


@lru_cache(maxsize=1 << 16)  # formatting goes through Decimal: worth caching for repeated values
def _format(value: float, lang: str, decimals: int, trim: bool, small: bool, percent: bool) -> str:
    value = value or 0.0  # -0.0 reads "0"
    shown = _decimals(value * 100 if percent else value, decimals) if small else decimals
    with decimal.localcontext() as context:
        context.prec = _FLOAT_DIGITS  # Babel rounds in Decimal: any finite float, 1e22 included, keeps its digits
        return _pattern(lang, shown, 0 if trim else decimals, percent).apply(value, locale(lang))


def number(value: float | None, lang: str, decimals: int = 0, *, trim: bool = False, small: bool = False) -> str:
    """``1 234 567,50`` / ``1,234,567.50`` with ``decimals`` decimals; ``trim`` drops trailing zeros,
    ``small`` gives a small value more decimals so it keeps two significant digits; "–" when missing."""
    if missing(value):
        return MISSING
    return _format(float(value), lang, decimals, trim, small, False)


def plain(value: float, lang: str, decimals: int = 2) -> str:
    """At most ``decimals`` decimals (more for small values), trailing zeros dropped: "1,5", "0,0004"."""
    return number(value, lang, decimals, trim=True, small=True)


def percent(value: float | None, lang: str, decimals: int = 1, *, trim: bool = False, small: bool = False) -> str:
    """A ratio as a percentage in the locale's pattern: ``12,3 %`` / ``12.3%`` (see :func:`number`)."""
    if missing(value):
        return MISSING
    return _format(float(value), lang, decimals, trim, small, True)


def percent_suffix(lang: str) -> str:
    """What follows a percentage's digits in the locale ("\u00a0%" / "%"): for figures' tick suffixes."""
    return locale(lang).percent_formats[None].suffix[0]


def amount(value: float, lang: str, currency: str | None = None) -> str:
    """An amount: no decimals when whole, else two ("202 500", "1 234,50"); with an ISO ``currency``
    code, its symbol where the locale puts it ("1 234,50 €" / "€1,234.50")."""
    decimals = 0 if round(value, 2) == round(value) else 2
    if currency is None:
        return number(value, lang, decimals)
    pattern = locale(lang).currency_formats["standard"].pattern.replace(".00", "." + "0" * decimals if decimals else "")
    return format_currency(value, currency, format=pattern, locale=LOCALES[lang], currency_digits=False)


def quote(text: str, lang: str) -> str:
    """Text in the language's quotation marks: « Salarié » / “Working”."""
    return f"« {text} »" if lang == "fr" else f"“{text}”"


def currency_symbol(lang: str) -> str:
    """The symbol of the amounts' currency (:data:`engine.constants.CURRENCY`) as ``lang`` writes it ("€")."""
    return _symbol(constants.CURRENCY, lang)


@cache
def _symbol(currency: str, lang: str) -> str:
    return get_currency_symbol(currency, locale=LOCALES[lang])


def money(value: float | None, lang: str) -> str:
    """An amount of :data:`engine.constants.CURRENCY` in whole units: "135 000 €" / "€135,000"; "–" when missing."""
    return MISSING if missing(value) else amount(round(value), lang, constants.CURRENCY)


def counted(count: float, lang: str, one: str, other: str) -> str:
    """A count with the words that agree with it by the language's plural rules (Babel): "0 ligne" in
    French, "0 lines" in English; ``one`` for the singular, ``other`` for every other form."""
    form = locale(lang).plural_form(abs(count))
    return f"{number(count, lang, EXACT_DECIMALS, trim=True)} {one if form == 'one' else other}"


class _Template(string.Formatter):
    """``str.format`` in a language: ``{n:one|other}`` a counted noun, ``{n:,}`` a number."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, other = format_spec.split("|")
            return counted(value, self.lang, one, other)
        if format_spec == ",":
            return number(value, self.lang, EXACT_DECIMALS, trim=True)
        return format(value, format_spec)


@cache
def _template(lang: str) -> _Template:
    return _Template(lang)


def fill(template: str, lang: str, **values: object) -> str:
    """``template`` (a catalogue's text in ``lang``) with its fields filled (see the module doc);
    ``{currency}`` needs no value."""
    return _template(lang).vformat(template, (), {"currency": currency_symbol(lang), **values})


@lru_cache(maxsize=4096)  # Babel's unit formatting takes ~0.2 ms; counts of units repeat
def unit(count: float, name: str, lang: str) -> str:
    """A count of a unit of time in words: "1 an", "3 months" (``name``: year, month, day...)."""
    return format_unit(count, f"duration-{name}", length="long", locale=locale(lang))


@lru_cache(maxsize=4096)
def _years_and_months(years: int, months: int, lang: str) -> str:
    parts = [unit(years, "year", lang)] if years else []
    parts += [unit(months, "month", lang)] if months or not years else []
    return format_list(parts, locale=locale(lang))


def duration(days: float, lang: str) -> str:
    """A length of time from a day count, sign dropped: "34 ans", "1 an et 5 mois", "7 mois", "12 jours"."""
    days = abs(days)
    if days >= WHOLE_YEARS_FROM * DAYS_PER_YEAR:
        return unit(math.floor(days / DAYS_PER_YEAR), "year", lang)
    months = round(days / DAYS_PER_MONTH)
    if months < 1:
        return unit(round(days), "day", lang)
    return _years_and_months(*divmod(months, 12), lang)


def timestamp(iso: str | None, lang: str) -> str:
    """A stored ISO timestamp as the reader's dates read (local time, medium format); "–" when absent."""
    if not iso:
        return MISSING
    moment = datetime.fromisoformat(iso).astimezone()
    return format_datetime(moment, format="medium", locale=LOCALES[lang])
