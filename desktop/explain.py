"""What the interpretation page shows, computed once and cached: a client's exact contributions,
the global importance over the reference sample and that sample in display units.

Everything here takes the store and the scorer as arguments (no Dash); the pages call it.
Contributions are in calibrated log-odds (``a × TreeSHAP``), so base + contributions = the
client's log-odds exactly; summed per reason group (``engine.reasons``) they still add up to it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from engine.constants import DAYS_PER_YEAR
from engine.coverage import blank
from engine.feature_spec import FeatureSpec
from engine.labels import DERIVED, feature_label
from engine.reasons import group_label
from engine.scoring import Scorer
from storage.client_tables import client_tables
from storage.store import ClientStore

log = logging.getLogger(__name__)

#: Reference clients drawn for the scatter plot.
SCATTER_POINTS = 3000
#: Features offered in the population dropdowns (the most important ones).
TOP_FEATURES = 25

_importance_lock = threading.Lock()
_warm_started = threading.Event()


@dataclass(frozen=True)
class Explanation:
    """One client's score taken apart: feature values and each feature's share of the log-odds."""

    sk_id_curr: int
    score_id: int
    features: pl.DataFrame  # one row: SK_ID_CURR and the model's features
    shares: np.ndarray  # per feature, calibrated log-odds (> 0 raises the risk)
    groups: np.ndarray  # the shares summed per reason group (in the order of ``Scorer.groups.keys``)
    base: float  # calibrated log-odds of the average reference client (the SHAP expected value)

    @property
    def log_odds(self) -> float:
        return self.base + float(self.shares.sum())

    @property
    def pd(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.log_odds))

    def value(self, feature: str) -> float | None:
        value = self.features[feature][0]
        return None if value is None or value != value else float(value)


@lru_cache(maxsize=64)
def stored_tables(store: ClientStore, sk_id_curr: int, score_id: int) -> dict[str, pl.DataFrame]:
    """The client's tables as imported (cached per score: a new import gives a new score id)."""
    return client_tables(store, sk_id_curr)


def explanation(scorer: Scorer, features: pl.DataFrame, supplied: Collection[str] | None,
                sk_id_curr: int, score_id: int) -> Explanation:
    """The client of ``features`` (one row) taken apart by the model of the tables ``supplied``."""
    model = scorer.bundle.model_for(supplied)  # the model that made the score: its inputs, its calibration
    features = blank(features, scorer.bundle.pipeline.specs, model.tables)
    contrib = scorer.contributions(scorer.matrix(features))[0]
    calibration = model.calibration
    known, unknown = scorer.known_shares(contrib[None, :-1] * calibration.a, model)
    # The base is the average client of this input kind: what the tables not supplied add is in it.
    base = float(calibration.log_odds(np.array([contrib[-1]]))[0]) + float(unknown[0])
    shares = known[0]
    return Explanation(sk_id_curr, score_id, features, shares, scorer.groups.totals(shares), base)


@lru_cache(maxsize=64)
def _explain(
    store: ClientStore, scorer: Scorer, sk_id_curr: int, score_id: int, supplied: tuple[str, ...]
) -> Explanation:
    tables = stored_tables(store, sk_id_curr, score_id)
    return explanation(scorer, scorer.features(tables), supplied, sk_id_curr, score_id)


def explain(store: ClientStore, scorer: Scorer, sk_id_curr: int) -> Explanation | None:
    """The client's explanation for its latest score; None for an unknown client."""
    record = store.client(sk_id_curr)
    if record is None:
        return None
    return _explain(store, scorer, sk_id_curr, record.score.id, record.score.supplied)


def label(scorer: Scorer, feature: str, lang: str) -> str:
    return feature_label(scorer.bundle.pipeline.specs[feature], lang)


def group_labels(scorer: Scorer, lang: str) -> list[str]:
    """The words of the model's reason groups, in the order of :attr:`Explanation.groups`."""
    return [group_label(key, lang) for key in scorer.groups.keys]


@lru_cache(maxsize=2)
def reference(scorer: Scorer) -> pl.DataFrame:
    """The bundle's reference sample: TARGET, PD (the full-history model's) and the model's features."""
    column = scorer.bundle.model_for(None).reference_pd
    return scorer.bundle.reference(["TARGET", column, *scorer.bundle.feature_names]).rename({column: "PD"})


@lru_cache(maxsize=2)
def scatter_sample(scorer: Scorer) -> pl.DataFrame:
    """At most :data:`SCATTER_POINTS` reference clients (fixed seed, so the plot is stable)."""
    frame = reference(scorer)
    return frame.sample(n=SCATTER_POINTS, seed=0) if frame.height > SCATTER_POINTS else frame


@dataclass(frozen=True)
class Importance:
    """The global importance over the reference sample, largest first."""

    features: pl.DataFrame  # feature, importance: mean |contribution| (calibrated log-odds), to rank features
    groups: pl.DataFrame  # group (key), importance: mean |change of PD| the group makes (a fraction: 0.02 = 2 points)


def _ranked(name: str, keys: list[str], importance: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({name: keys, "importance": importance}).sort("importance", descending=True)


def pd_effects(log_odds: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Per reason group, the mean absolute change of PD it makes: over the rows, |PD − PD without the
    group's share of the log-odds| (``log_odds``: each row's calibrated log-odds; ``totals``: rows × groups)."""
    with_it = 1.0 / (1.0 + np.exp(-log_odds))
    without = 1.0 / (1.0 + np.exp(-(log_odds[:, None] - totals)))
    return np.abs(with_it[:, None] - without).mean(axis=0)


@lru_cache(maxsize=2)
def _importance(scorer: Scorer) -> Importance:
    clock = time.perf_counter()
    X = scorer.matrix(reference(scorer))
    contrib, calibration = scorer.contributions(X), scorer.bundle.calibration
    shares = contrib[:, :-1] * calibration.a
    effects = pd_effects(calibration.log_odds(contrib.sum(axis=1)), scorer.groups.totals(shares))
    log.info("global importance over %d reference clients in %.1f s", X.shape[0], time.perf_counter() - clock)
    return Importance(_ranked("feature", scorer.bundle.feature_names, np.abs(shares).mean(axis=0)),
                      _ranked("group", scorer.groups.keys, effects))


def global_importance(scorer: Scorer) -> Importance:
    """Per feature (log-odds) and per reason group (PD points) over the reference sample (once per process)."""
    with _importance_lock:
        return _importance(scorer)


def warm_up(scorer_factory) -> None:
    """Load the scorer and compute the global importance in the background (first page view)."""
    if _warm_started.is_set():
        return
    _warm_started.set()

    def run() -> None:
        try:
            global_importance(scorer_factory())
        except Exception:  # noqa: BLE001 - the page computes it again (and reports) on demand
            log.exception("warming up the interpretation data failed")

    threading.Thread(target=run, name="explain-warm-up", daemon=True).start()


def in_years(spec: FeatureSpec) -> bool:
    """Whether a feature counts days (or years) and reads better as a number of years."""
    if spec.level is not None or spec.agg in ("count", "nunique", "var", "std"):
        return False
    derived = DERIVED.get(spec.column)
    return derived[2] == "years" if derived else spec.column.startswith("DAYS_")


def display_values(spec: FeatureSpec, values: np.ndarray) -> np.ndarray:
    """Feature values in the units the charts use: elapsed days as years (positive), others as is."""
    values = np.asarray(values, dtype=np.float64)
    if not in_years(spec):
        return values
    factor = 1.0 if spec.column in DERIVED else DAYS_PER_YEAR
    return np.abs(values) / factor
