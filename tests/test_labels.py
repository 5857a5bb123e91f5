"""Plain-word labels of columns, features, values and reasons (engine/labels.py, tables.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.feature_spec import FeatureSpec
from engine.labels import LANGS, column_label, feature_label, format_value, level_label, reason
from engine.schema import tables

NNBSP = "\u202f"
TABLES_JSON = Path(__file__).resolve().parent.parent / "engine" / "tables.json"

DEBT = FeatureSpec("ACTIVE_AMT_CREDIT_SUM_DEBT_SUM", "bureau", "AMT_CREDIT_SUM_DEBT", "sum", "active")
EXT3 = FeatureSpec("EXT_SOURCE_3", "application", "EXT_SOURCE_3")
PENSIONER = FeatureSpec("NAME_INCOME_TYPE_Pensioner", "application", "NAME_INCOME_TYPE", level="Pensioner")
AGE = FeatureSpec("DAYS_BIRTH", "application", "DAYS_BIRTH")


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
            "Dette en cours totale des crédits actifs au bureau",
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
            "Variance du montant du crédit des crédits au bureau",
            "Variance of credit amount of bureau credits",
        ),
        (
            FeatureSpec("POS_COUNT", "POS_CASH_balance", "SK_ID_PREV", "count"),
            "Nombre de relevés mensuels de prêts POS et espèces",
            "Number of monthly POS and cash loan records",
        ),
        (PENSIONER, "Type de revenu : Retraité", "Income type: Pensioner"),
        (
            FeatureSpec("CODE_GENDER_F", "application", "CODE_GENDER", level="F"),
            "Sexe : Femme",
            "Gender: Female",
        ),
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
            FeatureSpec("PAYMENT_RATE", "application", "PAYMENT_RATE"),
            "Mensualité rapportée au crédit",
            "Annuity to credit ratio",
        ),
        (
            FeatureSpec("INSTAL_DPD_MAX", "installments_payments", "DPD", "max"),
            "Retard de paiement maximal des échéances de crédits précédents",
            "Maximum days past due of instalments of previous credits",
        ),
        (
            FeatureSpec(
                "APPROVED_APP_CREDIT_PERC_MEAN", "previous_application", "APP_CREDIT_PERC", "mean", "approved"
            ),
            "Montant demandé rapporté au montant accordé moyen des demandes précédentes acceptées",
            "Average requested to granted amount ratio of approved previous applications",
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
            "Nombre de mois d'historique moyen des crédits au bureau",
            "Average months of history of bureau credits",
        ),
        (
            FeatureSpec("BURO_STATUS_1_MEAN", "bureau_balance", "STATUS", "mean", level="1"),
            "Part des mois d'historique des crédits au bureau avec statut mensuel « Retard de 1 à 30 jours »",
            "Share of monthly records of bureau credits with monthly status “1-30 days past due”",
        ),
        (
            FeatureSpec(
                "PREV_NAME_CLIENT_TYPE_MISSING_MEAN",
                "previous_application",
                "NAME_CLIENT_TYPE",
                "mean",
                level="<missing>",
            ),
            "Part des demandes précédentes avec type de client « Non renseigné »",
            "Share of previous applications with client type “Not provided”",
        ),
    ],
)
def test_labels_of_pipeline_derived_features(spec, fr, en):
    assert feature_label(spec, "fr") == fr
    assert feature_label(spec, "en") == en


def test_min_of_an_elapsed_time_reads_as_the_longest():
    oldest = FeatureSpec("BURO_DAYS_CREDIT_MIN", "bureau", "DAYS_CREDIT", "min")
    assert feature_label(oldest, "fr").startswith("Ancienneté du crédit maximale")
    assert feature_label(oldest, "en").startswith("Maximum credit age")
    history = FeatureSpec("BURO_MONTHS_BALANCE_MIN_MIN", "bureau_balance", "MONTHS_BALANCE_MIN", "min")
    assert (
        feature_label(history, "fr") == "Ancienneté de l'historique du crédit maximale des crédits au bureau"
    )


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
    assert format_value(ratio, 0.1234, "fr") == f"12,3{NNBSP}%"
    assert format_value(ratio, 0.1234, "en") == "12.3%"
    share = FeatureSpec("X", "bureau", "CREDIT_ACTIVE", "mean", level="Active")
    assert format_value(share, 0.25, "fr") == f"25{NNBSP}%"
    assert format_value(EXT3, 0.4213, "fr") == "0,42"
    assert format_value(EXT3, 0.4213, "en") == "0.42"


def test_days_are_shown_as_positive_durations():
    assert format_value(AGE, -12783.0, "fr") == "34 ans"
    assert format_value(AGE, -12783.0, "en") == "34 years"
    employed = FeatureSpec("DAYS_EMPLOYED", "application", "DAYS_EMPLOYED")
    assert format_value(employed, -1534.0, "fr") == "4,2 ans"
    assert format_value(employed, -200.0, "fr") == "7 mois"
    assert format_value(employed, -12.0, "en") == "12 days"
    assert format_value(employed, 365243.0, "fr") == "sans objet"
    overdue = FeatureSpec("INSTAL_DPD_MAX", "installments_payments", "DPD", "max")
    assert format_value(overdue, 12.0, "fr") == "12 jours"
    months = FeatureSpec("BURO_MONTHS_BALANCE_MIN", "bureau_balance", "MONTHS_BALANCE", "min")
    assert format_value(months, -18.0, "fr") == "18 mois"


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
    assert reason(EXT3, 0.21, 0.3, "fr", reference=0.5) == "Score externe n°3 bas (0,21) : augmente le risque"
    assert reason(EXT3, 0.21, 0.3, "en", reference=0.5) == "External score 3 low (0.21): raises the risk"
    assert reason(EXT3, 0.21, 0.3, "fr") == "Score externe n°3 (0,21) : augmente le risque"
    assert reason(DEBT, 2e6, 0.1, "fr", reference=1e5).startswith(
        "Dette en cours totale des crédits actifs au bureau élevée"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_reason_direction_follows_the_contribution_sign(lang):
    up = {"fr": "augmente le risque", "en": "raises the risk"}[lang]
    down = {"fr": "réduit le risque", "en": "lowers the risk"}[lang]
    for spec, value in ((EXT3, 0.6), (DEBT, 1e5), (PENSIONER, 1.0), (AGE, None)):
        assert reason(spec, value, 0.2, lang).endswith(up)
        assert reason(spec, value, -0.2, lang).endswith(down)


def test_reason_on_a_one_hot_category():
    assert reason(PENSIONER, 1.0, -0.1, "fr") == "Type de revenu « Retraité » : réduit le risque"
    assert reason(PENSIONER, 0.0, 0.1, "en") == "Income type other than “Pensioner”: raises the risk"


def test_age_compares_by_length_not_by_sign():
    # -12783 days (34 years) is above the median -15750 (43 years) as a number, but a younger client.
    assert reason(AGE, -12783.0, 0.1, "fr", reference=-15750.0) == "Âge bas (34 ans) : augmente le risque"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        feature_label(EXT3, "de")
