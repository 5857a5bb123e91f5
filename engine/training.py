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

Models by available tables: one booster is trained with *table dropout*: the history features of a
random share of the training clients (:attr:`TrainingConfig.dropout`) are blanked as a smaller
coverage's (application only, or application + bureau; :mod:`engine.coverage`), exactly as a batch
without those tables is scored. Each validation fold is then predicted once per coverage, with the
features of the tables outside it blanked, so each coverage model has its own OOF predictions: its
own Platt calibration, cost-optimal threshold (``10 × FN + FP``) and metrics.

Bagging: every model is a bag of :attr:`TrainingConfig.bags` boosters, each with its own model seed
and its own table-dropout draw; the bag's margin is the mean of theirs. The bag keeps the total
number of trees of one booster (each has ``n_estimators`` ÷ k rounds at ``learning_rate`` × k), so
TreeSHAP costs the same at scoring. Fixed a priori, as the rest.

Threshold rule (:attr:`TrainingConfig.threshold_rule`): ``bayes`` refuses at a calibrated PD of
1 / (1 + 10) or more, the Bayes-optimal decision for the 10:1 cost on calibrated probabilities
(fixed, not fitted); ``argmin`` takes the threshold of lowest business cost on the OOF predictions.
Both rules' cross-fitted costs are reported.

Protected attributes (:attr:`TrainingConfig.exclude`, CODE_GENDER by default) are not inputs; the
amount and income features are monotone (:data:`engine.families.MONOTONE`).

Tuning: nothing is searched here. The LightGBM settings were compared on one fold split of the
extract's clients in an early round, and the bag and the threshold rule were measured on the reported
splits before they shipped, so the OOF AUC may be slightly optimistic; the nested CV of
``bench/bench_nested.py`` gives the outer figure (``bench/RESULTS-models.md``). The OOF ROC AUC is reported as mean ± std over several fold seeds
(:attr:`TrainingConfig.fold_seeds`); calibration, thresholds and the reference PDs come from the
first seed's OOF predictions. The shipped variant (:attr:`TrainingConfig.shipped`) was chosen by nested CV
in ``bench/bench_nested.py``; it is refitted on all rows.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import lightgbm as lgb
import numpy as np
import polars as pl
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from engine import evaluation, fairness
from engine.bundle import BoosterBag, CoverageModel
from engine.calibration import PlattCalibration, to_margin
from engine.constants import VARIANTS
from engine.coverage import COVERAGES, Coverage, coverages_for
from engine.families import MONOTONE
from engine.manifest import ModelMetrics
from engine.features import FeaturePipeline
from engine.schema import PROTECTED
from engine.table_dropout import blank_masks, blanked, with_dropout

log = logging.getLogger(__name__)

