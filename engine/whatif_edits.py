"""The what-if's fields: what the officer may change in a client's application, checked, then applied.

:func:`validate` turns raw values (numbers, or text as typed: ``"12 500,50"``) into edits, or into
one :class:`FieldError` per wrong field, never an exception: the page shows each message beside its
field and the API answers 400 naming the fields. The ranges are those of the one table of ranges
(:func:`engine.plausibility.ranges`), an amount above its usual maximum taken for a typing error
here; the amounts must be above 0 (the model divides by them); the annuity cannot exceed the credit,
nor the time in job the client's age. :func:`apply_edits` writes valid edits into a copy of the
client's tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from engine.input_problems import render
from engine.labels import DAYS_NOT_APPLICABLE, DAYS_PER_YEAR, LANGS, column_label
from engine.plausibility import ranges

#: The form's field of the time in job, in years; stored as DAYS_EMPLOYED (negative days).
EMPLOYED_YEARS = "EMPLOYED_YEARS"


@dataclass(frozen=True)
class Field:
    name: str  # application column, or EMPLOYED_YEARS
    column: str  # the application column it writes
    whole: bool = False  # whole numbers only
    positive: bool = False  # strictly above 0


#: The fields the officer can change, in form order.
FIELDS: tuple[Field, ...] = (
    Field("AMT_INCOME_TOTAL", "AMT_INCOME_TOTAL", positive=True),
    Field("AMT_CREDIT", "AMT_CREDIT", positive=True),
    Field("AMT_ANNUITY", "AMT_ANNUITY", positive=True),
    Field("AMT_GOODS_PRICE", "AMT_GOODS_PRICE", positive=True),
    Field(EMPLOYED_YEARS, "DAYS_EMPLOYED"),
    Field("CNT_CHILDREN", "CNT_CHILDREN", whole=True),
)
BY_NAME = {f.name: f for f in FIELDS}

Edits = dict[str, float]


@dataclass(frozen=True)
class FieldError:
    """One wrong field: its name, the template code (engine/problems.json) and the values it shows."""

    field: str
    code: str
    params: dict = field(default_factory=dict, hash=False)

    def message(self, lang: str) -> str:
        return render(self.code, self.params, lang)

    def to_dict(self) -> dict:
        return {"field": self.field, "code": self.code, **{lang: self.message(lang) for lang in LANGS}}


def _labels(name: str) -> dict[str, str]:
    return {f"label_{lang}": column_label("application", BY_NAME[name].column, lang) for lang in LANGS}


def _error(name: str, code: str, **params: object) -> FieldError:
    return FieldError(name, code, {**_labels(name), **params})


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def _number(raw: object) -> float | str | None:
    """A number from a value as typed (spaces between thousands, decimal comma); None when empty;
    the text itself when it is not a number."""
    if raw is None or isinstance(raw, bool):
        return None if raw is None else str(raw)
    text = _SPACES.sub("", str(raw)).replace(",", ".")
    if not text:
        return None
    try:
        return float(raw) if isinstance(raw, (int, float)) else float(text)
    except (ValueError, OverflowError):
        return str(raw)[:40]


def _upper(f: Field) -> float | None:
    bounds = ranges()["application"].get(f.column)
    return None if bounds is None else bounds.high if bounds.high is not None else bounds.usual_high


def _check(f: Field, value: float, application: Mapping[str, object]) -> FieldError | None:
    """The first rule ``value`` breaks for field ``f``, or None."""
    if not math.isfinite(value):
        return _error(f.name, "whatif_not_number", value=str(value))
    if f.whole and not value.is_integer():
        return _error(f.name, "whatif_not_whole")
    if f.positive and value <= 0:
        return _error(f.name, "whatif_not_positive")
    if value < 0:
        return _error(f.name, "whatif_below", low=0)
    high = _upper(f)
    if high is not None and value > high:
        return _error(f.name, "whatif_above", high=int(high))
    if f.name == EMPLOYED_YEARS:
        birth = application.get("DAYS_BIRTH")
        age = abs(float(birth)) / DAYS_PER_YEAR if isinstance(birth, (int, float)) else None
        if age is not None and value > age:
            return _error(f.name, "whatif_employed_above_age", age=int(age))
    return None


def validate(raw: Mapping[str, object], application: Mapping[str, object]) -> tuple[Edits, list[FieldError]]:
    """Edits (field name → number) from ``raw`` values of the client's ``application``, and the errors.

    An empty value keeps the client's own only where the client has none (a field shown empty);
    otherwise a value is expected. Every field of ``raw`` is checked, so each wrong one gets its message.
    """
    edits: Edits = {}
    errors: list[FieldError] = []
    for name, given in raw.items():
        f = BY_NAME.get(name)
        if f is None:
            errors.append(FieldError(str(name)[:60], "whatif_unknown_field",
                                     {"field": str(name)[:60], "allowed": ", ".join(BY_NAME)}))
            continue
        value = _number(given)
        if value is None:
            if _own(f, application) is not None:
                errors.append(_error(name, "whatif_required"))
            continue
        if isinstance(value, str):
            errors.append(_error(name, "whatif_not_number", value=value))
            continue
        problem = _check(f, value, application)
        if problem is None:
            edits[name] = value
        else:
            errors.append(problem)
    errors += _consistency(edits, application, {e.field for e in errors})
    wrong = {e.field for e in errors}
    return {name: value for name, value in edits.items() if name not in wrong}, errors


def _own(f: Field, application: Mapping[str, object]) -> float | None:
    """The client's own value of field ``f`` (employment in years; None when unknown or not employed)."""
    value = application.get(f.column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if f.name == EMPLOYED_YEARS:
        return round(abs(float(value)) / DAYS_PER_YEAR, 1) if value < DAYS_NOT_APPLICABLE else None
    return float(value)


def start_values(application: Mapping[str, object]) -> dict[str, float | None]:
    """The form's starting values: the client's own (employment in years; None if not employed)."""
    return {f.name: _own(f, application) for f in FIELDS}


def _consistency(edits: Edits, application: Mapping[str, object], wrong: set[str]) -> list[FieldError]:
    """The annuity cannot exceed the credit (each as edited, else the client's own)."""
    if wrong & {"AMT_ANNUITY", "AMT_CREDIT"} or not {"AMT_ANNUITY", "AMT_CREDIT"} & set(edits):
        return []
    credit = edits.get("AMT_CREDIT", _own(BY_NAME["AMT_CREDIT"], application))
    annuity = edits.get("AMT_ANNUITY", _own(BY_NAME["AMT_ANNUITY"], application))
    if credit is not None and annuity is not None and annuity > credit:
        blamed = "AMT_ANNUITY" if "AMT_ANNUITY" in edits or "AMT_CREDIT" not in edits else "AMT_CREDIT"
        return [_error(blamed, "whatif_annuity_above_credit", credit=int(credit))]
    return []


def apply_edits(tables: Mapping[str, pl.DataFrame], edits: Mapping[str, float]) -> dict[str, pl.DataFrame]:
    """A copy of ``tables`` with the edited application fields replaced (valid edits: see :func:`validate`).

    Employment in years becomes DAYS_EMPLOYED; a change of children changes the family size too.
    """
    application = tables["application"]
    changes: dict[str, pl.Expr] = {}
    for name, value in edits.items():
        column = BY_NAME[name].column
        dtype = application[column].dtype
        if name == EMPLOYED_YEARS:
            changes[column] = pl.lit(-round(value * DAYS_PER_YEAR), dtype=dtype)
        elif name == "CNT_CHILDREN":
            delta = int(value) - (application["CNT_CHILDREN"][0] or 0)
            changes[column] = pl.lit(int(value), dtype=dtype)
            changes["CNT_FAM_MEMBERS"] = (pl.col("CNT_FAM_MEMBERS") + delta).cast(application["CNT_FAM_MEMBERS"].dtype)
        else:
            changes[column] = pl.lit(value, dtype=dtype)
    return {**tables, "application": application.with_columns(**changes)}
