"""engine.readers on the real extract: every table typed, the label, Excel dialects, gzip, Parquet and zip round trips."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import polars as pl
import pytest
from conftest import FRAGMENTS
from reader_helpers import assert_schema, problems_of

from engine.readers import Tables, read_table, read_tables, scan_tables

ROW_COUNTS = {
    "application": 5_000,
    "bureau": 49_227,
    "bureau_balance": 1_207_059,
    "previous_application": 49_100,
    "POS_CASH_balance": 287_697,
    "credit_card_balance": 113_392,
}


def to_french_excel(frame: pl.DataFrame, path: Path, encoding: str) -> None:
    """Write ``frame`` as Excel in France does: ';', decimal comma, CRLF, in ``encoding``."""
    text = frame.write_csv(separator=";", decimal_comma=True, line_terminator="\r\n")
    path.write_bytes(text.encode(encoding))


@pytest.fixture(scope="module")
def extract(home_credit: Path) -> Tables:
    return read_tables(home_credit, application="train")


@pytest.mark.shared_data
def test_real_extract_reads_every_table_typed(extract: Tables) -> None:
    assert {name: frame.height for name, frame in extract.frames.items()} == ROW_COUNTS
    for name, frame in extract.frames.items():
        assert_schema(frame, name)
    application = extract.get("application")
    assert application["TARGET"].sum() == 386
    assert application["SK_ID_CURR"].is_unique().all()
    assert extract.get("installments_payments") is None
    assert extract.sources["application"] == "application_train.zip:application_train.csv"
    assert extract.sources["bureau_balance"] == "bureau_balance.zip:bureau_balance.csv"


@pytest.mark.shared_data
def test_real_extract_reads_without_warnings(extract: Tables) -> None:
    assert extract.warnings == []


@pytest.mark.shared_data
def test_unlabelled_clients_get_no_target_column(home_credit: Path) -> None:
    test = read_tables(home_credit, application="test")
    assert test.warnings == []
    assert "TARGET" not in test.get("application").columns


@pytest.mark.shared_data
def test_real_extract_needs_a_choice_between_train_and_test(home_credit: Path) -> None:
    [problem] = problems_of(home_credit)
    assert "application_train.zip:application_train.csv" in problem.message
    assert "application_test.zip:application_test.csv" in problem.message
    test = read_tables([home_credit / "application_test.zip"]).get("application")
    assert test.height == 5_000 and "TARGET" not in test.columns
    both = [home_credit / "application_train.zip", home_credit / "application_test.zip"]
    assert read_tables(both, application="test").get("application").equals(test)


@pytest.mark.shared_data
@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_french_excel_csv_gives_identical_frames(extract: Tables, tmp_path: Path, encoding: str) -> None:
    row_3 = pl.int_range(pl.len()) == 3
    accented = pl.when(row_3).then(pl.lit("Célibataire, séparé")).otherwise(pl.col("NAME_FAMILY_STATUS"))
    application = extract.get("application").with_columns(accented.alias("NAME_FAMILY_STATUS"))
    to_french_excel(application, tmp_path / "application_train.csv", encoding)
    to_french_excel(extract.get("bureau"), tmp_path / "Bureau.CSV", encoding)
    again = read_tables(tmp_path)
    assert again.get("application").equals(application)
    assert again.get("bureau").equals(extract.get("bureau"))
    assert again.get("application")["NAME_FAMILY_STATUS"][3] == "Célibataire, séparé"
    assert again.sources == {"application": "application_train.csv", "bureau": "Bureau.CSV"}


@pytest.mark.shared_data
def test_gzip_parquet_and_multi_table_zip_round_trip(extract: Tables, tmp_path: Path) -> None:
    application, bureau = extract.get("application"), extract.get("bureau")
    (tmp_path / "gz").mkdir()
    packed = gzip.compress(application.write_csv().encode(), compresslevel=1)
    (tmp_path / "gz" / "application_train.csv.gz").write_bytes(packed)
    bureau.write_parquet(tmp_path / "gz" / "bureau.parquet")
    again = read_tables(tmp_path / "gz")
    assert again.get("application").equals(application) and again.get("bureau").equals(bureau)

    with zipfile.ZipFile(tmp_path / "home-credit.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("data/application_train.csv", application.write_csv())
        archive.writestr("data/bureau.csv", bureau.write_csv())
        archive.writestr("data/HomeCredit_columns_description.csv", "Table,Row\n")
    again = read_tables(tmp_path / "home-credit.zip")
    assert again.get("application").equals(application) and again.get("bureau").equals(bureau)
    assert again.sources["bureau"] == "home-credit.zip:data/bureau.csv"


@pytest.mark.shared_data
def test_scan_tables_is_lazy_and_matches_read(home_credit: Path, extract: Tables, tmp_path: Path) -> None:
    lazy = scan_tables([home_credit / "application_train.zip", home_credit / "bureau_balance.zip"])
    assert set(lazy) == {"application", "bureau_balance"}
    assert all(isinstance(frame, pl.LazyFrame) for frame in lazy.values())
    assert lazy["bureau_balance"].select(pl.len()).collect().item() == 1_207_059
    to_french_excel(extract.get("bureau"), tmp_path / "bureau.csv", "utf-8")
    extract.get("application").write_parquet(tmp_path / "application.parquet")
    scanned = scan_tables(tmp_path)
    assert scanned["bureau"].collect().equals(extract.get("bureau"))
    assert scanned["application"].collect().equals(extract.get("application"))


@pytest.mark.shared_data
def test_installments_fragment_reads() -> None:
    path = FRAGMENTS / "installments_payments_sample.csv"
    if not path.exists():
        pytest.skip(f"the installments fragment is not at {path}")
    frame = read_table(path, table="installments_payments")
    assert frame.height == 1_000
    assert_schema(frame, "installments_payments")
    assert frame["SK_ID_CURR"].n_unique() == 994
    assert frame["AMT_INSTALMENT"].null_count() == 0
