"""Reason codes: the model's contributions summed into groups an officer can say aloud.

Every feature belongs to one group of :data:`engine.vocabulary.REASON_GROUPS` (by its
:class:`FeatureSpec`: a history table as a whole, or the application column). A reason is one group,
the client's own value that drives it most (for a category, the client's level, never a level the
client does not have) and the group's summed contribution, in calibrated log-odds. Reasons are
stored by this structure and put into words (:class:`ReasonWords`) when shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

import msgspec
import numpy as np

from engine import labels
from engine import vocabulary as vocab
from engine.aggregations import is_binary
from engine.feature_spec import FeatureSpec
from engine.schema import tables

#: Between reasons when they are flattened into one text cell (CSV exports).
REASON_SEPARATOR = " | "
#: Digits kept when a reason's numbers are stored (a float32 feature holds about 7).
STORED_DIGITS = 7

Value = float | str | None  # a number, a category level, or unknown


class Reason(msgspec.Struct, frozen=True):
    """One group's push on the PD and the client's value that drives it (a msgspec record: an import
    builds eight per client, each 8× faster than a frozen dataclass; encoded as the same JSON object)."""

    group: str
    feature: str  # the model feature, or the application column for a category
    value: Value
    contribution: float  # summed share of the calibrated log-odds; > 0 raises the risk

    def to_dict(self) -> dict:
        # not dataclasses.asdict: its deep copy was the import's largest Python cost (issue 13)
        return {"group": self.group, "feature": self.feature, "value": self.value, "contribution": self.contribution}


@cache
def _group_table() -> dict[str, vocab.ReasonGroup]:
    return {group.key: group for group in vocab.REASON_GROUPS}


def group_label(key: str, lang: str = "fr") -> str:
    """The group's words ("Scores externes"); the key itself for a group this version does not know."""
    group = _group_table().get(key)
    return key if group is None else getattr(group, lang)


@cache
def group_of(spec: FeatureSpec) -> str:
    """The reason group of a feature: its history table's, or its application column's (first match)."""
    for group in vocab.REASON_GROUPS:
        if spec.table in group.tables or (
            spec.table == "application" and group.columns is not None and re.search(group.columns, spec.column)
        ):
            return group.key
    return vocab.REASON_GROUPS[-1].key


def _is_category(spec: FeatureSpec) -> bool:
    """A one-hot indicator of an application category (its value is 1 for the client's level only)."""
    return spec.table == "application" and spec.agg is None and spec.level is not None


