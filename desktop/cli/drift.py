"""``creditscore drift``: a stored batch (recorded in the store) or client files against the model's reference."""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

from desktop.cli import context
from desktop.cli.options import Verb, application_option, bundle_options, lang_option

log = logging.getLogger("creditscore")


def cmd_drift(args: argparse.Namespace) -> int:
    """Drift of a stored batch (recorded in the store) or of client files (not stored); a batch that
    cannot be compared is said in ``--lang``, exit 2."""
    from engine.drift import DriftError

    try:
        summary, html_path = _compare(args)
    except DriftError as exc:
        log.error("creditscore drift: %s", exc.sentence(args.lang))
        return 2
    print(f"{summary['n_drifted']} of {summary['n_compared']} columns drifted (share {summary['drift_share']:.2f}): "
          f"dataset drift {'DETECTED' if summary['dataset_drift'] else 'not detected'} "
          f"(share threshold {summary['drift_share_threshold']})")
    if summary["not_supplied"]:
        print(f"{len(summary['not_supplied'])} columns not supplied (the batch brought "
              f"{', '.join(summary['supplied'])}): unknown, not counted as drift")
    score = summary["score"]
    if score["available"]:
        rate = score["approval_rate"]
        print(f"PSI of the score {score['psi']:.3f} ({score['band']}) against the reference of the model "
              f"{score['model']}; approval rate at its threshold {rate['reference']:.1%} -> {rate['current']:.1%}")
    for item in summary["psi"]["features"]:
        if item["psi"] is not None and item["band"] != "stable":
            print(f"  {item['feature']}: PSI {item['psi']:.3f} ({item['band']})")
    print(f"report: {html_path}")
    return 0


def _compare(args: argparse.Namespace) -> tuple[dict, Path]:
    """The drift's summary and where its report is."""
    from engine.drift import DriftConfig

    config = DriftConfig(top_features=args.top)
    if len(args.target) == 1 and args.target[0].isdigit():
        from storage.drift_runs import reports_dir, run_batch_drift

        store = context.store(args)
        run = run_batch_drift(store, context.scorer(args).bundle, int(args.target[0]), context.ProgressLine(), config,
                              args.lang)
        html_path = reports_dir(store) / run.report_name
        if args.html:
            html_path = Path(shutil.copyfile(html_path, args.html))
        return run.summary, html_path
    from engine.drift import drift_frame, run_drift
    from engine.readers import read_tables

    bundle = context.scorer(args).bundle
    tables = read_tables(args.target if len(args.target) > 1 else args.target[0], application=args.application)
    current = drift_frame(bundle, tables.frames)
    result = run_drift(bundle, current, config=config, supplied=frozenset(tables.frames), lang=args.lang,
                       batch=", ".join(Path(name).name for name in args.target))
    return result.summary, result.write_html(args.html or "drift-report.html")


def register(verb: Verb) -> None:
    p = verb("drift", "compare a stored batch (its number) or client files with the training data")
    p.add_argument("target", nargs="+", help="a batch number, or client files (folder, .zip, CSV, Parquet)")
    p.add_argument("--html", help="write the HTML report here too")
    p.add_argument("--top", type=int, default=30, help="how many top features of the model to compare (default 30)")
    bundle_options(p)
    application_option(p)
    lang_option(p, "language of the report's header and of why a batch cannot be compared")
    p.set_defaults(func=cmd_drift)
