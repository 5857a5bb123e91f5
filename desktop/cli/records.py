"""What the store holds, read back: ``clients``, a client's ``memo``, the officers' ``decisions``, ``batches`` and
their ``export``."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from desktop.cli import context
from desktop.cli.options import Verb, lang_option
from engine.formats import counted

log = logging.getLogger("creditscore")


def cmd_clients(args: argparse.Namespace) -> int:
    store = context.store(args)
    if args.id is not None:
        return _print_client(store, context.scorer(args), args.id, args.lang)
    found = store.find_clients(
        decision=args.decision, grade=args.grade, batch=args.batch, status=args.status, since=args.since,
        until=args.until, limit=args.limit,
    )
    print(f"{'SK_ID_CURR':>10}  {'batch':>5}  {'scored at':<25}  {'PD':>7}  {'decision':<8}  grade  points  officer")
    for row in found.iter_rows(named=True):
        officer = (row["OFFICER_DECISION"] + (" (override)" if row["OVERRIDE"] else "")) if row["OFFICER_DECISION"] else "-"
        print(f"{row['SK_ID_CURR']:>10}  {row['BATCH']:>5}  {row['SCORED_AT']:<25}  {row['PD']:>7.2%}  "
              f"{row['DECISION']:<8}  {row['GRADE']:^5}  {row['POINTS']:>6}  {officer}")
    print(f'{counted(found.height, "en", "client", "clients")} shown')
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
    store = context.store(args)
    try:
        page = render_memo(store, context.scorer(args), args.id, raw, args.lang)
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

    written = export_batch(context.store(args), args.batch, args.out, context.scorer(args), excel_fr=args.excel_fr)
    print(f"batch {args.batch}: {written:,} clients written to {args.out}")
    return 0


def cmd_decisions(args: argparse.Namespace) -> int:
    from storage.export import export_decisions

    written = export_decisions(context.store(args), args.out, context.scorer(args).words, args.lang, args.format)
    print(f'{counted(written, "en", "decision", "decisions")} written to {args.out}')
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    batches = context.store(args).batches()
    for row in batches.iter_rows(named=True):
        print(f"batch {row['BATCH']:>4}  {row['KIND']:<6}  {row['FINISHED']}  {row['CLIENTS']:>8,} clients "
              f"({row['NEW_CLIENTS']:,} new)  {row['STATUS']:<22}  {row['OS_USER']}  {row['FILES']}")
    return 0


def register(verb: Verb) -> None:
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
    lang_option(p, "language of the model's description and the reasons")
    p.set_defaults(func=cmd_clients)

    p = verb("memo", "write a client's credit memo (one HTML page to print or save as PDF)")
    p.add_argument("id", type=int, help="client number (SK_ID_CURR)")
    p.add_argument("--out", required=True, help=".html file to write")
    p.add_argument("--what-if", nargs="*", default=[], metavar="FIELD=VALUE",
                   help="a what-if to include: AMT_INCOME_TOTAL, AMT_CREDIT, AMT_ANNUITY, AMT_GOODS_PRICE, "
                        "EMPLOYED_YEARS or CNT_CHILDREN with its value")
    p.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
    lang_option(p, "language of the memo")
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
    lang_option(p, "language of the reasons in words")
    p.set_defaults(func=cmd_decisions)

    p = verb("batches", "list the imported batches")
    p.set_defaults(func=cmd_batches)
