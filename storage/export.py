"""Exports: a batch with its scores, and the log of officers' decisions; CSV (plain, or French Excel) or Parquet.

A batch: one row per client of the batch (``storage.client_query``'s batch), the score, the model
that made it (its name, then in words in French and English with its expected AUC), its reasons put
into French and English words, the latest officer's decision on it, then the application fields as
imported. The decisions: one row per decision, oldest first, with every field of the record (what the
officer saw and decided), the model in words as for a batch, the reasons put into words in the display
language and kept structured (JSON). :func:`with_model_words` words the model the same way for any table
of scores (``creditscore score --out`` too).

In CSV, text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import BinaryIO

import polars as pl

from engine.bundle import Bundle
from engine.coverage_words import scored_with
from engine.labels import LANGS
from engine.schema import tables
from engine.score_record import decision_columns, schema, store_schema
from engine.scoring import Scorer
from storage.batch_tables import batch_supplied
from storage.client_query import ClientQuery
from storage.migrations import quote
from storage.paths import StoreError
from storage.store import ClientStore

FORMULA_START = r"^[=+\-@\t\r]"
#: Export formats: plain CSV, CSV for Excel in French (``;``, decimal comma, UTF-8 BOM), Parquet.
CSV, EXCEL_FR, PARQUET = FORMATS = ("csv", "excel-fr", "parquet")

#: The score's fields in an export, in their order (then the officer's decision, then the application).
_SCORE_FIELDS = ("SK_ID_CURR", "BATCH", "SCORED_AT", "BUNDLE", "MODEL", "PD", "DECISION", "GRADE", "POINTS", "REASONS")
_OFFICER_FIELDS = ("OFFICER_DECISION", "OVERRIDE_REASON", "OFFICER", "DECIDED_AT")


def batch_frame(store: ClientStore, batch_id: int, scorer: Scorer) -> pl.DataFrame:
    """The batch's clients, scores, models and reasons (in words, by ``scorer``: its reason words and its
    bundle's figures), officers' decisions and application fields."""
    if store.db.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone() is None:
        raise StoreError("no_batch", batch=batch_id)
    spec = tables()["application"]
    fields = {name: column.dtype for name, column in spec.columns.items() if name != "SK_ID_CURR"}
    application = ", ".join("a." + quote(n) for n in fields)
    score = ", ".join("s." + quote(column) for column in store_schema(*_SCORE_FIELDS))
    columns = f"""{score}, {decision_columns("d", *_OFFICER_FIELDS)}, {application}"""
    joins = 'JOIN application a ON a."SK_ID_CURR" = s."SK_ID_CURR" AND a.batch_id = s.batch_id'
    rows = store.db.execute(*ClientQuery(batch=batch_id, sort=("SCORED", False)).select(columns, joins)).fetchall()
    frame = pl.DataFrame(rows, schema={**schema(*_SCORE_FIELDS, *_OFFICER_FIELDS), **fields}, orient="row")
    stored = [json.loads(text) for text in frame["REASONS"]]
    flat = [
        pl.Series(f"REASONS_{label}_{lang.upper()}", [scorer.words.cell(reasons[side], lang) for reasons in stored], pl.String)
        for side, label in (("against", "AGAINST"), ("for", "FOR"))
        for lang in LANGS
    ]
    at = frame.columns.index("REASONS")
    frame = frame.with_columns(flat).select(*frame.columns[:at], *(s.name for s in flat), *frame.columns[at + 1 :])
    return with_model_words(frame, scorer.bundle, batch_supplied(store, batch_id))


def with_model_words(
    frame: pl.DataFrame, bundle: Bundle, supplied: Collection[str] | Mapping[int, Collection[str]]
) -> pl.DataFrame:
    """``frame`` with the model of each score in words per language (``MODEL_FR``, ``MODEL_EN``: the tables it
    rests on, its expected AUC when ``bundle`` made the score, the supplied tables it ignored) right after its
    ``MODEL``; worded once per model (and ``BUNDLE``, if a column). ``supplied``: the tables the scored files
    supplied, or by batch when ``frame`` spans batches (its ``BATCH`` column)."""
    by_batch = isinstance(supplied, Mapping)
    keys = [key for key in ("MODEL", "BUNDLE", "BATCH") if key in frame.columns and (key != "BATCH" or by_batch)]
    models = frame.select(keys).unique(maintain_order=True)
    rows = list(models.iter_rows(named=True))
    models = models.with_columns(
        pl.Series(f"MODEL_{lang.upper()}", [
            scored_with(bundle, row["MODEL"], supplied[row["BATCH"]] if by_batch else supplied, lang, row.get("BUNDLE"))
            for row in rows], dtype=pl.String)
        for lang in LANGS
    )
    columns = frame.columns
    at = columns.index("MODEL") + 1
    return (frame.join(models, on=keys, how="left", maintain_order="left")
            .select(*columns[:at], *models.columns[len(keys):], *columns[at:]))


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would evaluate, prefixed with an apostrophe."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then("'" + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def export_format(out: str | Path, chosen: str | None = None) -> str:
    """The format asked (one of :data:`FORMATS`), else the one of ``out``'s extension."""
    if chosen is not None:
        if chosen not in FORMATS:
            raise StoreError("export_format", formats=", ".join(FORMATS), chosen=chosen)
        return chosen
    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise StoreError("export_suffix", name=Path(out).name)
    return PARQUET if suffix == ".parquet" else CSV


