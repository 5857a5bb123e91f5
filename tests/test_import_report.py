"""storage.importer and storage.validation: what an import reports — warnings for implausible values
with the rows stored, its progress, problem lists grouped, and no warning on real data."""

from __future__ import annotations

import polars as pl

from engine.readers import Problem
from storage.batch_tables import batch_tables
from storage.importer import import_files
from storage.store import ClientStore
from storage_helpers import APP, app_lines, history_of, set_cell, write, write_csvs


def test_implausible_values_are_warnings_and_the_import_goes_through(scorer, fresh_app, tmp_path):
    lines = set_cell(app_lines(fresh_app), 3, "CNT_CHILDREN", "21")
    result = import_files(ClientStore(tmp_path / "home"), [write(tmp_path / APP, lines)], scorer)
    [warning] = result.report.warnings
    assert (warning.column, warning.row, warning.severity) == ("CNT_CHILDREN", 3, "warning")
    assert "above the usual maximum 20" in warning.message and result.clients == fresh_app.height


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


def test_progress_reports_the_files_validated_then_the_clients_scored_and_stored(tmp_path, scorer, small_batch,
                                                                               small_tables):
    seen: list[tuple[str, int, int]] = []
    import_files(ClientStore(tmp_path), [small_batch], scorer, progress=lambda *event: seen.append(event))
    rows = sum(frame.height for frame in small_tables.values())
    clients = small_tables["application"].height
    assert seen[0] == ("validated", rows, rows)
    assert {stage for stage, _, _ in seen[1:]} == {"stored"}  # one step per chunk: scored, then stored at once
    stored = [done for _, done, _ in seen[1:]]
    assert stored == sorted(stored) and stored[-1] == clients and {total for *_, total in seen[1:]} == {clients}


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


def _plausibility_warnings(source: list) -> list:
    from storage.validation import validate

    return [p for p in validate(source).report.warnings if p.column not in (None, "SK_ID_CURR")]


def test_the_demo_batch_raises_no_plausibility_warning():
    from engine.resources import demo_batch

    assert _plausibility_warnings([demo_batch()]) == []


def test_the_labelled_extract_raises_no_plausibility_warning(home_credit):
    assert _plausibility_warnings([home_credit / "application_train.zip", home_credit / "bureau.zip"]) == []