#: LightGBM settings of each booster of a bag of 5, for a few thousand rows and several hundred
#: sparse features: small trees, randomised splits (extra trees), a few features per tree and strong
#: regularisation. A single booster had 800 rounds at 0.02; each of the 5 has ÷ 5 rounds at × 5 the
#: rate (same trees in all, same rate × rounds).
LGBM_PARAMS: dict = {
    "n_estimators": 160,
    "learning_rate": 0.1,
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
    seed: int = 42  # of the models and of the table dropout
    fold_seeds: tuple[int, ...] = (42, 7, 2026)  # the OOF AUC is reported over these splits
    n_jobs: int = 2  # folds trained at once, in threads; each LightGBM model uses one thread
    variants: tuple[str, ...] = VARIANTS
    params: dict = field(default_factory=lambda: dict(LGBM_PARAMS))
    exclude: tuple[str, ...] = PROTECTED  # raw columns no feature may be built from
    monotone: bool = True  # constrain the amount and income features (engine.families.MONOTONE)
    dropout: float = 0.5  # share of training clients whose history is blanked (smaller coverages, evenly)
    bags: int = 5  # boosters per model (seeds seed … seed + bags − 1), margins averaged
    #: "argmin": lowest OOF cost; "bayes": refuse at calibrated PD ≥ 1/11. The bayes rule was to ship if it
    #: beat argmin on the full-history model over the three fold seeds: it did not (bench/RESULTS-models.md).
    threshold_rule: str = "argmin"
    #: The variant refitted and shipped, fixed a priori: chosen by nested CV (bench/bench_nested.py,
    #: bench/RESULTS-models.md), never by the figures this training reports.
    shipped: str = "as_is"

    def __post_init__(self) -> None:
        if self.shipped not in self.variants:
            raise ValueError(f"the shipped variant {self.shipped!r} is not among the trained variants {self.variants}")
        if self.threshold_rule not in evaluation.THRESHOLD_RULES:
            raise ValueError(f"unknown threshold rule {self.threshold_rule!r}; expected one of {evaluation.THRESHOLD_RULES}")
        if self.bags < 1:
            raise ValueError(f"a model needs at least one booster, not {self.bags}")


@dataclass
class VariantResult:
    name: str
    oof: dict[str, np.ndarray]  # coverage name -> OOF probabilities of the first fold seed
    importance: np.ndarray  # mean gain over folds, one per feature
    metrics: dict  # the full-history model's, with "coverages": per coverage AUC over the fold seeds


@dataclass
class TrainingResult:
    pipeline: FeaturePipeline
    features: pl.DataFrame  # SK_ID_CURR + feature columns of the training clients
    target: np.ndarray
    application_categories: pl.DataFrame  # SK_ID_CURR + the raw text columns (for drift and the app)
    variants: dict[str, VariantResult]
    shipped: str
    booster: BoosterBag
    models: dict[str, CoverageModel]  # one per coverage the training tables allow, smallest first
    trained_tables: frozenset[str]
    impute: bool  # the shipped model was trained on median-imputed rows (SMOTE): impute at scoring too
    oof_pd: dict[str, np.ndarray]  # coverage name -> calibrated OOF PD of the shipped variant
    calibration_metrics: dict  # the full-history model's
    fairness: dict  # engine.fairness.report of the full-history model's OOF decisions
    config: TrainingConfig

    @property
    def full(self) -> CoverageModel:
        """The model of the largest coverage (every table the training had)."""
        return list(self.models.values())[-1]


def monotone_constraints(names: list[str], config: TrainingConfig) -> list[int]:
    """LightGBM's monotone constraint of each feature (0: free)."""
    return [MONOTONE.get(name, 0) if config.monotone else 0 for name in names]


def make_estimator(variant: str, config: TrainingConfig, constraints: list[int] | None = None):
    """An unfitted estimator for one variant (an sklearn/imblearn object with fit/predict_proba)."""
    # One OpenMP thread per model: parallelism comes from training folds side by side, which scales
    # on 2 cores without OpenMP's busy-waiting when the machine is shared.
    params = {**config.params, "random_state": config.seed, "n_jobs": 1, "deterministic": True}
    if constraints and any(constraints):
        params["monotone_constraints"] = constraints
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


def make_bag(variant: str, config: TrainingConfig, constraints: list[int] | None = None) -> list:
    """The unfitted estimators of one variant's bag, with model seeds ``seed … seed + bags − 1``."""
    return [make_estimator(variant, replace(config, seed=config.seed + b), constraints) for b in range(config.bags)]


def fit_bag(bag: list, X: np.ndarray, y: np.ndarray, masks: dict[str, np.ndarray], dropout: float, seed: int, draw: int,
            **fit_params) -> list:
    """Each estimator of ``bag`` fitted on its own table-dropout draw of the rows (``[seed + b, draw]``)."""
    return [
        clone(estimator).fit(with_dropout(X, masks, dropout, np.random.default_rng([seed + b, draw])), y, **fit_params)
        for b, estimator in enumerate(bag)
    ]


def bag_proba(models: list, X: np.ndarray) -> np.ndarray:
    """Probability of default of a fitted bag: the sigmoid of the mean of its models' margins."""
    margin = np.mean([to_margin(model.predict_proba(X)[:, 1]) for model in models], axis=0)
    return 1.0 / (1.0 + np.exp(-margin))


def fold_indices(y: np.ndarray, config: TrainingConfig, seed: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stratified folds of ``seed`` (default: the first fold seed) as (train, valid) index pairs."""
    seed = config.fold_seeds[0] if seed is None else seed
    skf = StratifiedKFold(n_splits=config.n_splits, shuffle=True, random_state=seed)
    return list(skf.split(np.zeros(len(y)), y))


def _booster(estimator) -> lgb.Booster:
    model = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    return model.booster_


def cross_validate(
    X: np.ndarray,
    y: np.ndarray,
    bag: list,
    folds: list[tuple[np.ndarray, np.ndarray]],
    n_jobs: int = 1,
    masks: dict[str, np.ndarray] | None = None,
    dropout: float = 0.0,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """OOF probabilities of each coverage in ``masks`` (default: one, "full", nothing blanked) of the
    ``bag`` (:func:`make_bag`) and mean gain importance; each fold's models see only its training rows
    (with table dropout)."""
    masks = masks or {"full": np.zeros(X.shape[1], dtype=bool)}

    def fit_fold(i: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        train, valid = folds[i]
        models = fit_bag(bag, X[train], y[train], masks, dropout, seed, i)
        probas = {name: bag_proba(models, blanked(X[valid], mask)) for name, mask in masks.items()}
        return probas, np.mean([_booster(m).feature_importance("gain") for m in models], axis=0)

    oof = {name: np.full(len(y), np.nan) for name in masks}
    gain = np.zeros(X.shape[1])
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:  # LightGBM releases the GIL while training
        for (_, valid), (probas, fold_gain) in zip(folds, pool.map(fit_fold, range(len(folds)))):
            for name, proba in probas.items():
                oof[name][valid] = proba
            gain += fold_gain
    return oof, gain / len(folds)


def cross_fitted_pd(margin: np.ndarray, y: np.ndarray, folds) -> np.ndarray:
    """PD of each row from a Platt calibration fitted on the other folds' OOF margins (what a new
    batch would see: the calibration never saw the row)."""
    pd_ = np.empty(len(y))
    for train, valid in folds:
        pd_[valid] = PlattCalibration.fit(margin[train], y[train]).predict(margin[valid])
    return pd_


def train(
    tables: Mapping[str, pl.DataFrame | None],
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = log.info,
) -> TrainingResult:
    """Build features, cross-validate every variant on every fold seed, refit the cheapest one and
    calibrate one model per coverage."""
    config = config or TrainingConfig()
    application = tables["application"]
    if application is None or "TARGET" not in application.columns:
        raise ValueError("training needs the labelled application table (application_train, with TARGET)")
    if application["TARGET"].null_count():
        raise ValueError("TARGET has missing values: training needs every client labelled")
    progress("building features")
    fitted = FeaturePipeline()
    features = fitted.fit_transform(tables)
    pipeline = fitted.without(config.exclude)
    names = pipeline.feature_names
    features = features.select("SK_ID_CURR", *names)
    target = (
        application.select("SK_ID_CURR", "TARGET")
        .join(features.select("SK_ID_CURR"), on="SK_ID_CURR", how="right")["TARGET"]
        .to_numpy()
        .astype(np.int64)
    )
    X = features.select(names).to_numpy().astype(np.float32)
    trained_tables = frozenset(name for name, frame in tables.items() if frame is not None)
    coverages = coverages_for(trained_tables)
    masks = blank_masks(names, pipeline, coverages)
    constraints = monotone_constraints(names, config)
    splits = {seed: fold_indices(target, config, seed) for seed in config.fold_seeds}
    folds = splits[config.fold_seeds[0]]

    variants = {}
    for name in config.variants:
        bag = make_bag(name, config, constraints)
        runs = []
        for seed, seed_folds in splits.items():
            progress(f"cross-validating {name} ({config.n_splits} folds × {config.bags} boosters, fold seed {seed})")
            runs.append(cross_validate(X, target, bag, seed_folds, config.n_jobs, masks, config.dropout, config.seed))
        variants[name] = _variant(name, runs, target, splits, names, config.threshold_rule)

    shipped = config.shipped
    progress(f"refitting {shipped} ({config.bags} boosters) on all {len(target)} clients")
    bag = make_bag(shipped, config, constraints)
    prefix = "model__" if isinstance(bag[0], Pipeline) else ""
    final = fit_bag(bag, X, target, masks, config.dropout, config.seed, len(folds), **{f"{prefix}feature_name": names})

    chosen = variants[shipped]
    models, oof_pd = {}, {}
    for coverage in coverages:
        models[coverage.name], oof_pd[coverage.name] = _coverage_model(coverage, chosen, target, folds, config.threshold_rule)
    full = coverages[-1].name
    margin = to_margin(chosen.oof[full])
    calibration_metrics = {
        "method": "platt",
        "brier_uncalibrated": chosen.metrics["brier"],
        "brier_calibrated_in_sample": float(np.mean((oof_pd[full] - target) ** 2)),
        "brier_calibrated_cross_fitted": float(np.mean((cross_fitted_pd(margin, target, folds) - target) ** 2)),
        "curve": _reliability(target, oof_pd[full]),
    }
    raw = application.join(features.select("SK_ID_CURR"), on="SK_ID_CURR", how="right")
    return TrainingResult(
        pipeline=pipeline,
        features=features,
        target=target,
        application_categories=application.select(
            "SK_ID_CURR", *[c for c, t in application.schema.items() if t == pl.String]
        ),
        variants=variants,
        shipped=shipped,
        booster=BoosterBag(tuple(_booster(model) for model in final)),
        models=models,
        trained_tables=trained_tables,
        impute=isinstance(final[0], Pipeline),
        oof_pd=oof_pd,
        calibration_metrics=calibration_metrics,
        fairness=fairness.report(raw, target, oof_pd[full], models[full].threshold),
        config=config,
    )


def _variant(
    name: str,
    runs: list[tuple[dict[str, np.ndarray], np.ndarray]],
    target: np.ndarray,
    splits: dict[int, list[tuple[np.ndarray, np.ndarray]]],
    names: list[str],
    rule: str,
) -> VariantResult:
    """One variant's metrics: the full-history model's summary on the first fold seed, and each
    coverage's OOF AUC and cross-fitted cost (of ``rule``, and of every rule) over every fold seed."""
    valid = {seed: [v for _, v in folds] for seed, folds in splits.items()}
    first_seed = next(iter(splits))
    oof, gain = runs[0]
    full = list(oof)[-1]
    metrics = evaluation.summary(target, oof[full], valid[first_seed])
    coverages = {}
    for coverage in oof:
        auc = [float(roc_auc_score(target, run[coverage])) for run, _ in runs]
        cost = {
            r: [evaluation.cross_fitted_cost(target, run[coverage], valid[seed], r) for (run, _), seed in zip(runs, splits)]
            for r in evaluation.THRESHOLD_RULES
        }
        coverages[coverage] = {
            "roc_auc_mean": float(np.mean(auc)),
            "roc_auc_std": float(np.std(auc)),
            "roc_auc_by_seed": auc,
            "threshold_rule": rule,
            "cross_fitted_cost_mean": float(np.mean(cost[rule])),
            "cross_fitted_cost_by_seed": cost[rule],
            "cross_fitted_cost_by_rule": {r: {"mean": float(np.mean(c)), "by_seed": c} for r, c in cost.items()},
        }
    metrics.update(
        roc_auc_mean=coverages[full]["roc_auc_mean"],
        roc_auc_std=coverages[full]["roc_auc_std"],
        cross_fitted_cost_mean=coverages[full]["cross_fitted_cost_mean"],
        fold_seeds=list(splits),
        coverages=coverages,
    )
    mean_gain = np.mean([g for _, g in runs], axis=0)
    top = np.argsort(-mean_gain)[:30]
    metrics["top_importance"] = [{"feature": names[i], "gain": float(mean_gain[i])} for i in top if mean_gain[i] > 0]
    log.info(
        "%s: OOF ROC AUC %.4f ± %.4f (full history), cross-fitted cost %.0f",
        name, metrics["roc_auc_mean"], metrics["roc_auc_std"], metrics["cross_fitted_cost_mean"],
    )
    return VariantResult(name, oof, mean_gain, metrics)


def reference_pd(coverage: Coverage) -> str:
    """The coverage model's OOF PD column in the reference sample: ``PD`` for the full-history model
    (what a caller that does not know the score's model compares with), ``PD_<coverage>`` otherwise."""
    return "PD" if coverage == COVERAGES[-1] else f"PD_{coverage.name}"


def _coverage_model(
    coverage: Coverage, variant: VariantResult, target: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], rule: str
) -> tuple[CoverageModel, np.ndarray]:
    """One coverage's calibration, threshold (by ``rule``) and metrics from the shipped variant's OOF
    predictions of that input kind; also its calibrated OOF PD (for the reference sample)."""
    proba = variant.oof[coverage.name]
    margin = to_margin(proba)
    calibration = PlattCalibration.fit(margin, target)
    oof_pd = calibration.predict(margin)
    threshold = evaluation.pd_threshold(target, oof_pd, rule)
    honest_pd = cross_fitted_pd(margin, target, folds)
    at = evaluation.classification_metrics(target, oof_pd, threshold)
    metrics = {
        **variant.metrics["coverages"][coverage.name],
        "tables": sorted(coverage.tables),
        "clients": int(len(target)),
        "default_rate": float(target.mean()),
        "mean_pd": float(honest_pd.mean()),  # calibration cross-fitted: the honest calibration-in-the-large
        "brier_cross_fitted": float(np.mean((honest_pd - target) ** 2)),
        "threshold": threshold,
        "refusal_rate": at["refusal_rate"],
        "business_cost": at["business_cost"],
    }
    model = CoverageModel(
        coverage.name, coverage.tables, threshold, calibration, ModelMetrics.from_dict(metrics), reference_pd(coverage)
    )
    return model, oof_pd


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
