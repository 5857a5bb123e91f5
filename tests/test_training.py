"""Training: the honest-CV rule, reproducibility, and the variants on the real extract."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE

from engine.evaluation import COST_FN
from engine.training import (
    VARIANTS, TrainingConfig, cross_validate, fold_indices, make_estimator, monotone_constraints, train,
)
from engine.table_dropout import blanked, with_dropout

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
    oof, _ = cross_validate(X, y, [estimator], folds, n_jobs=2)
    oof = oof["full"]
    assert len(SpySMOTE.seen) == len(folds)  # resampled once per fold, never at prediction
    seen = {frozenset(rows.astype(int)) for rows in SpySMOTE.seen}
    by_train = {frozenset(train_rows): set(valid_rows) for train_rows, valid_rows in folds}
    assert seen == set(by_train)  # each resampling saw exactly one fold's training rows...
    assert all(not rows & by_train[rows] for rows in seen)  # ...and none of its validation rows
    assert not np.isnan(oof).any()  # every row predicted exactly once, out of fold


def test_a_bag_predicts_the_sigmoid_of_its_models_mean_margin_each_on_its_own_dropout_draw():
    from engine.calibration import to_margin
    from engine.training import bag_proba, fit_bag, make_bag

    X, y = _synthetic(800)
    X[:, 0] = 0.0
    masks = {"application": np.array([False, False, False, True, True, True]), "full": np.zeros(6, dtype=bool)}
    bag = make_bag("as_is", TrainingConfig(params=FAST, bags=3))
    assert [m.get_params()["random_state"] for m in bag] == [42, 43, 44]
    models = fit_bag(bag, X, y, masks, 0.5, 42, 0)
    trees = [m.booster_.model_to_string() for m in models]
    assert len(set(trees)) == 3  # three seeds and three dropout draws: three different boosters
    margins = [to_margin(m.predict_proba(X)[:, 1]) for m in models]
    assert np.allclose(to_margin(bag_proba(models, X)), np.mean(margins, axis=0), atol=1e-9)
    # The first booster of a bag is the single model of the same seed and dropout draw (bags=1).
    single = fit_bag(make_bag("as_is", TrainingConfig(params=FAST, bags=1)), X, y, masks, 0.5, 42, 0)
    assert single[0].booster_.model_to_string() == trees[0]
    with pytest.raises(ValueError, match="at least one booster"):
        TrainingConfig(bags=0)
    with pytest.raises(ValueError, match="unknown threshold rule"):
        TrainingConfig(threshold_rule="median")


def test_folds_are_stratified_and_disjoint():
    _, y = _synthetic(1000)
    folds = fold_indices(y, TrainingConfig())
    valid = np.concatenate([v for _, v in folds])
    assert sorted(valid) == list(range(1000))
    rates = [y[v].mean() for _, v in folds]
    assert max(rates) - min(rates) < 0.02


def test_shipped_variant_must_be_trained():
    assert TrainingConfig().shipped in VARIANTS
    with pytest.raises(ValueError, match="'as_is' is not among the trained variants"):
        TrainingConfig(variants=("smote",))


def test_features_are_identical_from_run_to_run(real_tables):
    # polars' grouped var summed in thread order: the credit-card limit variance changed its last
    # digits on every run, and so did the model trained on it.
    from engine.features import FeaturePipeline

    runs = [FeaturePipeline().fit_transform(real_tables) for _ in range(4)]
    assert "CC_AMT_CREDIT_LIMIT_ACTUAL_VAR" in runs[0].columns
    assert all(run.equals(runs[0]) for run in runs[1:])


def test_business_variant_weights_defaulters_by_the_cost_ratio():
    model = make_estimator("business", TrainingConfig())
    assert model.get_params()["class_weight"] == {0: 1, 1: COST_FN}
    with pytest.raises(ValueError, match="unknown training variant"):
        make_estimator("magic", TrainingConfig())


@pytest.fixture(scope="module")
def real_tables(home_credit):
    from engine.readers import read_tables

    return read_tables(home_credit, application="train").frames


#: Every variant, two fold seeds, bags of two: the training the reproducibility and protected-attribute tests read.
SHARED = TrainingConfig(n_splits=3, params=FAST, fold_seeds=(42, 7), bags=2)


@pytest.fixture(scope="module")
def trained(real_tables):
    """One training with :data:`SHARED`, read (never changed) by the tests given it."""
    return train(real_tables, SHARED)


@pytest.mark.slow
def test_training_is_reproducible_and_reports_every_variant(real_tables, trained):
    config = SHARED
    first = trained
    second = train(real_tables, config)
    assert list(first.models) == ["application", "bureau", "full"]
    for name in ("as_is", "smote", "business"):
        for coverage in first.models:
            assert np.array_equal(first.variants[name].oof[coverage], second.variants[name].oof[coverage])
        m = first.variants[name].metrics
        assert 0.6 < m["roc_auc"] < 1
        assert m["at_threshold"]["business_cost"] <= m["at_0_5"]["business_cost"]
        assert len(m["top_importance"]) == 30
        assert sum(m["at_threshold"]["confusion_matrix"].values()) == 5000
        by_seed = m["coverages"]["full"]["roc_auc_by_seed"]
        assert len(by_seed) == 2 and m["roc_auc_mean"] == pytest.approx(np.mean(by_seed))
        assert m["roc_auc_std"] == pytest.approx(np.std(by_seed))
    assert [b.model_to_string() for b in first.booster.boosters] == [b.model_to_string() for b in second.booster.boosters]
    assert len(first.booster.boosters) == 2
    assert first.shipped == config.shipped  # fixed before training (nested CV), not picked on these folds
    for name, model in first.models.items():
        # Calibrated PD: average close to the observed default rate (in sample and cross-fitted),
        # threshold a probability; each coverage its own calibration.
        assert abs(first.oof_pd[name].mean() - first.target.mean()) < 0.01
        assert abs(model.metrics.mean_pd - first.target.mean()) < 0.1 * first.target.mean()
        assert 0 < model.threshold < 1 and model.calibration.a > 0
        # The threshold of the configured rule; both rules' cross-fitted costs are on record.
        if config.threshold_rule == "bayes":
            assert model.threshold == pytest.approx(1 / 11)
        costs = first.variants[first.shipped].metrics["coverages"][name]["cross_fitted_cost_by_rule"]
        assert set(costs) == {"argmin", "bayes"} and model.metrics.cross_fitted_cost_by_seed == costs[config.threshold_rule]["by_seed"]
        assert model.metrics.tables == sorted(model.tables) and model.reference_pd == ("PD" if name == "full" else f"PD_{name}")
    assert len({m.calibration for m in first.models.values()}) == 3
    assert first.target.sum() == 386


@pytest.mark.slow
def test_protected_attribute_is_no_feature_and_amounts_are_monotone(real_tables, trained):
    config, result = SHARED, trained
    assert not [n for n in result.pipeline.feature_names if result.pipeline.specs[n].column == "CODE_GENDER"]
    assert "CODE_GENDER" not in result.pipeline.levels["application"]
    assert result.fairness["sex"] and {r["group"] for r in result.fairness["sex"]} >= {"F", "M"}
    names = result.booster.feature_name()
    constraints = dict(zip(names, monotone_constraints(names, config)))
    assert constraints["AMT_CREDIT"] == 1 and constraints["AMT_INCOME_TOTAL"] == -1
    # Each booster itself carries the constraints (its text format lists its parameters).
    for booster in result.booster.boosters:
        line = next(x for x in booster.model_to_string().splitlines() if x.startswith("[monotone_constraints:"))
        assert [int(v) for v in line.split(":", 1)[1].strip(" ]").split(",")] == list(constraints.values())

    # Only its features are read: one booster is enough.
    with_gender = train(real_tables, TrainingConfig(n_splits=3, params=FAST, fold_seeds=(42,), variants=("as_is",), bags=1, exclude=()))
    assert "CODE_GENDER_M" in with_gender.pipeline.feature_names
    with pytest.raises(ValueError, match="GENDER_CODE"):
        train(real_tables, TrainingConfig(n_splits=3, params=FAST, exclude=("GENDER_CODE",)))


def test_table_dropout_blanks_a_share_of_rows_as_a_smaller_coverage():
    X = np.ones((2000, 4), dtype=np.float32)
    masks = {
        "application": np.array([False, True, True, True]),
        "bureau": np.array([False, False, True, True]),
        "full": np.zeros(4, dtype=bool),
    }
    out = with_dropout(X, masks, 0.5, np.random.default_rng(0))
    assert np.isnan(X).sum() == 0  # the input is left alone
    app_only = np.isnan(out[:, 1]).mean()
    bureau_only = (np.isnan(out[:, 2]) & ~np.isnan(out[:, 1])).mean()
    assert 0.2 < app_only < 0.3 and 0.2 < bureau_only < 0.3
    assert not np.isnan(out[:, 0]).any()
    assert blanked(X, masks["full"]) is X
    assert np.isnan(blanked(X, masks["bureau"])[:, 2:]).all()


def test_training_resamples_inside_folds_only(real_tables, monkeypatch):
    import engine.training

    class RowSpy(SMOTE):
        seen: list[int] = []

        def fit_resample(self, X, y, **params):
            RowSpy.seen.append(len(y))
            return super().fit_resample(X, y, **params)

    monkeypatch.setattr(engine.training, "SMOTE", RowSpy)
    config = TrainingConfig(n_splits=3, params=FAST, fold_seeds=(42,), variants=("smote",), shipped="smote", bags=2)
    result = train(real_tables, config)
    folds = fold_indices(result.target, config)
    # One resampling per booster of each training fold, of exactly its rows; the only ones over all
    # 5,000 rows are the final refit's, after the out-of-fold predictions are made.
    assert sorted(RowSpy.seen) == sorted([len(t) for t, _ in folds] * 2 + [5000] * 2)
    assert RowSpy.seen[-2:] == [5000, 5000]
