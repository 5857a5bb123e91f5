"""storage.export: a batch with its scores as CSV, French Excel CSV and Parquet; no formula runs."""

from __future__ import annotations

import codecs

import polars as pl
import pytest

from engine.schema import tables
from storage.export import batch_frame, export_batch, neutralise_formulas
from storage.importer import import_files
from storage.paths import StoreError
from storage.store import ClientStore

FORMULAS = {
    "ORGANIZATION_TYPE": '=HYPERLINK("http://x")',
    "OCCUPATION_TYPE": "+33 1 23",
    "NAME_TYPE_SUITE": "@SUM(A1)",
    "WEEKDAY_APPR_PROCESS_START": "-2+3",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory, scorer, small_tables):
    """A store with one batch of 40 real clients, the first one's text fields set to formulas."""
    home = tmp_path_factory.mktemp("home")
    app = small_tables["application"].head(40)
    app = app.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(text)).otherwise(pl.col(name)).alias(name)
        for name, text in FORMULAS.items()
    )
    app.write_csv(home / "application_test.csv")
    store = ClientStore(home / "store")
    result = import_files(store, [home / "application_test.csv"], scorer)
    store.record_decision(app["SK_ID_CURR"][1], "refuse", officer="alice", override_reason="forged payslip")
    return store, result.batch_id, app


def test_csv_export_has_scores_reasons_decisions_and_fields(exported, scorer, tmp_path):
    store, batch, app = exported
    assert export_batch(store, batch, tmp_path / "out.csv", scorer) == 40
    back = pl.read_csv(tmp_path / "out.csv", infer_schema_length=None)
    scores = store.find_clients(batch=batch)
    assert back["SK_ID_CURR"].to_list() == app["SK_ID_CURR"].to_list()
    assert (
        back.select("SK_ID_CURR", "PD", "GRADE", "POINTS")
        .sort("SK_ID_CURR")
        .equals(scores.select("SK_ID_CURR", "PD", "GRADE", "POINTS"))
    )
    assert back["REASONS_AGAINST_FR"].str.contains("augmente le risque").all()
    assert back["REASONS_FOR_EN"].str.contains("lowers the risk").all()
    assert back.row(1, named=True)["OVERRIDE_REASON"] == "forged payslip"
    assert back["AMT_CREDIT"].to_list() == app["AMT_CREDIT"].to_list()


def test_csv_cells_that_start_a_formula_are_neutralised(exported, scorer, tmp_path):
    store, batch, _ = exported
    export_batch(store, batch, tmp_path / "out.csv", scorer)
    first = pl.read_csv(tmp_path / "out.csv", infer_schema=False).row(0, named=True)
    for name, text in FORMULAS.items():
        assert first[name] == "'" + text
    framed = neutralise_formulas(pl.DataFrame({"a": ["=1", "x=1", None, "\tcmd"], "n": [-1, 2, 3, 4]}))
    assert framed["a"].to_list() == ["'=1", "x=1", None, "'\tcmd"] and framed["n"].to_list() == [-1, 2, 3, 4]


def test_french_excel_csv_uses_semicolons_decimal_commas_and_a_bom(exported, scorer, tmp_path):
    store, batch, _ = exported
    out = tmp_path / "excel.csv"
    export_batch(store, batch, out, scorer, excel_fr=True)
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and data[3:].startswith(b"SK_ID_CURR;BATCH;")
    back = pl.read_csv(data[3:], separator=";", decimal_comma=True, infer_schema_length=None)
    expected = batch_frame(store, batch, scorer)
    assert back["PD"].to_list() == pytest.approx(expected["PD"].to_list(), rel=1e-12)
    assert back["AMT_ANNUITY"].to_list() == expected["AMT_ANNUITY"].to_list()
    assert b"0," in data and "'=HYPERLINK" in data.decode("utf-8-sig")


def test_parquet_export_keeps_types_and_text_as_stored(exported, scorer, tmp_path):
    store, batch, app = exported
    export_batch(store, batch, tmp_path / "out.parquet", scorer)
    back = pl.read_parquet(tmp_path / "out.parquet")
    assert back.equals(batch_frame(store, batch, scorer))
    fields = tables()["application"].schema()
    assert back.schema["PD"] == pl.Float64 and back.schema["POINTS"] == pl.Int64
    assert all(back.schema[name] == dtype for name, dtype in fields.items())
    assert back["ORGANIZATION_TYPE"][0] == FORMULAS["ORGANIZATION_TYPE"]


def test_export_refuses_an_unknown_batch_or_format(exported, scorer, tmp_path):
    store, batch, _ = exported
    with pytest.raises(StoreError, match="no batch 99"):
        export_batch(store, 99, tmp_path / "out.csv", scorer)
    with pytest.raises(StoreError, match=r"\.csv or a \.parquet"):
        export_batch(store, batch, tmp_path / "out.xlsx", scorer)
