"""Reason codes: groups an officer can say aloud, the client's own value, stored by structure, put into words."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from engine import labels
from engine import vocabulary as vocab
from engine.aggregations import NULL_LEVEL
from engine.families import all_blocks
from engine.feature_spec import FeatureSpec
from engine.reasons import ReasonWords, group_label, group_of
from storage.importer import import_files
from storage.store import ClientStore

OTHER = vocab.REASON_GROUPS[-1].key


@pytest.fixture(scope="module")
def demo(scorer, demo_tables):
    """Every demo client: the raw application rows, the feature rows and the scores."""
    features = scorer.features(demo_tables)
    return demo_tables["application"], features, scorer.score(features)


def test_the_groups_table_has_distinct_keys_and_words_in_both_languages():
    keys = [group.key for group in vocab.REASON_GROUPS]
    assert len(keys) == len(set(keys))
    assert len({group.fr for group in vocab.REASON_GROUPS}) == len({group.en for group in vocab.REASON_GROUPS}) == len(keys)
    assert group_label("external", "fr") == "Scores externes" and group_label("external", "en") == "External scores"


def test_every_feature_of_the_shipped_model_and_of_the_pipeline_has_a_group(bundle):
    shipped = [bundle.pipeline.specs[name] for name in bundle.feature_names]
    # Every feature the pipeline can build with the shipped levels, constant ones included.
    every = [spec for block in all_blocks(bundle.pipeline.levels) for spec, _ in block.pairs]
    assert {spec.table for spec in every} == {
        "application", "bureau", "bureau_balance", "previous_application",
        "POS_CASH_balance", "installments_payments", "credit_card_balance",
    }
    for spec in shipped + every:
        assert group_of(spec) != OTHER, f"{spec.name} ({spec.table}.{spec.column}) has no reason group"
    # A column nobody planned for falls in the last group rather than failing the scoring.
    assert group_of(FeatureSpec("NEW_RATIO", "application", "NEW_RATIO")) == OTHER


def test_every_feature_learned_from_the_extract_has_a_group(home_credit):
    from engine.features import learn_levels
    from engine.readers import read_tables

    frames = read_tables(home_credit, application="train").frames
    every = [spec for block in all_blocks(learn_levels(frames)) for spec, _ in block.pairs]
    assert [spec.name for spec in every if group_of(spec) == OTHER] == []


def test_a_reason_states_the_clients_own_category_level_never_one_it_lacks(scorer, demo):
    application, _, scores = demo
    raw = {row["SK_ID_CURR"]: row for row in application.iter_rows(named=True)}
    levels = scorer.bundle.pipeline.levels["application"]
    checked = 0
    for score in scores:
        for reason in score.against + score.favour:
            if reason.feature not in levels:
                continue
            own = raw[score.sk_id_curr][reason.feature]
            known = levels[reason.feature]
            if reason.value is None:  # a level the model does not know (unseen, or missing without a level)
                assert own not in known and not (own is None and NULL_LEVEL in known)
            else:
                assert reason.value == own or (reason.value == NULL_LEVEL and own in (None, "XNA"))
            for lang in labels.LANGS:
                text = scorer.words.text(reason.to_dict(), lang)
                assert vocab.WORDS[lang]["other"] not in text  # never "autre que « Salarié »"
                others = {labels.level_label(reason.feature, level, lang) for level in known} - {
                    labels.level_label(reason.feature, reason.value or "", lang)
                }
                assert not any(f"{vocab.WORDS[lang]['sep']}{other}{vocab.WORDS[lang]['dash']}" in text for other in others)
            checked += 1
    assert checked > 1000  # categories are among the reasons of most clients


def test_no_two_reasons_of_a_client_share_a_group_and_values_are_the_clients(scorer, demo):
    _, features, scores = demo
    column = {name: i for i, name in enumerate(features.columns)}
    rows = features.to_numpy()
    for i, score in enumerate(scores):
        groups = [r.group for r in score.against + score.favour]
        assert len(groups) == len(set(groups))
        for reason in score.against + score.favour:
            assert isinstance(reason.value, str) or reason.value is None or reason.value == pytest.approx(
                float(rows[i, column[reason.feature]]), rel=1e-6
            )


def test_group_contributions_add_up_to_the_clients_log_odds(scorer, demo):
    _, features, _ = demo
    X = scorer.matrix(features.head(200))
    contrib = scorer.contributions(X)
    shares = contrib[:, :-1] * scorer.bundle.calibration.a
    totals = scorer.groups.totals(shares)
    assert totals.shape[1] == len(scorer.groups.keys)
    assert np.allclose(totals.sum(axis=1), shares.sum(axis=1), atol=1e-9)
    scores = scorer.score(features.head(200))
    for i, score in enumerate(scores):
        by_key = dict(zip(scorer.groups.keys, totals[i]))
        for reason in score.against + score.favour:
            assert reason.contribution == pytest.approx(by_key[reason.group], rel=1e-6)
        strongest = max(by_key.values())
        assert not score.against or score.against[0].contribution == pytest.approx(strongest, rel=1e-6)


def test_a_client_scored_on_the_application_alone_gets_no_reason_from_a_table_not_supplied(scorer, demo):
    """A table not supplied says nothing about the client: what its blanked features add goes to the
    base of the waterfall (the average client of that input kind), never to a reason."""
    application, _, _ = demo
    features = scorer.features({"application": application.head(300)})
    model = scorer.bundle.model_for({"application"})
    scores = scorer.score(features, supplied={"application"})
    assert {s.model for s in scores} == {"application"}
    spec = scorer.bundle.pipeline.specs
    for score in scores:
        for reason in score.against + score.favour:
            assert spec[reason.feature].table in model.tables if reason.feature in spec else True, reason
            assert reason.group not in ("previous", "repayments", "cards"), reason
    X = scorer.matrix(features)
    shares = scorer.contributions(X)[:, :-1] * model.calibration.a
    known, unknown = scorer.known_shares(shares, model)
    assert np.allclose(known.sum(axis=1) + unknown, shares.sum(axis=1)) and np.abs(unknown).max() > 0


@pytest.mark.parametrize(
    ("spec", "value", "fr", "en"),
    [
        (FeatureSpec("EXT_SOURCE_1", "application", "EXT_SOURCE_1"), 0.0005, "0,0005", "0.0005"),
        (FeatureSpec("EXT_SOURCE_1", "application", "EXT_SOURCE_1"), 0.4213, "0,42", "0.42"),
        (FeatureSpec("ANNUITY_INCOME_PERC", "application", "ANNUITY_INCOME_PERC"), 0.0000123, "0,0012\xa0%", "0.0012%"),
        (FeatureSpec("X_MEAN", "bureau", "CNT_CREDIT_PROLONG", "mean"), 0.00031, "0,00031", "0.00031"),
        (FeatureSpec("AMT_CREDIT", "application", "AMT_CREDIT"), 1234567.5, "1\u202f234\u202f567,50", "1,234,567.50"),
    ],
)
def test_small_values_keep_significant_digits(spec, value, fr, en):
    assert labels.format_value(spec, value, "fr") == fr and labels.format_value(spec, value, "en") == en


def test_stored_reasons_keep_their_structure_and_are_worded_in_both_languages(scorer, demo_tables, tmp_path):
    clients = demo_tables["application"]["SK_ID_CURR"].head(50)
    folder = tmp_path / "batch"
    folder.mkdir()
    demo_tables["application"].filter(pl.col("SK_ID_CURR").is_in(clients.implode())).write_csv(folder / "application_test.csv")
    store = ClientStore(tmp_path / "store")
    import_files(store, [folder / "application_test.csv"], scorer)
    expected = {s.sk_id_curr: s for s in scorer.score(scorer.features({"application": demo_tables["application"].filter(
        pl.col("SK_ID_CURR").is_in(clients.implode()))}), supplied={"application"})}  # as the import scores it
    stored = store.db.execute("SELECT reasons FROM scores").fetchall()
    assert all(len(text) < 1000 for (text,) in stored)  # the structure, not two languages of sentences
    for sk_id, score in expected.items():
        record = store.client(sk_id).score
        assert record.against == [r.to_dict() for r in score.against]
        assert record.favour == [r.to_dict() for r in score.favour]
        for reason in record.against:
            fr, en = scorer.words.text(reason, "fr"), scorer.words.text(reason, "en")
            assert fr.endswith("augmente le risque") and en.endswith("raises the risk")
            assert fr.startswith(scorer.words.parts(reason, "fr")[0])


def test_reasons_stored_before_the_groups_are_shown_as_they_were_written(scorer):
    old = {"feature": "EXT_SOURCE_3", "value": 0.2, "contribution": 0.3,
           "fr": "Score externe n°3 : faible (0,2) — augmente le risque", "en": "External score 3: low (0.2) — raises the risk"}
    assert scorer.words.text(old, "fr") == old["fr"] and scorer.words.text(old, "en") == old["en"]
    assert scorer.words.parts(old, "en") == [old["en"]]


def test_words_of_reasons_the_model_does_not_know(scorer):
    words = ReasonWords(scorer.bundle.pipeline.specs, {})
    unknown_feature = {"group": "bureau", "feature": "GONE_FEATURE", "value": 1.0, "contribution": -0.2}
    assert words.text(unknown_feature, "fr") == "Crédits auprès d'autres établissements — réduit le risque"
    unseen_level = {"group": "employment", "feature": "NAME_INCOME_TYPE", "value": None, "contribution": 0.1}
    assert words.text(unseen_level, "en") == "Employment and source of income — Income type: unknown — raises the risk"
    own = {"group": "employment", "feature": "NAME_INCOME_TYPE", "value": "Pensioner", "contribution": -0.1}
    assert words.detail(own, "fr") == "Type de revenu : Retraité"
    age = {"group": "age", "feature": "DAYS_BIRTH", "value": -18064.0, "contribution": -0.1}
    assert words.text(age, "fr") == "Âge : 49 ans — réduit le risque"  # the group is not said twice
    assert json.loads(json.dumps(own)) == own
