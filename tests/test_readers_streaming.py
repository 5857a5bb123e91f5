"""engine.readers streaming files from their path: encodings told over the whole file, zip and gzip members
unpacked as they are read, the file hashed as it is read, and an import's frames held compact."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from reader_helpers import HEADER, app_row, write

from engine.column_typing import whole_numbers
from engine.csv_dialect import SAMPLE_BYTES, csv_text
from engine.input_problems import Fatal
from engine.readers import read_tables
from engine.resources import demo_batch
from engine.schema import tables
from engine.sources import TableFile, find_files
from storage.content import table_digest
from storage.validation import validate

TEXT_HEADER = HEADER + ",NAME_FAMILY_STATUS"
#: More rows than the dialect sample and the first streamed chunk (1 MiB) hold.
ROWS = 25_000


def _family_file(path: Path, last_status: str, encoding: str) -> Path:
    """An application file of ``ROWS`` ASCII rows whose last row's family status is ``last_status``."""
    rows = [f"{app_row(i)},Married" for i in range(ROWS - 1)] + [f"{app_row(ROWS)},{last_status}"]
    data = "\n".join([TEXT_HEADER, *rows, ""]).encode(encoding)
    assert len(data) > 1 << 20 and last_status.encode(encoding) not in data[: 1 << 20]
    return write(path, data)


def test_an_invalid_byte_after_the_sample_is_warned_with_its_file_and_line(tmp_path: Path) -> None:
    path = _family_file(tmp_path / "application.csv", "Marié", "latin-1")
    read = read_tables(path)
    [warning] = [w for w in read.warnings if w.code == "not_utf8"]
    assert (warning.file, warning.row, warning.severity) == ("application.csv", ROWS + 1, "warning")
    assert str(warning).startswith(f"warning: application.csv, line {ROWS + 1}: ")
    assert read.get("application")["NAME_FAMILY_STATUS"][-1] == "Marié"
    report = validate([path]).report
    assert [(p.file, p.row) for p in report.warnings if p.code == "not_utf8"] == [("application.csv", ROWS + 1)]


def test_a_cp1252_character_only_after_the_sample_is_decoded_right(tmp_path: Path) -> None:
    path = _family_file(tmp_path / "application.csv", "Œuvre – 5 €", "cp1252")
    frame = read_tables(path).get("application")
    assert frame["NAME_FAMILY_STATUS"][-1] == "Œuvre – 5 €" and frame["NAME_FAMILY_STATUS"][0] == "Married"
    assert frame.height == ROWS


def test_a_byte_cp1252_leaves_undefined_falls_back_to_latin1_for_the_whole_file(tmp_path: Path) -> None:
    rows = [f"{app_row(1)},Marié", *(f"{app_row(i)},Married" for i in range(2, ROWS)), f"{app_row(ROWS)},x\x81y"]
    path = write(tmp_path / "application.csv", "\n".join([TEXT_HEADER, *rows, ""]).encode("latin-1"))
    status = read_tables(path).get("application")["NAME_FAMILY_STATUS"]
    assert (status[0], status[-1]) == ("Marié", "x\x81y")


def test_a_character_cut_short_at_the_end_is_warned_on_the_last_line(tmp_path: Path) -> None:
    text = "\n".join([TEXT_HEADER, f"{app_row(1)},Married", f"{app_row(2)},Mari"]).encode() + b"\xc3"
    read = read_tables(write(tmp_path / "application.csv", text))
    assert [(w.code, w.row) for w in read.warnings if w.code == "not_utf8"] == [("not_utf8", 3)]


