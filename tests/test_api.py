"""The local API: token required, input validated (4xx, never 500), scores equal the engine's."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import polars as pl
import pytest

from desktop.body_limits import DASH_UPDATE_ROUTE, LARGER_BODIES, MAX_UPLOAD_BYTES, UPLOAD_OUTPUT, body_limit
from engine.records import tables_from_json
from engine.resources import demo_batch
from storage.client_query import ROW_SCHEMA, ClientQuery


def _call(server, path: str, *, token: str | None, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(server.url + path, data=body, method="POST" if body is not None else "GET")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {"Content-Type": "application/json"}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except json.JSONDecodeError:
            return error.code, text.decode()


@pytest.fixture(scope="module")
def app(running_app):
    return running_app


@pytest.fixture(scope="module")
def one_application() -> dict:
    row = pl.read_parquet(demo_batch() / "application_test.parquet").row(3, named=True)
    return {k: v for k, v in row.items() if v is not None}


def test_every_route_needs_the_token(app):
    ctx, server = app
    for path in ("/api/v1/health", "/api/v1/clients/100001", "/api/v1/openapi.json"):
        assert _call(server, path, token=None)[0] == 401
        assert _call(server, path, token="wrong")[0] == 401
    assert _call(server, "/api/v1/score", token=None, body=b"{}")[0] == 401
    page = urllib.request.Request(server.url + "/")
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(page, timeout=30)
    assert denied.value.code == 403


def test_health_and_openapi(app):
    ctx, server = app
    status, body = _call(server, "/api/v1/health", token=ctx.token)
    assert status == 200 and body["status"] == "ok" and body["bundle"] == ctx.scorer.bundle.id
    status, spec = _call(server, "/api/v1/openapi.json", token=ctx.token)
    assert status == 200 and spec["openapi"].startswith("3.")
    assert {"/api/v1/health", "/api/v1/clients/{sk_id_curr}", "/api/v1/score"} <= set(spec["paths"])


def test_stored_client_is_served_with_its_reasons(app):
    ctx, server = app
    client_id = int(ctx.store.find_clients(limit=1)["SK_ID_CURR"][0])
    status, body = _call(server, f"/api/v1/clients/{client_id}", token=ctx.token)
    stored = ctx.store.client(client_id).score
    assert status == 200 and body["PD"] == pytest.approx(stored.pd) and body["DECISION"] == stored.decision
    first = body["REASONS_AGAINST"][0]
    assert first == {**stored.against[0], "fr": ctx.scorer.words.text(stored.against[0], "fr"),
                     "en": ctx.scorer.words.text(stored.against[0], "en")}
    assert first["fr"].endswith("augmente le risque") and first["en"].endswith("raises the risk")
    assert _call(server, "/api/v1/clients/1", token=ctx.token)[0] == 404


def test_scoring_one_application_equals_the_engine(app, one_application):
    ctx, server = app
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=json.dumps({"application": one_application}).encode())
    assert status == 200, body
    scorer = ctx.scorer
    frames, _ = tables_from_json({"application": one_application})
    expected = scorer.score(scorer.features(frames), supplied=frames)[0]  # the model of the tables in the body
    assert body["MODEL"] == expected.model == "application"
    assert body["PD"] == pytest.approx(expected.pd, abs=1e-12)
    assert body["DECISION"] == expected.decision and body["GRADE"] == expected.grade
    assert [r["feature"] for r in body["REASONS_AGAINST"]] == [r.feature for r in expected.against]


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("EXT_SOURCE_1", 57, "outside the allowed range 0 to 1"),
        ("AMT_INCOME_TOTAL", float("nan"), "not a finite number"),
        ("AMT_CREDIT", float("inf"), "not a finite number"),
        ("AMT_ANNUITY", -100, "below the allowed minimum 0"),
        ("DAYS_BIRTH", 50000, "outside the allowed range of 18 to 100 years"),
    ],
)
def test_issue12_impossible_values_are_a_400_naming_the_field(app, one_application, column, value, words):
    ctx, server = app
    bad = {**one_application, column: value}
    body = json.dumps({"application": bad}).encode()
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=body)
    assert status == 400, body
    [problem] = body["problems"]
    assert problem["column"] == column and problem["record"] == 1 and words in problem["message"]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"not json", None, 400),
        (b"[]", None, 400),
        (json.dumps({"application": {"SK_ID_CURR": "abc"}}).encode(), None, 400),
        (json.dumps({"application": {"SK_ID_CURR": 1}}).encode(), None, 400),  # required fields missing
        (json.dumps({"application": {"SK_ID_CURR": 1}, "bureau": {"x": 1}}).encode(), None, 400),
        (json.dumps({"application": {}, "nonsense": []}).encode(), None, 400),
        (b"{" + b" " * (10 << 20) + b"}", None, 413),  # 10 MB body
        (b"{}", {"Content-Type": "text/plain"}, 400),
    ],
)
def test_bad_input_gets_a_4xx_with_a_message(app, body, headers, status):
    ctx, server = app
    got, answer = _call(server, "/api/v1/score", token=ctx.token, body=body, headers=headers)
    assert got == status
    assert isinstance(answer, dict) and answer.get("error")


def test_wrong_types_name_the_field(app, one_application):
    ctx, server = app
    bad = {**one_application, "AMT_CREDIT": "beaucoup"}
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=json.dumps({"application": bad}).encode())
    assert status == 400
    assert any(p["column"] == "AMT_CREDIT" for p in body["problems"])


def test_server_listens_on_loopback_only(app):
    _, server = app
    assert server.url.startswith("http://127.0.0.1:")


def _chunked_post(server, path: str, token: str, chunks, headers: dict | None = None) -> int:
    """POST a chunked body (no Content-Length) and return the status."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("POST", path, body=chunks, encode_chunked=True,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})})
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):  # refused before the client finished sending
        return 413
    finally:
        conn.close()


