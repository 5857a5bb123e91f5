"""The bundle's manifest, typed: what training recorded, read by attribute instead of by nested keys.

``manifest.json`` is written by :func:`engine.bundle.save_bundle` as plain JSON (hashed and signed
as such); these frozen dataclasses are how a loaded bundle reads it. Keys a newer training adds are
ignored; a missing one or one of the wrong type makes :meth:`Manifest.from_dict` raise ``TypeError``
(the bundle is refused). :func:`typed` builds each class from its JSON (``msgspec.convert``), and
:meth:`TrainingMetrics.to_dict` gives that JSON back: reading changes nothing the manifest's hash covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import msgspec

T = TypeVar("T")


def typed(cls: type[T], state: dict) -> T:
    """``state`` (JSON) as ``cls``, nested classes included; keys ``cls`` does not declare are ignored.
    Raises ``TypeError`` naming the missing or mistyped key and where it is."""
    try:
        return msgspec.convert(state, cls)
    except msgspec.ValidationError as exc:
        raise TypeError(f"{cls.__name__}: {exc}") from exc


@dataclass(frozen=True)
class ModelMetrics:
    """Out-of-fold figures of one coverage model (its fold seeds' mean and spread, its own threshold)."""

    roc_auc_mean: float
    roc_auc_std: float
    roc_auc_by_seed: list[float]
    cross_fitted_cost_mean: float
    cross_fitted_cost_by_seed: list[int]
    tables: list[str]
    clients: int
    default_rate: float
    mean_pd: float  # cross-fitted calibration: the honest calibration-in-the-large
    brier_cross_fitted: float
    threshold: float
    refusal_rate: float
    business_cost: int

    @classmethod
    def from_dict(cls, state: dict) -> ModelMetrics:
        return typed(cls, state)

    def to_dict(self) -> dict:
        return msgspec.to_builtins(self)


@dataclass(frozen=True)
class GroupFairness:
    """Decisions in one group of clients (a sex, an age band) at the shipped threshold."""

    group: str
    clients: int
    approval_rate: float
    default_rate_accepted: float | None
    default_rate_refused: float | None
    roc_auc: float | None
    approval_ratio: float | None  # its approval rate over the best group's; None: too small to compare


@dataclass(frozen=True)
class LowestRatio:
    """The group approved least often, the group approved most often and the ratio of their rates."""

    group: str
    best: str
    ratio: float


@dataclass(frozen=True)
class Fairness:
    """The fairness table by sex and by age band (``engine.fairness.report``)."""

    threshold: float
    four_fifths: float
    sex: list[GroupFairness]
    age: list[GroupFairness]
    lowest: dict[str, LowestRatio]  # an attribute without a group to compare is absent
    min_clients: int = 1  # fewest clients in a compared group (manifests before it: every group compared)

    def groups(self, attribute: str) -> list[GroupFairness]:
        """The rows of ``attribute`` ("sex" or "age")."""
        return getattr(self, attribute)


@dataclass(frozen=True)
class DataSummary:
    """What the model was trained on (``engine.bundle.data_summary``)."""

    source: str
    licence: str
    clients: int
    defaults: int
    default_rate: float
    tables: dict[str, int]  # rows per table read
    missing_tables: list[str]


@dataclass(frozen=True)
class Confusion:
    """Clients by decision and outcome: repaid accepted (tn), repaid refused (fp), defaulted accepted (fn)…"""

    tn: int
    fp: int
    fn: int
    tp: int


@dataclass(frozen=True)
class OperatingPoint:
    """Decisions at one threshold on the out-of-fold probabilities (``engine.evaluation.classification_metrics``)."""

    threshold: float
    accuracy: float
    business_cost: int
    confusion_matrix: Confusion
    recall_defaulters: float
    refusal_rate: float


@dataclass(frozen=True)
class RocCurve:
    """The out-of-fold ROC curve, at most 200 points."""

    fpr: list[float]
    tpr: list[float]


@dataclass(frozen=True)
class CostCurve:
    """The business cost at each threshold, at most 200 points."""

    threshold: list[float]
    cost: list[int]


@dataclass(frozen=True)
class Importance:
    """One feature's mean gain over the folds."""

    feature: str
    gain: float


@dataclass(frozen=True)
class RuleCost:
    """The cross-fitted cost of one threshold rule: its fold seeds' mean and each seed's."""

    mean: float
    by_seed: list[int]


@dataclass(frozen=True)
class CoverageCV:
    """One coverage's out-of-fold AUC and cross-fitted cost over the fold seeds, in one variant."""

    roc_auc_mean: float
    roc_auc_std: float
    roc_auc_by_seed: list[float]
    cross_fitted_cost_mean: float
    cross_fitted_cost_by_seed: list[int]
    threshold_rule: str = "argmin"  # format 2 had no other rule
    cross_fitted_cost_by_rule: dict[str, RuleCost] = field(default_factory=dict)


@dataclass(frozen=True)
class VariantMetrics:
    """One training variant (``engine.evaluation.summary`` of its full-history OOF probabilities on the
    first fold seed, and its coverages over every fold seed)."""

    roc_auc: float  # first fold seed
    fold_roc_auc: list[float]
    brier: float  # uncalibrated
    at_0_5: OperatingPoint
    at_threshold: OperatingPoint  # the cost-optimal threshold on these OOF probabilities
    cross_fitted_cost: int  # first fold seed
    roc_curve: RocCurve
    cost_curve: CostCurve
    roc_auc_mean: float  # over the fold seeds
    roc_auc_std: float
    cross_fitted_cost_mean: float
    fold_seeds: list[int]
    coverages: dict[str, CoverageCV]
    top_importance: list[Importance]  # by decreasing gain


@dataclass(frozen=True)
class ReliabilityCurve:
    """Mean predicted PD and observed default rate per PD decile, with its clients."""

    predicted: list[float]
    observed: list[float]
    count: list[int]


@dataclass(frozen=True)
class Calibration:
    """The full-history model's Platt calibration: Brier scores before and after, and its curve."""

    method: str
    brier_uncalibrated: float
    brier_calibrated_in_sample: float
    brier_calibrated_cross_fitted: float
    curve: ReliabilityCurve


@dataclass(frozen=True)
class TrainingMetrics:
    """The training report: the variants compared, the one shipped, its models, calibration, fairness."""

    shipped: str  # the variant shipped
    threshold: float  # the full-history model's threshold
    n_features: int
    n_splits: int
    seed: int
    fold_seeds: list[int]
    dropout: float  # share of training clients whose history was blanked
    exclude: list[str]  # columns that are not inputs
    monotone: dict[str, int]  # monotone constraints by feature
    models: dict[str, ModelMetrics]
    variants: dict[str, VariantMetrics]
    calibration: Calibration
    fairness: Fairness
    data: DataSummary
    training_seconds: float
    bags: int = 1  # format 2: one booster
    threshold_rule: str = "argmin"

    @classmethod
    def from_dict(cls, state: dict) -> TrainingMetrics:
        return typed(cls, state)

    def to_dict(self) -> dict:
        """The JSON the training wrote."""
        return msgspec.to_builtins(self)

    @property
    def shipped_variant(self) -> VariantMetrics:
        """The shipped variant's figures."""
        return self.variants[self.shipped]

    def top_features(self) -> list[str]:
        """The shipped variant's features by decreasing gain."""
        return [item.feature for item in self.shipped_variant.top_importance]


@dataclass(frozen=True)
class Manifest:
    """``manifest.json`` of a bundle (the coverage models are :attr:`engine.bundle.Bundle.models`)."""

    created: str  # UTC, ISO 8601
    features: list[str]  # the model's features, in order
    variant: str  # the training variant shipped
    trained_tables: frozenset[str]
    exclude: list[str]
    impute_missing: bool
    medians: dict[str, float | None]  # training median per feature
    metrics: TrainingMetrics
    data: DataSummary
    versions: dict[str, str]  # library versions at training
    files: dict[str, str]  # SHA-256 per file the scorer reads
    digest: str  # the manifest's own SHA-256: the bundle's identity
    threshold_rule: str  # engine.evaluation.THRESHOLD_RULES: how the coverage models' thresholds were set

    @classmethod
    def from_dict(cls, state: dict) -> Manifest:
        return cls(
            created=state["created"],
            features=list(state["features"]),
            variant=state["model"]["variant"],
            trained_tables=frozenset(state["trained_tables"]),
            exclude=list(state["exclude"]),
            impute_missing=bool(state["impute_missing"]),
            medians=state["medians"],
            metrics=TrainingMetrics.from_dict(state["metrics"]),
            data=typed(DataSummary, state["data"]),
            versions=state["versions"],
            files=state["files"],
            digest=state["manifest_sha256"],
            threshold_rule=state.get("threshold_rule", "argmin"),  # format 2 had no other rule
        )
