"""Regenerate ``engine/tables.json`` from the Home Credit column descriptions and data.

Run once when the Kaggle schema changes::

    python build/make_tables_json.py ../shared/data/home-credit engine/tables.json

Columns: those of the data where it is at hand, else those described. Types: ``int`` for the SK_ID_* keys and TARGET, ``str`` for text columns in the data, ``float`` otherwise; descriptions from
``HomeCredit_columns_description.csv`` (latin-1). Short labels already present in the
output file (French ``fr``, English ``label_en``) are kept, so they survive a regeneration.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import polars as pl

TABLES = {
    "application": "application_{train|test}.csv",
    "bureau": "bureau.csv",
    "bureau_balance": "bureau_balance.csv",
    "previous_application": "previous_application.csv",
    "POS_CASH_balance": "POS_CASH_balance.csv",
    "installments_payments": "installments_payments.csv",
    "credit_card_balance": "credit_card_balance.csv",
}
# The description file misspells two key columns.
FIXES = {"SK_BUREAU_ID": "SK_ID_BUREAU"}


def _frame(folder: Path, table: str) -> pl.DataFrame | None:
    name = "application_train" if table == "application" else table
    path = folder / f"{name}.zip"
    if not path.exists():
        return None
    with zipfile.ZipFile(path) as zf:
        data = zf.read(zf.namelist()[0])
    return pl.read_csv(io.BytesIO(data), infer_schema_length=None)


def main(folder: Path, out: Path) -> None:
    desc = pl.read_csv(folder / "HomeCredit_columns_description.csv", encoding="latin-1")
    old = json.loads(out.read_text("utf-8")) if out.exists() else {}
    result: dict = {}
    for table, desc_name in TABLES.items():
        rows = desc.filter(pl.col("Table") == desc_name)
        frame = _frame(folder, table)
        columns = {}
        described = {
            FIXES.get(r["Row"].strip(), r["Row"].strip()): r["Description"] for r in rows.iter_rows(named=True)
        }
        # Where the data is at hand it decides which columns exist (the description lists a few that don't).
        names = list(described) if frame is None else frame.columns
        for col in names:
            if col.startswith("SK_ID_") or col == "TARGET":
                kind = "int"
            elif frame is not None and col in frame.columns:
                kind = "str" if frame.schema[col] == pl.String else "float"
            else:  # installments_payments is absent from the extract: all its other columns are numeric
                kind = "float"
            prev = old.get(table, {}).get("columns", {}).get(col, {})
            columns[col] = {
                "type": kind,
                "en": described.get(col, col),
                "label_en": prev.get("label_en", ""),
                "fr": prev.get("fr", ""),
            }
        result[table] = {"columns": columns, **{k: v for k, v in old.get(table, {}).items() if k != "columns"}}
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
