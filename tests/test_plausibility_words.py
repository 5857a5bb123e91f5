"""Numbers in the plausibility problems worded per language by Babel (engine.formats): the first wrong value is a
number in the problem's params, written « 109,5 ans » in French and "109.5 years" in English; the coverage words
filled by the one wording mechanism (engine.formats.fill)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from engine.coverage_words import model_sentence, table_words
from engine.input_problems import describe
from engine.plausibility import check_table

NNBSP = "\u202f"  # French thousands separator


@pytest.fixture(scope="module")
def problems() -> dict:
    frame = pl.DataFrame({
        "SK_ID_CURR": [100001, 100002, 100003],
        "DAYS_BIRTH": [-12000, -40000, -10000],  # line 3: 109.5 years old
        "AMT_INCOME_TOTAL": [1e5, 2e5, 1.5e9],  # line 4: 1.5 billion, above the usual maximum
        "CNT_CHILDREN": [0, 25, 0],
        "NAME_TYPE_SUITE": ["Family", "x" * 300, "Family"],
        "EXT_SOURCE_1": [0.5, float("nan"), 0.4],
    })
    return {(p.column, p.code): p for p in check_table(frame, "application", "application_test.csv")}


def test_an_impossible_age_is_a_number_worded_per_language(problems):
    age = problems["DAYS_BIRTH", "range_age_outside"]
    assert age.params["first"] == 109.5 and age.row == 3
    assert "premier âge 109,5 ans)" in describe(age, "fr")
    assert "first age 109.5 years)" in describe(age, "en") and "109.5" in age.message
    json.dumps(age.params)  # JSON types: the params travel to the API and the stored report


def test_a_large_amount_is_grouped_per_language(problems):
    income = problems["AMT_INCOME_TOTAL", "range_above_usual"]
    assert income.params["first"] == 1.5e9
    assert f"première valeur 1{NNBSP}500{NNBSP}000{NNBSP}000)" in describe(income, "fr")
    assert "first value 1,500,000,000)" in describe(income, "en")
    assert "1500000000.0" not in describe(income, "fr")


def test_a_count_and_text_stay_as_they_are(problems):
    assert "première valeur 25)" in describe(problems["CNT_CHILDREN", "range_above_usual"], "fr")
    long_text = problems["NAME_TYPE_SUITE", "implausible_long_text"]
    assert long_text.params["first"] == "x" * 40 + "…"
    assert "première valeur nan)" in describe(problems["EXT_SOURCE_1", "range_not_finite"], "fr")


def test_the_coverage_words_are_filled_by_the_one_mechanism():
    assert model_sentence("mystery", 0.7512, "fr") == "Score établi par le modèle « mystery » (AUC attendue 0,75)"
    assert model_sentence("mystery", None, "en") == "Scored by the model “mystery”"
    assert table_words(["bureau", "UNKNOWN"], "fr").endswith(", UNKNOWN")


def test_a_huge_value_is_worded_not_a_crash():
    frame = pl.DataFrame({"SK_ID_CURR": [100001], "CNT_CHILDREN": [1e22], "AMT_CREDIT": [1.7e308]})
    found = {p.column: p for p in check_table(frame, "application", "a.csv")}
    assert "première valeur 10\u202f000\u202f000\u202f000\u202f000\u202f000\u202f000\u202f000)" in describe(found["CNT_CHILDREN"], "fr")
    assert describe(found["AMT_CREDIT"], "en").endswith("000)")  # every digit of the largest float, grouped
