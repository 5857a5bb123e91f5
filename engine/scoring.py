"""Scoring: calibrated probability of default, decision, grade, points and the reasons why.

The batch is scored by the model of the tables it supplied (:meth:`Bundle.model_for`): the features
of the tables it did not supply are blanked (:func:`engine.coverage.blank`), as in training, and
that model's calibration and threshold apply.

Contributions are exact TreeSHAP values computed by LightGBM (``pred_contrib=True``, the same
algorithm as ``shap.TreeExplainer``) on the raw margin; the bundle's model is a bag of boosters
whose margins are averaged, so its contributions are the mean of theirs
(:class:`engine.bundle.BoosterBag`). Platt calibration is affine in the margin, so
``a × contribution`` is each feature's exact share of the calibrated log-odds. Reasons sum the shares
into groups an officer can say aloud (``engine.reasons``): the largest positive groups raise the risk
(reasons against the client), the most negative ones lower it (reasons in favour).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine import labels
from engine.bundle import Bundle, CoverageModel
from engine.coverage import blank
from engine.grading import grades, points
from engine.reasons import Reason, ReasonGroups, ReasonWords
from engine.score_record import ACCEPT, FIELDS, REFUSE, SCORE_FIELDS, ClientScore, schema, store_schema

log = logging.getLogger(__name__)

TOP_REASONS = 4


@dataclass(frozen=True)
class Explained:
    """Rows' model, features as read (NaN missing) and TreeSHAP contributions (one column per feature,
    then the expected value): what scoring computes before the reasons."""

    ids: np.ndarray
    model: CoverageModel
    raw: np.ndarray
    contributions: np.ndarray


@dataclass(frozen=True)
class Scores:
    """Scores as columns (:data:`SCORE_FIELDS`, numpy) and each row's reasons (against, in favour)."""

    columns: dict[str, np.ndarray]
    reasons: list[tuple[list[Reason], list[Reason]]]

    def frame(self) -> pl.DataFrame:
        """The fields as a frame, by their store columns (``store_schema``)."""
        return pl.DataFrame({FIELDS[name].stored: values for name, values in self.columns.items()},
                            schema=store_schema(*SCORE_FIELDS))

    def records(self) -> list[ClientScore]:
        """One :class:`ClientScore` per row."""
        rows = zip(*(self.columns[name].tolist() for name in SCORE_FIELDS), self.reasons)
        return [ClientScore(sk_id, pd, decision, grade, pts, model, against, favour)
                for sk_id, pd, decision, grade, pts, model, (against, favour) in rows]


