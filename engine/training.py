"""Training: stratified K-fold LightGBM, three ways of handling the imbalance, one shipped model.

The three trainings of the original study, all evaluated the same honest way on out-of-fold
(OOF) predictions of a seeded ``StratifiedKFold``:

``as_is``
    LightGBM on the data as it is (7.7 % defaulters), no resampling, no weights.
``smote``
    SMOTE inside each training fold only (``imblearn.pipeline.Pipeline``: median imputation,
    SMOTE, LightGBM), so no synthetic row is ever built from a validation row.
``business``
    Cost-sensitive LightGBM: defaulters weighted by the business cost ratio (10:1).

For each, the threshold minimising ``10 × FN + FP`` is chosen on the OOF probabilities.
The shipped variant has the lowest business cost at its threshold; it is refitted on all rows
and Platt-calibrated on its OOF margins.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import polars as pl
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold

from engine import evaluation
from engine.calibration import PlattCalibration, to_margin
from engine.features import FeaturePipeline

log = logging.getLogger(__name__)

VARIANTS = ("as_is", "smote", "business")

#: LightGBM settings for a few thousand rows and several hundred sparse features: small trees,
#: randomised splits (extra trees), a few features per tree and strong regularisation.
LGBM_PARAMS: dict = {
    "n_estimators": 800,
    "learning_rate": 0.02,
    "num_leaves": 7,
    "max_depth": 3,
    "min_child_samples": 80,
    "subsample": 0.7,
    "subsample_freq": 1,
    "colsample_bytree": 0.05,
    "reg_lambda": 10.0,
    "extra_trees": True,
    "max_bin": 63,
    "force_col_wise": True,
    "verbose": -1,
}


@dataclass
class TrainingConfig:
    n_splits: int = 5
    seed: int = 42
    n_jobs: int = 2  # folds trained at once, in threads; each LightGBM model uses one thread
    variants: tuple[str, ...] = VARIANTS
    params: dict = field(default_factory=lambda: dict(LGBM_PARAMS))


@dataclass
class VariantResult:
    name: str
    oof: np.ndarray
    importance: np.ndarray  # mean gain over folds, one per feature
    metrics: dict


@dataclass
class TrainingResult:
    pipeline: FeaturePipeline
    features: pl.DataFrame  # SK_ID_CURR + feature columns of the training clients
    target: np.ndarray
    application_categories: pl.DataFrame  # SK_ID_CURR + the raw text columns (for drift and the app)
    variants: dict[str, VariantResult]
    shipped: str
    booster: lgb.Booster
    calibration: PlattCalibration
    threshold: float  # on the calibrated PD
    impute: bool  # the shipped model was trained on median-imputed rows (SMOTE): impute at scoring too
    oof_pd: np.ndarray  # calibrated OOF probabilities of the shipped variant
    calibration_metrics: dict
    config: TrainingConfig


def make_estimator(variant: str, config: TrainingConfig):
    """An unfitted estimator for one variant (an sklearn/imblearn object with fit/predict_proba)."""
    # One OpenMP thread per model: parallelism comes from training folds side by side, which scales
    # on 2 cores without OpenMP's busy-waiting when the machine is shared.
    params = {**config.params, "random_state": config.seed, "n_jobs": 1, "deterministic": True}
    if variant == "as_is":
        return lgb.LGBMClassifier(**params)
    if variant == "business":
        return lgb.LGBMClassifier(**params, class_weight={0: evaluation.COST_FP, 1: evaluation.COST_FN})
    if variant == "smote":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("smote", SMOTE(random_state=config.seed)),
                ("model", lgb.LGBMClassifier(**params)),
            ]
        )
    raise ValueError(f"unknown training variant {variant!r}; expected one of {VARIANTS}")


def fold_indices(y: np.ndarray, config: TrainingConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """The seeded stratified folds as (train, valid) index pairs."""
    skf = StratifiedKFold(n_splits=config.n_splits, shuffle=True, random_state=config.seed)
    return list(skf.split(np.zeros(len(y)), y))


def _booster(estimator) -> lgb.Booster:
    model = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    return model.booster_


def cross_validate(
    X: np.ndarray, y: np.ndarray, estimator, folds: list[tuple[np.ndarray, np.ndarray]], n_jobs: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """OOF probabilities and mean gain importance; each fold's model sees only its training rows."""

    def fit_fold(fold: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        train, valid = fold
        model = clone(estimator).fit(X[train], y[train])
        return model.predict_proba(X[valid])[:, 1], _booster(model).feature_importance("gain")

    oof = np.full(len(y), np.nan)
    gain = np.zeros(X.shape[1])
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:  # LightGBM releases the GIL while training
        for (_, valid), (proba, fold_gain) in zip(folds, pool.map(fit_fold, folds)):
            oof[valid] = proba
            gain += fold_gain
    return oof, gain / len(folds)


def _cross_fitted_brier(margin: np.ndarray, y: np.ndarray, folds) -> float:
    """Brier score of Platt calibration fitted on the other folds' OOF margins."""
    pd_ = np.empty(len(y))
    for train, valid in folds:
        pd_[valid] = PlattCalibration.fit(margin[train], y[train]).predict(margin[valid])
    return float(np.mean((pd_ - y) ** 2))


def train(
    tables: Mapping[str, pl.DataFrame | None],
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = log.info,
) -> TrainingResult:
    """Build features, cross-validate every variant, refit and calibrate the cheapest one."""
    config = config or TrainingConfig()
    application = tables["application"]
    if application is None or "TARGET" not in application.columns:
        raise ValueError("training needs the labelled application table (application_train, with TARGET)")
    if application["TARGET"].null_count():
        raise ValueError("TARGET has missing values: training needs every client labelled")
    progress("building features")
    pipeline = FeaturePipeline().fit(tables)
    features = pipeline.transform(tables)
    target = (
        application.select("SK_ID_CURR", "TARGET")
        .join(features.select("SK_ID_CURR"), on="SK_ID_CURR", how="right")["TARGET"]
        .to_numpy()
        .astype(np.int64)
    )
    X = features.select(pipeline.feature_names).to_numpy().astype(np.float32)
    folds = fold_indices(target, config)
    valid_folds = [v for _, v in folds]

    variants = {}
    for name in config.variants:
        progress(f"cross-validating {name} ({config.n_splits} folds)")
        oof, gain = cross_validate(X, target, make_estimator(name, config), folds, config.n_jobs)
        metrics = evaluation.summary(target, oof, valid_folds)
        top = np.argsort(-gain)[:30]
        metrics["top_importance"] = [
            {"feature": pipeline.feature_names[i], "gain": float(gain[i])} for i in top if gain[i] > 0
        ]
        variants[name] = VariantResult(name, oof, gain, metrics)
        log.info("%s: OOF ROC AUC %.4f, cost %d", name, metrics["roc_auc"], metrics["at_threshold"]["business_cost"])

    shipped = min(variants, key=lambda n: (variants[n].metrics["at_threshold"]["business_cost"], -variants[n].metrics["roc_auc"]))
    progress(f"refitting {shipped} on all {len(target)} clients")
    final = make_estimator(shipped, config)
    prefix = "model__" if isinstance(final, Pipeline) else ""
    final.fit(X, target, **{f"{prefix}feature_name": pipeline.feature_names})

    oof_margin = to_margin(variants[shipped].oof)
    calibration = PlattCalibration.fit(oof_margin, target)
    raw_threshold = variants[shipped].metrics["at_threshold"]["threshold"]
    threshold = float(calibration.predict(to_margin(np.array([raw_threshold])))[0])
    oof_pd = calibration.predict(oof_margin)
    calibration_metrics = {
        "method": "platt",
        "brier_uncalibrated": variants[shipped].metrics["brier"],
        "brier_calibrated_in_sample": float(np.mean((oof_pd - target) ** 2)),
        "brier_calibrated_cross_fitted": _cross_fitted_brier(oof_margin, target, folds),
        "curve": _reliability(target, oof_pd),
    }
    return TrainingResult(
        pipeline=pipeline,
        features=features,
        target=target,
        application_categories=application.select(
            "SK_ID_CURR", *[c for c, t in application.schema.items() if t == pl.String]
        ),
        variants=variants,
        shipped=shipped,
        booster=_booster(final),
        calibration=calibration,
        threshold=threshold,
        impute=isinstance(final, Pipeline),
        oof_pd=oof_pd,
        calibration_metrics=calibration_metrics,
        config=config,
    )


def _reliability(y: np.ndarray, pd_: np.ndarray, bins: int = 10) -> dict:
    """Mean predicted PD and observed default rate per PD decile (for the calibration plot)."""
    edges = np.unique(np.quantile(pd_, np.linspace(0, 1, bins + 1)))
    idx = np.clip(np.searchsorted(edges, pd_, side="right") - 1, 0, len(edges) - 2)
    predicted, observed, counts = [], [], []
    for b in range(len(edges) - 1):
        mask = idx == b
        if mask.any():
            predicted.append(float(pd_[mask].mean()))
            observed.append(float(y[mask].mean()))
            counts.append(int(mask.sum()))
    return {"predicted": predicted, "observed": observed, "count": counts}
