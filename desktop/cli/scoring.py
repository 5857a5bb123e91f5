"""Client files through the model: ``score`` (nothing stored), ``import`` (stored), ``rebuild`` (the store again
from its imported files and journal)."""

from __future__ import annotations

import argparse
import logging
import time

from desktop.cli import context
from desktop.cli.options import Verb, application_option, bundle_options
from desktop.cli.words import problem_lines, report_lines
from desktop.i18n import number, percent, t

log = logging.getLogger("creditscore")


def cmd_score(args: argparse.Namespace) -> int:
    from engine.coverage_words import scored_with
    from engine.readers import read_tables
    from engine.resources import demo_batch
    from engine.scoring import REFUSE
    from storage.export import export_format, with_model_words, write_file

    started = time.perf_counter()
    fmt = export_format(args.out) if args.out else None  # a wrong suffix is refused before scoring
    scorer = context.scorer(args)
    sources = args.files or [demo_batch()]
    tables = read_tables(sources if len(sources) > 1 else sources[0], application=args.application)
    for warning in tables.warnings:
        log.warning("%s", warning)
    supplied = frozenset(tables.frames)
    result = scorer.score_table(scorer.features(tables.frames), supplied=supplied)
    if args.out:
        write_file(with_model_words(result, scorer.bundle, supplied), args.out, fmt)
    n, lang = result.height, args.lang
    refused = int((result["DECISION"] == REFUSE).sum())
    grades = result["GRADE"].value_counts().sort("GRADE")
    model = scorer.bundle.model_for(supplied)
    print(t("cli.scored", lang, n=n, seconds=number(time.perf_counter() - started, lang, 1), bundle=scorer.bundle.id[:12]))
    print(scored_with(scorer.bundle, model.name, supplied, lang))
    print(t("cli.score_decisions", lang, threshold=number(model.threshold, lang, 4), accepted=n - refused,
            refused=refused, share=percent(refused / max(n, 1), lang)))
    print(t("cli.score_grades", lang, pd=percent(result["PD"].mean(), lang, 2),
            grades=", ".join(t("imports.grade_count", lang, grade=g, n=c) for g, c in grades.iter_rows())))
    if args.out:
        print(t("cli.written", lang, path=args.out))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from engine.coverage_words import scored_with
    from storage.importer import import_files

    store, scorer, lang = context.store(args), context.scorer(args), args.lang
    result = import_files(store, args.files, scorer, application=args.application,
                          progress=context.ProgressLine(lang))
    report = result.report
    for line in report_lines(report.rows, report.skipped, report.problems, lang):
        print(line)
    print(t("cli.imported", lang, batch=result.batch_id, n=result.clients, new=result.new_clients,
            seconds=number(result.seconds, lang, 1), home=store.home))
    print(scored_with(scorer.bundle, result.model, result.supplied, lang))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from storage.rebuild import rebuild

    lang = args.lang
    result = rebuild(args.home, context.scorer(args), progress=context.ProgressLine(lang))
    print(t("cli.rebuild_kept", lang, path=result.kept))
    print(t("cli.rebuild_batches", lang, n=len(result.batches), batches=", ".join(map(str, result.batches)) or "–",
            decisions=result.decisions))
    for batch, bundle in result.rescored.items():
        print(t("cli.rebuild_rescored", lang, batch=batch, bundle=bundle[:12]))
    if result.without_origin:
        print(t("cli.rebuild_without_origin", lang, batches=", ".join(map(str, result.without_origin))))
    for batch, error in result.refused.items():
        log.error("creditscore rebuild: %s", "\n".join([t("cli.rebuild_refused", lang, batch=batch),
                                                         *problem_lines(error, lang)]))
    if result.lost_decisions:
        log.error("creditscore rebuild: %s", t("cli.rebuild_lost", lang,
                                                 decisions=", ".join(map(str, result.lost_decisions))))
    return 2 if result.refused or result.lost_decisions else 0


def register(verb: Verb) -> None:
    p = verb("score", "score client files (default: the bundled demo batch)")
    p.add_argument("files", nargs="*", help="folder, .zip or table files (CSV, CSV.gz, Parquet)")
    p.add_argument("--out", help="write the scores to this .csv or .parquet file")
    bundle_options(p)
    application_option(p)
    p.set_defaults(func=cmd_score)

    p = verb("import", "validate, score and store client files in the client store")
    p.add_argument("files", nargs="+", help="the application file alone or with history tables (files, folder, .zip)")
    bundle_options(p)
    application_option(p)
    p.set_defaults(func=cmd_import)

    p = verb("rebuild", "keep the store aside and recreate it from the imported files and the journal")
    bundle_options(p)
    p.set_defaults(func=cmd_rebuild)
