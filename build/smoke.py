"""Smoke test of the app in its window, under Xvfb: the built executable (CI) or the source tree (tests).

    python build/smoke.py                          # the build in build/dist/creditscore
    python build/smoke.py --exe path/to/creditscore

Starts the app twice with ``app --smoke`` on a new user data folder: the first start opens the
window, shows the demo clients (their store unpacked), scores a client through the local API and writes a drift report;
the second reuses the folder (no seeding, a second drift run). Prints both results (with their
timings) as JSON; exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILT_APP = ROOT / "build" / "dist" / "creditscore" / ("creditscore.exe" if os.name == "nt" else "creditscore")
START_TIMEOUT_S = 300


@contextlib.contextmanager
def xvfb_display(number: int | None = None) -> Iterator[str]:
    """A virtual X display (``:N``) for the duration of the block."""
    number = number or 90 + os.getpid() % 100
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1400x950x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if xvfb.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.1)
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def run_smoke(command: list[str], home: Path, out: Path, *args: str, display: str,
              screenshot: Path | None = None) -> tuple[int, dict, str]:
    """Run ``command --home HOME app --smoke OUT ARGS`` on ``display``; its exit status, result and output.

    Takes a screenshot of the display once the result is written (if ImageMagick's ``import`` is
    there), then lets the app close its window.
    """
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}  # as root, the app adds --no-sandbox itself
    env["CREDITSCORE_SMOKE_LAUNCHED_AT"] = repr(time.time())  # the app times its window from here
    app = subprocess.Popen([*command, "--home", str(home), "app", "--smoke", str(out), *args],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not out.exists():
            if app.poll() is not None:
                raise RuntimeError(f"the app exited with {app.returncode} before reporting:\n"
                                   + app.stdout.read().decode()[-3000:])
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not report within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        time.sleep(0.5)  # let the page paint
        if screenshot is not None and shutil.which("import"):
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["import", "-display", display, "-window", "root", str(screenshot)], check=True, timeout=30)
        out.with_name(out.name + ".close").touch()
        code = app.wait(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
    return code, json.loads(out.read_text("utf-8")), app.stdout.read().decode()


def problems_of_two_starts(first: tuple[int, dict, str], second: tuple[int, dict, str]) -> list[str]:
    """What is wrong with a first start (seeding) and a second start on the same folder; [] if nothing."""
    problems = []
    for name, (code, result, _) in (("first start", first), ("second start", second)):
        if code != 0 or not result.get("ok"):
            problems.append(f"{name}: exit {code}, {result.get('error') or result.get('startup_problem')}")
    if problems:
        return problems
    one, two = first[1], second[1]
    if not (0 <= one["api_score"]["PD"] <= 1):
        problems.append(f"the API gave PD {one['api_score']['PD']}")
    if not one["store"]["demo"] or one["store"]["clients"] != 5000:
        problems.append(f"the first start did not show the 5,000 demo clients: {one['store']}")
    if two["store"]["seeded_now"] or two["store"]["batches"] != one["store"]["batches"]:
        problems.append(f"the second start did not reuse the demo store: {two['store']}")
    if two["drift"]["run"] != one["drift"]["run"] + 1:
        problems.append("the second drift run was not recorded after the first")
    for result in (one, two):
        if not Path(result["drift"]["report"]).is_file() or result["drift"]["report_bytes"] < 1_000_000:
            problems.append(f"no drift report: {result['drift']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exe", type=Path, default=BUILT_APP, help="the executable (default: %(default)s)")
    parser.add_argument("--screenshots", type=Path, help="folder for a screenshot of each start")
    args = parser.parse_args(argv)
    if not args.exe.is_file():
        print(f"smoke: no executable at {args.exe}: build it first (python build/build_app.py)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="creditscore-smoke-") as tmp, xvfb_display() as display:
        home, runs = Path(tmp) / "home", []
        for name in ("first", "second"):
            shot = args.screenshots / f"built-app-{name}-start.png" if args.screenshots else None
            runs.append(run_smoke([str(args.exe)], home, Path(tmp) / f"{name}.json", display=display, screenshot=shot))
        print(json.dumps({"first": runs[0][1], "second": runs[1][1]}, indent=1))
        problems = problems_of_two_starts(*runs)
        for problem in problems:
            print(f"smoke: {problem}", file=sys.stderr)
        if problems:
            print(runs[-1][2][-3000:], file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
