"""engine.readers: a file that cannot be read as a table (missing, unreadable, not CSV, damaged) is a problem naming it."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import pytest
from reader_helpers import HEADER, PNG, app_file, app_row, problems_of, write


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


@pytest.mark.parametrize("name", ["application.csv", "bureau.csv"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    if name != "application.csv":
        app_file(tmp_path, [app_row(1)])
    write(tmp_path / name, b"")
    [problem] = problems_of(tmp_path)
    assert problem.file == name and "empty" in problem.message


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
