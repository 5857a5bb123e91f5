"""What the store holds, read back: ``clients``, a client's ``memo``, the officers' ``decisions``, ``batches`` and
their ``export``."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from desktop.cli import context
from desktop.cli.options import Verb
from desktop.i18n import percent, t, timestamp

log = logging.getLogger("creditscore")


def cmd_clients(args: argparse.Namespace) -> int:
    store, lang = context.store(args), args.lang
    if args.id is not None:
        return _print_client(store, context.scorer(args), args.id, lang)
    found = store.find_clients(
        decision=args.decision, grade=args.grade, batch=args.batch, status=args.status, since=args.since,
        until=args.until, limit=args.limit,
    )
    print(t("cli.clients_row", lang, id="SK_ID_CURR", batch=t("clients.col_batch", lang), when=t("cli.col_scored", lang),
            pd="PD", decision=t("clients.col_decision", lang), grade=t("cli.col_grade", lang),
            points=t("clients.col_points", lang), model=t("model.col_model", lang), officer=t("clients.col_officer", lang)))
    for row in found.iter_rows(named=True):
        officer = "–"
        if row["OFFICER_DECISION"]:
            officer = _decision(row["OFFICER_DECISION"], lang) + (
                f" ({t('clients.override', lang)})" if row["OVERRIDE"] else "")
        print(t("cli.clients_row", lang, id=row["SK_ID_CURR"], batch=row["BATCH"], when=timestamp(row["SCORED_AT"], lang),
                pd=percent(row["PD"], lang, 2), decision=_decision(row["DECISION"], lang), grade=row["GRADE"],
                points=row["POINTS"], model=t(f"model.coverage_{row['MODEL']}", lang), officer=officer))
    print(t("cli.clients_shown", lang, n=found.height))
    return 0


def _decision(decision: str, lang: str) -> str:
    """The model's or the officer's decision in a word (the client page's)."""
    return t("clients.granted" if decision == "accept" else "clients.refused", lang)


def _print_client(store, scorer, sk_id: int, lang: str) -> int:
    """The client's latest score, the model that made it and its reasons in ``lang``, as the scorer words them."""
    from engine.coverage_words import scored_with

    record = store.client(sk_id)
    if record is None:
        print(t("cli.no_client", lang, command="clients", id=sk_id, home=store.home), file=sys.stderr)
        return 1
    score = record.score
    print(t("cli.client_batches", lang, id=sk_id, first=record.first_batch_id, last=record.last_batch_id))
    print(t("cli.client_score", lang, pd=percent(score.pd, lang, 2), decision=_decision(score.decision, lang),
            grade=score.grade, points=score.points, when=timestamp(score.scored_at, lang), bundle=score.bundle_id[:12]))
    print(scored_with(scorer.bundle, score.model, score.supplied, lang, score.bundle_id))
    for title, reasons in (("cli.reasons_against", score.against), ("cli.reasons_favour", score.favour)):
        print(t(title, lang))
        for reason in reasons:
            print(f"  - {scorer.words.text(reason, lang)}")
    if record.decision is not None:
        d = record.decision
        print(t("cli.client_decision", lang, decision=_decision(d.decision, lang), officer=d.officer,
                when=timestamp(d.decided_at, lang)) + (f" ({d.override_reason})" if d.override_reason else ""))
    return 0


def cmd_memo(args: argparse.Namespace) -> int:
    """The client's credit memo (HTML to print), with the what-if of ``--what-if FIELD=VALUE`` if given."""
    from desktop.memo import UnknownClient, render_memo

    raw = dict(item.partition("=")[::2] for item in args.what_if)
    store, lang = context.store(args), args.lang
    try:
        page = render_memo(store, context.scorer(args), args.id, raw, lang)
    except UnknownClient:
        print(t("cli.no_client", lang, command="memo", id=args.id, home=store.home), file=sys.stderr)
        return 1
    if isinstance(page, list):
        for error in page:
            log.error("creditscore memo: --what-if %s: %s", error.field, error.message(lang))
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(t("cli.memo_written", lang, id=args.id, path=out))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from storage.export import export_batch

    written = export_batch(context.store(args), args.batch, args.out, context.scorer(args), excel_fr=args.excel_fr)
    print(t("cli.batch_exported", args.lang, batch=args.batch, n=written, path=args.out))
    return 0


def cmd_decisions(args: argparse.Namespace) -> int:
    from storage.export import export_decisions

    written = export_decisions(context.store(args), args.out, context.scorer(args), args.lang, args.format)
    print(t("cli.decisions_exported", args.lang, n=written, path=args.out))
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    lang = args.lang
    for row in context.store(args).batches().iter_rows(named=True):
        print(t("cli.batch_row", lang, batch=row["BATCH"], kind=t(f"drift.kind_{row['KIND']}", lang),
                when=timestamp(row["FINISHED"], lang), n=row["CLIENTS"], new=row["NEW_CLIENTS"],
                status=t("cli.status_" + row["STATUS"].replace(" ", "_"), lang), user=row["OS_USER"], files=row["FILES"]))
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
    p.set_defaults(func=cmd_clients)

    p = verb("memo", "write a client's credit memo (one HTML page to print or save as PDF)")
    p.add_argument("id", type=int, help="client number (SK_ID_CURR)")
    p.add_argument("--out", required=True, help=".html file to write")
    p.add_argument("--what-if", nargs="*", default=[], metavar="FIELD=VALUE",
                   help="a what-if to include: AMT_INCOME_TOTAL, AMT_CREDIT, AMT_ANNUITY, AMT_GOODS_PRICE, "
                        "EMPLOYED_YEARS or CNT_CHILDREN with its value")
    p.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
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
    p.set_defaults(func=cmd_decisions)

    p = verb("batches", "list the imported batches")
    p.set_defaults(func=cmd_batches)
