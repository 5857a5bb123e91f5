"""engine.catalogues: the word catalogues are read by one loader, every text in French and English."""

from __future__ import annotations

import re
import string

import pytest

from engine import vocabulary as vocab
from engine.catalogues import catalogue
from engine.formats import LANGS


def _fields(text: str) -> set[str]:
    """The template's fields, a language's own variant (``what_fr``, ``label_en``) as the field itself."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return {re.sub(r"_(fr|en)$", "", name) for name in names}


def _pairs(node, path="") -> list[tuple[str, dict]]:
    """Every object of the catalogue that holds a language (``fr`` or ``en``), with where it sits."""
    found = []
    if isinstance(node, dict):
        if set(LANGS) & set(node):
            found.append((path, node))
        for key, value in node.items():
            found += _pairs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _pairs(value, f"{path}[{i}]")
    return found


@pytest.mark.parametrize(("name", "least"), [("vocabulary", 20), ("problems", 20), ("drift_notes", 5), ("drift_report", 15)])
def test_every_text_is_in_both_languages_with_the_same_fields(name, least):
    pairs = _pairs(catalogue(name))
    assert len(pairs) >= least
    for path, node in pairs:
        assert all(node.get(lang) for lang in LANGS), f"{name}.json{path}: a language is missing or empty"
        fr, en = node["fr"], node["en"]
        if isinstance(fr, dict) and isinstance(en, dict):  # the small words: one table per language
            assert set(fr) == set(en), f"{name}.json{path}: {set(fr) ^ set(en)}"
            pairs_of_words = [(fr[k], en[k]) for k in fr]
        else:
            pairs_of_words = [(fr, en)] if isinstance(fr, str) and isinstance(en, str) else []
        for fr_text, en_text in pairs_of_words:
            assert _fields(fr_text) == _fields(en_text), f"{name}.json{path}: {fr_text!r} / {en_text!r}"


def test_the_loader_reads_each_catalogue_once():
    assert catalogue("vocabulary") is catalogue("vocabulary")


def test_the_word_tables_come_from_the_catalogue():
    assert vocab.DERIVED["ANNUITY_INCOME_PERC"] == ("Taux d'effort", "Annuity to income ratio", "percent")
    assert vocab.TABLES["previous_application"].fr_one == "demande précédente{s}"
    assert vocab.TABLES["POS_CASH_balance"].counted == ("mois d'historique", "months of history")
    assert vocab.SCOPES["approved"] == ("accepté", "acceptés", "acceptée", "acceptées", "approved")
    assert vocab.PROVIDED[False] == ("non renseigné", "non renseignée", "not provided")
    assert vocab.EVENTS["DAYS_CREDIT"] is None and vocab.EVENTS["DAYS_ENDDATE_FACT"] == ("clôture", "f", "closure")
    assert "Mensualité" in vocab.FEMININE and set(vocab.WORDS) == set(LANGS)
    assert vocab.REASON_GROUPS[-1].key == "other" and vocab.REASON_GROUPS[1].tables == ("bureau", "bureau_balance")


def test_reason_group_patterns_are_valid_expressions():
    for group in vocab.REASON_GROUPS:
        if group.columns is not None:
            re.compile(group.columns)
