"""The score record, declared once: what a score holds, and each field's name in tables, exports and
the API, its type (Polars and JSON schema) and its column in the store's ``scores`` table.

:class:`ClientScore` is what the scorer gives; :class:`StoredScore` is the same record as the store keeps it,
adding only where and when it was stored (its id, batch, scoring time, bundle and the tables supplied).
The store's schema, the export's, the client lists' and the API's fields are derived from
:data:`FIELDS` (:func:`schema`, :func:`store_schema`, :func:`json_properties`), never written again; so are
the officer's decision's columns in lists and exports, from :data:`OFFICER_FIELDS` (:func:`decision_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec
import polars as pl

from engine.coverage import COVERAGES
from engine.grading import GRADING
from engine.reasons import Reason

ReasonT = TypeVar("ReasonT", Reason, Mapping)  # the scorer's reasons, or as stored (JSON objects)

ACCEPT = "accept"
REFUSE = "refuse"


@dataclass(frozen=True)
class Field:
    """One field of a score."""

    name: str  # in tables, exports, pages and the API ("PD")
    stored: str  # its column in the store's ``scores`` table ("pd")
    dtype: pl.DataType
    schema: dict  # its JSON schema in the API


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("SK_ID_CURR", "SK_ID_CURR", pl.Int64(), {"type": "integer"}),
        Field("BATCH", "batch_id", pl.Int64(), {"type": "integer", "description": "the import that stored the score"}),
        Field("SCORED_AT", "scored_at", pl.String(), {"type": "string", "description": "UTC time, ISO 8601"}),
        Field("BUNDLE", "bundle_id", pl.String(), {"type": "string", "description": "the SHA-256 of the bundle's manifest"}),
        Field("MODEL", "model", pl.String(), {"type": "string", "enum": [c.name for c in COVERAGES],
                                              "description": "the model that scored: the coverage of the tables supplied"}),
        Field("PD", "pd", pl.Float64(), {"type": "number", "description": "calibrated probability of default"}),
        Field("DECISION", "decision", pl.String(), {"type": "string", "enum": [ACCEPT, REFUSE]}),
        Field("GRADE", "grade", pl.String(), {"type": "string", "enum": list(GRADING["grades"])}),
        Field("POINTS", "points", pl.Int64(), {"type": "integer"}),
        Field("REASONS", "reasons", pl.String(), {"type": "string",
                                                  "description": "JSON: reasons against and for (group, feature, value, contribution)"}),
    )
}
#: The officer's decision on a score: its name in lists and exports, its column in the store's ``decisions`` table.
OFFICER_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("OFFICER_DECISION", "decision", pl.String(), {"type": "string", "enum": [ACCEPT, REFUSE]}),
        Field("OVERRIDE", "overrides", pl.Boolean(), {"type": "boolean", "description": "the officer went against the model"}),
        Field("OVERRIDE_REASON", "override_reason", pl.String(), {"type": "string"}),
        Field("OFFICER", "officer", pl.String(), {"type": "string"}),
        Field("DECIDED_AT", "decided_at", pl.String(), {"type": "string", "description": "UTC time, ISO 8601"}),
    )
}
_NAMED = {**FIELDS, **OFFICER_FIELDS}
#: The fields of a :class:`ClientScore` besides its reasons, in the order of its tables.
SCORE_FIELDS = ("SK_ID_CURR", "PD", "DECISION", "GRADE", "POINTS", "MODEL")
#: The fields of a score in a list of clients.
LIST_FIELDS = ("SK_ID_CURR", "BATCH", "SCORED_AT", "PD", "DECISION", "GRADE", "POINTS")


def schema(*names: str) -> dict[str, pl.DataType]:
    """Polars schema of these fields (a score's or its officer's decision's), by their table names."""
    return {name: _NAMED[name].dtype for name in names}


def decision_columns(alias: str, *names: str) -> str:
    """SQL select list of these :data:`OFFICER_FIELDS` from the ``decisions`` table known as ``alias``."""
    return ", ".join(f"{alias}.{OFFICER_FIELDS[name].stored}" for name in names)


def store_schema(*names: str) -> dict[str, pl.DataType]:
    """Polars schema of these fields, by their columns in the store's ``scores`` table."""
    return {FIELDS[name].stored: FIELDS[name].dtype for name in names}


def json_properties(*names: str) -> dict[str, dict]:
    """JSON schema properties of these fields (the API's)."""
    return {name: FIELDS[name].schema for name in names}


@dataclass(frozen=True)
class ClientScore(Generic[ReasonT]):
    """One client's score: its fields are :data:`SCORE_FIELDS` in lower case, then its reasons."""

    sk_id_curr: int
    pd: float
    decision: str
    grade: str
    points: int
    model: str  # the coverage name of the model that scored it ("application", "bureau", "full")
    against: list[ReasonT]  # raise the risk, strongest first
    favour: list[ReasonT]  # lower the risk, strongest first

    def fields(self) -> dict:
        """The :data:`SCORE_FIELDS` by name."""
        return {name: getattr(self, name.lower()) for name in SCORE_FIELDS}

    def reasons(self) -> dict[str, list[dict]]:
        """The reasons as stored: ``{"against": [...], "for": [...]}`` (:func:`reasons_json`)."""
        return {"against": [r.to_dict() for r in self.against], "for": [r.to_dict() for r in self.favour]}

    def to_dict(self) -> dict:
        reasons = self.reasons()
        return {**self.fields(), "REASONS_AGAINST": reasons["against"], "REASONS_FOR": reasons["for"]}


#: Encodes the reasons as stored (compact JSON, UTF-8 kept).
_REASONS_JSON = msgspec.json.Encoder()


def reasons_json(against: Sequence[Reason], favour: Sequence[Reason]) -> str:
    """A score's reasons as the store keeps them (the shape of :meth:`ClientScore.reasons`), encoded by
    msgspec from the :class:`Reason` records themselves (4× less CPU than ``json`` through dicts)."""
    return _REASONS_JSON.encode({"against": against, "for": favour}).decode()


@dataclass(frozen=True)
class StoredScore(ClientScore[Mapping]):
    """A score as the store keeps it: the scorer's record, its reasons as stored (scores stored before the reason
    groups hold feature, value, contribution, fr, en), and where and when it was stored."""

    id: int
    batch_id: int
    bundle_id: str
    supplied: tuple[str, ...]  # the tables the batch supplied (every table read, with rows or not)
    scored_at: str

    def reasons(self) -> dict[str, list[dict]]:
        return {"against": list(self.against), "for": list(self.favour)}
