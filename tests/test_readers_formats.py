"""engine.readers on small files: columns typed and ordered, separators, encodings, line ends, archives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from reader_helpers import HEADER, app_file, app_row, assert_schema, french_row, write

from engine.readers import InputError, read_table, read_tables
from engine.schema import tables


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


def test_read_table_picks_one_table_of_an_archive(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as archive:
        archive.writestr("application.csv", f"{HEADER}\n{app_row(1)}\n")
        archive.writestr("bureau.csv", "SK_ID_CURR,SK_ID_BUREAU\n100001,5\n")
    assert read_table(tmp_path / "all.zip", "bureau")["SK_ID_BUREAU"].to_list() == [5]
    with pytest.raises(InputError, match="holds 2 tables"):
        read_table(tmp_path / "all.zip")
    with pytest.raises(InputError, match="holds no credit_card_balance table"):
        read_table(tmp_path / "all.zip", "credit_card_balance")
