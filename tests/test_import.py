"""storage.importer: real imports, re-imports, and every kind of bad input leaving the store as it was."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import polars as pl
import pytest

from engine.readers import InputError, Problem
from storage import writer
from storage.batch_tables import batch_tables
from storage.importer import import_files
from storage.store import ClientStore
from storage.validation import ImportRefused
from storage.writer import DuplicateImport
from storage_helpers import history_of, snapshot, write_csvs

APP = "application_test.csv"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.fixture(scope="module")
def store(tmp_path_factory, scorer, small_batch):
    """A store holding one real batch; tests that change it say so in their assertions."""
    store = ClientStore(tmp_path_factory.mktemp("home"))
    import_files(store, [small_batch], scorer)
    return store


@pytest.fixture(scope="module")
def fresh_app(demo_tables) -> pl.DataFrame:
    """20 real demo clients that are not in ``store`` yet."""
    return demo_tables["application"].slice(1000, 20)


def app_lines(frame: pl.DataFrame, **options) -> list[str]:
    return frame.write_csv(**options).splitlines()


def field_index(lines: list[str], column: str, separator: str = ",") -> int:
    return lines[0].split(separator).index(column)


def set_cell(lines: list[str], line: int, column: str, value: str, separator: str = ",") -> list[str]:
    """``lines`` with the cell of ``column`` on spreadsheet line ``line`` (header = 1) replaced."""
    cells = lines[line - 1].split(separator)
    cells[field_index(lines, column, separator)] = value
    return [*lines[: line - 1], separator.join(cells), *lines[line:]]


def write(path: Path, content: str | bytes | list[str]) -> Path:
    if isinstance(content, list):
        content = "\n".join(content) + "\n"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


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


# Each case: (files to import, file, column and line the refusal must name, words of the message).
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
    "text in a numeric column": lambda d, app: (
        [write(d / APP, set_cell(app_lines(app), 7, "AMT_ANNUITY", "about 2000"))],
        APP,
        "AMT_ANNUITY",
        7,
        "not a number",
    ),
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
    "empty SK_ID_CURR": lambda d, app: (
        [write(d / APP, set_cell(app_lines(app), 4, "SK_ID_CURR", ""))],
        APP,
        "SK_ID_CURR",
        4,
        "empty",
    ),
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


def assert_refused(store: ClientStore, files: list[Path], scorer, file, column, row, words) -> InputError:
    before = snapshot(store)
    with pytest.raises(ImportRefused) as caught:
        import_files(store, files, scorer)
    errors = caught.value.report.errors
    assert any(
        p.file == file and p.column == column and p.row == row and words in p.message for p in errors
    ), errors
    assert words in str(caught.value)
    assert snapshot(store) == before
    return caught.value


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_naming_file_column_and_line(case, store, scorer, fresh_app, tmp_path):
    files, file, column, row, words = BAD_INPUTS[case](tmp_path, fresh_app)
    assert_refused(store, files, scorer, file, column, row, words)


def test_unreadable_file_is_refused(store, scorer, fresh_app, tmp_path, monkeypatch):
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
    assert_refused(store, [path], scorer, APP, None, None, "permission denied")


def test_history_file_with_bad_cells_refuses_the_whole_import(
    store, scorer, fresh_app, demo_tables, tmp_path
):
    tables = history_of(demo_tables, fresh_app["SK_ID_CURR"])
    folder = write_csvs(tables, tmp_path / "batch")
    write(folder / "bureau.csv", set_cell(app_lines(tables["bureau"]), 3, "AMT_CREDIT_SUM", "twelve"))
    assert_refused(store, [folder], scorer, "bureau.csv", "AMT_CREDIT_SUM", 3, "not a number")


def test_impossible_history_value_refuses_the_whole_import_with_every_problem(
    store, scorer, fresh_app, demo_tables, tmp_path
):
    tables = history_of(demo_tables, fresh_app["SK_ID_CURR"])
    folder = write_csvs(tables, tmp_path / "batch")
    write(folder / "bureau.csv", set_cell(app_lines(tables["bureau"]), 3, "CNT_CREDIT_PROLONG", "-2"))
    app = set_cell(app_lines(tables["application"]), 2, "EXT_SOURCE_2", "1.5")
    write(folder / "application_test.csv", app)
    refusal = assert_refused(store, [folder], scorer, "bureau.csv", "CNT_CREDIT_PROLONG", 3,
                             "below the allowed minimum 0")
    assert {(p.file, p.column) for p in refusal.report.errors} == {
        ("bureau.csv", "CNT_CREDIT_PROLONG"), ("application_test.csv", "EXT_SOURCE_2")
    }


def test_implausible_values_are_warnings_and_the_import_goes_through(scorer, fresh_app, tmp_path):
    lines = set_cell(app_lines(fresh_app), 3, "CNT_CHILDREN", "21")
    result = import_files(ClientStore(tmp_path / "home"), [write(tmp_path / APP, lines)], scorer)
    [warning] = result.report.warnings
    assert (warning.column, warning.row, warning.severity) == ("CNT_CHILDREN", 3, "warning")
    assert "above the usual maximum 20" in warning.message and result.clients == fresh_app.height


def test_failure_while_storing_leaves_the_store_as_it_was(
    store, scorer, fresh_app, demo_tables, tmp_path, monkeypatch
):
    folder = write_csvs(history_of(demo_tables, fresh_app["SK_ID_CURR"]), tmp_path / "batch")
    before = snapshot(store)
    real = writer._insert_frame

    def failing(conn, table, *args):
        if table == "scores":  # after the client and history rows went in
            raise OSError("disk full")
        return real(conn, table, *args)

    monkeypatch.setattr(writer, "_insert_frame", failing)
    with pytest.raises(OSError, match="disk full"):
        import_files(store, [folder], scorer)
    assert snapshot(store) == before
    keep = writer._keep_files

    def copy_then_fail(*args):
        keep(*args)  # the files are in imports/<batch>.partial when this fails
        raise OSError("no space for files")

    monkeypatch.setattr(writer, "_keep_files", copy_then_fail)
    monkeypatch.setattr(writer, "_insert_frame", real)
    with pytest.raises(OSError, match="no space"):
        import_files(store, [folder], scorer)
    assert snapshot(store) == before


def test_import_stores_clients_history_scores_reasons_and_files(store, small_tables, small_batch):
    batch = store.batches().row(0, named=True)
    assert (
        batch["KIND"] == "import"
        and batch["CLIENTS"] == batch["NEW_CLIENTS"] == small_tables["application"].height
    )
    conn = store.db.conn
    assert {name: frame.height for name, frame in batch_tables(store, 1).items()} == {
        name: frame.height for name, frame in small_tables.items()
    }
    stored = pl.DataFrame(
        conn.execute('SELECT "SK_ID_CURR", "AMT_ANNUITY" FROM application ORDER BY rowid').fetchall(),
        schema=["SK_ID_CURR", "AMT_ANNUITY"],
        orient="row",
    )
    assert stored.equals(small_tables["application"].select("SK_ID_CURR", "AMT_ANNUITY"))
    reasons = json.loads(conn.execute("SELECT reasons FROM scores LIMIT 1").fetchone()[0])
    assert set(reasons["against"][0]) == {"group", "feature", "value", "contribution"}  # structure, not words
    kept = sorted(p.name for p in (store.imports / "1").iterdir())
    assert kept == sorted([*(p.name for p in small_batch.iterdir()), "batch.json"])
    origin = json.loads((store.imports / "1" / "batch.json").read_text())
    assert origin["batch_id"] == 1 and origin["bundle_id"] == batch["BUNDLE"] and origin["kind"] == "import"
    assert sorted(origin["files"]) == sorted(p.name for p in small_batch.iterdir())
    files = conn.execute("SELECT name, size, sha256 FROM batch_files WHERE batch_id = 1").fetchall()
    assert {(n, s) for n, s, _ in files} == {(p.name, p.stat().st_size) for p in small_batch.iterdir()}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_reimporting_the_same_file_is_reported_not_duplicated(store, scorer, small_batch):
    before = snapshot(store)
    with pytest.raises(DuplicateImport) as caught:
        import_files(store, [small_batch / APP], scorer)
    assert (
        caught.value.batches == [1] and "already imported" in str(caught.value) and APP in str(caught.value)
    )
    assert snapshot(store) == before


def test_known_client_gets_a_new_score_and_history_is_kept(tmp_path, scorer, small_tables, small_batch):
    store = ClientStore(tmp_path / "home")
    first = import_files(store, [small_batch], scorer)
    again = small_tables["application"].head(5).with_columns(pl.col("AMT_INCOME_TOTAL") * 2)
    second = import_files(store, [write(tmp_path / APP, app_lines(again))], scorer)
    assert (second.clients, second.new_clients) == (5, 0)
    sk_id = again["SK_ID_CURR"][0]
    client = store.client(sk_id)
    assert client.first_batch_id == first.batch_id and client.last_batch_id == second.batch_id
    assert client.score.batch_id == second.batch_id
    assert client.application["AMT_INCOME_TOTAL"] == again["AMT_INCOME_TOTAL"][0]
    assert [s.batch_id for s in store.scores(sk_id)] == [second.batch_id, first.batch_id]
    count = store.db.execute('SELECT COUNT(*) FROM application WHERE "SK_ID_CURR" = ?', (sk_id,)).fetchone()[
        0
    ]
    assert count == 2 and store.find_clients().height == first.clients


def test_warnings_are_reported_and_the_rows_stored(tmp_path, scorer, demo_tables):
    """Orphan history rows left out; negative history or absurd amounts, long text, extra columns and
    cp1252 flagged.

    A negative amount of the application itself is impossible: see BAD_INPUTS."""
    app = demo_tables["application"].slice(2000, 30)
    tables = history_of(demo_tables, app["SK_ID_CURR"])
    orphan = demo_tables["bureau"].filter(~pl.col("SK_ID_CURR").is_in(app["SK_ID_CURR"].implode())).head(2)
    tables["bureau"] = pl.concat([tables["bureau"], orphan])
    folder = write_csvs(tables, tmp_path / "batch")
    write(folder / "bureau.csv", set_cell(app_lines(tables["bureau"]), 3, "AMT_CREDIT_SUM", "-5000"))
    lines = app_lines(app.with_columns(EXTRA_NOTE=pl.lit("x")))
    lines = set_cell(lines, 4, "ORGANIZATION_TYPE", "Société " + "x" * 300)
    lines = set_cell(lines, 5, "AMT_INCOME_TOTAL", "5e12")
    (folder / APP).write_bytes(("\n".join(lines) + "\n").encode("cp1252"))

    store = ClientStore(tmp_path / "home")
    result = import_files(store, [folder], scorer)
    found = {(p.file, p.column, p.row, p.severity) for p in result.report.problems}
    bureau_line = tables["bureau"].height  # the first orphan: last rows but one, header = line 1
    assert ("bureau.csv", "SK_ID_CURR", bureau_line, "warning") in found
    assert ("bureau.csv", "AMT_CREDIT_SUM", 3, "warning") in found
    assert (APP, "ORGANIZATION_TYPE", 4, "warning") in found
    assert any(
        p.column == "AMT_INCOME_TOTAL" and p.row == 5 and "above the usual maximum" in p.message
        for p in result.report.warnings
    )
    assert (APP, None, 4, "warning") in found  # not UTF-8 from line 4
    assert any(p.file == APP and "EXTRA_NOTE" in p.message for p in result.report.warnings)
    assert result.report.skipped == {"bureau": 2} and result.rows["bureau"] == tables["bureau"].height - 2
    assert result.clients == 30
    client = store.client(app["SK_ID_CURR"][1])
    assert "EXTRA_NOTE" not in client.application
    assert store.client(app["SK_ID_CURR"][2]).application["ORGANIZATION_TYPE"].startswith("Société x")
    stored = batch_tables(store, result.batch_id)["bureau"]["SK_ID_CURR"]
    assert not stored.is_in(orphan["SK_ID_CURR"].implode()).any()
    report = store.batch_report(result.batch_id)
    assert report["skipped"] == {"bureau": 2} and len(report["problems"]) == len(result.report.problems)
    assert store.batches()["STATUS"][0] == "imported with warnings"


def test_application_alone_and_a_zip_of_tables_import(tmp_path, scorer, demo_tables):
    app = demo_tables["application"].slice(3000, 40)
    store = ClientStore(tmp_path / "home")
    alone = import_files(store, [write(tmp_path / APP, app_lines(app))], scorer)
    assert alone.rows == {"application": 40} and alone.report.problems == []
    tables = history_of(demo_tables, demo_tables["application"]["SK_ID_CURR"].slice(3100, 40))
    folder = write_csvs(tables, tmp_path / "tables")
    archive = tmp_path / "clients.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in folder.iterdir():
            out.write(path, path.name)
    zipped = import_files(store, [archive], scorer)
    assert zipped.rows == {name: frame.height for name, frame in tables.items()}
    assert sorted(p.name for p in (store.imports / str(zipped.batch_id)).iterdir()) == ["batch.json", "clients.zip"]


def test_progress_reports_validated_scored_and_stored(tmp_path, scorer, small_batch, small_tables):
    seen: list[tuple[str, int, int]] = []
    import_files(ClientStore(tmp_path), [small_batch], scorer, progress=lambda *event: seen.append(event))
    stages = [stage for stage, _, _ in seen]
    assert stages[0] == "validated" and "scored" in stages and stages[-1] == "stored"
    rows = sum(frame.height for frame in small_tables.values())
    assert seen[0][1:] == (rows, rows)
    assert seen[-1][1:] == (rows + small_tables["application"].height,) * 2
    stored = [done for stage, done, _ in seen if stage == "stored"]
    assert stored == sorted(stored)


def test_real_extract_imports_with_history_of_other_clients_left_out(tmp_path, scorer, home_credit):
    files = [home_credit / f"{name}.zip" for name in ("application_test", "bureau", "previous_application")]
    result = import_files(ClientStore(tmp_path), files, scorer)
    assert result.clients == result.new_clients == 5_000
    # The extract's history covers application_train clients too: their rows are reported and left out.
    assert result.report.skipped["bureau"] + result.rows["bureau"] == 49_227
    assert result.report.skipped["previous_application"] + result.rows["previous_application"] == 49_100
    assert 0 < result.rows["bureau"] < 49_227
    assert any(p.column == "SK_ID_CURR" and p.file == "bureau.zip:bureau.csv" for p in result.report.warnings)


def test_problem_lists_group_by_column_and_row():
    from storage.validation import ValidationReport

    report = ValidationReport(
        problems=[
            Problem("a.csv", "bad", "AMT_CREDIT", 3),
            Problem("a.csv", "bad", "AMT_CREDIT", 5),
            Problem("a.csv", "bad", "DAYS_BIRTH", 3),
            Problem("a.csv", "odd", "AMT_CREDIT", 9, "warning"),
        ]
    )
    assert report.by_column() == {("a.csv", "AMT_CREDIT"): 3, ("a.csv", "DAYS_BIRTH"): 1}
    assert list(report.by_row()) == [("a.csv", 3), ("a.csv", 5)] and len(report.by_row()[("a.csv", 3)]) == 2


def test_real_data_raises_no_plausibility_warning(home_credit):
    from engine.resources import demo_batch
    from storage.validation import validate

    for source in ([demo_batch()], [home_credit / "application_train.zip", home_credit / "bureau.zip"]):
        report = validate(source).report
        assert [p for p in report.warnings if p.column not in (None, "SK_ID_CURR")] == []


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


def test_the_import_stores_what_was_validated_without_reading_the_files_again(
    tmp_path, scorer, fresh_app, monkeypatch
):
    """Issue 13 item 2: one read and one validation; their result is what is scored and stored."""
    from storage import validation
    from storage.importer import import_validated
    from storage.validation import validate

    path = write(tmp_path / "clients agence nov.csv", app_lines(fresh_app))
    validated = validate([path])
    monkeypatch.setattr(validation, "read_tables", lambda *a, **k: pytest.fail("the files were read again"))
    store = ClientStore(tmp_path / "home")
    result = import_validated(store, validated, scorer)
    assert result.clients == fresh_app.height and result.report is validated.report
    stored = store.db.execute("SELECT COUNT(*) FROM application WHERE batch_id = ?", (result.batch_id,)).fetchone()
    assert stored[0] == fresh_app.height


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


def test_the_re_import_check_runs_once_under_the_write_lock(tmp_path, scorer, fresh_app, monkeypatch):
    calls = []
    check = writer.duplicates
    monkeypatch.setattr(writer, "duplicates", lambda store, rows: calls.append(store.db.conn.in_transaction)
                        or check(store, rows))
    import_files(ClientStore(tmp_path / "home"), [write(tmp_path / APP, app_lines(fresh_app))], scorer)
    assert calls == [True]
