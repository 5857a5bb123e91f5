"""How the shipped model's PD moves with what the client must repay against their income.

    python bench/bench_affordability.py [--factors 0.5 1 2 4 8]
    python bench/bench_affordability.py --alone [--factors 0.3 0.5 0.75 1 1.25 1.5 1.75 2]

The demo batch (5,000 application_test clients with their history) is scored as it is, then with the
credit, the annuity and the goods price of every client multiplied by each factor (same term, same
income, same history): the annuity / income ratio grows with the factor. Prints one JSON line: per
factor, the median annuity / income, the median and mean PD of the full-history model, and the share
of clients refused; then, for clients whose annuity reaches 4× or more of their income, how many
are still accepted. A model that reads the repayment burden refuses more as the factor grows.

With ``--alone``: each amount scaled on its own (the credit alone, the annuity alone, the credit with
the goods price, the goods price alone) and the three together, by each factor in turn, scored with
every table and with the application alone, each by its own model: per coverage and scaling, how
many clients' PD falls at some step as the amount grows, and how many go refused → accepted.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import polars as pl
from cpu import checkout_parser, cpu_seconds

AMOUNTS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
#: The scalings of ``--alone``: name -> the application columns multiplied together.
SCALINGS = {
    "credit": ("AMT_CREDIT",),
    "annuity": ("AMT_ANNUITY",),
    "credit_goods": ("AMT_CREDIT", "AMT_GOODS_PRICE"),
    "goods": ("AMT_GOODS_PRICE",),
    "together": AMOUNTS,
}


def alone(scorer, tables: dict, factors: list[float]) -> dict:
    """Per coverage and scaling: clients whose PD falls at some step, and who go refused → accepted."""
    found = {}
    for coverage, supplied in (("all", tables), ("application", {"application": tables["application"]})):
        threshold = scorer.bundle.model_for(set(supplied)).threshold
        found[coverage] = {}
        for name, columns in SCALINGS.items():
            pd_ = np.array([
                scorer.pd(scorer.features({**supplied, "application": supplied["application"].with_columns(
                    pl.col(c) * factor for c in columns)}), set(supplied))
                for factor in factors
            ])
            refused = pd_ >= threshold
            found[coverage][name] = {
                "pd_falls": int((np.diff(pd_, axis=0) < -1e-12).any(axis=0).sum()),
                "refused_then_accepted": int((refused[:-1] & ~refused[1:]).any(axis=0).sum()),
            }
    return found


def main(argv: list[str] | None = None) -> None:
    parser = checkout_parser(__doc__)
    parser.add_argument("--factors", type=float, nargs="*")
    parser.add_argument("--alone", action="store_true", help="each amount scaled on its own (see above)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root))

    from engine.bundle import load_bundle
    from engine.readers import read_tables
    from engine.resources import default_bundle, demo_batch
    from engine.scoring import Scorer

    cpu = cpu_seconds()
    scorer = Scorer(load_bundle(default_bundle()))
    tables = {name: frame for name, frame in read_tables(demo_batch()).frames.items() if frame is not None}
    if args.alone:
        factors = args.factors or [0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
        print(json.dumps({"bundle": scorer.bundle.id[:12], "factors": factors, "by_coverage": alone(scorer, tables, factors),
                          "cpu_seconds": round(cpu_seconds() - cpu, 1), "load_1min": round(os.getloadavg()[0], 1)}))
        return
    application = tables["application"]
    rows, heavy = [], {"clients": 0, "accepted": 0}
    for factor in args.factors or [0.5, 1.0, 2.0, 4.0, 8.0]:
        scaled = application.with_columns(pl.col(*AMOUNTS) * factor)
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
