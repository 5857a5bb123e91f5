"""Benchmark of hostile inputs (issue 12): a zip bomb and /dev/zero refused fast, in little memory.

Targets: a 2 MB zip holding 2 GiB of zeros, and an ``application.csv`` that is a link to
``/dev/zero``, each refused by ``creditscore import`` and ``creditscore score`` within 2 s and
≤ 200 MB of extra memory.

    python bench/bench_inputs.py            # the hostile files
    python bench/bench_inputs.py --fuzz     # the fuzz tests under the ``bench`` Hypothesis profile

Each command runs in its own process (``python -m desktop``) whose peak RSS is its own
(``wait4``); "extra" is measured against the same command refusing a one-line file, so that the
start-up (Python, polars, the model bundle) is not counted. The refusal inside the process is timed
too (``read_tables`` alone). A gzip bomb is measured as well: gzip declares no size, so it is the
case where the counting reader has to stop the stream (at 50 × the packed size). Prints one JSON
line per measurement.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import machine  # noqa: E402

BOMB_GIB = 2


def zip_bomb(folder: Path) -> Path:
    """``application_test.zip`` holding 2 GiB of zeros as ``application_test.csv`` (made once)."""
    path = folder / "bomb" / "application_test.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        zeros = bytes(1 << 20)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            with archive.open("application_test.csv", "w", force_zip64=True) as out:
                for _ in range(BOMB_GIB << 10):
                    out.write(zeros)
    return path


def gzip_bomb(folder: Path) -> Path:
    """``application_test.csv.gz``: 2 GiB of zeros again, but gzip declares no size: streamed to the cap."""
    path = folder / "gzip_bomb" / "application_test.csv.gz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        zeros = bytes(1 << 20)
        with gzip.open(path, "wb") as out:
            for _ in range(BOMB_GIB << 10):
                out.write(zeros)
    return path


def dev_zero(folder: Path) -> Path:
    path = folder / "devzero" / "application.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_symlink():
        path.symlink_to("/dev/zero")
    return path


def one_line(folder: Path) -> Path:
    """The baseline: a file refused at once (a header without clients)."""
    path = folder / "baseline" / "application.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("SK_ID_CURR,AMT_INCOME_TOTAL,AMT_CREDIT,AMT_ANNUITY,DAYS_BIRTH\n", "utf-8")
    return path


def run(command: list[str], env: dict[str, str]) -> dict:
    """Exit code, wall seconds, peak RSS (MB) and last stderr line of one child process."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    return {"exit": child.returncode, "wall_seconds": round(wall, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "message": lines[-1][-160:] if lines else "",
            "traceback": any("Traceback" in line for line in lines)}


def in_process(path: Path) -> dict:
    """``read_tables`` on ``path`` in this process: seconds to the refusal and its first problem."""
    from engine.readers import InputError, read_tables

    started = time.perf_counter()
    try:
        read_tables(path)
        problem = "accepted"
    except InputError as error:
        problem = error.problems[0].code
    return {"read_tables_seconds": round(time.perf_counter() - started, 3), "problem": problem}


def hostile(folder: Path, home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    python = [sys.executable, "-m", "desktop", "--home", str(home)]
    print("importing the demo batch into the store…", file=sys.stderr)  # the CLI no longer seeds it
    subprocess.run([*python, "import", str(ROOT / "resources" / "demo")], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    cases = {"one-line file (baseline)": one_line(folder), "zip bomb": zip_bomb(folder),
             "gzip bomb": gzip_bomb(folder), "/dev/zero": dev_zero(folder)}
    baseline: dict[str, dict] = {}
    for verb in ("import", "score"):
        for case, path in cases.items():
            measured = run([*python, verb, str(path)], env)
            baseline.setdefault(verb, measured)
            extra = {"extra_rss_mb": measured["peak_rss_mb"] - baseline[verb]["peak_rss_mb"],
                     "extra_seconds": round(measured["wall_seconds"] - baseline[verb]["wall_seconds"], 2)}
            size = path.stat().st_size if path.is_file() and not path.is_symlink() else None
            print(json.dumps({"benchmark": "hostile input", "verb": verb, "case": case, "file_bytes": size,
                              **measured, **extra, **in_process(path)}, ensure_ascii=False), flush=True)


def fuzz() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYPOTHESIS_PROFILE": "bench"}
    command = [sys.executable, "-m", "pytest", "tests/test_fuzz_inputs.py", "-q", "-p", "no:cacheprovider",
               "--hypothesis-show-statistics"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    counts = [line.strip() for line in done.stdout.splitlines() if "passing" in line]
    print(json.dumps({"benchmark": "fuzz", "profile": "bench", "exit": done.returncode,
                      "wall_seconds": round(wall), "examples": counts,
                      "summary": done.stdout.strip().splitlines()[-1]}), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", action="store_true", help="run the fuzz tests under the bench profile")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "inputs")
    args = parser.parse_args(argv)
    print(json.dumps({"machine": machine()}), flush=True)
    if args.fuzz:
        return fuzz()
    with tempfile.TemporaryDirectory(prefix="bench_inputs_") as home:
        hostile(args.data, Path(home))


if __name__ == "__main__":
    main()
