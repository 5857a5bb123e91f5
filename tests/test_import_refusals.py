"""storage.importer: every kind of bad input refused naming its file, column and line, and a refused or
failed import leaving the store as it was."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import polars as pl
import pytest

from engine.readers import InputError
from storage import writer
from storage.importer import import_files
from storage.store import ClientStore
from storage.validation import ImportRefused
from storage_helpers import APP, app_lines, assert_refused, history_of, set_cell, snapshot, write, write_csvs


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def truncated_zip(folder: Path, app: pl.DataFrame) -> Path:
    path = folder / "application_test.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(APP, app.write_csv())
    data = path.read_bytes()
    return write(path, data[: len(data) // 2])


EXT_SOURCE_OUTSIDE = "External score 1: outside the allowed range 0 to 1"


def one_cell(line: int, column: str, value: str, words: str):
    """A case: the application file with one cell changed, refused naming that cell."""
    def case(d: Path, app: pl.DataFrame):
        return [write(d / APP, set_cell(app_lines(app), line, column, value))], APP, column, line, words

    return case


BAD_INPUTS = {
    "empty file": lambda d, app: ([write(d / APP, b"")], APP, None, None, "empty"),
    "header only": lambda d, app: ([write(d / APP, app_lines(app)[:1])], APP, None, None, "no rows"),
    "wrong separator": lambda d, app: (
        [write(d / APP, [line.replace(",", "|") for line in app_lines(app)])],
        APP,
        None,
        1,
        "no column",
    ),
    "mixed decimal marks": lambda d, app: (
        [
            write(
                d / APP,
                set_cell(app_lines(app, separator=";", decimal_comma=True), 5, "AMT_CREDIT", "250000.5", ";"),
            )
        ],
        APP,
        "AMT_CREDIT",
        5,
        "decimal mark",
    ),
    "text in a numeric column": one_cell(7, "AMT_ANNUITY", "about 2000", "not a number"),
    "absurdly long first line": lambda d, app: (
        [write(d / APP, b"x" * (2 << 20))],
        APP,
        None,
        1,
        "longer than",
    ),
    "missing SK_ID_CURR column": lambda d, app: (
        [write(d / APP, app_lines(app.drop("SK_ID_CURR")))],
        APP,
        "SK_ID_CURR",
        1,
        "the nearest, application, lacks SK_ID_CURR",
    ),
    "empty SK_ID_CURR": one_cell(4, "SK_ID_CURR", "", "empty"),
    "duplicate SK_ID_CURR": lambda d, app: (
        [write(d / APP, [*app_lines(app), app_lines(app)[2]])],
        APP,
        "SK_ID_CURR",
        app.height + 2,
        "several lines",
    ),
    "PNG renamed .csv": lambda d, app: ([write(d / APP, PNG)], APP, None, None, "PNG"),
    # issue 12, finding 6: impossible values are errors, named by column label, line and allowed range
    "EXT_SOURCE_1 = 57": one_cell(3, "EXT_SOURCE_1", "57", EXT_SOURCE_OUTSIDE),
    "NaN income": one_cell(4, "AMT_INCOME_TOTAL", "NaN", "not a finite number"),
    "infinite credit": one_cell(5, "AMT_CREDIT", "-inf", "not a finite number"),
    "negative annuity": one_cell(6, "AMT_ANNUITY", "-1500", "below the allowed minimum 0"),
    "DAYS_BIRTH = +50000": one_cell(2, "DAYS_BIRTH", "50000", "outside the allowed range of 18 to 100 years"),
    "truncated zip": lambda d, app: (
        [truncated_zip(d, app)],
        "application_test.zip",
        None,
        None,
        "truncated",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_naming_file_column_and_line(case, imported_store, scorer, fresh_app, tmp_path):
    files, file, column, row, words = BAD_INPUTS[case](tmp_path, fresh_app)
    assert_refused(imported_store, files, scorer, file, column, row, words)


def test_unreadable_file_is_refused(imported_store, scorer, fresh_app, tmp_path, monkeypatch):
    path = write(tmp_path / APP, app_lines(fresh_app))
    if os.geteuid() == 0:  # root reads any file: make this one fail as a permission error would
        real = Path.open
        monkeypatch.setattr(
            Path,
            "open",
            lambda p, *a, **k: (
                (_ for _ in ()).throw(PermissionError(13, "denied")) if p == path else real(p, *a, **k)
            ),
        )
    else:
        path.chmod(0)
    assert_refused(imported_store, [path], scorer, APP, None, None, "permission denied")


def test_history_file_with_bad_cells_refuses_the_whole_import(
    imported_store, scorer, fresh_app, demo_tables, tmp_path
):
    tables = history_of(demo_tables, fresh_app["SK_ID_CURR"])
    folder = write_csvs(tables, tmp_path / "batch")
    write(folder / "bureau.csv", set_cell(app_lines(tables["bureau"]), 3, "AMT_CREDIT_SUM", "twelve"))
    assert_refused(imported_store, [folder], scorer, "bureau.csv", "AMT_CREDIT_SUM", 3, "not a number")


def test_impossible_history_value_refuses_the_whole_import_with_every_problem(
    imported_store, scorer, fresh_app, demo_tables, tmp_path
):
    tables = history_of(demo_tables, fresh_app["SK_ID_CURR"])
    folder = write_csvs(tables, tmp_path / "batch")
    write(folder / "bureau.csv", set_cell(app_lines(tables["bureau"]), 3, "CNT_CREDIT_PROLONG", "-2"))
    app = set_cell(app_lines(tables["application"]), 2, "EXT_SOURCE_2", "1.5")
    write(folder / "application_test.csv", app)
    refusal = assert_refused(imported_store, [folder], scorer, "bureau.csv", "CNT_CREDIT_PROLONG", 3,
                             "below the allowed minimum 0")
    assert {(p.file, p.column) for p in refusal.report.errors} == {
        ("bureau.csv", "CNT_CREDIT_PROLONG"), ("application_test.csv", "EXT_SOURCE_2")
    }


def test_failure_while_storing_leaves_the_store_as_it_was(
    imported_store, scorer, fresh_app, demo_tables, tmp_path, monkeypatch
):
    folder = write_csvs(history_of(demo_tables, fresh_app["SK_ID_CURR"]), tmp_path / "batch")
    before = snapshot(imported_store)
    real = writer._insert_frame

    def failing(conn, table, *args):
        if table == "scores":  # after the client and history rows went in
            raise OSError("disk full")
        return real(conn, table, *args)

    monkeypatch.setattr(writer, "_insert_frame", failing)
    with pytest.raises(OSError, match="disk full"):
        import_files(imported_store, [folder], scorer)
    assert snapshot(imported_store) == before
    keep = writer._keep_files

    def copy_then_fail(*args):
        keep(*args)  # the files are in imports/<batch>.partial when this fails
        raise OSError("no space for files")

    monkeypatch.setattr(writer, "_keep_files", copy_then_fail)
    monkeypatch.setattr(writer, "_insert_frame", real)
    with pytest.raises(OSError, match="no space"):
        import_files(imported_store, [folder], scorer)
    assert snapshot(imported_store) == before


def test_issue12_ext_source_57_no_longer_turns_a_refusal_into_an_acceptance(
    scorer, demo_tables, tmp_path, capsys
):
    from desktop.cli import main
    from engine.records import tables_from_json
    from engine.scoring import ACCEPT, REFUSE

    app = demo_tables["application"].head(300)
    real = scorer.score(scorer.features({"application": app}))
    forged = scorer.score(scorer.features({"application": app.with_columns(EXT_SOURCE_1=pl.lit(57.0))}))
    pairs = enumerate(zip(real, forged))
    flipped = [i for i, (a, b) in pairs if a.decision == REFUSE and b.decision == ACCEPT]
    assert flipped, "the finding: a score of 57 on a 0–1 scale turns refusals into acceptances"
    client = app.slice(flipped[0], 1).with_columns(EXT_SOURCE_1=pl.lit(57.0))
    path = write(tmp_path / APP, client.write_csv())
    store = ClientStore(tmp_path / "home")
    assert_refused(store, [path], scorer, APP, "EXT_SOURCE_1", 2, EXT_SOURCE_OUTSIDE)
    assert store.find_clients().height == 0
    capsys.readouterr()  # what earlier tests' logging left behind is not this command's output
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "EXT_SOURCE_1" in err and "line 2" in err and "0 to 1" in err and "Traceback" not in err
    record = {k: v for k, v in client.row(0, named=True).items() if v is not None}
    with pytest.raises(InputError) as caught:
        tables_from_json({"application": record})
    [problem] = caught.value.errors
    assert (problem.column, problem.row, problem.code) == ("EXT_SOURCE_1", 1, "range_outside")


def test_a_file_changed_after_its_validation_is_refused_and_nothing_stored(tmp_path, scorer, fresh_app):
    from storage.importer import import_validated
    from storage.validation import validate

    path = write(tmp_path / APP, app_lines(fresh_app))
    validated = validate([path])
    write(path, app_lines(fresh_app.head(5)))
    store = ClientStore(tmp_path / "home")
    before = snapshot(store)
    with pytest.raises(ImportRefused) as caught:
        import_validated(store, validated, scorer)
    [problem] = caught.value.problems
    assert (problem.file, problem.code) == (APP, "file_changed") and "validate it again" in problem.message
    assert snapshot(store) == before and not list(store.imports.iterdir())
