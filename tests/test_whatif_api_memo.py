"""The what-if through the API (POST /api/v1/what-if) and the credit memo (CLI and the app's route)."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from test_api import _call

from desktop.cli import main
from desktop.memo import policy
from desktop.whatif import simulate
from engine.whatif_edits import apply_edits


def _what_if(server, token: str, body: object, raw: bytes | None = None):
    return _call(server, "/api/v1/what-if", token=token, body=raw if raw is not None else json.dumps(body).encode())


def _client(ctx, offset: int = 3) -> int:
    return int(ctx.store.find_clients(limit=1, offset=offset)["SK_ID_CURR"][0])


def test_what_if_answers_like_the_engine(running_app):
    ctx, server = running_app
    sk_id = _client(ctx)
    credit = ctx.store.client(sk_id).application["AMT_CREDIT"] / 2
    status, body = _what_if(server, ctx.token, {"SK_ID_CURR": sk_id, "changes": {"AMT_CREDIT": credit}})
    assert status == 200, body
    expected = simulate(ctx.store, ctx.scorer, sk_id, {"AMT_CREDIT": credit})
    assert body["PD"] == pytest.approx(expected.pd, abs=1e-12) and body["DECISION"] == expected.decision
    assert body["GRADE"] == expected.grade and body["POINTS"] == expected.points
    assert body["DISTANCE_TO_THRESHOLD"] == pytest.approx((body["THRESHOLD"] - body["PD"]) * 100)
    assert body["EDITS"] == {"AMT_CREDIT": credit} and body["MODEL_FR"] and body["REASONS_AGAINST"][0]["fr"]
    largest = body["LARGEST_CREDIT"]
    assert largest["status"] in ("found", "none", "upper") and largest["low"] < largest["high"]
    if largest["value"] is not None:  # the amount it returns is granted, with the PD it says
        again = simulate(ctx.store, ctx.scorer, sk_id, {"AMT_CREDIT": largest["value"],
                                                         "AMT_ANNUITY": largest["annuity"],
                                                         "AMT_GOODS_PRICE": ctx.store.client(sk_id).application["AMT_GOODS_PRICE"]
                                                         * largest["value"] / credit})
        assert again.pd == pytest.approx(largest["pd"], abs=1e-9) and again.decision == "accept"
    shortest = body["SHORTEST_TERM"]
    assert shortest["status"] in ("found", "none", "lower") and shortest["low"] < shortest["high"]
    if shortest["value"] is not None:  # the term it returns is granted at the same credit, one month shorter is not
        at = simulate(ctx.store, ctx.scorer, sk_id, {"AMT_CREDIT": credit, "AMT_ANNUITY": shortest["annuity"]})
        assert at.pd == pytest.approx(shortest["pd"], abs=1e-9) and at.decision == "accept"
        assert shortest["annuity"] == pytest.approx(credit / shortest["value"])
    if shortest["status"] == "found":
        shorter = {"AMT_CREDIT": credit, "AMT_ANNUITY": credit / (shortest["value"] - 1)}
        assert simulate(ctx.store, ctx.scorer, sk_id, shorter).decision == "refuse"
    assert ctx.store.client(sk_id).score.pd != body["PD"] or credit == 0  # scored, not read back


@pytest.mark.parametrize(("changes", "field"), [
    ({"AMT_CREDIT": -5}, "AMT_CREDIT"),
    ({"AMT_ANNUITY": "beaucoup"}, "AMT_ANNUITY"),
    ({"CNT_CHILDREN": 2.5}, "CNT_CHILDREN"),
    ({"DAYS_BIRTH": -9000}, "DAYS_BIRTH"),
    ({"AMT_ANNUITY": 1e8, "AMT_CREDIT": 1e6}, "AMT_ANNUITY"),
])
def test_invalid_what_if_is_a_400_naming_the_field(running_app, changes, field):
    ctx, server = running_app
    status, body = _what_if(server, ctx.token, {"SK_ID_CURR": _client(ctx), "changes": changes})
    assert status == 400 and body["error"] == "invalid what-if"
    assert [p["field"] for p in body["problems"]] == [field] and body["problems"][0]["en"] and body["problems"][0]["fr"]
    assert "PD" not in body


def test_what_if_bad_requests(running_app):
    ctx, server = running_app
    assert _what_if(server, ctx.token, None, raw=b"{not json")[0] == 400
    assert _what_if(server, ctx.token, {"changes": {}})[0] == 400
    assert _what_if(server, ctx.token, {"SK_ID_CURR": True})[0] == 400
    assert _what_if(server, ctx.token, {"SK_ID_CURR": 1 << 70})[0] == 400
    assert _what_if(server, ctx.token, {"SK_ID_CURR": _client(ctx), "changes": [1]})[0] == 400
    assert _what_if(server, ctx.token, {"SK_ID_CURR": 1, "changes": {}})[0] == 404
    assert _what_if(server, None, {"SK_ID_CURR": _client(ctx)})[0] == 401
    status, body = _what_if(server, ctx.token, {"SK_ID_CURR": _client(ctx)})  # no change: the client as stored
    assert status == 200 and body["PD"] == pytest.approx(ctx.store.client(_client(ctx)).score.pd, abs=1e-12)
    paths = _call(server, "/api/v1/openapi.json", token=ctx.token)[1]["paths"]
    schema = json.dumps(paths["/api/v1/what-if"])
    assert "LARGEST_CREDIT" in schema and "SHORTEST_TERM" in schema and "LONGEST_TERM" not in schema


def _memo(server, token: str, path: str) -> tuple[int, str, str]:
    request = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {token}",
                                                                 "Cookie": "creditscore_lang=en"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers.get("Content-Security-Policy"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, "", error.read().decode()


def test_memo_route_in_english_with_its_own_policy(running_app):
    ctx, server = running_app
    sk_id = _client(ctx, 5)
    record = ctx.store.client(sk_id)
    status, csp, text = _memo(server, ctx.token, f"/memo/{sk_id}?AMT_INCOME_TOTAL=250000")
    assert status == 200 and csp == policy()
    assert f"Credit memo — client {sk_id}" in text and "With these values" in text
    assert any(words in text for words in ("Largest amount granted", "Granted up to", "Refused even for"))
    assert any(words in text for words in ("Shortest term granted", "Granted for every term", "Refused even at"))
    assert ctx.scorer.words.text(record.score.against[0], "en") in text
    assert not re.search(r"(src|href)=\"https?:", text)  # nothing outside the page
    assert _memo(server, ctx.token, f"/memo/{sk_id}?AMT_CREDIT=-5")[0] == 400
    assert _memo(server, ctx.token, "/memo/1")[0] == 404


def test_memo_from_the_cli_in_french_and_english(running_app, tmp_path):
    ctx, _ = running_app
    sk_id = _client(ctx, 9)
    ctx.store.record_decision(sk_id, "refuse", officer="Claire Martin", override_reason="Revenus non justifiés")
    record = ctx.store.client(sk_id)
    home = str(ctx.store.home)
    out = tmp_path / "memo-fr.html"
    assert main(["--home", home, "memo", str(sk_id), "--out", str(out), "--lang", "fr",
                 "--what-if", "AMT_CREDIT=100000", "CNT_CHILDREN=0"]) == 0
    text = out.read_text("utf-8")
    assert f"Note de crédit — client {sk_id}" in text and '<html lang="fr">' in text and "@page" in text
    assert "Simulation demandée" in text and "Avec ces valeurs" in text and "Revenus non justifiés" in text and "Claire Martin" in text
    assert ctx.scorer.words.text(record.score.against[0], "fr") in text
    assert "Accordé" in text or "Refusé" in text
    assert any(words in text for words in ("Durée la plus courte accordée", "Accordé pour toutes les durées",
                                           "Refusé même à la plus longue durée"))
    english = tmp_path / "memo-en.html"
    assert main(["--home", home, "memo", str(sk_id), "--out", str(english), "--lang", "en"]) == 0
    text = english.read_text("utf-8")
    assert "No what-if asked." in text and "Refusal threshold" in text and "Note de crédit" not in text
    assert main(["--home", home, "memo", str(sk_id), "--out", str(tmp_path / "x.html"), "--what-if", "AMT_CREDIT=-5"]) == 2
    assert not (tmp_path / "x.html").exists()
    assert main(["--home", home, "memo", "1", "--out", str(tmp_path / "y.html")]) == 1


def test_apply_edits_leaves_other_columns(running_app):
    ctx, _ = running_app
    from desktop.explain import stored_tables

    sk_id = _client(ctx)
    tables = stored_tables(ctx.store, sk_id, ctx.store.client(sk_id).score.id)
    edited = apply_edits(tables, {"AMT_CREDIT": 1000.0})["application"]
    same = [c for c in edited.columns if c != "AMT_CREDIT"]
    assert edited.select(same).equals(tables["application"].select(same)) and edited["AMT_CREDIT"][0] == 1000.0
