"""``creditscore drift``: a stored batch (recorded in the store) or client files against the model's reference."""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.cli import context
from desktop.cli.options import Verb, application_option, bundle_options
from desktop.i18n import number, percent, t

if TYPE_CHECKING:
    from engine.bundle import Bundle

log = logging.getLogger("creditscore")


def cmd_drift(args: argparse.Namespace) -> int:
    """Drift of a stored batch (recorded in the store) or of client files (not stored), summed up in ``--lang``;
    a batch that cannot be compared is said in it too, exit 2."""
    from engine.drift import DriftError

    bundle = context.scorer(args).bundle
    try:
        summary, html_path = _compare(args, bundle)
    except DriftError as exc:
        log.error("creditscore drift: %s", exc.sentence(args.lang))
        return 2
    for line in summary_lines(summary, bundle, args.lang):
        print(line)
    print(t("cli.drift_report", args.lang, path=html_path))
    return 0


def summary_lines(summary: dict, bundle: Bundle, lang: str) -> list[str]:
    """The drift's warnings, verdict, the columns not supplied, the score's shift and the features to watch
    (named by ``bundle``'s pipeline), in ``lang``."""
    from engine.coverage_words import model_sentence, table_words
    from engine.drift import describe
    from engine.labels import feature_label

    lines = [describe(warning, lang) for warning in summary.get("warnings", [])]
    lines.append(t("cli.drift_verdict", lang, n=summary["n_drifted"], compared=summary["n_compared"],
                   share=number(summary["drift_share"], lang, 2),
                   threshold=number(summary["drift_share_threshold"], lang, 2),
                   verdict=t("cli.drift_detected" if summary["dataset_drift"] else "cli.drift_not_detected", lang)))
    if summary["not_supplied"]:
        lines.append(t("cli.drift_not_supplied", lang, n=len(summary["not_supplied"]),
                       tables=table_words(summary["supplied"], lang)))
    score = summary["score"]
    if score["available"]:
        rate = score["approval_rate"]
        lines.append(t("cli.drift_score", lang, psi=number(score["psi"], lang, 3), band=_band(score["band"], lang),
                       model=model_sentence(score["model"], None, lang), reference=percent(rate["reference"], lang),
                       current=percent(rate["current"], lang)))
    specs = bundle.pipeline.specs
    lines += [t("cli.drift_feature", lang, code=item["feature"], psi=number(item["psi"], lang, 3),
                band=_band(item["band"], lang),
                feature=feature_label(specs[item["feature"]], lang) if item["feature"] in specs else item["feature"])
              for item in summary["psi"]["features"] if item["psi"] is not None and item["band"] != "stable"]
    return lines


def _band(band: str, lang: str) -> str:
    """A PSI band in words (the drift page's)."""
    return t(f"drift.band_{band}", lang)


def _compare(args: argparse.Namespace, bundle: Bundle) -> tuple[dict, Path]:
    """The drift's summary and where its report is."""
    from engine.drift import DriftConfig

    config = DriftConfig(top_features=args.top)
    if len(args.target) == 1 and args.target[0].isdigit():
        from storage.drift_runs import reports_dir, run_batch_drift

        store = context.store(args)
        run = run_batch_drift(store, bundle, int(args.target[0]), context.ProgressLine(args.lang),
                              config, args.lang)
        html_path = reports_dir(store) / run.report_name
        if args.html:
            html_path = Path(shutil.copyfile(html_path, args.html))
        return run.summary, html_path
    from engine.drift import drift_frame, run_drift
    from engine.readers import read_tables

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
    p.set_defaults(func=cmd_drift)
