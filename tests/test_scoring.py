"""Scoring with the shipped bundle: PD, decision, grade, points, exact TreeSHAP and reasons."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from engine.grading import grades, points
from engine.scoring import ACCEPT, REFUSE


@pytest.fixture(scope="module")
def demo_features(scorer, demo_tables):
    return scorer.features(demo_tables)


def test_demo_batch_scores_every_client(scorer, demo_features):
    table = scorer.score_table(demo_features)
    assert table.height == 5000 and table["SK_ID_CURR"].n_unique() == 5000
    assert table["PD"].is_between(0, 1).all()
    assert set(table["DECISION"].unique()) == {ACCEPT, REFUSE}
    refused = table.filter(pl.col("DECISION") == REFUSE)
    assert (refused["PD"] >= scorer.bundle.threshold).all()
    assert list(table["GRADE"]) == list(grades(table["PD"].to_numpy()))
    assert list(table["POINTS"]) == list(points(table["PD"].to_numpy()))
    # A batch like the training population: mean PD in the range of the 7.7 % training default rate.
    assert 0.04 < table["PD"].mean() < 0.12
    # Every client has reasons; a client has none against only when every group lowers its risk (rare).
    assert (table["REASONS_AGAINST_FR"].str.len_chars() + table["REASONS_FOR_FR"].str.len_chars()).min() > 0
    assert (table["REASONS_AGAINST_FR"].str.len_chars() > 0).mean() > 0.95


def test_contributions_match_shap_tree_explainer(scorer, demo_features):
    import shap  # the reference implementation, in the test extras

    X = scorer.matrix(demo_features.head(200))
    ours = scorer.contributions(X)
    # The bundle's model is a bag: SHAP values are linear in the model, so the bag's are the mean of
    # each booster's, computed here by the reference implementation.
    values, expected = [], []
    for booster in scorer.bundle.booster.boosters:
        explainer = shap.TreeExplainer(booster)
        theirs = np.asarray(explainer.shap_values(X))
        values.append(theirs[1] if theirs.ndim == 3 and theirs.shape[0] == 2 else theirs)
        expected.append(np.ravel(explainer.expected_value)[-1])
    assert np.allclose(ours[:, :-1], np.mean(values, axis=0), atol=1e-6, rtol=0)
    assert np.allclose(ours[:, -1], np.mean(expected), atol=1e-6)
    # Exact decomposition of the raw margin.
    assert np.allclose(ours.sum(axis=1), scorer.margin(X), atol=1e-6)


def test_one_client_alone_scores_as_in_the_batch(scorer, demo_tables, demo_features):
    client = int(demo_features["SK_ID_CURR"][17])
    alone = {
        name: (None if frame is None else frame.filter(pl.col("SK_ID_CURR") == client) if "SK_ID_CURR" in frame.columns else frame)
        for name, frame in demo_tables.items()
    }
    one = scorer.score(scorer.features(alone))
    batch = scorer.score(demo_features.slice(17, 1))
    assert len(one) == 1 and one[0].sk_id_curr == client
    assert one[0].pd == pytest.approx(batch[0].pd, abs=1e-12)
    assert [r.feature for r in one[0].against] == [r.feature for r in batch[0].against]


def test_reasons_are_signed_sorted_and_worded_in_both_languages(scorer, demo_features):
    base = float(scorer.bundle.calibration.predict(scorer.contributions(scorer.matrix(demo_features.head(1)))[:, -1])[0])
    for s in scorer.score(demo_features.head(300)):
        assert 0 < len(s.against) + len(s.favour) and len(s.against) <= 4 and len(s.favour) <= 4
        assert s.against or s.pd < base  # no reason against: every group lowers the risk below the average client's
        up = [r.contribution for r in s.against]
        down = [r.contribution for r in s.favour]
        assert all(c > 0 for c in up) and up == sorted(up, reverse=True)
        assert all(c < 0 for c in down) and down == sorted(down)
        for r in s.against + s.favour:
            fr, en = (scorer.words.text(r.to_dict(), lang) for lang in ("fr", "en"))
            assert fr and en and fr != en
        assert len({r.group for r in s.against + s.favour}) == len(s.against) + len(s.favour)  # no group twice
        assert s.decision == (REFUSE if s.pd >= scorer.bundle.threshold else ACCEPT)


def test_calibrated_log_odds_decompose_into_reasons(scorer, demo_features):
    X = scorer.matrix(demo_features.head(30))
    contrib = scorer.contributions(X)
    cal = scorer.bundle.calibration
    log_odds = cal.a * contrib.sum(axis=1) + cal.b
    assert np.allclose(1 / (1 + np.exp(-log_odds)), scorer.predict_pd(X))
