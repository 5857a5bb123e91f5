"""How much, and over how long, the model would lend: searches on the model for one client.

* **Largest credit at the same term.** The credit changes with the annuity and the goods price in
  proportion (the term credit/annuity and the share of the goods financed stay as they are): along
  that line the PD never falls as the amount grows (the monotone constraints of
  ``engine.families.MONOTONE``; ``tests/test_monotone.py``), so the amounts accepted are an interval
  from the smallest one. It is found by narrowing a grid of amounts (geometric, :data:`GRID` points a
  round, each rounded down to four significant digits; one batch a round) until two neighbours differ
  by less than :data:`PRECISION`: the largest accepted point is the answer, its PD scored with it.
* **Shortest term at the same credit.** The annuity is credit/term, the goods price unchanged. With
  the shipped constraints a smaller annuity alone never raises the PD, so a longer term never does
  either: the terms granted are an interval up to the longest one studied, and what tells the officer
  something is its lower end, the heaviest monthly payment the model accepts for this amount. Every
  whole number of months in the range is scored (one batch, a few dozen rows) and the answer is the
  shortest term granted such that every longer term studied is granted too ("from that term on,
  every term is granted"), which stays honest for a bundle trained without the constraints
  (``TrainingConfig.monotone``), where a shorter term may be granted between refused ones.

Both ranges are what the model learned from: the credits and the terms (credit/annuity, in months) of
the bundle's reference sample. A result says when even the smallest amount (or the longest term) is
refused, or when the largest amount (or even the shortest term) searched is accepted.

The client's history features do not depend on the application row: they are computed once
(:class:`Variants`), and each batch of variants only recomputes the application's features, read by
the model of the tables supplied (the others blanked, as in ``Scorer.pd``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from engine.coverage import blank
from engine.scoring import Scorer

log = logging.getLogger(__name__)

#: Amounts scored per round of the credit search.
GRID = 72
#: The credit search stops when a round's step is under this relative size.
PRECISION = 2e-3
#: Significant digits of the largest credit shown.
DIGITS = 4

FOUND, NONE, UPPER, LOWER = "found", "none", "upper", "lower"


@dataclass(frozen=True)
class Limit:
    """The result of one search: ``value`` (credit amount or term in months) with its ``pd``;
    ``status`` :data:`FOUND`; :data:`NONE` (no value: even the easiest end is refused, the smallest credit
    ``low`` or the longest term ``high``); :data:`UPPER` (credit: ``high`` is accepted, the model says nothing
    beyond) or :data:`LOWER` (term: even ``low`` is accepted, the model says nothing shorter); the searched
    range ``low``–``high``."""

    status: str
    value: float | None
    pd: float | None
    low: float
    high: float
    annuity: float | None = None  # the annuity that goes with the value (credit/term for a term)

    def to_dict(self) -> dict:
        return {"status": self.status, "value": self.value, "pd": self.pd, "annuity": self.annuity,
                "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Ranges:
    """What the searches explore: credit amounts and terms (whole months) the model learned from."""

    credit: tuple[float, float]
    term: tuple[int, int]


@lru_cache(maxsize=4)
def search_ranges(scorer: Scorer) -> Ranges:
    """The credits and terms of the bundle's reference sample (read once per scorer)."""
    sample = scorer.bundle.reference(["AMT_CREDIT", "AMT_ANNUITY"]).drop_nulls()
    term = (sample["AMT_CREDIT"] / sample["AMT_ANNUITY"]).filter(sample["AMT_ANNUITY"] > 0)
    return Ranges((float(sample["AMT_CREDIT"].min()), float(sample["AMT_CREDIT"].max())),
                  (max(1, math.ceil(term.min())), math.floor(term.max())))


#: The columns a variant changes: the amounts of the application.
AMOUNTS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")


def _rounded(amounts: np.ndarray) -> np.ndarray:
    """Amounts rounded down to :data:`DIGITS` significant digits, without repeats."""
    units = 10.0 ** (np.floor(np.log10(amounts)) - DIGITS + 1)
    return np.unique(np.floor(amounts / units) * units)


