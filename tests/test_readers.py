"""engine.readers: real extract, Excel dialects, other formats, and every kind of bad input."""

from __future__ import annotations

import gzip
import os
import struct
import zipfile
from pathlib import Path

import polars as pl
import pytest

from conftest import FRAGMENTS
from engine.readers import InputError, Problem, Tables, read_table, read_tables, scan_tables
from engine.schema import tables

ROW_COUNTS = {
    "application": 5_000,
    "bureau": 49_227,
    "bureau_balance": 1_207_059,
    "previous_application": 49_100,
    "POS_CASH_balance": 287_697,
    "credit_card_balance": 113_392,
}
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


def to_french_excel(frame: pl.DataFrame, path: Path, encoding: str) -> None:
    """Write ``frame`` as Excel in France does: ';', decimal comma, CRLF, in ``encoding``."""
    text = frame.write_csv(separator=";", decimal_comma=True, line_terminator="\r\n")
    path.write_bytes(text.encode(encoding))


# --- real data -------------------------------------------------------------------------------


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


# --- formats and dialects on small files --------------------------------------------------------


def test_columns_are_typed_ordered_completed_and_extras_dropped(tmp_path: Path) -> None:
    header = "EXTRA,amt_credit,DAYS_BIRTH,SK_ID_CURR,AMT_INCOME_TOTAL,AMT_ANNUITY"
    path = app_file(tmp_path, ["x,1.5,-10000,7,2,3"], header=header)
    result = read_tables(path)
    frame = result.get("application")
    assert frame.columns == [c for c in tables()["application"].columns if c != "TARGET"]
    assert_schema(frame, "application")
    assert frame.row(0, named=True)["AMT_CREDIT"] == 1.5 and frame["OWN_CAR_AGE"][0] is None
    messages = [w.message for w in result.warnings]
    assert any("EXTRA" in m and "ignored" in m for m in messages)
    assert any("116 columns missing" in m for m in messages)
    assert not any("TARGET" in m for m in messages)  # the label is not an input: absent is normal


def test_folder_ignores_files_that_are_not_tables(tmp_path: Path) -> None:
    app_file(tmp_path, [app_row(1)])
    write(tmp_path / "HomeCredit_columns_description.csv", b"\xe9\x00binary-ish")
    write(tmp_path / "README", "notes")
    write(tmp_path / "photos.zip", b"not a zip")
    assert set(read_tables(tmp_path).frames) == {"application"}


def test_tab_separated_utf16_and_cr_line_ends(tmp_path: Path) -> None:
    rows = [HEADER.replace(",", "\t"), french_row(1, "1,5", "\t"), french_row(2, "2,25", "\t")]
    text = "\r\n".join(rows)
    write(tmp_path / "application.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    assert read_table(tmp_path / "application.txt")["AMT_CREDIT"].to_list() == [1.5, 2.25]
    write(tmp_path / "application.csv", "\r".join([HEADER, app_row(1), app_row(2)]))
    assert read_table(tmp_path / "application.csv").height == 2


def test_cp1252_accents_decode(tmp_path: Path) -> None:
    header = HEADER + ",NAME_FAMILY_STATUS"
    write(tmp_path / "application.csv", f"{header}\n{app_row(1)},Marié – œuvre\n", encoding="cp1252")
    assert read_table(tmp_path / "application.csv")["NAME_FAMILY_STATUS"][0] == "Marié – œuvre"


def test_header_only_optional_table_is_an_empty_frame(tmp_path: Path) -> None:
    app_file(tmp_path, [app_row(1)])
    write(tmp_path / "bureau.csv", "SK_ID_CURR,SK_ID_BUREAU,AMT_CREDIT_SUM\n")
    result = read_tables(tmp_path)
    assert result.get("bureau").height == 0
    assert_schema(result.get("bureau"), "bureau")
    assert any(w.file == "bureau.csv" and "no rows" in w.message for w in result.warnings)


# --- bad inputs ------------------------------------------------------------------------------------


def test_unknown_file_named_explicitly(tmp_path: Path) -> None:
    app = app_file(tmp_path, [app_row(1)])
    notes = write(tmp_path / "notes.csv", "name,comment\nx,y\n")
    [problem] = problems_of([app, notes])
    assert (problem.file, problem.row, problem.code) == ("notes.csv", 1, "no_table_column")
    assert "no column of a Home Credit table" in problem.message and "name,comment" in problem.message
    [problem] = problems_of([app, write(tmp_path / "notes.xlsx", b"PK\x03\x04")])
    assert problem.file == "notes.xlsx" and "unsupported file type" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path / "application.csv")
    assert problem.file == "application.csv" and "not found" in problem.message


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their permissions"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = app_file(tmp_path, [app_row(1)])
    path.chmod(0)
    try:
        [problem] = problems_of(path)
    finally:
        path.chmod(0o644)
    assert problem.file == "application.csv" and "permission denied" in problem.message


