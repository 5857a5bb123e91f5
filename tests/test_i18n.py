"""The interface's words: plurals by the language's rules, amounts with their currency, durations in years and
months, and the same keys in both languages."""

from __future__ import annotations

import string

import pytest
from babel.numbers import get_currency_symbol
from test_catalogues import _pairs

from desktop.i18n import LANGS, catalogue, duration, money, t
from engine import constants, formats
from engine.catalogues import catalogue as engine_catalogue
from engine.formats import fill


def test_every_text_exists_in_both_languages():
    texts = catalogue()
    assert set(texts["fr"]) == set(texts["en"]), set(texts["fr"]) ^ set(texts["en"])


def test_every_text_has_the_same_fields_in_both_languages():
    """The command's and the store's sentences (``cli.``, ``store.``) as every other text of the app."""
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    texts = catalogue()
    assert {key.partition(".")[0] for key in texts["fr"]} >= {"cli", "store", "common", "drift"}
    differ = [key for key in texts["fr"] if fields(texts["fr"][key]) != fields(texts["en"][key])]
    assert not differ


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_leaves_the_plural_to_the_reader(lang):
    lazy = {key: text for key, text in catalogue()[lang].items() if "(s)" in text or "(x)" in text or "(es)" in text}
    assert not lazy


def test_plural_follows_each_language():
    assert t("imports.ready", "fr", n=0) == "Aucune erreur : 0 client prêt à être importé."  # French: 0 is singular
    assert t("imports.ready", "fr", n=1) == "Aucune erreur : 1 client prêt à être importé."
    assert t("imports.ready", "fr", n=2) == "Aucune erreur : 2 clients prêts à être importés."
    assert t("imports.ready", "en", n=0) == "No error: 0 clients ready to import."
    assert t("imports.ready", "en", n=1) == "No error: 1 client ready to import."
    assert t("imports.ready", "fr", n=1_000_000) == "Aucune erreur : 1\u202f000\u202f000 clients prêts à être importés."  # "many" reads as "other"


def test_money_shows_the_currency_in_the_locale_s_place():
    assert money(135000, "fr") == "135\u202f000\u00a0€"
    assert money(135000, "en") == "€135,000"
    assert money(None, "fr") == "–" and money(float("nan"), "en") == "–"


@pytest.mark.parametrize(("days", "fr", "en"), [
    (-2337, "6 ans et 5 mois", "6 years and 5 months"),
    (-365.25, "1 an", "1 year"),
    (-45, "1 mois", "1 month"),
    (-730.5 - 30.44, "2 ans et 1 mois", "2 years and 1 month"),
    (-350, "11 mois", "11 months"),
])
def test_duration_in_years_and_months_never_decimal_years(days, fr, en):
    def spaced(text: str) -> str:  # CLDR puts no-break spaces in some units
        return text.replace("\u00a0", " ")

    assert spaced(duration(days, "fr")) == fr and spaced(duration(days, "en")) == en


def _counted_texts() -> list[tuple[str, str, str]]:
    """(where, language, text) of every text with a counted field (``{n:one|other}``): the app's catalogue
    and the engine's (problems, drift notes, vocabulary)."""
    found = [(key, lang, text) for lang, texts in catalogue().items() for key, text in texts.items()]
    for name in ("problems", "drift_notes", "drift_report", "vocabulary"):
        for path, node in _pairs(engine_catalogue(name)):
            found += [(f"{name}{path}", lang, node[lang]) for lang in LANGS if isinstance(node[lang], str)]
    return [(where, lang, text) for where, lang, text in found if _counted(text)]


def _counted(text: str) -> dict[str, tuple[str, str]]:
    return {name: tuple(spec.split("|")) for _, name, spec, _ in string.Formatter().parse(text) if spec and "|" in spec}


def _filled(text: str, lang: str, count: int) -> str:
    fields = {name: spec for _, name, spec, _ in string.Formatter().parse(text) if name}
    return fill(text, lang, **{name: count if spec else "x" for name, spec in fields.items()})


def test_every_counted_text_agrees_with_its_count_in_each_language():
    texts = _counted_texts()
    assert len(texts) >= 30 and {lang for _, lang, _ in texts} == set(LANGS)
    singular = {"fr": {0, 1}, "en": {1}}  # French: 0 and 1 singular; English: 0 plural
    for where, lang, text in texts:
        for count in (0, 1, 2):
            shown = _filled(text, lang, count)
            for one, other in _counted(text).values():
                words = one if count in singular[lang] else other
                assert f"{count} {words}" in shown, f"{where} ({lang}) with {count}: {shown!r}"


@pytest.mark.parametrize("key", ["interpretation.income", "interpretation.credit", "interpretation.annuity", "interpretation.goods"])
def test_amount_labels_name_the_currency_of_the_constant(key, monkeypatch):
    assert t(key, "fr").endswith("(€)") and t(key, "en").endswith("(€)")
    monkeypatch.setattr(constants, "CURRENCY", "USD")  # the one place the currency is named
    assert t(key, "fr").endswith("($US)") and t(key, "en").endswith("(US$)")
    assert money(1200, "fr") == "1\u202f200\u00a0$US" and money(1200, "en") == "US$1,200"


def test_no_amount_label_writes_a_currency_by_hand():
    symbols = {get_currency_symbol(code, locale=formats.LOCALES[lang]) for lang in LANGS for code in ("EUR", "USD", "GBP")}
    hard = {key: text for texts in catalogue().values() for key, text in texts.items() if any(s in text for s in symbols)}
    assert not hard
