"""The ``creditscore`` command: each verb is a thin call into the engine."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger("creditscore")


def _write_table(frame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.write_parquet(out)
    else:
        frame.write_csv(out)


def cmd_train(args: argparse.Namespace) -> int:
    from engine.train_bundle import train_bundle
    from engine.training import TrainingConfig

    bundle = train_bundle(args.data, args.out, TrainingConfig(seed=args.seed))
    metrics = bundle.manifest["metrics"]
    for name, m in metrics["variants"].items():
        log.info(
            "%-9s OOF ROC AUC %.4f | cost @0.5 %d | cost @%.3f %d | cross-fitted cost %d",
            name, m["roc_auc"], m["at_0_5"]["business_cost"], m["at_threshold"]["threshold"],
            m["at_threshold"]["business_cost"], m["cross_fitted_cost"],
        )
    log.info(
        "shipped %s, calibrated threshold %.4f, Brier %.4f (cross-fitted), bundle %s in %.0f s",
        metrics["shipped"], bundle.threshold, metrics["calibration"]["brier_calibrated_cross_fitted"],
        args.out, metrics["training_seconds"],
    )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from engine.bundle import load_bundle
    from engine.readers import read_tables
    from engine.resources import default_bundle, demo_batch
    from engine.scoring import REFUSE, Scorer

    started = time.perf_counter()
    scorer = Scorer(load_bundle(args.bundle or default_bundle()))
    sources = args.files or [demo_batch()]
    tables = read_tables(sources if len(sources) > 1 else sources[0], application=args.application)
    for warning in tables.warnings:
        log.warning("%s", warning)
    result = scorer.score_table(scorer.features(tables.frames))
    if args.out:
        _write_table(result, Path(args.out))
    n = result.height
    refused = int((result["DECISION"] == REFUSE).sum())
    grades = result["GRADE"].value_counts().sort("GRADE")
    print(f"{n} clients scored in {time.perf_counter() - started:.1f} s with bundle {scorer.bundle.id[:12]}")
    print(f"threshold {scorer.bundle.threshold:.4f}: {n - refused} accepted, {refused} refused ({refused / max(n, 1):.1%})")
    print(f"mean PD {result['PD'].mean():.2%}; grades " + ", ".join(f"{g} {c}" for g, c in grades.iter_rows()))
    if args.out:
        print(f"written to {args.out}")
    return 0


def cmd_scale_data(args: argparse.Namespace) -> int:
    from engine.scaling import scale_data_cli

    rows = scale_data_cli(args.clients, Path(args.out), seed=args.seed, source=Path(args.source))
    for name, count in rows.items():
        print(f"{name}: {count:,} rows")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="creditscore", description="Offline credit scoring (Home Credit, LightGBM).")
    parser.add_argument("-v", "--verbose", action="store_true", help="more log output")
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("train", help="train the three variants and write a model bundle")
    p.add_argument("--data", required=True, help="folder, .zip or files of application_train and its history")
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=cmd_train)

    p = verbs.add_parser("score", help="score client files (default: the bundled demo batch)")
    p.add_argument("files", nargs="*", help="folder, .zip or table files (CSV, CSV.gz, Parquet)")
    p.add_argument("--out", help="write the scores to this .csv or .parquet file")
    p.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
    p.add_argument("--application", choices=["train", "test"], help="which application file when several are given")
    p.set_defaults(func=cmd_score)

    p = verbs.add_parser("scale-data", help="grow the real extract to N clients for benchmarks")
    p.add_argument("--clients", type=int, required=True, help="total clients (train and test, Kaggle proportions)")
    p.add_argument("--out", required=True, help="folder for the generated CSV files")
    p.add_argument("--source", default=str(Path("..") / "shared" / "data" / "home-credit"), help="the real extract")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_scale_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    from engine.bundle import BundleError
    from engine.readers import InputError

    try:
        return args.func(args)
    except (InputError, BundleError) as exc:
        print(f"creditscore {args.verb}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
