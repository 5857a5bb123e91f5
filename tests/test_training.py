"""Training: the honest-CV rule, reproducibility, and the variants on the real extract."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE

from engine.evaluation import COST_FN
from engine.training import TrainingConfig, cross_validate, fold_indices, make_estimator, train

FAST = {"n_estimators": 40, "learning_rate": 0.1, "num_leaves": 7, "colsample_bytree": 0.5, "verbose": -1}


class SpySMOTE(SMOTE):
    """SMOTE that records which original rows it was given (column 0 holds the row number)."""

    seen: list[np.ndarray] = []

    def fit_resample(self, X, y, **params):
        SpySMOTE.seen.append(np.asarray(X)[:, 0].copy())
        return super().fit_resample(X, y, **params)


def _synthetic(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    X[rng.random((n, 6)) < 0.1] = np.nan
    y = (rng.random(n) < 1 / (1 + np.exp(-(np.nan_to_num(X[:, 1]) * 2 - 2.5)))).astype(int)
    X[:, 0] = np.arange(n)  # row number, to see where rows went
    return X, y


def test_smote_only_ever_sees_training_rows():
    X, y = _synthetic()
    config = TrainingConfig(n_splits=5, params=FAST)
    estimator = make_estimator("smote", config)
    estimator.set_params(smote=SpySMOTE(random_state=0))
    folds = fold_indices(y, config)
    SpySMOTE.seen = []
    oof, _ = cross_validate(X, y, estimator, folds, n_jobs=2)
    assert len(SpySMOTE.seen) == len(folds)  # resampled once per fold, never at prediction
    seen = {frozenset(rows.astype(int)) for rows in SpySMOTE.seen}
    by_train = {frozenset(train_rows): set(valid_rows) for train_rows, valid_rows in folds}
    assert seen == set(by_train)  # each resampling saw exactly one fold's training rows...
    assert all(not rows & by_train[rows] for rows in seen)  # ...and none of its validation rows
    assert not np.isnan(oof).any()  # every row predicted exactly once, out of fold


def test_folds_are_stratified_and_disjoint():
    _, y = _synthetic(1000)
    folds = fold_indices(y, TrainingConfig())
    valid = np.concatenate([v for _, v in folds])
    assert sorted(valid) == list(range(1000))
    rates = [y[v].mean() for _, v in folds]
    assert max(rates) - min(rates) < 0.02


def test_business_variant_weights_defaulters_by_the_cost_ratio():
    model = make_estimator("business", TrainingConfig())
    assert model.get_params()["class_weight"] == {0: 1, 1: COST_FN}
    with pytest.raises(ValueError, match="unknown training variant"):
        make_estimator("magic", TrainingConfig())


@pytest.fixture(scope="module")
def real_tables(home_credit):
    from engine.readers import read_tables

    return read_tables(home_credit, application="train").frames


def test_training_is_reproducible_and_reports_every_variant(real_tables):
    config = TrainingConfig(n_splits=3, params=FAST)
    first = train(real_tables, config)
    second = train(real_tables, config)
    for name in ("as_is", "smote", "business"):
        assert np.array_equal(first.variants[name].oof, second.variants[name].oof)
        m = first.variants[name].metrics
        assert 0.6 < m["roc_auc"] < 1
        assert m["at_threshold"]["business_cost"] <= m["at_0_5"]["business_cost"]
        assert len(m["top_importance"]) == 30
        assert sum(m["at_threshold"]["confusion_matrix"].values()) == 5000
    assert first.booster.model_to_string() == second.booster.model_to_string()
    assert first.shipped == min(first.variants, key=lambda n: first.variants[n].metrics["at_threshold"]["business_cost"])
    # Calibrated PD: average close to the observed default rate, threshold a probability.
    assert abs(first.oof_pd.mean() - first.target.mean()) < 0.01
    assert 0 < first.threshold < 1
    assert first.target.sum() == 386


def test_training_resamples_inside_folds_only(real_tables, monkeypatch):
    import engine.training

    class RowSpy(SMOTE):
        seen: list[int] = []

        def fit_resample(self, X, y, **params):
            RowSpy.seen.append(len(y))
            return super().fit_resample(X, y, **params)

    monkeypatch.setattr(engine.training, "SMOTE", RowSpy)
    config = TrainingConfig(n_splits=3, params=FAST, variants=("smote",))
    result = train(real_tables, config)
    folds = fold_indices(result.target, config)
    # One resampling per training fold, of exactly its rows; the only one over all 5,000 rows is
    # the final refit, after the out-of-fold predictions are made.
    assert sorted(RowSpy.seen) == sorted([len(t) for t, _ in folds] + [5000])
    assert RowSpy.seen[-1] == 5000
