"""First start on a new data folder: from the launch of the process to the client list showing rows.

    python bench/bench_start.py [--runs 3]

Issue 11 item 6 (target: the list usable within 5 s of the window opening). Each run starts the app
from source with ``app --smoke`` under Xvfb on a new data folder (``build/smoke.py``) and reads its
timings, counted from the launch of the process: the window on screen, the first page interactive,
the client list showing rows. Also timed on their own: the window probe (Qt started in a child
process before the window opens, ``desktop.window_probe``) and the unpacking of the demo store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))
from smoke import run_smoke, xvfb_display  # noqa: E402

from desktop.window_probe import window_problem  # noqa: E402
from engine.resources import default_bundle  # noqa: E402
from storage import demo  # noqa: E402

FIGURES = ("window_visible_s", "first_page_interactive_s", "list_rows_s")


def _timed(work, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def _line(name: str, values: list[float]) -> str:
    return f"{name}: median {statistics.median(values):.2f} s, max {max(values):.2f} s (n={len(values)})"


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="creditscore-start-") as tmp, xvfb_display() as display:
        os.environ["DISPLAY"], os.environ["QT_QPA_PLATFORM"] = display, "xcb"
        probe = _timed(lambda: window_problem() is None or sys.exit("the window cannot open here"), 5)
        homes = iter(Path(tmp) / f"unpack{i}" for i in range(5))
        unpack = _timed(lambda: demo.unpack(next(homes), default_bundle()) or sys.exit("no pre-built demo store"), 5)
        results = []
        for run in range(runs):
            code, result, output = run_smoke([sys.executable, "-m", "desktop"], Path(tmp) / f"home{run}",
                                             Path(tmp) / f"run{run}.json", display=display)
            if code != 0 or not result["ok"]:
                sys.exit(f"run {run} failed: {result}\n{output[-2000:]}")
            timings = result["timings"]
            timings["list_after_window_s"] = round(timings["list_rows_s"] - timings["window_visible_s"], 3)
            results.append(timings)
            print(f"run {run} (new folder): " + ", ".join(f"{k} {timings[k]:.2f}" for k in (*FIGURES, "list_after_window_s")))
    for name in (*FIGURES, "list_after_window_s"):
        print(_line(name, [r[name] for r in results]))
    print(_line("window probe (child process)", probe))
    print(_line("demo store unpacked", unpack))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