def test_folder_named_like_a_table_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "application_train.csv").mkdir()
    [problem] = problems_of(tmp_path)
    assert problem.file == "application_train.csv" and "folder" in problem.message


def test_png_renamed_csv(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path / "application.csv", PNG))
    assert problem.file == "application.csv" and "not a CSV" in problem.message and "PNG" in problem.message


def test_truncated_zip(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "full.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("application_train.csv", "\n".join([HEADER, *(app_row(i) for i in range(500))]))
    data = (tmp_path / "full.zip").read_bytes()
    [problem] = problems_of(write(tmp_path / "application_train.zip", data[: len(data) // 2]))
    assert problem.file == "application_train.zip" and "damaged or truncated" in problem.message


def test_corrupt_zip_member(tmp_path: Path) -> None:
    text = "\n".join([HEADER, *(app_row(i) for i in range(500))]).encode()
    with zipfile.ZipFile(tmp_path / "application_train.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("application_train.csv", text)
    data = bytearray((tmp_path / "application_train.zip").read_bytes())
    header_size = 30 + struct.unpack("<H", data[26:28])[0] + struct.unpack("<H", data[28:30])[0]
    data[header_size + 20 : header_size + 40] = b"\xff" * 20  # damage the compressed bytes only
    (tmp_path / "application_train.zip").write_bytes(bytes(data))
    [problem] = problems_of(tmp_path / "application_train.zip")
    assert problem.file == "application_train.zip:application_train.csv"
    assert "damaged or truncated" in problem.message


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


@pytest.mark.parametrize("name", ["application.csv", "bureau.csv"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    if name != "application.csv":
        app_file(tmp_path, [app_row(1)])
    write(tmp_path / name, b"")
    [problem] = problems_of(tmp_path)
    assert problem.file == name and "empty" in problem.message


def test_header_only_application(tmp_path: Path) -> None:
    [problem] = problems_of(app_file(tmp_path, []))
    assert problem.file == "application.csv" and "no clients" in problem.message


def test_wrong_separator(tmp_path: Path) -> None:
    piped = "\n".join([HEADER, app_row(1)]).replace(",", "|")
    [problem] = problems_of(write(tmp_path / "application.csv", piped))
    assert (problem.file, problem.row) == ("application.csv", 1)
    assert "no column of a Home Credit table" in problem.message and "semicolons" in problem.message


def test_absurdly_long_lines(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path / "application.csv", "x" * 3_000_000))
    assert problem.row == 1 and "longer than" in problem.message
    [problem] = problems_of(app_file(tmp_path, [app_row(1), app_row(2, "9" * 100 + "x" * 2_000_000)]))
    assert (problem.column, problem.row) == ("AMT_CREDIT", 3)
    assert len(str(problem)) < 200


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


def test_read_table_picks_one_table_of_an_archive(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as archive:
        archive.writestr("application.csv", f"{HEADER}\n{app_row(1)}\n")
        archive.writestr("bureau.csv", "SK_ID_CURR,SK_ID_BUREAU\n100001,5\n")
    assert read_table(tmp_path / "all.zip", "bureau")["SK_ID_BUREAU"].to_list() == [5]
    with pytest.raises(InputError, match="holds 2 tables"):
        read_table(tmp_path / "all.zip")
    with pytest.raises(InputError, match="holds no credit_card_balance table"):
        read_table(tmp_path / "all.zip", "credit_card_balance")


def test_scan_tables_checks_headers_up_front(tmp_path: Path) -> None:
    app_file(tmp_path, [app_row(1)])
    write(tmp_path / "bureau.csv", "SK_ID_CURR|SK_ID_BUREAU\n1|2\n")
    with pytest.raises(InputError) as caught:
        scan_tables(tmp_path)
    [problem] = caught.value.errors
    assert (problem.file, problem.row) == ("bureau.csv", 1)
    (tmp_path / "bureau.csv").unlink()
    assert scan_tables(tmp_path)["application"].collect()["AMT_CREDIT"].to_list() == [500000.5]


# --- issue 12, finding 4: no input exhausts memory --------------------------------------------------


def zeros_zip(path: Path, member: str, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(member, "w") as out:
        for _ in range(megabytes):
            out.write(bytes(1 << 20))
    return path


def peak_memory_of(call) -> int:
    """Peak bytes Python allocated during ``call()`` (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_issue12_device_or_pipe_named_like_a_table_is_refused(tmp_path: Path, target: str) -> None:
    link = tmp_path / "application.csv"
    if target == "fifo":
        os.mkfifo(link)
    else:
        link.symlink_to(target)
    for source in (link, tmp_path, [link]):
        [problem] = problems_of(source)
        assert problem.file == "application.csv" and problem.code == "not_a_regular_file"
        assert "not a regular file" in problem.message
    with pytest.raises(InputError, match="not a regular file"):
        read_table(link)


def test_issue12_zip_bomb_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    bomb = zeros_zip(tmp_path / "application.zip", "application.csv", 64)
    assert bomb.stat().st_size < 1 << 20
    problems: list[Problem] = []
    peak = peak_memory_of(lambda: problems.extend(problems_of(bomb)))
    [problem] = problems
    assert problem.file == "application.zip:application.csv" and problem.code == "archive_ratio_too_high"
    assert "decompression bomb" in problem.message
    assert peak < 8 << 20  # nothing inflated


def test_issue12_zip_that_lies_about_its_sizes_is_stopped(tmp_path: Path) -> None:
    bomb = zeros_zip(tmp_path / "application.zip", "application.csv", 64)
    data = bytearray(bomb.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    for sizes_at in (18, central + 20):  # local header and central directory: packed, unpacked sizes
        packed = struct.unpack("<I", data[sizes_at : sizes_at + 4])[0]
        data[sizes_at : sizes_at + 8] = struct.pack("<II", 1 << 30, packed * 2)
    bomb.write_bytes(bytes(data))
    problems: list[Problem] = []
    peak = peak_memory_of(lambda: problems.extend(problems_of(bomb)))
    [problem] = problems
    assert problem.file == "application.zip:application.csv"
    assert problem.code in ("damaged_archive", "archive_ratio_too_high")
    assert peak < 8 << 20


def test_issue12_gzip_bomb_is_stopped_while_streaming(tmp_path: Path) -> None:
    path = tmp_path / "application.csv.gz"
    with gzip.open(path, "wb") as out:
        for _ in range(64):
            out.write(bytes(1 << 20))
    problems: list[Problem] = []
    peak = peak_memory_of(lambda: problems.extend(problems_of(path)))
    [problem] = problems
    # its header is looked at first (1 MB at most): zeros are no CSV text
    assert problem.file == "application.csv.gz" and problem.code in ("archive_ratio_too_high", "not_csv_binary")
    assert peak < 16 << 20  # stopped after 50 × the packed size, not 64 MB


def test_issue12_table_over_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.sources

    monkeypatch.setattr(engine.sources, "MAX_TABLE_BYTES", 4_000)
    path = app_file(tmp_path, [app_row(i) for i in range(100)])
    with zipfile.ZipFile(tmp_path / "bureau.zip", "w") as archive:  # stored: ratio 1
        archive.writestr("bureau.csv", "SK_ID_CURR,SK_ID_BUREAU\n" + "1,2\n" * 2_000)
    problems = problems_of([path, tmp_path / "bureau.zip"])
    assert {(p.file, p.code) for p in problems} == {
        ("application.csv", "table_too_large"), ("bureau.zip:bureau.csv", "table_too_large")
    }


@pytest.mark.parametrize(("field", "value", "code"), [(8, 0x1, "archive_encrypted"),
                                                       (10, 99, "archive_method_unsupported")])
def test_encrypted_or_unknown_method_zip_is_a_problem(
    tmp_path: Path, field: int, value: int, code: str
) -> None:
    """Found by the fuzz test: zipfile raises RuntimeError / NotImplementedError for these."""
    path = tmp_path / "application.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("application.csv", "\n".join([HEADER, app_row(1)]))
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    for at in (field - 2, central + field):  # local header, then central directory
        data[at : at + 2] = struct.pack("<H", value)
    path.write_bytes(bytes(data))
    [problem] = problems_of(path)
    assert problem.file == "application.zip:application.csv" and problem.code == code


def test_truncated_utf16_file_is_a_problem(tmp_path: Path) -> None:
    """Found by the fuzz test: a UTF-16 file cut in the middle of a character."""
    data = "\n".join([HEADER, app_row(1)]).encode("utf-16")[:-1]
    [problem] = problems_of(write(tmp_path / "application.csv", data))
    assert problem.code == "damaged_utf16" and "damaged or truncated" in problem.message