class Scorer:
    """Scores feature rows (or raw tables) with one loaded bundle."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.specs = [bundle.pipeline.specs[f] for f in bundle.feature_names]
        self.groups = ReasonGroups(self.specs, bundle.pipeline.levels.get("application", {}))
        self.words = ReasonWords(bundle.pipeline.specs, dict(zip(bundle.feature_names, bundle.medians)))
        #: Per model, the features of the tables it does not read (computed once, used on every score).
        self.unknown = {
            name: np.array([spec.table not in model.tables for spec in self.specs]) for name, model in bundle.models.items()
        }

    def features(self, tables: Mapping[str, pl.DataFrame | None]) -> pl.DataFrame:
        """SK_ID_CURR and the model's features, in the bundle's order."""
        return self.bundle.pipeline.transform(tables)

    def values(self, features: pl.DataFrame) -> np.ndarray:
        """The features as a float32 matrix in the bundle's order, missing values as NaN."""
        if features.columns[1:] == self.bundle.feature_names:  # the pipeline's own layout: no column lookup
            return features.to_numpy()[:, 1:].astype(np.float32)
        return features.select(self.bundle.feature_names).to_numpy().astype(np.float32, copy=False)

    def impute(self, values: np.ndarray) -> np.ndarray:
        """What the booster reads: missing values filled if the model was trained on filled rows."""
        if self.bundle.imputation is None:
            return values
        return np.where(np.isnan(values), self.bundle.imputation, values)

    def matrix(self, features: pl.DataFrame) -> np.ndarray:
        """The matrix the booster reads, from feature rows."""
        return self.impute(self.values(features))

    def margin(self, X: np.ndarray) -> np.ndarray:
        return self.bundle.booster.margin(X)

    def predict_pd(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability of default per row."""
        return self.bundle.calibration.predict(self.margin(X))

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions on the raw margin: one column per feature, then the expected value."""
        return self.bundle.booster.contributions(X)

    def _read(self, features: pl.DataFrame, supplied: Collection[str] | None) -> tuple[CoverageModel, np.ndarray]:
        """The model of the tables supplied, and the features it reads (other tables blanked, NaN missing)."""
        model = self.bundle.model_for(supplied)
        return model, self.values(blank(features, self.bundle.pipeline.specs, model.tables))

    def pd(self, features: pl.DataFrame, supplied: Collection[str] | None = None) -> np.ndarray:
        """Calibrated PD of every row by the model of the tables supplied (no reasons: fast)."""
        model, raw = self._read(features, supplied)
        return model.calibration.predict(self.margin(self.impute(raw)))

    def decide(self, pd: np.ndarray, model: CoverageModel | None = None) -> np.ndarray:
        """Refuse at or above the threshold of ``model`` (default: the full-history model)."""
        threshold = self.bundle.threshold if model is None else model.threshold
        return np.where(np.asarray(pd) >= threshold, REFUSE, ACCEPT)

    def known_shares(self, shares: np.ndarray, model: CoverageModel) -> tuple[np.ndarray, np.ndarray]:
        """``shares`` (rows × features) without the features of tables the model does not read, and what
        those features added per row. A table not supplied says nothing about the client: what its
        blanked features add belongs with the average client of that input kind, not with the reasons."""
        unknown = self.unknown[model.name]
        if not unknown.any():
            return shares, np.zeros(shares.shape[0])
        known = shares.copy()
        known[:, unknown] = 0.0
        return known, shares[:, unknown].sum(axis=1)

    def explain(self, features: pl.DataFrame, supplied: Collection[str] | None = None) -> Explained:
        """The costly part of scoring ``features`` (TreeSHAP, without the GIL), by the model of the tables
        ``supplied`` (None: every table the bundle was trained with)."""
        model, raw = self._read(features, supplied)
        return Explained(features["SK_ID_CURR"].to_numpy(), model, raw, self.contributions(self.impute(raw)))

    def judge(self, explained: Explained, top: int = TOP_REASONS) -> Scores:
        """PD, decision, grade, points and reasons of explained rows, as columns."""
        model, contrib = explained.model, explained.contributions
        pd = model.calibration.predict(contrib.sum(axis=1))
        shares, _ = self.known_shares(contrib[:, :-1] * model.calibration.a, model)
        columns = {"SK_ID_CURR": explained.ids, "PD": pd, "DECISION": self.decide(pd, model), "GRADE": grades(pd),
                   "POINTS": points(pd), "MODEL": np.full(len(pd), model.name)}
        return Scores(columns, self.groups.reasons(shares, explained.raw, top))

    def score(
        self, features: pl.DataFrame, top: int = TOP_REASONS, supplied: Collection[str] | None = None
    ) -> list[ClientScore]:
        """Full scores with reasons for every row of ``features``, built from the tables ``supplied``
        (None: every table the bundle was trained with), by the model of those tables."""
        return self.judge(self.explain(features, supplied), top).records()

    def score_table(
        self, features: pl.DataFrame, top: int = TOP_REASONS, supplied: Collection[str] | None = None
    ) -> pl.DataFrame:
        """Scores as a flat table (reasons joined in one text column per language and side)."""
        rows = []
        for s in self.score(features, top, supplied):
            reasons = s.reasons()
            cells = {
                f"REASONS_{side.upper()}_{lang.upper()}": self.words.cell(reasons[side], lang)
                for side in ("against", "for")
                for lang in labels.LANGS
            }
            rows.append({**s.fields(), **cells})
        return pl.DataFrame(rows, schema_overrides=schema(*SCORE_FIELDS))
