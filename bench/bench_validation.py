"""Benchmark of an import's validation alone (issue 13's memory, the readers' part): wall, CPU, peak RSS.

    python bench/bench_validation.py --clients 10000
    python bench/bench_validation.py --clients 100000
    PYTHONPATH=/tmp/base python bench/bench_validation.py --root /tmp/base --clients 100000   # "before"

Validates the folder of files ``bench/bench_import.py`` imports (``creditscore scale-data``'s extract,
made once in ``--data``) with ``storage.validation.validate``, the call the importer and the Import
page make, in a fresh child process on the checkout ``--root``. Reports the validation's wall and CPU
seconds, the child's peak RSS (``ru_maxrss``, and sampled every 10 ms from ``/proc/self/statm`` with the
RSS after the imports, before reading), and the validated frames' size (``estimated_size``) per table.
Prints one JSON line with the machine and its load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from cpu import checkout_parser, cpu_seconds

HERE = Path(__file__).resolve().parent
_SAMPLE_SECONDS = 0.01


class RssSampler(threading.Thread):
    """The process's resident set size, sampled from ``/proc/self/statm``; ``peak`` in bytes."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._done = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def rss(self) -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * self._page

    def run(self) -> None:
        while not self._done.wait(_SAMPLE_SECONDS):
            self.peak = max(self.peak, self.rss())

    def stop(self) -> int:
        self._done.set()
        self.join()
        return max(self.peak, self.rss())


def child(root: Path, folder: Path) -> None:
    """The timed validation (in its own process); prints its measurements as JSON."""
    sys.path.insert(0, str(root))
    from storage.validation import validate

    files = sorted(folder.glob("*.csv"))
    sampler = RssSampler()
    start_rss = sampler.rss()
    sampler.start()
    wall, cpu = time.perf_counter(), cpu_seconds()
    validated = validate(files)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    peak = sampler.stop()
    frames = {name: round(frame.estimated_size() / 2**20, 1) for name, frame in validated.frames.items()}
    print(json.dumps({
        "rows": sum(frame.height for frame in validated.frames.values()),
        "input_mb": round(sum(path.stat().st_size for path in files) / 2**20),
        "validate_seconds": round(wall, 2),
        "validate_cpu_seconds": round(cpu, 1),
        "rss_before_mb": round(start_rss / 2**20),
        "peak_rss_sampled_mb": round(peak / 2**20),
        "frames_mb": frames,
        "frames_total_mb": round(sum(frames.values())),
        "dtypes": sorted({str(dtype.base_type()) for frame in validated.frames.values() for dtype in frame.dtypes}),
    }))


def main(argv: list[str] | None = None) -> None:
    parser = checkout_parser(__doc__)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=HERE / "out" / "import_data")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.root, args.child)

    sys.path.insert(0, str(HERE.parent))
    from bench.bench_import import dataset, machine

    folder = dataset(args.data, args.clients)
    before = machine()
    command = [sys.executable, __file__, "--root", str(args.root), "--child", str(folder)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode:
        sys.exit(done.stderr)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({
        "benchmark": "validation",
        "root": str(args.root),
        "clients": args.clients,
        **measured,
        "peak_rss_mb": round(peak),
        "process_wall_seconds": round(wall, 2),
        "machine_before": before,
        "machine": machine(),
    }))


if __name__ == "__main__":
    main()
