"""Client files through the model: ``score`` (nothing stored), ``import`` (stored), ``rebuild`` (the store again
from its imported files and journal)."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from desktop.cli import context
from desktop.cli.options import Verb, application_option, bundle_options, lang_option

log = logging.getLogger("creditscore")


def _write_table(frame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.write_parquet(out)
    else:
        frame.write_csv(out)


def cmd_score(args: argparse.Namespace) -> int:
    from engine.coverage_words import scored_with
    from engine.readers import read_tables
    from engine.resources import demo_batch
    from engine.scoring import REFUSE

    started = time.perf_counter()
    scorer = context.scorer(args)
    sources = args.files or [demo_batch()]
    tables = read_tables(sources if len(sources) > 1 else sources[0], application=args.application)
    for warning in tables.warnings:
        log.warning("%s", warning)
    supplied = frozenset(tables.frames)
    result = scorer.score_table(scorer.features(tables.frames), supplied=supplied)
    if args.out:
        _write_table(result, Path(args.out))
    n = result.height
    refused = int((result["DECISION"] == REFUSE).sum())
    grades = result["GRADE"].value_counts().sort("GRADE")
    model = scorer.bundle.model_for(supplied)
    print(f"{n} clients scored in {time.perf_counter() - started:.1f} s with bundle {scorer.bundle.id[:12]}")
    print(scored_with(scorer.bundle, model.name, supplied, args.lang))
    print(f"threshold {model.threshold:.4f}: {n - refused} accepted, {refused} refused ({refused / max(n, 1):.1%})")
    print(f"mean PD {result['PD'].mean():.2%}; grades " + ", ".join(f"{g} {c}" for g, c in grades.iter_rows()))
    if args.out:
        print(f"written to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from engine.coverage_words import scored_with
    from storage.importer import import_files

    store, scorer = context.store(args), context.scorer(args)
    result = import_files(store, args.files, scorer, application=args.application, progress=context.ProgressLine())
    for line in result.report.lines():
        print(line)
    print(
        f"batch {result.batch_id}: {result.clients:,} clients scored and stored ({result.new_clients:,} new) "
        f"in {result.seconds:.1f} s; store {store.home}"
    )
    print(scored_with(scorer.bundle, result.model, result.supplied, args.lang))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from storage.rebuild import rebuild

    result = rebuild(args.home, context.scorer(args), progress=context.ProgressLine())
    print(f"previous store kept in {result.kept}")
    print(f"{len(result.batches)} batches imported again ({', '.join(map(str, result.batches)) or 'none'}); "
          f"{result.decisions:,} decisions restored from the journal")
    for batch, bundle in result.rescored.items():
        print(f"batch {batch} had been scored with bundle {bundle[:12]}, no longer the one in use: "
              "scored with the bundle in use")
    if result.without_origin:
        print(f"batches {', '.join(map(str, result.without_origin))} were imported by an older creditscore: "
              "imported again as of now")
    for batch, reason in result.refused.items():
        log.error("creditscore rebuild: batch %d not imported again: %s", batch, reason)
    if result.lost_decisions:
        log.error("creditscore rebuild: decisions %s not restored: their batch is not back",
                  ", ".join(map(str, result.lost_decisions)))
    return 2 if result.refused or result.lost_decisions else 0


def register(verb: Verb) -> None:
    p = verb("score", "score client files (default: the bundled demo batch)")
    p.add_argument("files", nargs="*", help="folder, .zip or table files (CSV, CSV.gz, Parquet)")
    p.add_argument("--out", help="write the scores to this .csv or .parquet file")
    bundle_options(p)
    application_option(p)
    lang_option(p, "language of the model's description")
    p.set_defaults(func=cmd_score)

    p = verb("import", "validate, score and store client files in the client store")
    p.add_argument("files", nargs="+", help="the application file alone or with history tables (files, folder, .zip)")
    bundle_options(p)
    application_option(p)
    lang_option(p, "language of the model's description")
    p.set_defaults(func=cmd_import)

    p = verb("rebuild", "keep the store aside and recreate it from the imported files and the journal")
    bundle_options(p)
    p.set_defaults(func=cmd_rebuild)
