"""Benchmark of the packaged app: build time, bundle size, launch timings of the built executable.

Builds with ``build/build_app.py`` (unless ``--no-build``), then starts the built executable under
Xvfb: once on a new user data folder (it seeds the demo batch), then ``--runs`` more times on the
same folder (warm disk, the store reused). Each start is ``app --smoke`` (see ``desktop/smoke.py``):
window visible, first page interactive, one score through the local API, one drift run with its
HTML report. Targets (issue 6): window ≤ 2 s, first page ≤ 4 s after launch, bundle ≤ 700 MB on Linux.

    python bench/bench_build.py [--no-build] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))

from build_app import APP_DIR, DIST, biggest_parts, build, folder_size  # noqa: E402
from smoke import BUILT_APP, run_smoke, xvfb_display  # noqa: E402

TIMINGS = ("window_visible_s", "first_page_interactive_s", "api_score_s", "seeded_s", "drift_s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="measure the existing build/dist/creditscore")
    parser.add_argument("--runs", type=int, default=5, help="starts on the reused folder (default 5)")
    args = parser.parse_args(argv)
    if not args.no_build:
        print(f"build: {build():.0f} s (python build/build_app.py)")
    elif (DIST / "build-report.json").exists():
        print(f"build: {json.loads((DIST / 'build-report.json').read_text())['build_seconds']:.0f} s (last build)")
    print(f"bundle: {folder_size(APP_DIR) / 1e6:.0f} MB in {APP_DIR.relative_to(ROOT)}")
    for name, size in biggest_parts(APP_DIR, 8):
        print(f"  {size / 1e6:7.1f} MB  {name}")
    print(f"load average before the launches: {os.getloadavg()[0]:.2f}")
    results = []
    with tempfile.TemporaryDirectory(prefix="creditscore-bench-") as tmp, xvfb_display() as display:
        home = Path(tmp) / "home"
        for run in range(args.runs + 1):
            code, result, output = run_smoke([str(BUILT_APP)], home, Path(tmp) / f"run{run}.json", display=display)
            if code != 0 or not result.get("ok"):
                print(f"start {run} failed (exit {code}): {result}\n{output[-3000:]}", file=sys.stderr)
                return 1
            results.append({**result["timings"], "api_score_s": result["api_score_s"]})
            label = "new folder (seeds)" if run == 0 else "reused folder"
            print(f"start {run} ({label}): " + ", ".join(f"{k} {v:.2f}" for k, v in results[-1].items()))
    warm = results[1:]
    for key in TIMINGS:
        values = [r[key] for r in warm if key in r]
        if values:
            print(f"warm starts, {key}: median {statistics.median(values):.2f} s, max {max(values):.2f} s (n={len(values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
