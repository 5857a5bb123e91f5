"""Plain-word labels of columns, features, values and reasons (engine/labels.py, tables.json)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from engine.feature_spec import FeatureSpec
from engine.labels import LANGS, column_label, feature_label, format_value, level_label, reason
from engine.schema import tables

NNBSP = "\u202f"  # French digit groups
NBSP = "\xa0"  # French space before % and between a count and its unit (Babel's locale data)
TABLES_JSON = Path(__file__).resolve().parent.parent / "engine" / "tables.json"

DEBT = FeatureSpec("ACTIVE_AMT_CREDIT_SUM_DEBT_SUM", "bureau", "AMT_CREDIT_SUM_DEBT", "sum", "active")
EXT3 = FeatureSpec("EXT_SOURCE_3", "application", "EXT_SOURCE_3")
PENSIONER = FeatureSpec("NAME_INCOME_TYPE_Pensioner", "application", "NAME_INCOME_TYPE", level="Pensioner")
AGE = FeatureSpec("DAYS_BIRTH", "application", "DAYS_BIRTH")
REALTY = FeatureSpec("FLAG_OWN_REALTY_Y", "application", "FLAG_OWN_REALTY", level="Y")
NO_OCCUPATION = FeatureSpec("OCCUPATION_TYPE_MISSING", "application", "OCCUPATION_TYPE", level="<missing>")
DOCUMENT_3 = FeatureSpec("FLAG_DOCUMENT_3", "application", "FLAG_DOCUMENT_3")
POS_DPD_DEF = FeatureSpec("POS_SK_DPD_DEF_MEAN", "POS_CASH_balance", "SK_DPD_DEF", "mean")
LAST_PREVIOUS = FeatureSpec("PREV_DAYS_DECISION_MAX", "previous_application", "DAYS_DECISION", "max")
LOWEST_EXT = FeatureSpec("EXT_SOURCES_MIN", "application", "EXT_SOURCES_MIN")


def test_every_column_has_short_labels_in_both_languages():
    raw = json.loads(TABLES_JSON.read_text("utf-8"))
    for table, spec in raw.items():
        for name, column in spec["columns"].items():
            assert column["fr"].strip(), (table, name)
            assert column["label_en"].strip(), (table, name)
            assert len(column["label_en"]) < len(column["en"]) or len(column["en"]) < 40, (table, name)


def test_schema_reads_the_french_labels():
    assert tables()["application"].columns["AMT_INCOME_TOTAL"].fr == "Revenu total"


@pytest.mark.parametrize("lang", LANGS)
def test_column_label_of_raw_and_derived_columns(lang):
    assert (
        column_label("application", "EXT_SOURCE_3", lang)
        == {"fr": "Score externe n°3", "en": "External score 3"}[lang]
    )
    assert (
        column_label("application", "ANNUITY_INCOME_PERC", lang)
        == {
            "fr": "Taux d'effort",
            "en": "Annuity to income ratio",
        }[lang]
    )


@pytest.mark.parametrize(
    ("spec", "fr", "en"),
    [
        (
            DEBT,
            "Dette totale en cours des crédits actifs au bureau",
            "Total current debt of active bureau credits",
        ),
        (
            FeatureSpec(
                "REFUSED_AMT_APPLICATION_MEAN", "previous_application", "AMT_APPLICATION", "mean", "refused"
            ),
            "Montant demandé moyen des demandes précédentes refusées",
            "Average amount requested of refused previous applications",
        ),
        (
            FeatureSpec("CLOSED_AMT_ANNUITY_MAX", "bureau", "AMT_ANNUITY", "max", "closed"),
            "Mensualité maximale des crédits clos au bureau",
            "Maximum annuity of closed bureau credits",
        ),
        (
            FeatureSpec("BURO_AMT_CREDIT_SUM_VAR", "bureau", "AMT_CREDIT_SUM", "var"),
            "Variance du montant accordé des crédits au bureau",
            "Variance of credit amount of bureau credits",
        ),
        (
            FeatureSpec("POS_COUNT", "POS_CASH_balance", "SK_ID_PREV", "count"),
            "Nombre de mois d'historique des prêts POS/espèces",
            "Number of months of history of POS/cash loans",
        ),
        (
            FeatureSpec("BURO_ACTIVE_COUNT", "bureau", "SK_ID_BUREAU", "count", "active"),
            "Nombre de crédits actifs au bureau",
            "Number of active bureau credits",
        ),
        (PENSIONER, "Type de revenu : Retraité", "Income type: Pensioner"),
        (
            FeatureSpec("CODE_GENDER_F", "application", "CODE_GENDER", level="F"),
            "Sexe : Femme",
            "Gender: Female",
        ),
        (REALTY, "Propriétaire de son logement", "Owns a home"),
        (NO_OCCUPATION, "Profession non renseignée", "Occupation not provided"),
        (
            FeatureSpec(
                "PREV_NAME_CONTRACT_STATUS_Refused_MEAN",
                "previous_application",
                "NAME_CONTRACT_STATUS",
                "mean",
                level="Refused",
            ),
            "Part des demandes précédentes avec statut de la demande « Refusée »",
            "Share of previous applications with application status “Refused”",
        ),
        (
            FeatureSpec("ANNUITY_GOODS_PERC", "application", "ANNUITY_GOODS_PERC"),
            "Mensualité rapportée au prix du bien",
            "Annuity to goods price ratio",
        ),
        (
            FeatureSpec("INSTAL_DPD_MAX", "installments_payments", "DPD", "max"),
            "Retard maximal de paiement des échéances des crédits précédents",
            "Maximum days past due of instalments of previous credits",
        ),
        (
            POS_DPD_DEF,
            "Retard moyen hors tolérance des prêts POS/espèces",
            "Average days past due beyond tolerance of POS/cash loans",
        ),
        (
            FeatureSpec(
                "APPROVED_APP_CREDIT_PERC_MEAN", "previous_application", "APP_CREDIT_PERC", "mean", "approved"
            ),
            "Ratio demandé / accordé moyen des demandes précédentes acceptées",
            "Average requested to granted ratio of approved previous applications",
        ),
    ],
)
def test_feature_label_composition(spec, fr, en):
    assert feature_label(spec, "fr") == fr
    assert feature_label(spec, "en") == en


@pytest.mark.parametrize(
    ("spec", "fr", "en"),
    [
        (
            FeatureSpec("EXT_SOURCES_MEAN", "application", "EXT_SOURCES_MEAN"),
            "Score externe moyen",
            "Average external score",
        ),
        (
            FeatureSpec("BURO_MONTHS_BALANCE_SIZE_MEAN", "bureau_balance", "MONTHS_BALANCE_SIZE", "mean"),
            "Nombre moyen de mois d'historique des crédits au bureau",
            "Average months of history of bureau credits",
        ),
        (
            FeatureSpec("BURO_STATUS_1_MEAN", "bureau_balance", "STATUS", "mean", level="1"),
            "Part des mois d'historique des crédits au bureau avec statut mensuel « Retard de 1 à 30 jours »",
            "Share of monthly history of bureau credits with monthly status “1-30 days past due”",
        ),
        (
            FeatureSpec(
                "PREV_NAME_CLIENT_TYPE_MISSING_MEAN",
                "previous_application",
                "NAME_CLIENT_TYPE",
                "mean",
                level="<missing>",
            ),
            "Part des demandes précédentes avec type de client non renseigné",
            "Share of previous applications with client type not provided",
        ),
    ],
)
def test_labels_of_pipeline_derived_features(spec, fr, en):
    assert feature_label(spec, "fr") == fr
    assert feature_label(spec, "en") == en


def test_min_of_an_elapsed_time_reads_as_the_longest():
    history = FeatureSpec("BURO_MONTHS_BALANCE_MIN_MIN", "bureau_balance", "MONTHS_BALANCE_MIN", "min")
    assert feature_label(history, "fr") == "Ancienneté maximale de l'historique des crédits au bureau"
    assert feature_label(history, "en") == "Maximum length of history of bureau credits"


@pytest.mark.parametrize(
    ("spec", "fr", "en"),
    [
        (LAST_PREVIOUS, "Dernière demande précédente", "Last previous application"),
        (
            FeatureSpec(
                "REFUSED_DAYS_DECISION_MIN", "previous_application", "DAYS_DECISION", "min", "refused"
            ),
            "Première demande précédente refusée",
            "First refused previous application",
        ),
        (
            FeatureSpec("ACTIVE_DAYS_CREDIT_MAX", "bureau", "DAYS_CREDIT", "max", "active"),
            "Dernier crédit actif au bureau",
            "Last active bureau credit",
        ),
        (
            FeatureSpec("CLOSED_DAYS_ENDDATE_FACT_MIN", "bureau", "DAYS_ENDDATE_FACT", "min", "closed"),
            "Première clôture des crédits clos au bureau",
            "First closure of closed bureau credits",
        ),
        (
            FeatureSpec("BURO_DAYS_CREDIT_ENDDATE_MEAN", "bureau", "DAYS_CREDIT_ENDDATE", "mean"),
            "Fin prévue moyenne des crédits au bureau",
            "Average expected end of bureau credits",
        ),
        (
            FeatureSpec("BURO_DAYS_CREDIT_MEAN", "bureau", "DAYS_CREDIT", "mean"),
            "Ancienneté moyenne des crédits au bureau",
            "Average age of bureau credits",
        ),
    ],
)
def test_dated_rows_read_as_first_and_last(spec, fr, en):
    assert feature_label(spec, "fr") == fr
    assert feature_label(spec, "en") == en


def test_category_values_are_translated_or_kept():
    assert level_label("NAME_EDUCATION_TYPE", "Higher education") == "Études supérieures"
    assert level_label("ORGANIZATION_TYPE", "Industry: type 9") == "Industrie, type 9"
    assert level_label("ORGANIZATION_TYPE", "Business Entity Type 3") == "Entreprise, type 3"
    assert level_label("FLAG_OWN_CAR", "Y") == "Oui"
    assert level_label("NAME_GOODS_CATEGORY", "Gardening") == "Gardening"
    assert level_label("NAME_INCOME_TYPE", "Pensioner", "en") == "Pensioner"


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_columns_fall_back_to_their_name(lang):
    assert feature_label(FeatureSpec("NEW_RATIO", "application", "NEW_RATIO"), lang) == "NEW_RATIO"
    odd = FeatureSpec("X", "nowhere", "NEW_COL", "median", "someday", None)
    assert "NEW_COL" in feature_label(odd, lang)
    assert "NEW_COL" in reason(odd, 1.5, 0.1, lang)
    assert format_value(FeatureSpec("NEW_RATIO", "application", "NEW_RATIO"), 2.5, lang) in ("2,5", "2.5")


def test_french_numbers():
    amount = FeatureSpec("AMT_CREDIT", "application", "AMT_CREDIT")
    assert format_value(amount, 1234567.5, "fr") == f"1{NNBSP}234{NNBSP}567,50"
    assert format_value(amount, 1234567.5, "en") == "1,234,567.50"
    assert format_value(amount, 202500.0, "fr") == f"202{NNBSP}500"
    ratio = FeatureSpec("ANNUITY_INCOME_PERC", "application", "ANNUITY_INCOME_PERC")
    assert format_value(ratio, 0.1234, "fr") == f"12,3{NBSP}%"
    assert format_value(ratio, 0.1234, "en") == "12.3%"
    share = FeatureSpec("X", "bureau", "CREDIT_ACTIVE", "mean", level="Active")
    assert format_value(share, 0.25, "fr") == f"25{NBSP}%"
    assert format_value(EXT3, 0.4213, "fr") == "0,42"
    assert format_value(EXT3, 0.4213, "en") == "0.42"


def test_days_are_shown_as_durations_or_dates():
    assert format_value(AGE, -12783.0, "fr") == "34 ans"
    assert format_value(AGE, -12783.0, "en") == "34 years"
    employed = FeatureSpec("DAYS_EMPLOYED", "application", "DAYS_EMPLOYED")
    assert format_value(employed, -1534.0, "fr") == f"4 ans et 2{NBSP}mois"  # years and months, not "4,2 ans"
    assert format_value(employed, -1534.0, "en") == "4 years and 2 months"
    assert format_value(employed, -200.0, "fr") == f"7{NBSP}mois"
    assert format_value(employed, -12.0, "en") == "12 days"
    assert format_value(employed, 365243.0, "fr") == "sans objet"
    overdue = FeatureSpec("INSTAL_DPD_MAX", "installments_payments", "DPD", "max")
    assert format_value(overdue, 12.0, "fr") == f"12{NBSP}jours"
    months = FeatureSpec("BURO_MONTHS_BALANCE_MIN", "bureau_balance", "MONTHS_BALANCE", "min")
    assert format_value(months, -18.0, "fr") == f"il y a 1{NBSP}an et 6{NBSP}mois"  # the first dated row: a date
    end = FeatureSpec("BURO_DAYS_CREDIT_ENDDATE_MAX", "bureau", "DAYS_CREDIT_ENDDATE", "max")
    assert format_value(end, 800.0, "fr") == f"dans 2 ans et 2{NBSP}mois"
    assert format_value(end, -45.0, "en") == "1 month ago"
    assert format_value(LAST_PREVIOUS, 0.0, "fr") == "à la date de la demande"


@pytest.mark.parametrize("lang", LANGS)
def test_missing_values(lang):
    expected = {"fr": "inconnu", "en": "unknown"}[lang]
    assert format_value(AGE, None, lang) == expected
    assert format_value(AGE, float("nan"), lang) == expected


def test_flags_and_counts():
    car = FeatureSpec("FLAG_OWN_CAR_Y", "application", "FLAG_OWN_CAR", level="Y")
    assert format_value(car, 1.0, "fr") == "oui"
    assert format_value(car, 0.0, "en") == "no"
    count = FeatureSpec("INSTAL_COUNT", "installments_payments", "SK_ID_PREV", "count")
    assert format_value(count, 1234.0, "fr") == f"1{NNBSP}234"


def test_reason_sentences():
    low = "Score externe n°3 : faible (0,21) — augmente le risque"
    assert reason(EXT3, 0.21, 0.3, "fr", reference=0.5) == low
    assert reason(EXT3, 0.21, 0.3, "en", reference=0.5) == "External score 3: low (0.21) — raises the risk"
    assert reason(EXT3, 0.21, 0.3, "fr") == "Score externe n°3 : 0,21 — augmente le risque"
    assert reason(EXT3, None, 0.3, "en", reference=0.5) == "External score 3: unknown — raises the risk"
    assert reason(DEBT, 2e6, 0.1, "fr", reference=1e5).startswith(
        "Dette totale en cours des crédits actifs au bureau : élevée ("
    )


@pytest.mark.parametrize(
    ("spec", "value", "reference", "fr", "en"),
    [
        (
            LOWEST_EXT,
            0.16,
            0.4,
            "Score externe le plus bas : faible (0,16) — augmente le risque",
            "Lowest external score: low (0.16) — raises the risk",
        ),
        (
            POS_DPD_DEF,
            3.0,
            0.0,
            "Retard moyen hors tolérance des prêts POS/espèces : élevé (3\xa0jours) — augmente le risque",
            "Average days past due beyond tolerance of POS/cash loans: high (3 days) — raises the risk",
        ),
        (
            LAST_PREVIOUS,
            -91.0,
            -296.0,
            "Dernière demande précédente : récente (il y a 3\xa0mois) — augmente le risque",
            "Last previous application: recent (3 months ago) — raises the risk",
        ),
        (
            FeatureSpec("BURO_DAYS_CREDIT_ENDDATE_MAX", "bureau", "DAYS_CREDIT_ENDDATE", "max"),
            1100.0,
            914.5,
            "Dernière fin prévue des crédits au bureau : tardive (dans 3 ans) — augmente le risque",
            "Last expected end of bureau credits: late (in 3 years) — raises the risk",
        ),
        (
            REALTY,
            0.0,
            1.0,
            "N'est pas propriétaire de son logement — augmente le risque",
            "Does not own a home — raises the risk",
        ),
        (
            NO_OCCUPATION,
            0.0,
            0.0,
            "Profession renseignée — augmente le risque",
            "Occupation provided — raises the risk",
        ),
        (
            DOCUMENT_3,
            0.0,
            1.0,
            "Document n°3 non fourni — augmente le risque",
            "Document 3 not provided — raises the risk",
        ),
        (
            FeatureSpec(
                "NAME_EDUCATION_TYPE_HIGHER_EDUCATION",
                "application",
                "NAME_EDUCATION_TYPE",
                level="Higher education",
            ),
            0.0,
            0.0,
            "Niveau d'études : autre que « Études supérieures » — augmente le risque",
            "Education level: other than “Higher education” — raises the risk",
        ),
    ],
)
def test_reasons_read_at_a_glance(spec, value, reference, fr, en):
    assert reason(spec, value, 0.2, "fr", reference) == fr
    assert reason(spec, value, 0.2, "en", reference) == en


def test_reason_qualifiers_agree_in_gender_and_number():
    living = FeatureSpec("LIVINGAPARTMENTS_AVG", "application", "LIVINGAPARTMENTS_AVG")
    assert " : élevés (" in reason(living, 0.9, 0.1, "fr", 0.1)
    rate = FeatureSpec("ANNUITY_GOODS_PERC", "application", "ANNUITY_GOODS_PERC")
    assert " : élevée (" in reason(rate, 0.2, 0.1, "fr", 0.05)
    assert " : élevé (" in reason(POS_DPD_DEF, 3.0, 0.1, "fr", 0.0)
    first = FeatureSpec("PREV_DAYS_DECISION_MIN", "previous_application", "DAYS_DECISION", "min")
    assert " : ancienne (il y a 6 ans)" in reason(first, -2192.0, 0.1, "fr", -1472.0)
    assert " : récent (il y a 2\xa0mois)" in reason(
        FeatureSpec("BURO_DAYS_CREDIT_MAX", "bureau", "DAYS_CREDIT", "max"), -61.0, 0.1, "fr", -400.0
    )


@pytest.mark.parametrize("lang", LANGS)
def test_reason_direction_follows_the_contribution_sign(lang):
    up = {"fr": "augmente le risque", "en": "raises the risk"}[lang]
    down = {"fr": "réduit le risque", "en": "lowers the risk"}[lang]
    for spec, value in ((EXT3, 0.6), (DEBT, 1e5), (PENSIONER, 1.0), (AGE, None), (REALTY, 0.0)):
        assert reason(spec, value, 0.2, lang).endswith(f" — {up}")
        assert reason(spec, value, -0.2, lang).endswith(f" — {down}")


def test_reason_on_a_one_hot_category():
    assert reason(PENSIONER, 1.0, -0.1, "fr") == "Type de revenu : Retraité — réduit le risque"
    assert reason(PENSIONER, 0.0, 0.1, "en") == "Income type: other than “Pensioner” — raises the risk"
    assert reason(PENSIONER, None, 0.1, "fr") == "Type de revenu : Retraité (inconnu) — augmente le risque"
    assert reason(NO_OCCUPATION, 1.0, -0.1, "fr") == "Profession non renseignée — réduit le risque"


def test_age_compares_by_length_not_by_sign():
    # -12783 days (34 years) is above the median -15750 (43 years) as a number, but a younger client.
    expected = "Âge : faible (34 ans) — augmente le risque"
    assert reason(AGE, -12783.0, 0.1, "fr", reference=-15750.0) == expected


DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def pipeline_specs(bundle):
    return [(bundle.pipeline.specs[f], median) for f, median in zip(bundle.feature_names, bundle.medians)]


@pytest.mark.parametrize("lang", LANGS)
def test_every_bundled_feature_reads_cleanly(pipeline_specs, lang):
    """Low and high values of every model feature: no doubled word, placeholder or labelled raw name."""
    for spec, median in pipeline_specs:
        reference = 0.5 if math.isnan(median) else median
        spread = abs(reference) / 2 + 1
        low, high = (0.0, 1.0) if spec.level is not None else (reference - spread, reference + spread)
        for value in (low, high):
            text = reason(spec, value, 0.1, lang, reference)
            assert not DOUBLED.search(text), text
            assert not re.search(r"[{}]|\bNone\b|\bnan\b", text), text
            if column_label(spec.table, spec.column, lang) != spec.column:
                assert spec.column not in text, text
            assert f"({spec.agg})" not in text, text


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        feature_label(EXT3, "de")


def test_weekdays_are_words_in_both_languages():
    assert level_label("WEEKDAY_APPR_PROCESS_START", "FRIDAY", "en") == "Friday"
    assert level_label("WEEKDAY_APPR_PROCESS_START", "FRIDAY", "fr") == "Vendredi"