class ReasonGroups:
    """The features of one model sorted into groups, and the reasons of scored rows."""

    def __init__(self, specs: Sequence[FeatureSpec], levels: Mapping[str, list[str]]) -> None:
        self.names = [spec.name for spec in specs]
        keys = [group_of(spec) for spec in specs]
        self.keys = [group.key for group in vocab.REASON_GROUPS if group.key in keys]
        self.members = [np.flatnonzero([key == group for key in keys]) for group in self.keys]
        self.matrix = np.zeros((len(specs), len(self.keys)), dtype=np.float64)
        for g, members in enumerate(self.members):
            self.matrix[members, g] = 1.0
        # One-hot application categories: column -> (indices of its indicators, their levels, all levels).
        indicators: dict[str, list[int]] = {}
        for j, spec in enumerate(specs):
            if _is_category(spec):
                indicators.setdefault(spec.column, []).append(j)
        self.categories = {
            column: (np.array(index), [specs[j].level for j in index], levels[column])
            for column, index in indicators.items()
        }
        self.category_of = {j: column for column, index in indicators.items() for j in index}
        #: What a reason names for each feature: the feature, or the application column of a category.
        self.named = np.array([self.category_of.get(j, name) for j, name in enumerate(self.names)], dtype=object)
        self.is_category = np.isin(np.arange(len(specs)), list(self.category_of))

    def totals(self, shares: np.ndarray) -> np.ndarray:
        """Contributions summed per group (rows × groups, in the order of :attr:`keys`)."""
        return shares @ self.matrix

    def _own_levels(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """Each row's level of every one-hot category (object arrays); None when unknown to the model
        (missing, unseen)."""
        own = {}
        for column, (index, known, every) in self.categories.items():
            block = values[:, index]
            if is_binary(every):  # one 0/1 column: 1 is the second level
                levels, code = every[:2], (block[:, 0] >= 0.5).astype(np.int64)
                code[np.isnan(block[:, 0])] = len(levels)
            else:
                hit = np.nan_to_num(block, nan=0.0) >= 0.5
                levels, first = known, hit.argmax(axis=1)
                code = np.where(hit[np.arange(len(first)), first], first, len(levels))
            own[column] = np.array([*levels, None], dtype=object)[code]
        return own

    def reasons(
        self, shares: np.ndarray, values: np.ndarray, top: int
    ) -> list[tuple[list[Reason], list[Reason]]]:
        """For each row, the ``top`` groups raising the risk and the ``top`` lowering it, strongest first."""
        totals = self.totals(shares)
        up = np.empty(totals.shape, dtype=np.int64)
        down = np.empty(totals.shape, dtype=np.int64)
        for g, members in enumerate(self.members):  # the feature pushing most each way, per group
            block = shares[:, members]
            up[:, g], down[:, g] = members[block.argmax(axis=1)], members[block.argmin(axis=1)]
        width = min(top, len(self.keys))
        rows = np.arange(totals.shape[0])[:, None]
        sides = []
        for sign, order, drivers in ((1, np.argsort(-totals, axis=1, kind="stable")[:, :width], up),
                                     (-1, np.argsort(totals, axis=1, kind="stable")[:, :width], down)):
            contributions = _rounded(totals[rows, order])
            # Strongest first: a side ends at its first group pushing the other way (or not at all).
            kept = np.logical_and.accumulate(sign * contributions > 0, axis=1)
            sides.append(self._flat(order, drivers[rows, order], contributions, values, kept))
        against, favour = sides
        return list(zip(against, favour))

    def _flat(self, order: np.ndarray, features: np.ndarray, contributions: np.ndarray, values: np.ndarray,
              kept: np.ndarray) -> list[list[Reason]]:
        """Each row's kept reasons (rows × slots arrays of group, driving feature, contribution), built
        with one Python step per reason rather than per slot and row."""
        row, slot = np.nonzero(kept)  # row by row, strongest first
        group, feature = order[row, slot], features[row, slot]
        numbers = _rounded(values[row, feature].astype(np.float64))
        driven = numbers.astype(object)
        driven[np.isnan(numbers)] = None
        hit = np.flatnonzero(self.is_category[feature])
        if hit.size:  # a category's value is the client's level, read from its indicators
            rows, at = np.unique(row[hit], return_inverse=True)
            for column, levels in self._own_levels(values[rows]).items():
                of_column = np.isin(feature[hit], self.categories[column][0])
                driven[hit[of_column]] = levels[at[of_column]]
        keys = np.array(self.keys, dtype=object)[group]
        reasons = list(map(Reason, keys.tolist(), self.named[feature].tolist(), driven.tolist(),
                           contributions[row, slot].tolist()))
        ends = np.cumsum(kept.sum(axis=1)).tolist()
        return [reasons[begin:end] for begin, end in zip([0, *ends[:-1]], ends)]


def _rounded(values: np.ndarray) -> np.ndarray:
    """Values rounded to :data:`STORED_DIGITS` significant digits (short in JSON); NaN kept."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    scale = 10.0 ** np.where(np.isfinite(magnitude), STORED_DIGITS - 1 - magnitude, 0)
    return np.round(values * scale) / scale


class ReasonWords:
    """Puts stored reasons into words with one model's feature specs and training medians.

    Reasons stored before the groups existed carry their sentences (``fr``/``en``): they are shown
    as they were written, i.e. as the officer saw them.
    """

    def __init__(self, specs: Mapping[str, FeatureSpec], medians: Mapping[str, float | None]) -> None:
        self.specs = specs
        self.medians = medians

    def detail(self, reason: Mapping, lang: str) -> str:
        """The client's value in words: "Type de revenu : Retraité", "Score externe le plus bas : faible (0,16)";
        "" for a feature this model does not know."""
        feature, value = reason["feature"], reason["value"]
        if isinstance(value, str) or (value is None and feature in _application_categories()):
            return labels.category(feature, value, lang)
        spec = self.specs.get(feature)
        return "" if spec is None else labels.detail(spec, value, lang, self.medians.get(feature))

    def parts(self, reason: Mapping, lang: str) -> list[str]:
        """The group and the client's value in words, without repeating the group ("Âge : élevé (49 ans)",
        not "Âge — Âge : ..."); a reason stored before the groups is its one sentence."""
        if "group" not in reason:
            return [reason[lang]]
        group, detail = group_label(reason["group"], lang), self.detail(reason, lang)
        return [detail] if detail.startswith(group) else [part for part in (group, detail) if part]

    def text(self, reason: Mapping, lang: str) -> str:
        """The whole sentence: "Emploi et source de revenu — Type de revenu : Retraité — réduit le risque"."""
        if "group" not in reason:
            return reason[lang]
        return vocab.WORDS[lang]["dash"].join([*self.parts(reason, lang), labels.effect(reason["contribution"], lang)])

    def cell(self, reasons: Sequence[Mapping], lang: str) -> str:
        """Reasons in words, in one text cell."""
        return REASON_SEPARATOR.join(self.text(reason, lang) for reason in reasons)


@cache
def _application_categories() -> frozenset[str]:
    return frozenset(name for name, column in tables()["application"].columns.items() if column.kind == "str")
