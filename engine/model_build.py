"""How a bundle's model is built, in words for its card: the bag of boosters and their trees, the
table dropout, the threshold rule and why (wording in ``model_build.json``, FR and EN)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from engine.catalogues import catalogue
from engine.constants import BAYES_PD, COST_FN, COST_FP, THRESHOLD_RULES
from engine.formats import fill, number, percent

if TYPE_CHECKING:  # LightGBM is imported once the model loads, not with the pages (bench/RESULTS-start.md)
    from engine.bundle import BoosterBag


@dataclass(frozen=True)
class ModelBuild:
    boosters: int  # in the bag
    rounds: int  # trees per booster
    learning_rate: float
    max_depth: int
    num_leaves: int
    dropout: float  # share of training clients whose history was blanked
    threshold_rule: str  # engine.evaluation.THRESHOLD_RULES

    def __post_init__(self) -> None:
        if self.threshold_rule not in THRESHOLD_RULES:
            raise ValueError(f"unknown threshold rule {self.threshold_rule!r}; expected one of {THRESHOLD_RULES}")

    @classmethod
    def of(cls, bag: BoosterBag, dropout: float, threshold_rule: str) -> ModelBuild:
        """The build read from the boosters themselves (their trees and the settings LightGBM stored)."""
        params = bag.boosters[0].params
        return cls(len(bag.boosters), bag.boosters[0].num_trees(), float(params["learning_rate"]),
                   int(params["max_depth"]), int(params["num_leaves"]), float(dropout), threshold_rule)

    @property
    def trees(self) -> int:
        return self.boosters * self.rounds

    def to_dict(self) -> dict:
        return asdict(self)


def describe(build: ModelBuild, lang: str) -> list[str]:
    """The build in sentences: the bag, the table dropout, the threshold rule, why it was chosen."""
    words = catalogue("model_build")
    costs = {"fn": COST_FN, "fp": COST_FP}
    # LightGBM's max_depth ≤ 0: no limit (the leaves still bound the tree)
    depth = fill(words["depth"][lang], lang, depth=build.max_depth) if build.max_depth > 0 else words["depth_unlimited"][lang]
    return [
        fill(words["bag"][lang], lang, boosters=build.boosters, rounds=build.rounds, depth=depth,
             leaves=build.num_leaves, rate=number(build.learning_rate, lang, 2, trim=True), trees=number(build.trees, lang)),
        fill(words["dropout"][lang], lang, dropout=percent(build.dropout, lang, 0), boosters=build.boosters),
        fill(words[f"rule_{build.threshold_rule}"][lang], lang, pd=percent(BAYES_PD, lang, 1), **costs),
        words["why"][lang],
    ]
