"""The bundle's manifest, typed: what training recorded, read by attribute instead of by nested keys.

``manifest.json`` is written by :func:`engine.bundle.save_bundle` as plain JSON (hashed and signed
as such); these frozen dataclasses are how a loaded bundle reads it. Keys a newer training adds are
ignored; a missing one makes :meth:`Manifest.from_dict` raise ``KeyError`` (the bundle is refused).
The variants' figures (curves, operating points) stay the JSON dicts the figures read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


def _known(cls: type, state: dict) -> dict:
    """``state``'s keys that are fields of ``cls`` (a missing one raises ``KeyError``)."""
    return {f.name: state[f.name] for f in fields(cls)}


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
        return cls(**_known(cls, state))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GroupFairness:
    """Decisions in one group of clients (a sex, an age band) at the shipped threshold."""

    group: str
    clients: int
    approval_rate: float
    default_rate_accepted: float | None
    default_rate_refused: float | None
    roc_auc: float | None
    approval_ratio: float  # its approval rate over the best group's


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
    lowest: dict[str, LowestRatio]

    @classmethod
    def from_dict(cls, state: dict) -> Fairness:
        return cls(
            threshold=state["threshold"],
            four_fifths=state["four_fifths"],
            sex=[GroupFairness(**_known(GroupFairness, row)) for row in state["sex"]],
            age=[GroupFairness(**_known(GroupFairness, row)) for row in state["age"]],
            lowest={name: LowestRatio(**_known(LowestRatio, low)) for name, low in state["lowest"].items()},
        )

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

    @classmethod
    def from_dict(cls, state: dict) -> DataSummary:
        return cls(**_known(cls, state))


@dataclass(frozen=True)
class TrainingMetrics:
    """The training report: the variants compared, the one shipped, its models, calibration, fairness."""

    shipped: str  # the variant shipped
    threshold: float  # the full-history model's threshold
    n_features: int
    n_splits: int
    fold_seeds: list[int]
    dropout: float  # share of training clients whose history was blanked
    exclude: list[str]  # columns that are not inputs
    monotone: dict[str, int]  # monotone constraints by feature
    models: dict[str, ModelMetrics]
    variants: dict[str, dict[str, Any]]  # per variant: AUC, operating points, curves, importance (JSON)
    calibration: dict[str, Any]  # Brier scores and the calibration curve (JSON)
    fairness: Fairness
    data: DataSummary
    training_seconds: float

    @classmethod
    def from_dict(cls, state: dict) -> TrainingMetrics:
        known = _known(cls, state)
        return cls(**{
            **known,
            "models": {name: ModelMetrics.from_dict(m) for name, m in state["models"].items()},
            "fairness": Fairness.from_dict(state["fairness"]),
            "data": DataSummary.from_dict(state["data"]),
        })

    @property
    def shipped_variant(self) -> dict[str, Any]:
        """The shipped variant's figures."""
        return self.variants[self.shipped]

    def top_features(self) -> list[str]:
        """The shipped variant's features by decreasing gain."""
        return [item["feature"] for item in self.shipped_variant["top_importance"]]


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
            data=DataSummary.from_dict(state["data"]),
            versions=state["versions"],
            files=state["files"],
            digest=state["manifest_sha256"],
            threshold_rule=state.get("threshold_rule", "argmin"),  # format 2 had no other rule
        )
