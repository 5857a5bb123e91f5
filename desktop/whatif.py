"""What-if: score a client again with a few application fields changed, never touching the store.

The client's tables are rebuilt from the store (``storage.client_tables``, cached per score), the
checked edits (``engine.whatif_edits``) written into a copy of the application row, then the
features computed once for the score and its reasons, the waterfall (``desktop.explain``, for the
page) and the searches of the largest credit and the shortest term (``engine.whatif_search``). The page, the API
and the memo all go through :func:`answer`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from desktop.explain import Explanation, explanation, stored_tables
from desktop.i18n import money, number, percent, t
from engine.scoring import ClientScore, Scorer
from engine.whatif_edits import EMPLOYED_YEARS, FieldError, apply_edits, validate
from engine.whatif_search import NONE, Answer, Limit, search
from storage.store import ClientStore

log = logging.getLogger(__name__)

#: The words of each what-if field (the form's labels).
FIELD_LABELS = {
    "AMT_INCOME_TOTAL": "interpretation.income", "AMT_CREDIT": "interpretation.credit",
    "AMT_ANNUITY": "interpretation.annuity", "AMT_GOODS_PRICE": "interpretation.goods",
    EMPLOYED_YEARS: "interpretation.employment", "CNT_CHILDREN": "interpretation.children",
}


@dataclass(frozen=True)
class WhatIf:
    """A client scored with edits: the score, the searches, its model's threshold, and what explains it."""

    sk_id_curr: int
    edits: dict[str, float]
    score: ClientScore
    answer: Answer
    threshold: float
    features: pl.DataFrame  # the edited client's features
    supplied: frozenset[str]  # the tables its batch supplied

    def explanation(self, scorer: Scorer) -> Explanation:
        """The edited client taken apart (the waterfall)."""
        return explanation(scorer, self.features, self.supplied, self.sk_id_curr, score_id=0)

    @property
    def distance(self) -> float:
        """PD points from the threshold: > 0 below it (accepted), < 0 at or above it."""
        return (self.threshold - self.score.pd) * 100

    def to_dict(self) -> dict:
        return {**self.score.to_dict(), "EDITS": self.edits, "THRESHOLD": self.threshold,
                "DISTANCE_TO_THRESHOLD": self.distance, **self.answer.to_dict()}


def _record(store: ClientStore, sk_id_curr: int):
    record = store.client(sk_id_curr)
    if record is None:
        raise KeyError(sk_id_curr)
    return record


def simulate(store: ClientStore, scorer: Scorer, sk_id_curr: int, edits: Mapping[str, float]) -> ClientScore:
    """The client's score with valid ``edits`` applied, by the model that scored it (the tables its
    batch supplied); the store is only read."""
    record = _record(store, sk_id_curr)
    tables = apply_edits(stored_tables(store, sk_id_curr, record.score.id), edits)
    return scorer.score(scorer.features(tables), supplied=frozenset(record.score.supplied))[0]


def answer(store: ClientStore, scorer: Scorer, sk_id_curr: int,
           raw: Mapping[str, object]) -> WhatIf | list[FieldError]:
    """The what-if of ``raw`` field values (as typed or as numbers): the field errors if any is wrong
    (then nothing is scored), else the score and the searches. KeyError: unknown client."""
    record = _record(store, sk_id_curr)
    edits, errors = validate(raw, record.application)
    if errors:
        return errors
    supplied = frozenset(record.score.supplied)
    tables = apply_edits(stored_tables(store, sk_id_curr, record.score.id), edits)
    features = scorer.features(tables)
    score = scorer.score(features, supplied=supplied)[0]
    found = search(scorer, tables, features, supplied)
    return WhatIf(sk_id_curr, edits, score, found, scorer.bundle.model_for(supplied).threshold, features, supplied)


def distance_words(result: WhatIf, lang: str) -> str:
    """« À 3,2 points de PD sous le seuil (9,8 %) : accordé. » / above it."""
    key = "interpretation.below_threshold" if result.distance > 0 else "interpretation.above_threshold"
    points = abs(result.distance)
    return t(key, lang, points=number(points, lang, decimals=1 if points >= 0.1 else 2),
             threshold=percent(result.threshold, lang))


def limit_words(limit: Limit, kind: str, lang: str) -> str:
    """The largest credit (``kind`` "credit") or shortest term ("term") found, in words, with the PD it
    gives, or what bounded the search."""
    def shown(value: float) -> str:
        return money(value, lang) if kind == "credit" else t("interpretation.months", lang, n=number(value, lang))

    values = {"low": shown(limit.low), "high": shown(limit.high)}
    if limit.status == NONE:
        return t(f"interpretation.{kind}_none", lang, **values)
    values |= {"value": shown(limit.value), "pd": percent(limit.pd, lang), "annuity": money(limit.annuity, lang)}
    return t(f"interpretation.{kind}_{limit.status}", lang, **values)