def _megabytes(n: int):
    return (b" " * (1 << 20) for _ in range(n))


# Finding 3 of issue 12: a body without Content-Length bypassed the limit; the Dash route had none.
def test_chunked_bodies_are_cut_at_the_route_limit(app):
    ctx, server = app
    assert _chunked_post(server, "/api/v1/score", ctx.token, _megabytes(8)) == 413
    small = json.dumps({"application": {"SK_ID_CURR": 1}}).encode()
    assert _chunked_post(server, "/api/v1/score", ctx.token, iter([small])) == 400  # read, then refused as input
    callback = b'{"output": "clients-list.children", "inputs": [' + b" " * (8 << 20) + b"]}"
    assert _chunked_post(server, DASH_UPDATE_ROUTE, ctx.token, iter([callback])) == 413


def test_only_the_upload_callback_takes_large_bodies(app, monkeypatch):
    ctx, server = app
    upload = b'{"output":"%s","outputs":{"id":"import-sources","property":"data"},"inputs":[' % UPLOAD_OUTPUT.encode()
    assert body_limit(DASH_UPDATE_ROUTE, UPLOAD_OUTPUT) > MAX_UPLOAD_BYTES > body_limit(DASH_UPDATE_ROUTE)
    monkeypatch.setitem(LARGER_BODIES, (DASH_UPDATE_ROUTE, UPLOAD_OUTPUT), 4 << 20)  # small, to test it quickly
    # Past the default limit but within the upload's: read, then refused by Dash as a malformed callback, not 413.
    assert _chunked_post(server, DASH_UPDATE_ROUTE, ctx.token, iter([upload + b" " * (2 << 20) + b"]}"])) != 413
    assert _chunked_post(server, DASH_UPDATE_ROUTE, ctx.token, iter([upload + b" " * (5 << 20) + b"]}"])) == 413


def test_declared_lengths_above_the_limit_are_refused_unread(app):
    ctx, server = app
    largest = max(LARGER_BODIES.values())
    for path, length in (("/api/v1/score", body_limit("/api/v1/score") + 1), (DASH_UPDATE_ROUTE, largest + 1)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.putrequest("POST", path)
        conn.putheader("Authorization", f"Bearer {ctx.token}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()  # and no body: the answer comes without reading one
        assert conn.getresponse().status == 413, path
        conn.close()


# Finding 5 of issue 12: out-of-range integers, non-finite numbers and deep nesting ended in a 500.
WORDS = {"value_out_of_range": "is outside the range the application stores", "value_not_finite": "is not a finite number"}


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        ("SK_ID_CURR", str(1 << 63), "value_out_of_range"),
        ("SK_ID_CURR", str(-(1 << 63) - 1), "value_out_of_range"),
        ("SK_ID_CURR", "1e300", "value_out_of_range"),
        ("SK_ID_CURR", "1" + "0" * 400, "value_out_of_range"),
        ("AMT_CREDIT", "1" + "0" * 400, "value_out_of_range"),
        ("AMT_CREDIT", "NaN", "value_not_finite"),
        ("AMT_CREDIT", "Infinity", "value_not_finite"),
        ("AMT_INCOME_TOTAL", "-Infinity", "value_not_finite"),
        ("SK_ID_CURR", "NaN", "value_not_finite"),
    ],
)
def test_numbers_the_store_cannot_hold_are_400_naming_the_field(app, one_application, field, raw, code):
    ctx, server = app
    record = json.dumps({**one_application, field: "@"}).replace('"@"', raw)
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=f'{{"application": {record}}}'.encode())
    assert status == 400, body
    assert [(p["table"], p["column"], p["record"]) for p in body["problems"]] == [("application", field, 1)]
    assert WORDS[code] in body["problems"][0]["message"]


def test_json_nested_100000_deep_is_a_400(app):
    ctx, server = app
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"application": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001):
        status, answer = _call(server, "/api/v1/score", token=ctx.token, body=body)
        assert status == 400
        assert answer["problems"][0]["message"] == "the body is not readable JSON: nested too deeply"


def test_client_ids_beyond_64_bits_are_not_found(app):
    ctx, server = app
    for sk_id in (1 << 63, 10**400):
        assert _call(server, f"/api/v1/clients/{sk_id}", token=ctx.token)[0] == 404


def test_client_list_filters_as_the_query_layer(app):
    ctx, server = app
    status, body = _call(server, "/api/v1/clients?decision=refuse&grade=E&limit=5&offset=1", token=ctx.token)
    expected = ClientQuery(decision="refuse", grade="E")
    assert status == 200 and body["total"] == expected.count(ctx.store) > 6
    assert [row["SK_ID_CURR"] for row in body["clients"]] == expected.rows(ctx.store, 5, 1)["SK_ID_CURR"].to_list()
    assert set(body["clients"][0]) == set(ROW_SCHEMA) and body["clients"][0]["DECISION"] == "refuse"
    status, body = _call(server, "/api/v1/clients?status=awaiting&limit=0", token=ctx.token)
    assert status == 200 and body["clients"] == [] and body["total"] == ClientQuery(status="awaiting").count(ctx.store)
    for query, said in (("status=pending", "status must be one of"), ("limit=5000", "limit must be"),
                        ("batch=99999999999999999999999", "invalid filter value"), ("colour=red", "unknown filter")):
        status, body = _call(server, f"/api/v1/clients?{query}", token=ctx.token)
        assert status == 400 and said in body["error"], query
    assert _call(server, "/api/v1/clients", token=None)[0] == 401