class Variants:
    """PDs of one client's application with its amounts varied, the history's features computed once."""

    def __init__(self, scorer: Scorer, tables: Mapping[str, pl.DataFrame], features: pl.DataFrame,
                 supplied: Collection[str]) -> None:
        specs, names = scorer.bundle.pipeline.specs, scorer.bundle.feature_names
        self.scorer, self.model = scorer, scorer.bundle.model_for(supplied)
        self.application = tables["application"]
        self.own = {column: self.application[column][0] for column in AMOUNTS}
        #: The client's features as the model reads them (tables not supplied blanked); the application's vary.
        self.row = scorer.values(blank(features, specs, self.model.tables))[0]
        self.varied = np.array([specs[name].table == "application" for name in names])
        self.threshold = self.model.threshold

    def pd(self, variants: list[dict[str, list]]) -> list[np.ndarray]:
        """The PD of each variant of each group (a group: column → one value per variant), in one batch."""
        sizes = [len(group["AMT_CREDIT"]) for group in variants]
        n = sum(sizes)
        rows = self.application.select(pl.all().gather(np.zeros(n, dtype=np.int64))).with_columns(
            pl.Series(c, [v for group in variants for v in group[c]], dtype=self.application[c].dtype) for c in AMOUNTS
        )
        X = np.repeat(self.row[None, :], n, axis=0)
        X[:, self.varied] = self.scorer.values(self.scorer.features({"application": rows}))[:, self.varied]
        pd = self.model.calibration.predict(self.scorer.margin(self.scorer.impute(X)))
        return np.split(pd, np.cumsum(sizes)[:-1])

    def scaled(self, amounts: np.ndarray) -> dict[str, list]:
        """Credits of ``amounts`` at the client's term: annuity and goods price in proportion."""
        factors = amounts / float(self.own["AMT_CREDIT"])
        return {c: [None if self.own[c] is None else float(self.own[c] * f) for f in factors] for c in AMOUNTS}

    def termed(self, terms: np.ndarray) -> dict[str, list]:
        """The client's credit over ``terms`` months: annuity = credit/term, the goods price as it is."""
        credit = float(self.own["AMT_CREDIT"])
        return {"AMT_CREDIT": [credit] * len(terms), "AMT_ANNUITY": list(credit / terms),
                "AMT_GOODS_PRICE": [self.own["AMT_GOODS_PRICE"]] * len(terms)}

    def largest_credit(self, amounts: np.ndarray, pd: np.ndarray) -> Limit:
        """The largest credit accepted, from a first round of ``amounts`` scored ``pd`` (see the module)."""
        low, high = float(amounts[0]), float(amounts[-1])
        accepted = pd < self.threshold
        if not accepted[0]:
            return Limit(NONE, None, None, low, high)
        if accepted[-1]:
            return self._limit(UPPER, amounts, pd, len(amounts) - 1)
        while True:  # amounts[0] accepted, amounts[-1] refused: narrow down to the step between them
            last = min(int(np.flatnonzero(accepted)[-1]), len(amounts) - 2)
            if amounts[last + 1] / amounts[last] - 1 < PRECISION:
                return self._limit(FOUND, amounts, pd, last, low, high)
            finer = np.geomspace(amounts[last], amounts[last + 1], GRID)
            amounts = np.concatenate([[amounts[last]], _rounded(finer[1:-1]), [amounts[last + 1]]])
            (pd,) = self.pd([self.scaled(amounts)])
            accepted = pd < self.threshold

    def _limit(self, status: str, amounts: np.ndarray, pd: np.ndarray, i: int,
               low: float | None = None, high: float | None = None) -> Limit:
        annuity = self.own["AMT_ANNUITY"]
        factor = amounts[i] / float(self.own["AMT_CREDIT"])
        return Limit(status, float(amounts[i]), float(pd[i]), float(amounts[0]) if low is None else low,
                     float(amounts[-1]) if high is None else high, None if annuity is None else float(annuity * factor))

    def shortest_term(self, terms: np.ndarray, pd: np.ndarray) -> Limit:
        """The shortest of ``terms`` (whole months, ascending, scored ``pd``) from which every term is accepted
        at the client's credit: the start of the last run of accepted terms (see the module)."""
        low, high = float(terms[0]), float(terms[-1])
        refused = np.flatnonzero(pd >= self.threshold)
        if refused.size and refused[-1] == len(terms) - 1:
            return Limit(NONE, None, None, low, high)
        best = int(refused[-1]) + 1 if refused.size else 0
        return Limit(FOUND if best else LOWER, float(terms[best]), float(pd[best]), low, high,
                     float(self.own["AMT_CREDIT"]) / float(terms[best]))


@dataclass(frozen=True)
class Answer:
    """How much at the same term, how short at the same credit."""

    largest_credit: Limit
    shortest_term: Limit

    def to_dict(self) -> dict:
        return {"LARGEST_CREDIT": self.largest_credit.to_dict(), "SHORTEST_TERM": self.shortest_term.to_dict()}


def search(scorer: Scorer, tables: Mapping[str, pl.DataFrame], features: pl.DataFrame,
           supplied: Collection[str]) -> Answer:
    """Both searches for the client of ``tables`` (one application row, as edited) whose features are
    ``features``, scored by the model of the tables ``supplied``."""
    found = search_ranges(scorer)
    variants = Variants(scorer, tables, features, supplied)
    amounts = _rounded(np.geomspace(*found.credit, GRID))
    terms = np.arange(found.term[0], found.term[1] + 1, dtype=np.float64)
    credit_pd, term_pd = variants.pd([variants.scaled(amounts), variants.termed(terms)])
    return Answer(variants.largest_credit(amounts, credit_pd), variants.shortest_term(terms, term_pd))
