"""Which tables a batch supplied, and the model that matches them.

A client with no rows in a supplied table is a client without that history (the pipeline's usual
zeros and nulls); a table the batch did not supply is *unknown*. Models are trained and scored
with the features of unknown tables set to null (:func:`blank`), so that an application-only
batch is scored as application-only input, not as clients who never borrowed anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import polars as pl

from engine.feature_spec import FeatureSpec
from engine.schema import TABLE_NAMES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Coverage:
    """A set of tables a batch can realistically bring, and the name of its model."""

    name: str  # "application", "bureau", "full"
    tables: frozenset[str]  # the tables whose features this model reads


#: Smallest to largest: application; application + bureau + bureau_balance; all tables.
COVERAGES: tuple[Coverage, ...] = (
    Coverage("application", frozenset({"application"})),
    Coverage("bureau", frozenset({"application", "bureau", "bureau_balance"})),
    Coverage("full", frozenset(TABLE_NAMES)),
)


def coverage_of(supplied: Collection[str], trained: Collection[str]) -> Coverage:
    """The largest coverage whose tables (those the bundle was trained with) the batch supplied.

    Unknown table names are ignored; a batch without the application table cannot be scored.
    """
    supplied = set(supplied)
    unknown = supplied - set(TABLE_NAMES)
    if unknown:
        log.warning("ignoring unknown tables %s", sorted(unknown))
    if "application" not in supplied:
        raise ValueError("the application table is required to score clients")
    trained = set(trained)
    return [c for c in COVERAGES if (c.tables & trained) <= supplied][-1]


def coverages_for(trained: Collection[str]) -> tuple[Coverage, ...]:
    """The coverages :func:`coverage_of` can return for a bundle trained with these tables: one
    model each (a coverage that reads no more of them than a larger one is that one)."""
    seen = [c.tables & set(trained) for c in COVERAGES]
    return tuple(c for i, c in enumerate(COVERAGES) if seen[i] not in seen[i + 1 :])


def blank(features: pl.DataFrame, specs: Mapping[str, FeatureSpec], keep: Collection[str]) -> pl.DataFrame:
    """Features of tables outside ``keep`` set to null (a table not supplied is unknown, not empty)."""
    keep = set(keep)
    unknown = [name for name in features.columns if name in specs and specs[name].table not in keep]
    if not unknown:
        return features
    schema = features.schema  # built once: polars builds the whole schema on each call
    return features.with_columns(pl.lit(None, schema[name]).alias(name) for name in unknown)
