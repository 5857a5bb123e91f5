"""Export a batch with its scores: CSV (plain, or French Excel) or Parquet.

One row per client of the batch: the score, the model that made it (its name, then in words in
French and English with its expected AUC), its reasons put into French and English words, the latest
officer's decision on it, then the application fields as imported. In CSV, text cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from engine.bundle import Bundle
from engine.coverage_words import scored_with
from engine.labels import LANGS
from engine.schema import tables
from engine.score_record import schema, store_schema
from engine.scoring import Scorer
from storage.batch_tables import batch_supplied
from storage.migrations import quote
from storage.paths import StoreError
from storage.store import ClientStore

FORMULA_START = r"^[=+\-@\t\r]"

#: The score's fields in an export, in their order (then the officer's decision, then the application).
_SCORE_FIELDS = ("SK_ID_CURR", "BATCH", "SCORED_AT", "BUNDLE", "MODEL", "PD", "DECISION", "GRADE", "POINTS", "REASONS")
_DECISION_SCHEMA = {
    "OFFICER_DECISION": pl.String,
    "OVERRIDE_REASON": pl.String,
    "OFFICER": pl.String,
    "DECIDED_AT": pl.String,
}


def batch_frame(store: ClientStore, batch_id: int, scorer: Scorer) -> pl.DataFrame:
    """The batch's clients, scores, models and reasons (in words, by ``scorer``: its reason words and its
    bundle's figures), officers' decisions and application fields."""
    if store.db.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone() is None:
        raise StoreError(f"no batch {batch_id} in the store")
    spec = tables()["application"]
    fields = {name: column.dtype for name, column in spec.columns.items() if name != "SK_ID_CURR"}
    application = ", ".join("a." + quote(n) for n in fields)
    score = ", ".join("s." + quote(column) for column in store_schema(*_SCORE_FIELDS))
    sql = f"""SELECT {score}, d.decision, d.override_reason, d.officer, d.decided_at, {application}
    FROM scores s
    JOIN application a ON a."SK_ID_CURR" = s."SK_ID_CURR" AND a.batch_id = s.batch_id
    LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE score_id = s.id)
    WHERE s.batch_id = ? ORDER BY s.id"""
    rows = store.db.execute(sql, (batch_id,)).fetchall()
    frame = pl.DataFrame(rows, schema={**schema(*_SCORE_FIELDS), **_DECISION_SCHEMA, **fields}, orient="row")
    stored = [json.loads(text) for text in frame["REASONS"]]
    flat = [
        pl.Series(f"REASONS_{label}_{lang.upper()}", [scorer.words.cell(reasons[side], lang) for reasons in stored], pl.String)
        for side, label in (("against", "AGAINST"), ("for", "FOR"))
        for lang in LANGS
    ]
    columns = list(frame.columns)
    at, model = columns.index("REASONS"), columns.index("MODEL") + 1
    models = _model_words(frame, scorer.bundle, batch_supplied(store, batch_id))
    return (
        frame.with_columns(flat)
        .join(models, on=["MODEL", "BUNDLE"], how="left", maintain_order="left")
        .select(*columns[:model], *models.columns[2:], *columns[model:at], *(s.name for s in flat), *columns[at + 1 :])
    )


def _model_words(frame: pl.DataFrame, bundle: Bundle, supplied: frozenset[str]) -> pl.DataFrame:
    """``MODEL``, ``BUNDLE`` and the model in words per language, once per model of the batch."""
    pairs = frame.select("MODEL", "BUNDLE").unique(maintain_order=True)
    return pairs.with_columns(
        pl.Series(f"MODEL_{lang.upper()}", [scored_with(bundle, m, supplied, lang, b) for m, b in pairs.iter_rows()],
                  dtype=pl.String)
        for lang in LANGS
    )


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


def export_batch(
    store: ClientStore, batch_id: int, out: str | Path, scorer: Scorer, *, excel_fr: bool = False
) -> int:
    """Write the batch to ``out`` (.csv or .parquet), models and reasons put into words by ``scorer``;
    ``excel_fr``: ``;``, decimal comma, UTF-8 BOM.

    Returns the number of clients written.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise StoreError(f"{out.name}: export to a .csv or a .parquet file")
    frame = batch_frame(store, batch_id, scorer)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        frame.write_parquet(out)
    elif excel_fr:
        neutralise_formulas(frame).write_csv(
            out, separator=";", decimal_comma=True, include_bom=True, line_terminator="\r\n"
        )
    else:
        neutralise_formulas(frame).write_csv(out)
    return frame.height