def _tables(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    folder.mkdir()
    rows = [f"{app_row(i)},Widow" if i % 7 else f"{app_row(i)},Marié" for i in range(3000)]
    write(folder / "application.csv", "\n".join([TEXT_HEADER, *rows, ""]))
    bureau = ["SK_ID_CURR,SK_ID_BUREAU,CREDIT_ACTIVE,AMT_CREDIT_SUM"]
    bureau += [f"{100000 + i},{5000000 + i},{'Active' if i % 3 else 'Closed'},{i * 10.5}" for i in range(3000)]
    write(folder / "bureau.csv", "\n".join(bureau) + "\n")
    return folder


def test_zip_and_gzip_members_stream_the_same_tables_and_digests_as_the_files(tmp_path: Path) -> None:
    folder = _tables(tmp_path)
    files = sorted(folder.iterdir())
    with zipfile.ZipFile(tmp_path / "tables.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"export/{path.name}")
    (tmp_path / "gz").mkdir()
    for path in files:
        (tmp_path / "gz" / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    plain = read_tables(folder)
    for other in (read_tables(tmp_path / "tables.zip"), read_tables(tmp_path / "gz")):
        assert set(other.frames) == {"application", "bureau"}
        for name, frame in plain.frames.items():
            assert other.frames[name].equals(frame)
            assert table_digest(name, other.frames[name]) == table_digest(name, frame)
    # each file is hashed as it is read, as it is stored (the gzip file, not its text)
    assert plain.digests == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    gz = sorted((tmp_path / "gz").iterdir())
    assert read_tables(tmp_path / "gz").digests == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in gz}
    archive = validate([tmp_path / "tables.zip"]).report.files
    assert [(f.name, f.sha256) for f in archive] == [
        ("tables.zip", hashlib.sha256((tmp_path / "tables.zip").read_bytes()).hexdigest())]


def test_plain_utf8_is_parsed_from_its_path_and_the_rest_from_one_buffer(tmp_path: Path) -> None:
    folder = _tables(tmp_path)
    path = folder / "application.csv"
    [plain] = find_files(path)[0]
    text = csv_text(plain)
    assert text.source == path and text.head == path.read_bytes()[:SAMPLE_BYTES]
    with zipfile.ZipFile(tmp_path / "application.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, "application.csv")
    member = TableFile("application.zip:application.csv", "csv", tmp_path / "application.zip", "application.csv")
    text = csv_text(member)
    assert isinstance(text.source, io.BytesIO) and text.source.getvalue() == path.read_bytes()
    assert text.sha256 is None  # the archive is hashed whole by the validation
    write(tmp_path / "cr.csv", path.read_bytes().replace(b"\n", b"\r"))
    [cr] = find_files(tmp_path / "cr.csv")[0]
    assert csv_text(cr).source.getvalue() == path.read_bytes()


def test_an_import_holds_text_as_categories_and_whole_numbers_as_small_integers(tmp_path: Path) -> None:
    folder = _tables(tmp_path)
    validated, read = validate([folder]), read_tables(folder)
    for name, frame in validated.frames.items():
        spec = tables()[name]
        text = [c for c in frame.columns if spec.columns[c].kind == "str"]
        assert text and all(isinstance(frame.schema[c], pl.Categorical) for c in text)
        assert_frame_equal(frame.cast({c: spec.columns[c].dtype for c in frame.columns}), read.frames[name])
        assert table_digest(name, frame) == table_digest(name, read.frames[name])
    application, bureau = validated.frames["application"], validated.frames["bureau"]
    assert (application.schema["SK_ID_CURR"], application.schema["DAYS_BIRTH"]) == (pl.Int64, pl.Int16)
    assert (application.schema["AMT_INCOME_TOTAL"], application.schema["AMT_CREDIT"]) == (pl.Int32, pl.Float64)
    assert bureau.schema["AMT_CREDIT_SUM"] == pl.Float64 and bureau.schema["SK_ID_BUREAU"] == pl.Int64


def test_only_exactly_whole_numbers_become_integers() -> None:
    frame = pl.DataFrame({
        "SK_ID_CURR": [1, 2, 3],
        "CNT_CHILDREN": [0.0, None, 3.0],
        "DAYS_BIRTH": [-9461.0, -20000.0, -12000.0],
        "AMT_CREDIT": [1.0, 2.5, 3.0],
        "AMT_ANNUITY": [1.0, float("nan"), 3.0],
        "AMT_GOODS_PRICE": [1.0, float("inf"), 3.0],
        "AMT_INCOME_TOTAL": [1.0, -0.0, 3.0],
        "DAYS_EMPLOYED": [365243.0, 2.0**31, 1.0],
        "OWN_CAR_AGE": [None, None, None],
    }, schema_overrides={"OWN_CAR_AGE": pl.Float64})
    compact = whole_numbers(frame, tables()["application"])
    assert dict(compact.schema) == {**frame.schema, "CNT_CHILDREN": pl.Int8, "DAYS_BIRTH": pl.Int16}
    assert_frame_equal(compact.cast(frame.schema), frame)


@pytest.mark.parametrize("source", ["demo", "csv"])
def test_an_import_scores_exactly_as_the_tables_read_plainly(source: str, scorer, small_batch: Path) -> None:
    folder = demo_batch() if source == "demo" else small_batch
    validated, read = validate([folder]), read_tables(folder)
    assert validated.report.rows == {name: frame.height for name, frame in read.frames.items()}
    compact, plain = scorer.features(validated.frames), scorer.features(read.frames)
    assert_frame_equal(compact, plain)
    supplied = frozenset(read.frames)
    pd_compact, pd_plain = scorer.pd(compact, supplied), scorer.pd(plain, supplied)
    assert len(pd_plain) == read.frames["application"].height
    assert abs(pd_compact - pd_plain).max() <= 1e-12


@pytest.mark.parametrize("data", [b"", b"  \n \r\n", codecs.BOM_UTF16_LE + " \n ".encode("utf-16-le")])
def test_a_blank_text_is_an_empty_file_whatever_its_encoding(tmp_path: Path, data: bytes) -> None:
    [src] = find_files(write(tmp_path / "application.csv", data))[0]
    with pytest.raises(Fatal) as caught:
        csv_text(src)
    assert [p.code for p in caught.value.problems] == ["empty_file"]
