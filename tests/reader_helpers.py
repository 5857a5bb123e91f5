"""What the readers' tests share: a small application file, its rows, and the problems a read raises."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from engine.readers import InputError, Problem, read_tables
from engine.schema import tables

HEADER = "SK_ID_CURR,TARGET,NAME_CONTRACT_TYPE,AMT_INCOME_TOTAL,AMT_CREDIT,AMT_ANNUITY,DAYS_BIRTH"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def app_row(i: int, credit: str = "500000.5") -> str:
    return f"{100000 + i},0,Cash loans,202500.0,{credit},24700.5,-9461"


def french_row(i: int, credit: str = "500000,5", sep: str = ";") -> str:
    return sep.join([str(100000 + i), "0", "Cash loans", "202500", credit, "24700,5", "-9461"])


def write(path: Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def app_file(tmp_path: Path, rows: list[str], header: str = HEADER, name: str = "application.csv") -> Path:
    return write(tmp_path / name, "\n".join([header, *rows]) + "\n")


def problems_of(source, **kwargs) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        read_tables(source, **kwargs)
    return caught.value.errors


def assert_schema(frame: pl.DataFrame, table: str) -> None:
    spec = tables()[table]
    assert frame.schema == pl.Schema({c: spec.columns[c].dtype for c in spec.input_columns(frame.columns)})
