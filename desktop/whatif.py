"""What-if: score a client again with a few application fields changed, never touching the store.

The client's tables are rebuilt from the store (``storage.client_tables``, cached per score),
the edited fields replaced in a copy of the application row, then ``scorer.features`` and
``scorer.score`` run exactly as at import.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from desktop.explain import stored_tables
from engine.constants import DAYS_NOT_APPLICABLE, DAYS_PER_YEAR
from engine.scoring import ClientScore, Scorer
from storage.store import ClientStore

log = logging.getLogger(__name__)

EMPLOYED_YEARS = "EMPLOYED_YEARS"  # form field, stored as DAYS_EMPLOYED (negative days)


@dataclass(frozen=True)
class Field:
    name: str  # application column, or EMPLOYED_YEARS
    label_key: str  # text key of the form label
    step: float
    whole: bool = False  # whole numbers only


#: The fields the officer can change, in form order.
FIELDS: tuple[Field, ...] = (
    Field("AMT_INCOME_TOTAL", "interpretation.income", 1000),
    Field("AMT_CREDIT", "interpretation.credit", 1000),
    Field("AMT_ANNUITY", "interpretation.annuity", 100),
    Field("AMT_GOODS_PRICE", "interpretation.goods", 1000),
    Field(EMPLOYED_YEARS, "interpretation.employment", 0.5),
    Field("CNT_CHILDREN", "interpretation.children", 1, whole=True),
)


def form_values(application: Mapping[str, object]) -> dict[str, float | None]:
    """The form's starting values from the client's application (employment in years; None if not employed)."""
    values: dict[str, float | None] = {}
    for field in FIELDS:
        if field.name == EMPLOYED_YEARS:
            days = application.get("DAYS_EMPLOYED")
            employed = days is not None and days < DAYS_NOT_APPLICABLE
            values[field.name] = round(abs(float(days)) / DAYS_PER_YEAR, 1) if employed else None
        else:
            value = application.get(field.name)
            values[field.name] = None if value is None else float(value)
    return values


def apply_edits(tables: Mapping[str, pl.DataFrame], edits: Mapping[str, float | None]) -> dict[str, pl.DataFrame]:
    """A copy of ``tables`` with the edited application fields replaced (None keeps the client's value).

    Employment in years becomes DAYS_EMPLOYED; a change of children changes the family size too.
    """
    application = tables["application"]
    changes: dict[str, pl.Expr] = {}
    for field in FIELDS:
        value = edits.get(field.name)
        if value is None:
            continue
        if field.name == EMPLOYED_YEARS:
            changes["DAYS_EMPLOYED"] = pl.lit(-round(float(value) * DAYS_PER_YEAR), dtype=application["DAYS_EMPLOYED"].dtype)
        elif field.name == "CNT_CHILDREN":
            delta = int(value) - (application["CNT_CHILDREN"][0] or 0)
            changes["CNT_CHILDREN"] = pl.lit(int(value), dtype=application["CNT_CHILDREN"].dtype)
            changes["CNT_FAM_MEMBERS"] = (pl.col("CNT_FAM_MEMBERS") + delta).cast(application["CNT_FAM_MEMBERS"].dtype)
        else:
            changes[field.name] = pl.lit(value, dtype=application[field.name].dtype)
    return {**tables, "application": application.with_columns(**changes)}


def simulate(store: ClientStore, scorer: Scorer, sk_id_curr: int, edits: Mapping[str, float | None]) -> ClientScore:
    """The client's score with ``edits`` applied, by the model that scored it (the tables its batch
    supplied); the store is only read."""
    record = store.client(sk_id_curr)
    if record is None:
        raise KeyError(sk_id_curr)
    tables = apply_edits(stored_tables(store, sk_id_curr, record.score.id), edits)
    return scorer.score(scorer.features(tables), supplied=frozenset(record.score.supplied))[0]