def write_frame(frame: pl.DataFrame, out: Path | BinaryIO, fmt: str) -> None:
    """Write ``frame`` to a file or a binary stream in ``fmt`` (formula-like text cells neutralised in CSV)."""
    if fmt == PARQUET:
        frame.write_parquet(out)
    elif fmt == EXCEL_FR:
        neutralise_formulas(frame).write_csv(out, separator=";", decimal_comma=True, include_bom=True, line_terminator="\r\n")
    else:
        neutralise_formulas(frame).write_csv(out)


def write_file(frame: pl.DataFrame, out: str | Path, fmt: str) -> int:
    """Write ``frame`` to the file ``out`` in ``fmt`` (its folder made); returns the number of rows written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_frame(frame, out, fmt)
    return frame.height


def export_batch(
    store: ClientStore, batch_id: int, out: str | Path, scorer: Scorer, *, excel_fr: bool = False
) -> int:
    """Write the batch to ``out`` (.csv or .parquet), models and reasons put into words by ``scorer``;
    ``excel_fr``: ``;``, decimal comma, UTF-8 BOM.

    Returns the number of clients written.
    """
    fmt = export_format(out)
    return write_file(batch_frame(store, batch_id, scorer), out, EXCEL_FR if excel_fr and fmt == CSV else fmt)


_DECISION_SCHEMA = {
    "DECISION_ID": pl.Int64, **schema("SK_ID_CURR", "BATCH"), "SCORE_ID": pl.Int64,
    **schema("DECIDED_AT", "OFFICER", "OFFICER_DECISION"), "MODEL_DECISION": schema("DECISION")["DECISION"],
    **schema("OVERRIDE", "OVERRIDE_REASON", "PD", "GRADE", "POINTS"), "THRESHOLD": pl.Float64, **schema("BUNDLE", "MODEL"),
}


def decisions_frame(store: ClientStore, scorer: Scorer, lang: str) -> pl.DataFrame:
    """Every officer's decision, oldest first, with what the officer saw: the model in words (as
    :func:`with_model_words`, by ``scorer``'s bundle), the reasons in ``lang``'s words by ``scorer``
    (``REASONS_AGAINST``, ``REASONS_FOR``) and as stored (``REASONS``, JSON)."""
    words, bundle = scorer.words, scorer.bundle
    rows, against, favour, structured = [], [], [], []
    for sk_id, batch, d in store.decision_log():
        rows.append((d.id, sk_id, batch, d.score_id, d.decided_at, d.officer, d.decision, d.model_decision, d.overrides,
                     d.override_reason, d.pd, d.grade, d.points, d.threshold, d.bundle_id, d.model))
        reasons = d.reasons or {}
        against.append(words.cell(reasons["against"], lang) if reasons else None)
        favour.append(words.cell(reasons["for"], lang) if reasons else None)
        structured.append(json.dumps(reasons, ensure_ascii=False) if reasons else None)
    frame = pl.DataFrame(rows, schema=_DECISION_SCHEMA, orient="row", strict=False).with_columns(
        pl.Series("REASONS_AGAINST", against, pl.String), pl.Series("REASONS_FOR", favour, pl.String),
        pl.Series("REASONS", structured, pl.String),
    )
    return with_model_words(frame, bundle, {batch: batch_supplied(store, batch) for batch in frame["BATCH"].unique()})


def export_decisions(store: ClientStore, out: str | Path, scorer: Scorer, lang: str, fmt: str | None = None) -> int:
    """Write the log of decisions (:func:`decisions_frame`) to ``out``; returns the number of decisions."""
    return write_file(decisions_frame(store, scorer, lang), out, export_format(out, fmt))
