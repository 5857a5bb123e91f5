"""The credit memo: one to two printed pages for the client's file, in the display language.

What the application asks (client number, amount, annuity, term, goods price, income…), the
model's PD, grade, points, decision and threshold, the model that scored it, the reasons in plain
words, the what-if asked (if any: its values, PD, decision and the largest credit / shortest term),
the officer's latest decision and reason, and the date. Rendered from the Jinja2 template
``resources/templates/memo.html.j2``: one self-contained HTML page (inline CSS, ``@page`` for A4,
no URL outside it) that the app serves at ``/memo/<id>`` (query: the what-if's fields) and
``creditscore memo ID --out FILE`` writes. Its print button calls ``window.print()``, which the Qt
window answers with a PDF (:mod:`desktop.memo_print`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime, timezone

from flask import Flask, Response, request

from desktop import whatif
from desktop.context import context
from desktop.i18n import current_lang, money, number, percent, t, timestamp
from desktop.widgets import decision_word
from engine.coverage_words import scored_with
from engine.constants import DAYS_NOT_APPLICABLE
from engine.formats import duration
from engine.labels import level_label
from engine.scoring import Scorer
from engine.templates import render
from engine.whatif_edits import FieldError
from storage.store import ClientStore

log = logging.getLogger(__name__)

TEMPLATE = "memo.html.j2"
#: The page's only script: its print button (allowed by its hash, nothing else runs); in the Qt window
#: ``window.print()`` reaches :mod:`desktop.qt_print` through Qt WebEngine, with no bridge to Python.
PRINT_SCRIPT = 'document.getElementById("print").addEventListener("click", () => window.print());'
_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def policy() -> str:
    """The memo's Content-Security-Policy: inline styles, and the print button's script by its hash."""
    digest = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()
    return _POLICY.format(digest=digest)


class UnknownClient(KeyError):
    """No such client in the store."""


def _years(days: object, lang: str) -> str:
    if days is None:
        return "–"
    if days >= DAYS_NOT_APPLICABLE:
        return t("clients.not_applicable", lang)
    return duration(float(days), lang)


def _term(application: Mapping[str, object], lang: str) -> str:
    credit, annuity = application.get("AMT_CREDIT"), application.get("AMT_ANNUITY")
    if not credit or not annuity:
        return "–"
    return t("interpretation.months", lang, n=number(float(credit) / float(annuity), lang, decimals=1))


def _facts(application: Mapping[str, object], lang: str) -> list[tuple[str, str]]:
    """What the application asks and says about the client, as (label, value) rows."""
    contract = application.get("NAME_CONTRACT_TYPE")
    return [
        (t("clients.contract", lang), level_label("NAME_CONTRACT_TYPE", contract, lang) if contract else "–"),
        (t("clients.credit", lang), money(application.get("AMT_CREDIT"), lang)),
        (t("clients.annuity", lang), money(application.get("AMT_ANNUITY"), lang)),
        (t("memo.term", lang), _term(application, lang)),
        (t("clients.goods", lang), money(application.get("AMT_GOODS_PRICE"), lang)),
        (t("clients.income", lang), money(application.get("AMT_INCOME_TOTAL"), lang)),
        (t("clients.employment", lang), _years(application.get("DAYS_EMPLOYED"), lang)),
        (t("clients.age", lang), _years(application.get("DAYS_BIRTH"), lang)),
        (t("clients.children", lang), number(application.get("CNT_CHILDREN"), lang)),
    ]


def _edited(result: whatif.WhatIf, lang: str) -> list[tuple[str, str]]:
    """The what-if's changed fields as (label, value) rows."""
    return [(t(whatif.FIELD_LABELS[name], lang), number(value, lang, decimals=0 if float(value).is_integer() else 1))
            for name, value in result.edits.items()]


def render_memo(store: ClientStore, scorer: Scorer, sk_id_curr: int, raw_edits: Mapping[str, object],
                lang: str, now: datetime | None = None) -> str | list[FieldError]:
    """The memo of client ``sk_id_curr`` in ``lang`` with the what-if of ``raw_edits`` (none: no what-if);
    the field errors instead when a what-if field is wrong. UnknownClient if the store lacks the client."""
    record = store.client(sk_id_curr)
    if record is None:
        raise UnknownClient(sk_id_curr)
    result = whatif.answer(store, scorer, sk_id_curr, raw_edits) if raw_edits else None
    if isinstance(result, list):
        return result
    score, bundle = record.score, scorer.bundle
    model = bundle.models.get(score.model) or bundle.model_for(score.supplied)
    decision = record.decision
    context = {
        "lang": lang,
        "t": lambda key, **values: t(key, lang, **values),
        "sk_id": sk_id_curr,
        "facts": _facts(record.application, lang),
        "pd": percent(score.pd, lang), "grade": score.grade, "points": number(score.points, lang),
        "decision": decision_word(score.decision, lang), "threshold": percent(model.threshold, lang),
        "scored_at": timestamp(score.scored_at, lang), "batch": score.batch_id,
        "model": scored_with(bundle, score.model, score.supplied, lang, score.bundle_id),
        "bundle": score.bundle_id[:12],
        "against": [scorer.words.text(reason, lang) for reason in score.against],
        "favour": [scorer.words.text(reason, lang) for reason in score.favour],
        "whatif": None if result is None else {
            "edits": _edited(result, lang),
            "pd": percent(result.score.pd, lang), "grade": result.score.grade,
            "points": number(result.score.points, lang), "decision": decision_word(result.score.decision, lang),
            "distance": whatif.distance_words(result, lang),
            "credit": whatif.limit_words(result.answer.largest_credit, "credit", lang),
            "term": whatif.limit_words(result.answer.shortest_term, "term", lang),
        },
        "officer": None if decision is None else {
            "decision": decision_word(decision.decision, lang), "who": decision.officer,
            "when": timestamp(decision.decided_at, lang), "reason": decision.override_reason,
            "override": bool(decision.overrides),
        },
        "date": timestamp((now or datetime.now(timezone.utc)).isoformat(timespec="seconds"), lang),
        "print_script": PRINT_SCRIPT,
    }
    return render(TEMPLATE, **context)


def install_memo_route(server: Flask) -> None:
    """``GET /memo/<id>?FIELD=VALUE…``: the memo in the display language, under its own policy."""

    @server.get("/memo/<int:sk_id_curr>")
    def memo(sk_id_curr: int) -> Response:
        lang, ctx = current_lang(), context()
        raw = {name: value for name, value in request.args.items() if name != "token"}
        try:
            page = render_memo(ctx.store, ctx.scorer, sk_id_curr, raw, lang)
        except UnknownClient:
            return Response(t("interpretation.unknown_client", lang, id=sk_id_curr), 404, mimetype="text/plain")
        if isinstance(page, list):
            text = "\n".join(error.message(lang) for error in page)
            return Response(text, 400, mimetype="text/plain")
        return Response(page, mimetype="text/html", headers={"Content-Security-Policy": policy()})
