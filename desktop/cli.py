"""The ``creditscore`` command: each verb is a thin call into the engine."""

from __future__ import annotations

import argparse
import logging
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
log = logging.getLogger("creditscore")


def _write_table(frame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.write_parquet(out)
    else:
        frame.write_csv(out)


def cmd_train(args: argparse.Namespace) -> int:
    from engine.features import unknown_columns
    from engine.schema import PROTECTED
    from engine.train_bundle import train_bundle
    from engine.training import TrainingConfig

    exclude = PROTECTED if args.exclude is None else tuple(args.exclude)
    unknown = unknown_columns(exclude)
    if unknown:
        log.error("creditscore train: --exclude %s: no table has such a column", ", ".join(unknown))
        return 2
    bundle = train_bundle(args.data, args.out, TrainingConfig(seed=args.seed, exclude=exclude))
    metrics = bundle.manifest.metrics
    for name, m in metrics.variants.items():
        log.info(
            "%-9s OOF ROC AUC %.4f ± %.4f | cost @0.5 %d | cost @%.3f %d | cross-fitted cost %.0f",
            name, m["roc_auc_mean"], m["roc_auc_std"], m["at_0_5"]["business_cost"], m["at_threshold"]["threshold"],
            m["at_threshold"]["business_cost"], m["cross_fitted_cost_mean"],
        )
    for name, model in bundle.models.items():
        m = model.metrics
        log.info(
            "model %-11s OOF ROC AUC %.4f ± %.4f | threshold %.4f | mean PD %.4f (default rate %.4f)",
            name, m.roc_auc_mean, m.roc_auc_std, model.threshold, m.mean_pd, m.default_rate,
        )
    log.info(
        "shipped %s without %s, Brier %.4f (cross-fitted, full history), bundle %s in %.0f s",
        metrics.shipped, ", ".join(metrics.exclude) or "exclusions",
        metrics.calibration["brier_calibrated_cross_fitted"], args.out, metrics.training_seconds,
    )
    log.info(
        "the bundle is not signed: the app and the scoring commands use it once a risk team signs it "
        "(creditscore sign %s --key KEY) and its public key is trusted (--trust KEY.pub); see docs/signing.md",
        args.out,
    )
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from engine.signing import new_key_pair

    pair = new_key_pair(Path(args.folder), args.name)
    print(f"key {pair.key_id}")
    print(f"private key (keep it secret, never ship it): {pair.private}")
    print(f"public key (give it to the officers' machines, --trust): {pair.public}")
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from engine.signing import SIGNATURE_FILE, sign_bundle

    record = sign_bundle(Path(args.bundle), Path(args.key))
    print(f"bundle {args.bundle} (manifest {record['manifest_sha256'][:12]}) signed by key {record['key_id']}: "
          f"{Path(args.bundle) / SIGNATURE_FILE}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from engine.coverage_words import scored_with
    from engine.readers import read_tables
    from engine.resources import demo_batch
    from engine.scoring import REFUSE

    started = time.perf_counter()
    scorer = _scorer(args)
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


class _ProgressLine:
    """Prints import progress to stderr: every stage change, then at most once a second."""

    UNITS = {"validated": "rows", "scored": "clients", "stored": "rows"}

    def __init__(self) -> None:
        self.stage, self.shown = "", 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        clock = time.monotonic()
        if stage == self.stage and done < total and clock - self.shown < 1:
            return
        self.stage, self.shown = stage, clock
        print(f"  {stage} {done:,}/{total:,} {self.UNITS.get(stage, '')}", file=sys.stderr, flush=True)


def _store(args: argparse.Namespace):
    """The officer's client store (``--home``); the demo clients live apart (``storage.demo``), in the app."""
    from storage.store import ClientStore

    return ClientStore(args.home)


def _store_path(args: argparse.Namespace) -> Path:
    from storage.paths import DATABASE_FILE, data_home

    return data_home(args.home) / DATABASE_FILE


def _scorer(args: argparse.Namespace):
    """The scorer of ``--bundle`` (default: the shipped one), refused unless shipped or signed by a trusted key."""
    from engine.resources import default_bundle
    from engine.scoring import Scorer
    from engine.signing import load_trusted_bundle

    bundle = getattr(args, "bundle", None) or default_bundle()
    return Scorer(load_trusted_bundle(bundle, getattr(args, "trust", ())))


def cmd_import(args: argparse.Namespace) -> int:
    from engine.coverage_words import scored_with
    from storage.importer import import_files

    store, scorer = _store(args), _scorer(args)
    result = import_files(store, args.files, scorer, application=args.application, progress=_ProgressLine())
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

    result = rebuild(args.home, _scorer(args), progress=_ProgressLine())
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


def cmd_clients(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.id is not None:
        return _print_client(store, _scorer(args), args.id, args.lang)
    found = store.find_clients(
        decision=args.decision, grade=args.grade, batch=args.batch, status=args.status, since=args.since,
        until=args.until, limit=args.limit,
    )
    print(f"{'SK_ID_CURR':>10}  {'batch':>5}  {'scored at':<25}  {'PD':>7}  {'decision':<8}  grade  points  officer")
    for row in found.iter_rows(named=True):
        officer = (row["OFFICER_DECISION"] + (" (override)" if row["OVERRIDE"] else "")) if row["OFFICER_DECISION"] else "-"
        print(f"{row['SK_ID_CURR']:>10}  {row['BATCH']:>5}  {row['SCORED_AT']:<25}  {row['PD']:>7.2%}  "
              f"{row['DECISION']:<8}  {row['GRADE']:^5}  {row['POINTS']:>6}  {officer}")
    print(f"{found.height:,} client{'s' if found.height != 1 else ''} shown")
    return 0


def _print_client(store, scorer, sk_id: int, lang: str) -> int:
    """The client's latest score, the model that made it and its reasons in ``lang``, as the scorer words them."""
    from engine.coverage_words import scored_with

    record = store.client(sk_id)
    if record is None:
        print(f"creditscore clients: no client {sk_id} in {store.home}", file=sys.stderr)
        return 1
    score = record.score
    print(f"client {sk_id}: first seen in batch {record.first_batch_id}, latest batch {record.last_batch_id}")
    print(f"PD {score.pd:.2%}, {score.decision}, grade {score.grade}, {score.points} points "
          f"(scored {score.scored_at}, bundle {score.bundle_id[:12]}, model {score.model})")
    print(scored_with(scorer.bundle, score.model, score.supplied, lang, score.bundle_id))
    for title, reasons in (("against", score.against), ("in favour", score.favour)):
        print(f"reasons {title}:")
        for reason in reasons:
            print(f"  - {scorer.words.text(reason, lang)}")
    if record.decision is not None:
        d = record.decision
        print(f"officer's decision: {d.decision} by {d.officer} on {d.decided_at}"
              + (f" ({d.override_reason})" if d.override_reason else ""))
    return 0


def cmd_memo(args: argparse.Namespace) -> int:
    """The client's credit memo (HTML to print), with the what-if of ``--what-if FIELD=VALUE`` if given."""
    from desktop.memo import UnknownClient, render_memo

    raw = dict(item.partition("=")[::2] for item in args.what_if)
    store = _store(args)
    try:
        page = render_memo(store, _scorer(args), args.id, raw, args.lang)
    except UnknownClient:
        print(f"creditscore memo: no client {args.id} in {store.home}", file=sys.stderr)
        return 1
    if isinstance(page, list):
        for error in page:
            log.error("creditscore memo: --what-if %s: %s", error.field, error.message(args.lang))
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"memo of client {args.id} written to {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from storage.export import export_batch

    written = export_batch(_store(args), args.batch, args.out, _scorer(args), excel_fr=args.excel_fr)
    print(f"batch {args.batch}: {written:,} clients written to {args.out}")
    return 0


def cmd_decisions(args: argparse.Namespace) -> int:
    from storage.export import export_decisions

    written = export_decisions(_store(args), args.out, _scorer(args).words, args.lang, args.format)
    print(f"{written:,} decision{'s' if written != 1 else ''} written to {args.out}")
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    batches = _store(args).batches()
    for row in batches.iter_rows(named=True):
        print(f"batch {row['BATCH']:>4}  {row['KIND']:<6}  {row['FINISHED']}  {row['CLIENTS']:>8,} clients "
              f"({row['NEW_CLIENTS']:,} new)  {row['STATUS']:<22}  {row['OS_USER']}  {row['FILES']}")
    return 0


def cmd_scale_data(args: argparse.Namespace) -> int:
    from tools.scaling import scale_data_cli

    rows = scale_data_cli(args.clients, Path(args.out), seed=args.seed, source=args.source and Path(args.source))
    for name, count in rows.items():
        print(f"{name}: {count:,} rows")
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    """Drift of a stored batch (recorded in the store) or of client files (not stored)."""
    from engine.drift import DriftConfig

    config = DriftConfig(top_features=args.top)
    if len(args.target) == 1 and args.target[0].isdigit():
        from storage.drift_runs import reports_dir, run_batch_drift

        store = _store(args)
        run = run_batch_drift(store, _scorer(args).bundle, int(args.target[0]), _ProgressLine(), config)
        summary, html_path = run.summary, reports_dir(store) / run.report_name
        if args.html:
            shutil.copyfile(html_path, args.html)
            html_path = Path(args.html)
    else:
        from engine.drift import drift_frame, run_drift
        from engine.readers import read_tables

        bundle = _scorer(args).bundle
        tables = read_tables(args.target if len(args.target) > 1 else args.target[0], application=args.application)
        current = drift_frame(bundle, tables.frames)
        result = run_drift(bundle, current, config=config, supplied=frozenset(tables.frames))
        summary, html_path = result.summary, Path(args.html or "drift-report.html")
        result.write_html(html_path)
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


def cmd_app(args: argparse.Namespace) -> int:
    from desktop.window import run_browser, run_window
    from engine.resources import default_bundle

    bundle = Path(args.bundle) if args.bundle else default_bundle()
    trust = tuple(map(Path, args.trust))
    if args.browser:
        run_browser(args.home, bundle, args.port, trust=trust)
        return 0
    gui = "qt" if sys.platform.startswith("linux") else None  # WebView2 / WebKit elsewhere
    smoke = Path(args.smoke) if args.smoke else None
    return run_window(args.home, bundle, gui=gui, smoke=smoke, port=args.port, log_file=args.log_file, trust=trust)


def _bundle_options(parser: argparse.ArgumentParser) -> None:
    """``--bundle`` and ``--trust``, for the verbs that score with a model."""
    parser.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
    parser.add_argument(
        "--trust", action="append", default=[], metavar="PUBKEY",
        help="also accept bundles signed by this public key (a .pub file or a folder of them; repeatable)",
    )


def _lang_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--lang", choices=["fr", "en"], default="en", help=what)


def _global_options(after_verb: bool = False) -> argparse.ArgumentParser:
    """The options every verb takes, before or after it; after it, an absent one leaves the value before it."""
    keep = {"default": argparse.SUPPRESS} if after_verb else {}
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("-v", "--verbose", action="store_true", help="more log output", **keep)
    options.add_argument(
        "--home", help="folder of the client store (default: $CREDITSCORE_HOME, else the user data folder)", **keep
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="creditscore", description="Offline credit scoring (Home Credit, LightGBM).", parents=[_global_options()]
    )
    subparsers = parser.add_subparsers(dest="verb")
    after_verb = _global_options(after_verb=True)

    def verb(name: str, help: str) -> argparse.ArgumentParser:
        return subparsers.add_parser(name, help=help, parents=[after_verb])

    p = verb("app", "open the application window (the default; the bundled model, the user's store)")
    p.add_argument("--browser", action="store_true", help="serve for a browser instead of opening a window")
    p.add_argument("--port", type=int, default=0, help="port of the app and its local API (default: a free one)")
    _bundle_options(p)
    p.add_argument("--smoke", metavar="FILE", help="self-check: open, score through the API, write FILE, close")
    p.set_defaults(func=cmd_app)

    p = verb("train", "train the three variants and write a model bundle")
    p.add_argument("--data", required=True, help="folder, .zip or files of application_train and its history")
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--exclude", nargs="*", metavar="COL",
                   help="raw columns that must not be model inputs (default: the protected attribute, sex; "
                        "--exclude alone: none)")
    p.set_defaults(func=cmd_train)

    p = verb("keygen", "create an Ed25519 key pair to sign model bundles with")
    p.add_argument("folder", help="folder to write NAME.key (private, mode 0600) and NAME.pub (public) into")
    p.add_argument("--name", default="signing", help="file name of the keys (default: signing)")
    p.set_defaults(func=cmd_keygen)

    p = verb("sign", "sign a model bundle with a private key (writes signature.json in it)")
    p.add_argument("bundle", help="model bundle folder (its hashes are checked first)")
    p.add_argument("--key", required=True, help="private key file (from creditscore keygen)")
    p.set_defaults(func=cmd_sign)

    p = verb("score", "score client files (default: the bundled demo batch)")
    p.add_argument("files", nargs="*", help="folder, .zip or table files (CSV, CSV.gz, Parquet)")
    p.add_argument("--out", help="write the scores to this .csv or .parquet file")
    _bundle_options(p)
    p.add_argument("--application", choices=["train", "test"], help="which application file when several are given")
    _lang_option(p, "language of the model's description")
    p.set_defaults(func=cmd_score)

    p = verb("import", "validate, score and store client files in the client store")
    p.add_argument("files", nargs="+", help="the application file alone or with history tables (files, folder, .zip)")
    _bundle_options(p)
    p.add_argument("--application", choices=["train", "test"], help="which application file when several are given")
    _lang_option(p, "language of the model's description")
    p.set_defaults(func=cmd_import)

    p = verb("rebuild", "keep the store aside and recreate it from the imported files and the journal")
    _bundle_options(p)
    p.set_defaults(func=cmd_rebuild)

    p = verb("clients", "find clients in the store (latest score unless --batch)")
    p.add_argument("--id", type=int, help="show one client with the reasons of its latest score")
    p.add_argument("--decision", choices=["accept", "refuse"], help="the model's decision")
    p.add_argument("--grade", choices=list("ABCDE"))
    p.add_argument("--batch", type=int, help="the clients scored in this batch, with that score")
    p.add_argument("--status", choices=["awaiting", "decided", "override"],  # storage.client_query.STATUSES
                   help="awaiting: no officer's decision on the score; decided; override: the latest decision goes against the model")
    p.add_argument("--since", type=date.fromisoformat, help="scored on or after this day (YYYY-MM-DD)")
    p.add_argument("--until", type=date.fromisoformat, help="scored on or before this day (YYYY-MM-DD)")
    p.add_argument("--limit", type=int, default=50, help="at most this many clients (default 50)")
    p.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
    _lang_option(p, "language of the model's description and the reasons")
    p.set_defaults(func=cmd_clients)

    p = verb("memo", "write a client's credit memo (one HTML page to print or save as PDF)")
    p.add_argument("id", type=int, help="client number (SK_ID_CURR)")
    p.add_argument("--out", required=True, help=".html file to write")
    p.add_argument("--what-if", nargs="*", default=[], metavar="FIELD=VALUE",
                   help="a what-if to include: AMT_INCOME_TOTAL, AMT_CREDIT, AMT_ANNUITY, AMT_GOODS_PRICE, "
                        "EMPLOYED_YEARS or CNT_CHILDREN with its value")
    p.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
    _lang_option(p, "language of the memo")
    p.set_defaults(func=cmd_memo)

    p = verb("export", "export a batch with its scores as CSV or Parquet")
    p.add_argument("batch", type=int, help="batch number (see: creditscore batches)")
    p.add_argument("--out", required=True, help=".csv or .parquet file to write")
    p.add_argument("--excel-fr", action="store_true", help="CSV for Excel in French: ';', decimal comma, UTF-8 BOM")
    p.add_argument("--bundle", help="model bundle folder whose figures describe the models (default: the bundled model)")
    p.set_defaults(func=cmd_export)

    p = verb("decisions", "export every officer's decision with what the officer saw")
    p.add_argument("--out", required=True, help=".csv or .parquet file to write")
    p.add_argument("--format", choices=["csv", "excel-fr", "parquet"], help="csv, excel-fr (';', decimal comma, UTF-8 BOM) or parquet "
                   "(default: by the file's extension)")
    p.add_argument("--bundle", help="model bundle folder whose words render the reasons (default: the bundled model)")
    _lang_option(p, "language of the reasons in words")
    p.set_defaults(func=cmd_decisions)

    p = verb("batches", "list the imported batches")
    p.set_defaults(func=cmd_batches)

    p = verb("drift", "compare a stored batch (its number) or client files with the training data")
    p.add_argument("target", nargs="+", help="a batch number, or client files (folder, .zip, CSV, Parquet)")
    p.add_argument("--html", help="write the HTML report here too")
    p.add_argument("--top", type=int, default=30, help="how many top features of the model to compare (default 30)")
    _bundle_options(p)
    p.add_argument("--application", choices=["train", "test"], help="which application file when several are given")
    p.set_defaults(func=cmd_drift)

    p = verb("scale-data", "grow the real extract to N clients for benchmarks")
    p.add_argument("--clients", type=int, required=True, help="total clients (train and test, Kaggle proportions)")
    p.add_argument("--out", required=True, help="folder for the generated CSV files")
    p.add_argument("--source", help="the real extract (default: $CREDITSCORE_SHARED_DATA/home-credit, else "
                   "../shared/data/home-credit beside the source tree)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_scale_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; without one (a double-click on the app), ``app``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        args = parser.parse_args([*argv, "app"])
    from storage.paths import keep_private

    keep_private()  # before anything is written: the log, the store, imports and reports are the user's only
    args.log_file = _configure_logging(args)
    from engine.bundle import BundleError
    from engine.readers import InputError
    from storage.faults import store_fault
    from storage.paths import StoreError

    try:
        return args.func(args)
    except (InputError, BundleError, StoreError) as exc:
        log.error("creditscore %s: %s", args.verb, exc)
        return 2
    except (sqlite3.Error, OSError) as exc:  # damaged store, full disk, a lock held too long: said plainly
        fault = store_fault(exc, _store_path(args))
        if fault is None:
            log.exception("creditscore %s failed", args.verb)
            return 1
        log.error("creditscore %s: %s", args.verb, fault)
        return 2
    except ModuleNotFoundError as exc:  # the packaged app leaves out what only development verbs use
        log.error("creditscore %s: this installation does not include the Python module %r this command "
                  "needs; run it from a source installation", args.verb, exc.name)
        return 2
    except Exception:  # a windowed app has no console: the log file keeps what happened
        log.exception("creditscore %s failed", args.verb)
        return 1


def _configure_logging(args: argparse.Namespace) -> Path | None:
    """Log to stderr (when there is one: a windowed app has none) and, for the app, to a file in
    ``<user data folder>/logs/``; returns that file."""
    from logging.handlers import RotatingFileHandler

    from desktop.redaction import RedactingFilter
    from storage.paths import StoreError, create_home, log_file

    handlers: list[logging.Handler] = []
    if sys.stderr is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
    path = None
    if args.verb == "app":
        try:
            path = log_file(args.home)
            create_home(path.parent.parent)
            path.parent.mkdir(exist_ok=True)
            handlers.append(RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"))
        except (OSError, StoreError) as exc:  # the app still starts; the window says what is wrong
            path = None
            logging.getLogger(__name__).warning("no log file: %s", exc)
    for handler in handlers:
        handler.addFilter(RedactingFilter())
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers, force=True,
    )
    if path is not None:
        log.info("creditscore %s, log file %s", " ".join(sys.argv[1:]) or "app", path)
    return path


if __name__ == "__main__":
    sys.exit(main())
