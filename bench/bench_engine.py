"""Engine benchmarks: feature pipeline at scale, scoring latency and throughput, training time.

    python bench/bench_engine.py pipeline --data /tmp/hc_full      # full Kaggle size, from CSV
    python bench/bench_engine.py scoring                            # bundled model, demo batch
    python bench/bench_engine.py train --data ../shared/data/home-credit

Each run prints one JSON line of measurements; peak RSS is the process's own maximum
(``ru_maxrss``), so every benchmark runs in a fresh process. On a shared machine compare the
pipeline's ``cpu_seconds`` (its wall time grows with ``load_1min``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from cpu import cpu_seconds


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.system()} {platform.machine()}, {cpu}, {len(__import__('os').sched_getaffinity(0))} cores"


def bench_pipeline(data: Path) -> dict:
    """Features for every application row of ``data`` with the bundled (fitted) pipeline, from CSV."""
    from engine.bundle import load_bundle
    from engine.readers import scan_tables
    from engine.resources import default_bundle

    pipeline = load_bundle(default_bundle()).pipeline
    cpu_started, started = cpu_seconds(), time.perf_counter()
    frames = scan_tables(data, application="train")
    features = pipeline.transform(frames)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    return {"benchmark": "pipeline", "clients": features.height, "features": features.width - 1,
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mb": round(_peak_rss_mb()),
            "load_1min": round(os.getloadavg()[0], 2)}


def _percentile_ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(samples, q)) * 1000, 2)


def bench_scoring(repeats: int = 200) -> dict:
    """One client (from its tables, and from its feature row) and batch throughput."""
    from engine.bundle import load_bundle
    from engine.readers import read_tables
    from engine.resources import default_bundle, demo_batch
    from engine.scoring import Scorer

    scorer = Scorer(load_bundle(default_bundle()))
    tables = read_tables(demo_batch()).frames
    features = scorer.features(tables)
    ids = features["SK_ID_CURR"].to_list()
    rng = np.random.default_rng(0)
    from_tables, from_features = [], []
    for client in rng.choice(ids, repeats):
        one = {n: f.filter(pl.col("SK_ID_CURR") == client) if f is not None and "SK_ID_CURR" in f.columns else f
               for n, f in tables.items()}
        credits = one["bureau"]["SK_ID_BUREAU"].implode() if one.get("bureau") is not None else []
        one["bureau_balance"] = tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(credits))
        row = features.filter(pl.col("SK_ID_CURR") == client)  # a stored feature row, looked up beforehand
        t0 = time.perf_counter()
        scorer.score(scorer.features(one))
        t1 = time.perf_counter()
        scorer.score(row)
        t2 = time.perf_counter()
        from_tables.append(t1 - t0)
        from_features.append(t2 - t1)
    big = pl.concat([features] * 10)  # 50,000 rows
    X = scorer.matrix(big)
    t0 = time.perf_counter()
    scorer.predict_pd(X)
    t_pd = time.perf_counter() - t0
    t0 = time.perf_counter()
    scorer.score(features)
    t_explain = time.perf_counter() - t0
    return {
        "benchmark": "scoring",
        "one_client_from_tables_ms": {"p50": _percentile_ms(from_tables, 50), "p95": _percentile_ms(from_tables, 95)},
        "one_client_from_features_ms": {"p50": _percentile_ms(from_features, 50), "p95": _percentile_ms(from_features, 95)},
        "batch_pd_clients_per_s": round(len(X) / t_pd),
        "batch_with_explanations_clients_per_s": round(features.height / t_explain),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def bench_train(data: Path) -> dict:
    """`creditscore train` end to end (all three variants, every fold seed), in a subprocess."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "desktop.cli", "train", "--data", str(data), "--out", out], check=True)
        seconds = time.perf_counter() - started
        metrics = json.loads((Path(out) / "metrics.json").read_text())
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"benchmark": "train", "seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "load_1min": round(os.getloadavg()[0], 2),
            "roc_auc_mean": {n: round(m["roc_auc_mean"], 4) for n, m in metrics["variants"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["pipeline", "scoring", "train"])
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    result = {"pipeline": lambda: bench_pipeline(args.data), "scoring": bench_scoring,
              "train": lambda: bench_train(args.data)}[args.which]()
    result["machine"] = _machine()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
