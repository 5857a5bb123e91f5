"""The interface's words: plurals by the language's rules, amounts with their currency, durations in years and
months, and the same keys in both languages."""

from __future__ import annotations

import pytest

from desktop.i18n import LANGS, catalogue, duration, money, plural


def test_every_text_exists_in_both_languages():
    texts = catalogue()
    assert set(texts["fr"]) == set(texts["en"]), set(texts["fr"]) ^ set(texts["en"])


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_leaves_the_plural_to_the_reader(lang):
    lazy = {key: text for key, text in catalogue()[lang].items() if "(s)" in text or "(x)" in text or "(es)" in text}
    assert not lazy


def test_plural_follows_each_language():
    assert plural("imports.ready", 0, "fr") == "Aucune erreur : 0 client prêt à être importé."  # French: 0 is singular
    assert plural("imports.ready", 1, "fr") == "Aucune erreur : 1 client prêt à être importé."
    assert plural("imports.ready", 2, "fr") == "Aucune erreur : 2 clients prêts à être importés."
    assert plural("imports.ready", 0, "en") == "No error: 0 clients ready to import."
    assert plural("imports.ready", 1, "en") == "No error: 1 client ready to import."
    assert plural("imports.ready", 1_000_000, "fr") == "Aucune erreur : 1\u202f000\u202f000 clients prêts à être importés."  # "many" falls back to "other"


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
