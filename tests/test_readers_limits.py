"""engine.readers, issue 12 finding 4: no input exhausts memory (devices, pipes, decompression bombs, size caps)."""

from __future__ import annotations

import gzip
import os
import struct
import zipfile
from pathlib import Path

import pytest
from reader_helpers import app_file, app_row, problems_of

from engine.readers import InputError, Problem, read_table


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
