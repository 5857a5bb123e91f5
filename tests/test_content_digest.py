"""A table's digest does not depend on how its columns are held or sliced while they are hashed."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from storage import content
from storage.content import table_digest


def _bureau_balance(rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    index = pl.int_range(rows)
    return pl.DataFrame({
        "SK_ID_BUREAU": rng.integers(5_000_000, 6_000_000, rows),
        "MONTHS_BALANCE": rng.integers(-96, 1, rows),
        "STATUS": rng.choice(["0", "1", "5", "C", "X", "é"], rows),
    }).with_columns(
        pl.when(index % 7 == 0).then(None).otherwise(pl.col("STATUS")).alias("STATUS"),
        pl.when(index % 11 == 0).then(None).otherwise(pl.col("MONTHS_BALANCE")).alias("MONTHS_BALANCE"),
    )


@pytest.mark.parametrize("rows", [0, 1, 9, 1_003])
def test_the_digest_is_the_same_whatever_the_slices(monkeypatch, rows):
    frame = _bureau_balance(rows)
    whole = table_digest("bureau_balance", frame)
    for slice_rows in (8, 16, 1_024):
        monkeypatch.setattr(content, "SLICE_ROWS", slice_rows)
        assert table_digest("bureau_balance", frame) == whole, slice_rows


def test_the_digest_is_the_same_for_compact_and_schema_typed_columns():
    frame = _bureau_balance(1_003)
    compact = frame.with_columns(pl.col("STATUS").cast(pl.Categorical), pl.col("MONTHS_BALANCE").cast(pl.Int8))
    assert table_digest("bureau_balance", compact) == table_digest("bureau_balance", frame)


def test_the_digest_changes_with_one_value_or_one_null():
    frame = _bureau_balance(1_003)
    digest = table_digest("bureau_balance", frame)
    one_value = frame.with_columns(pl.when(pl.int_range(1_003) == 500).then(pl.lit("2")).otherwise("STATUS").alias("STATUS"))
    one_null = frame.with_columns(pl.when(pl.int_range(1_003) == 500).then(None).otherwise("SK_ID_BUREAU").alias("SK_ID_BUREAU"))
    assert len({digest, table_digest("bureau_balance", one_value), table_digest("bureau_balance", one_null)}) == 3
