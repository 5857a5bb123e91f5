"""engine.formats: the one number, percentage, amount, plural, duration and date layer (Babel), FR/EN."""

from __future__ import annotations

import pytest

from engine import formats
from engine.input_problems import Problem, describe

NNBSP, NBSP = "\u202f", "\xa0"  # French digit groups; French space before % and before a unit


def test_numbers_group_digits_in_each_language():
    assert formats.number(1234.5, "fr", 1) == f"1{NNBSP}234,5"
    assert formats.number(1234.5, "en", 1) == "1,234.5"
    assert formats.number(1234567, "fr") == f"1{NNBSP}234{NNBSP}567"
    assert formats.number(0.5, "en", 2) == "0.50"  # exactly the decimals asked
    assert formats.number(-0.0, "fr") == "0"


def test_plain_numbers_drop_zeros_and_keep_small_values():
    assert formats.plain(2.5, "fr") == "2,5"
    assert formats.plain(3.0, "en") == "3"
    assert formats.plain(0.000123, "fr") == "0,00012"  # two significant digits, not "0"
    assert formats.number(0.000123, "en", 2, small=True) == "0.00012"


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_numbers_read_as_a_dash(value):
    assert formats.number(value, "fr") == formats.percent(value, "en") == "–"


def test_percentages_follow_the_locale():
    assert formats.percent(0.1234, "fr") == f"12,3{NBSP}%"
    assert formats.percent(0.1234, "en") == "12.3%"
    assert formats.percent(0.25, "fr", 0) == f"25{NBSP}%"
    assert formats.percent(0.25, "en", 1, trim=True) == "25%"
    assert formats.percent(0.0000123, "en", 1, trim=True, small=True) == "0.0012%"


def test_amounts_with_and_without_currency():
    assert formats.amount(202500.0, "fr") == f"202{NNBSP}500"
    assert formats.amount(1234.5, "en") == "1,234.50"
    assert formats.amount(1234.5, "fr", "EUR") == f"1{NNBSP}234,50{NBSP}€"
    assert formats.amount(1234.5, "en", "EUR") == "€1,234.50"
    assert formats.amount(202500.0, "fr", "EUR") == f"202{NNBSP}500{NBSP}€"


@pytest.mark.parametrize(
    ("count", "fr", "en"),
    [(0, "0 ligne", "0 lines"), (1, "1 ligne", "1 line"), (2, "2 lignes", "2 lines"),
     (1234, f"1{NNBSP}234 lignes", "1,234 lines")],
)
def test_plurals_by_the_language_rules(count, fr, en):
    assert formats.counted(count, "fr", "ligne", "lignes") == fr
    assert formats.counted(count, "en", "line", "lines") == en


def test_french_singular_below_two():
    assert formats.counted(1.5, "fr", "an", "ans") == "1,5 an" and formats.counted(1.5, "en", "year", "years") == "1.5 years"
    assert formats.counted(-1, "en", "year", "years") == "-1 year" and formats.counted(2, "fr", "an", "ans") == "2 ans"


def test_templates_count_format_numbers_and_name_the_currency():
    assert formats.fill("{n:ligne lue|lignes lues} sur {total:,}", "fr", n=0, total=12345.5) == f"0 ligne lue sur 12{NNBSP}345,5"
    assert formats.fill("{n:row read|rows read} of {total:,}", "en", n=0, total=12345.5) == "0 rows read of 12,345.5"
    assert formats.fill("Revenu ({currency})", "fr") == "Revenu (€)" and formats.fill("Income ({currency})", "en") == "Income (€)"
    assert formats.fill("{x} {y:>3}", "en", x="a", y="b") == "a   b"  # other fields as str.format


@pytest.mark.parametrize(
    ("days", "fr", "en"),
    [
        (12, f"12{NBSP}jours", "12 days"),
        (-45, f"1{NBSP}mois", "1 month"),  # the sign is dropped
        (200, f"7{NBSP}mois", "7 months"),
        (365.25, f"1{NBSP}an", "1 year"),
        (517, f"1{NBSP}an et 5{NBSP}mois", "1 year and 5 months"),
        (1534, f"4 ans et 2{NBSP}mois", "4 years and 2 months"),
        (12783, "34 ans", "34 years"),  # from ten years, whole years as an age
    ],
)
def test_durations_in_years_and_months(days, fr, en):
    assert formats.duration(days, "fr") == fr
    assert formats.duration(days, "en") == en


def test_timestamps_read_as_dates():
    assert "2026" in formats.timestamp("2026-03-05T10:00:00+00:00", "fr")
    assert formats.timestamp("2026-03-05T10:00:00+00:00", "en").startswith("5 Mar 2026")
    assert formats.timestamp(None, "fr") == "–"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        formats.check("de")


def test_problem_templates_count_and_format_through_the_layer():
    problem = Problem.of("a.csv", "key_empty", key="SK_ID_CURR", n=1234, lines=[2, 3])
    assert describe(problem, "fr").startswith(f"SK_ID_CURR est vide sur 1{NNBSP}234 lignes")
    assert problem.message.startswith("SK_ID_CURR is empty on 1,234 lines")
    single = Problem.of("a.csv", "key_empty", key="SK_ID_CURR", n=1, lines=[2])
    assert "sur 1 ligne :" in describe(single, "fr") and "on 1 line:" in single.message


def test_percent_suffix_for_figures_is_the_locale_one():
    assert formats.percent_suffix("fr") == f"{NBSP}%" and formats.percent_suffix("en") == "%"
    assert formats.percent(0.5, "fr", 0).endswith(formats.percent_suffix("fr"))
