"""Benchmark of the drift report: time, HTML size and peak memory for 5,000 and 50,000 clients.

The 5,000 clients are the shipped demo batch (application_test); larger batches resample its
feature rows with replacement. Feature computation is not timed (it belongs to scoring). The
CPU time (this process, all threads) is given beside the wall time, which grows with the load
of a shared machine. The one-off import of Evidently is timed apart. Peak RSS is the process's
so far (sizes run in order: the last row holds the largest batch's peak). Targets (issue 4):
5,000 clients ≤ 15 s, 50,000 ≤ 60 s, HTML ≤ 10 MB, peak RSS ≤ 2 GB.

    python bench/bench_drift.py [--bundle DIR] [--clients 5000 50000] [--out DIR]
"""

from __future__ import annotations

import argparse
import importlib
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.bundle import load_bundle  # noqa: E402
from engine.readers import read_tables  # noqa: E402
from engine.resources import default_bundle, demo_batch  # noqa: E402

log = logging.getLogger("bench_drift")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def batch_of(demo: pl.DataFrame, clients: int, seed: int = 0) -> pl.DataFrame:
    """The demo rows themselves, or ``clients`` rows drawn from them with replacement."""
    if clients == demo.height:
        return demo
    return demo.sample(n=clients, with_replacement=True, seed=seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=default_bundle())
    parser.add_argument("--clients", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench_drift")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)

    bundle = load_bundle(args.bundle)
    started = time.perf_counter()
    drift = importlib.import_module("engine.drift")
    importlib.import_module("evidently.presets")
    log.info("import of engine.drift + evidently: %.1f s", time.perf_counter() - started)
    demo = drift.drift_frame(bundle, read_tables(demo_batch()).frames)
    config = drift.DriftConfig()
    columns = drift.drift_columns(bundle, config)
    log.info("columns compared: %d; reference rows cap: %d", len(columns), config.reference_rows)

    log.info("| clients | wall (s) | CPU (s) | HTML (MB) | RSS (MB) | drifted/compared | drift | PD PSI |")
    log.info("|---:|---:|---:|---:|---:|---:|---|---:|")
    for clients in args.clients:
        batch = batch_of(demo, clients)
        started, cpu = time.perf_counter(), time.process_time()
        result = drift.run_drift(bundle, batch, progress=log.debug)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        html = result.write_html(args.out / f"drift_{clients}.html")
        s = result.summary
        log.info(
            "| %s | %.1f | %.1f | %.1f | %.0f | %d / %d | %s | %.3f |",
            f"{clients:,}", seconds, cpu, html.stat().st_size / 1e6, peak_rss_mb(),
            s["n_drifted"], s["n_compared"], s["dataset_drift"], s["score"]["psi"],
        )


if __name__ == "__main__":
    main()
