"""How the shipped model's PD moves with what the client must repay against their income.

    python bench/bench_affordability.py [--factors 0.5 1 2 4 8]

The demo batch (5,000 application_test clients with their history) is scored as it is, then with the
credit, the annuity and the goods price of every client multiplied by each factor (same term, same
income, same history): the annuity / income ratio grows with the factor. Prints one JSON line: per
factor, the median annuity / income, the median and mean PD of the full-history model, and the share
of clients refused; then, for clients whose annuity reaches 4× or more of their income, how many
are still accepted. A model that reads the repayment burden refuses more as the factor grows.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import polars as pl
from cpu import checkout_parser, cpu_seconds


def main(argv: list[str] | None = None) -> None:
    parser = checkout_parser(__doc__)
    parser.add_argument("--factors", type=float, nargs="*", default=[0.5, 1.0, 2.0, 4.0, 8.0])
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root))

    from engine.bundle import load_bundle
    from engine.readers import read_tables
    from engine.resources import default_bundle, demo_batch
    from engine.scoring import Scorer

    cpu = cpu_seconds()
    scorer = Scorer(load_bundle(default_bundle()))
    tables = read_tables(demo_batch()).frames
    application = tables["application"]
    rows, heavy = [], {"clients": 0, "accepted": 0}
    for factor in args.factors:
        scaled = application.with_columns(pl.col("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE") * factor)
        features = scorer.features({**tables, "application": scaled})
        pd_ = scorer.pd(features)
        ratio = scaled.join(features.select("SK_ID_CURR"), on="SK_ID_CURR", how="right").select(
            pl.col("AMT_ANNUITY") / pl.col("AMT_INCOME_TOTAL"))["AMT_ANNUITY"].to_numpy()
        refused = pd_ >= scorer.bundle.threshold
        burdened = ratio >= 4
        heavy["clients"] += int(burdened.sum())
        heavy["accepted"] += int((burdened & ~refused).sum())
        rows.append({
            "factor": factor,
            "annuity_income_median": round(float(np.nanmedian(ratio)), 3),
            "pd_median": round(float(np.median(pd_)), 4),
            "pd_mean": round(float(pd_.mean()), 4),
            "refused": round(float(refused.mean()), 4),
        })
    print(json.dumps({
        "bundle": scorer.bundle.id[:12],
        "threshold": scorer.bundle.threshold,
        "by_factor": rows,
        "annuity_4x_income_or_more": heavy,
        "cpu_seconds": round(cpu_seconds() - cpu, 1),
        "load_1min": round(os.getloadavg()[0], 1),
    }))


if __name__ == "__main__":
    main()
