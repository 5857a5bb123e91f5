"""Drift of an application-only batch, before and after the drift knew what the batch supplied.

The 5,000 demo clients (real application_test rows) with their application table alone, against
the shipped bundle's reference: "before" scores them with the full-history model as if every table
had been supplied and compares every column; "after" tells the drift the batch supplied the
application only (the history features are *not supplied*, the PD is the application model's,
compared with that model's reference PD at its threshold).

    python bench/bench_drift_coverage.py
"""

from __future__ import annotations

import time

from engine.bundle import load_bundle
from engine.drift import drift_frame, run_drift
from engine.readers import read_tables
from engine.resources import default_bundle, demo_batch
from engine.scoring import Scorer


def main() -> None:
    bundle = load_bundle(default_bundle())
    frames = {"application": read_tables(demo_batch()).frames["application"]}
    current, specs = drift_frame(bundle, frames), bundle.pipeline.specs
    full_pd = Scorer(bundle).pd(current, None)
    for label, supplied, pd in (("before", None, full_pd), ("after", frames, None)):
        started = time.perf_counter()
        s = run_drift(bundle, current, current_pd=pd, supplied=supplied).summary
        act = [p for p in s["psi"]["features"] if p["band"] == "act" and specs[p["feature"]].table != "application"]
        score, rate = s["score"], s["score"]["approval_rate"]
        print(f"{label}: model {s['model']}; {s['n_drifted']} of {s['n_compared']} columns drifted; "
              f"{len(act)} history features in the PSI 'act' band; {len(s['not_supplied'])} not supplied; "
              f"score PSI {score['psi']:.3f}; mean PD {score['reference']['mean']:.4f} -> {score['current']['mean']:.4f}; "
              f"approval {rate['reference']:.1%} -> {rate['current']:.1%} at PD < {rate['threshold']:.4f}; "
              f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
