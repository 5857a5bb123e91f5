"""engine.readers: what a table holds checked, each problem naming the file, column and line."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from reader_helpers import HEADER, PNG, app_file, app_row, french_row, problems_of, write

from engine.readers import InputError, read_table, read_tables, scan_tables


@pytest.mark.parametrize("column", ["SK_ID_CURR", "AMT_CREDIT"])
def test_missing_required_column(tmp_path: Path, column: str) -> None:
    names = HEADER.split(",")
    index = names.index(column)
    row = app_row(1).split(",")
    del names[index], row[index]
    path = app_file(tmp_path, [",".join(row)], header=",".join(names))
    [problem] = problems_of(path)
    assert (problem.file, problem.column, problem.row) == ("application.csv", column, 1)
    assert "required column" in problem.message


def test_text_in_a_numeric_column_names_column_line_and_value(tmp_path: Path) -> None:
    rows = [app_row(i) for i in range(10)]
    rows[5] = app_row(5, "abc")
    [problem] = problems_of(app_file(tmp_path, rows))
    assert (problem.file, problem.column, problem.row) == ("application.csv", "AMT_CREDIT", 7)
    assert str(problem) == 'application.csv, column AMT_CREDIT, line 7: "abc" is not a number'
    with pytest.raises(InputError) as caught:
        read_tables(tmp_path / "application.csv")
    assert 'application.csv, column AMT_CREDIT, line 7: "abc" is not a number' in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_whole_number_columns_reject_fractions(tmp_path: Path) -> None:
    [problem] = problems_of(app_file(tmp_path, [app_row(1), "12.5" + app_row(2)[6:]]))
    assert (problem.column, problem.row) == ("SK_ID_CURR", 3) and "not a whole number" in problem.message


def test_type_errors_are_capped_and_counted(tmp_path: Path) -> None:
    problems = problems_of(app_file(tmp_path, [app_row(i, "n/a") for i in range(50)]))
    assert len(problems) == 21
    assert [p.row for p in problems[:20]] == list(range(2, 22))
    assert "50" in problems[-1].message


def test_mixed_decimal_marks(tmp_path: Path) -> None:
    rows = [HEADER.replace(",", ";")] + [french_row(i, "1,5") for i in range(4)]
    rows[3] = french_row(3, "1.5")
    [problem] = problems_of(write(tmp_path / "application.csv", "\n".join(rows)))
    assert (problem.column, problem.row) == ("AMT_CREDIT", 4)
    assert '"1.5" uses "." as decimal mark' in problem.message


def test_duplicate_client_ids(tmp_path: Path) -> None:
    [problem] = problems_of(app_file(tmp_path, [app_row(1), app_row(2), app_row(1)]))
    assert (problem.column, problem.row) == ("SK_ID_CURR", 4)
    assert "100001" in problem.message and "2, 4" in problem.message


def test_header_only_application(tmp_path: Path) -> None:
    [problem] = problems_of(app_file(tmp_path, []))
    assert problem.file == "application.csv" and "no clients" in problem.message


@pytest.mark.parametrize("table,header,row", [
    ("application", HEADER, ",0,Cash loans,1,2,3,4"),
    ("bureau", "SK_ID_CURR,SK_ID_BUREAU,AMT_CREDIT_SUM", "100001,,5.5"),
])
def test_empty_key_values(tmp_path: Path, table: str, header: str, row: str) -> None:
    if table != "application":
        app_file(tmp_path, [app_row(1)])
    good = app_row(2) if table == "application" else "100001,7,1.0"
    write(tmp_path / f"{table}.csv", "\n".join([header, good, row]) + "\n")
    [problem] = problems_of(tmp_path)
    key = "SK_ID_CURR" if table == "application" else "SK_ID_BUREAU"
    assert (problem.file, problem.column, problem.row) == (f"{table}.csv", key, 3)
    assert "empty" in problem.message


def test_no_application_table(tmp_path: Path) -> None:
    write(tmp_path / "bureau.csv", "SK_ID_CURR,SK_ID_BUREAU\n1,2\n")
    [problem] = problems_of(tmp_path)
    assert "no application table" in problem.message


def test_two_application_files(tmp_path: Path) -> None:
    app_file(tmp_path, [app_row(1)], name="application_train.csv")
    app_file(tmp_path, [app_row(1), app_row(2)], name="application_test.csv")
    [problem] = problems_of(tmp_path)
    assert "application_train.csv" in problem.message and "application_test.csv" in problem.message
    assert read_tables(tmp_path, application="test").get("application").height == 2
    assert read_tables(tmp_path, application="train").sources["application"] == "application_train.csv"
    with pytest.raises(ValueError):
        read_tables(tmp_path, application="both")


def test_all_problems_of_all_files_come_together(tmp_path: Path) -> None:
    app_file(tmp_path, [app_row(1, "abc")])
    write(tmp_path / "bureau.csv", PNG)
    files = {p.file for p in problems_of(tmp_path)}
    assert files == {"application.csv", "bureau.csv"}


def test_bad_parquet_and_wrong_parquet_types(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path / "application.parquet", b"PAR1 not really"))
    assert problem.file == "application.parquet" and "Parquet" in problem.message
    frame = pl.DataFrame({"SK_ID_CURR": [1.0, 2.5], "AMT_INCOME_TOTAL": ["1", "x"], "AMT_CREDIT": [1, 2],
                          "AMT_ANNUITY": [1.0, 2.0], "DAYS_BIRTH": [-1, -2]})
    frame.write_parquet(tmp_path / "application.parquet")
    problems = problems_of(tmp_path / "application.parquet")
    assert {(p.column, p.row) for p in problems} == {("SK_ID_CURR", 3), ("AMT_INCOME_TOTAL", 3)}


def test_read_table_reports_with_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no clients"):
        read_table(write(tmp_path / "export.csv", HEADER))
    with pytest.raises(InputError, match="abc"):
        read_table(write(tmp_path / "export.csv", f"{HEADER}\n{app_row(1, 'abc')}\n"), table="application")
    good = write(tmp_path / "export.csv", f"{HEADER}\n{app_row(1)}\n")
    assert read_table(good, table="application").height == 1


def test_scan_tables_checks_headers_up_front(tmp_path: Path) -> None:
    app_file(tmp_path, [app_row(1)])
    write(tmp_path / "bureau.csv", "SK_ID_CURR|SK_ID_BUREAU\n1|2\n")
    with pytest.raises(InputError) as caught:
        scan_tables(tmp_path)
    [problem] = caught.value.errors
    assert (problem.file, problem.row) == ("bureau.csv", 1)
    (tmp_path / "bureau.csv").unlink()
    assert scan_tables(tmp_path)["application"].collect()["AMT_CREDIT"].to_list() == [500000.5]
