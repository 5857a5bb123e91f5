"""engine.recognition: each file's table told by its columns, whatever the file is called (issue 11 item 4)."""

from __future__ import annotations

import string
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.input_problems import describe
from engine.readers import InputError, read_table, read_tables
from engine.recognition import fits, table_of

#: Real demo clients and their history, each table under a name that says nothing (or the wrong thing).
NAMES = {
    "application": "clients agence nov.csv",
    "bureau": "application_train_20.csv",  # the name points to another table: the columns decide
    "bureau_balance": "export.CSV",
    "previous_application": "prev 2026.txt",
    "POS_CASH_balance": "mensualités caisse.csv",
    "credit_card_balance": "cartes.csv",
}
CLIENTS = 40


@pytest.fixture(scope="module")
def sample(demo_tables) -> dict[str, pl.DataFrame]:
    """The first demo clients with every history row of theirs."""
    app = demo_tables["application"].head(CLIENTS)
    ids = app["SK_ID_CURR"].implode()
    frames = {"application": app}
    for name, frame in demo_tables.items():
        if name != "application" and "SK_ID_CURR" in frame.columns:
            frames[name] = frame.filter(pl.col("SK_ID_CURR").is_in(ids))
    frames["bureau_balance"] = demo_tables["bureau_balance"].filter(
        pl.col("SK_ID_BUREAU").is_in(frames["bureau"]["SK_ID_BUREAU"].implode()))
    return {name: frames[name] for name in NAMES}


def write_all(folder: Path, frames: dict[str, pl.DataFrame]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, frame in frames.items():
        frame.write_csv(folder / NAMES[name])
    return folder


def problems_of(source) -> list:
    with pytest.raises(InputError) as caught:
        read_tables(source)
    return caught.value.errors


def test_a_folder_of_tables_under_any_names_reads_as_the_tables(tmp_path, sample):
    read = read_tables(write_all(tmp_path / "in", sample))
    assert read.sources == NAMES
    for name, frame in sample.items():
        assert read.frames[name].select(frame.columns).equals(frame), name


def test_a_zip_of_tables_under_any_names_reads_as_the_tables(tmp_path, sample):
    folder = write_all(tmp_path / "in", sample)
    with zipfile.ZipFile(tmp_path / "envoi du 3.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in NAMES.values():
            archive.write(folder / name, f"dossier/{name}")
    read = read_tables(tmp_path / "envoi du 3.zip")
    assert read.sources == {table: f"envoi du 3.zip:dossier/{name}" for table, name in NAMES.items()}
    assert read.frames["bureau_balance"].height == sample["bureau_balance"].height


def test_files_given_one_by_one_under_any_names(tmp_path, sample):
    folder = write_all(tmp_path / "in", sample)
    read = read_tables([folder / NAMES["application"], folder / NAMES["bureau"]])
    assert set(read.frames) == {"application", "bureau"}
    assert read_table(folder / NAMES["bureau_balance"]).height == sample["bureau_balance"].height


def test_columns_shared_by_two_tables_are_ambiguous_unless_the_name_says_which(tmp_path):
    header = "SK_ID_PREV,SK_ID_CURR,MONTHS_BALANCE,SK_DPD"
    assert [f.table for f in fits(header.split(",")) if not f.missing and f.owned == 4] == [
        "POS_CASH_balance", "credit_card_balance"]
    app = tmp_path / "clients.csv"
    app.write_text("SK_ID_CURR,AMT_INCOME_TOTAL,AMT_CREDIT,AMT_ANNUITY,DAYS_BIRTH\n1,2,3,4,-10000\n")
    balances = tmp_path / "soldes.csv"
    balances.write_text(f"{header}\n7,1,-1,0\n")
    [problem] = problems_of([app, balances])
    assert (problem.file, problem.row, problem.code) == ("soldes.csv", 1, "table_ambiguous")
    assert problem.message.startswith("its columns fit several tables equally: POS_CASH_balance, credit_card_balance")
    assert "« POS_CASH_balance nov.csv »" in describe(problem, "fr")
    named = balances.rename(tmp_path / "soldes credit_card_balance.csv")
    assert set(read_tables([app, named]).frames) == {"application", "credit_card_balance"}


def test_a_file_no_table_fits_names_the_nearest_and_what_it_lacks(tmp_path, sample):
    folder = write_all(tmp_path / "in", sample)
    sample["bureau"].drop("SK_ID_BUREAU").write_csv(folder / NAMES["bureau"])
    [problem] = problems_of(folder)
    assert (problem.file, problem.column, problem.row) == (NAMES["bureau"], "SK_ID_BUREAU", 1)
    assert problem.message == ("its columns make no Home Credit table: the nearest, bureau, lacks SK_ID_BUREAU "
                               "(1 required column)")
    assert "il manque à la plus proche, bureau, SK_ID_BUREAU" in describe(problem, "fr")


def test_a_folder_leaves_out_files_that_are_no_table_unless_their_name_says_one(tmp_path, sample):
    folder = write_all(tmp_path / "in", sample)
    (folder / "notes.csv").write_text("date,remarque\n2026-11-03,RAS\n")
    assert set(read_tables(folder).frames) == set(NAMES)
    (folder / "bureau copie.csv").write_text("date,remarque\n2026-11-03,RAS\n")
    [problem] = problems_of(folder)
    assert (problem.file, problem.code) == ("bureau copie.csv", "no_table_column")


def test_no_application_columns_anywhere_is_said(tmp_path, sample):
    folder = write_all(tmp_path / "in", {"bureau": sample["bureau"]})
    [problem] = problems_of(folder)
    assert problem.code == "no_application_table"
    assert "SK_ID_CURR, AMT_INCOME_TOTAL, AMT_CREDIT, AMT_ANNUITY, DAYS_BIRTH" in problem.message


def test_the_application_table_is_told_from_its_key_columns_alone():
    assert table_of(["sk_id_curr", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "DAYS_BIRTH"], None, "x") \
        == "application"
    # previous credits carry AMT_CREDIT and AMT_ANNUITY too, but not the applicant's income and age
    assert table_of(["SK_ID_PREV", "SK_ID_CURR", "AMT_CREDIT", "AMT_ANNUITY"], None, "x") == "previous_application"


_NAME_CHARS = string.ascii_letters + string.digits + " _-.()éèàçÉ'"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stems=st.lists(st.text(_NAME_CHARS, min_size=1, max_size=30).filter(lambda s: not s.startswith(".")),
                   min_size=2, max_size=2, unique_by=str.lower),
    suffixes=st.lists(st.sampled_from([".csv", ".CSV", ".Csv", ".txt", ".tsv"]), min_size=2, max_size=2),
)
def test_any_file_names_hold_the_same_tables(tmp_path_factory, sample, stems, suffixes):
    folder = tmp_path_factory.mktemp("names")
    app, bureau = (folder / (stem + suffix) for stem, suffix in zip(stems, suffixes))
    if app.name.lower() == bureau.name.lower():
        return
    sample["application"].write_csv(app)
    sample["bureau"].write_csv(bureau)
    for source in ([app, bureau], folder):
        read = read_tables(source)
        assert read.sources == {"application": app.name, "bureau": bureau.name}
        assert read.frames["bureau"].height == sample["bureau"].height
