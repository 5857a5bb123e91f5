"""The local API: token required, input validated (4xx, never 500), scores equal the engine's."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import polars as pl
import pytest

from engine.records import tables_from_json
from engine.resources import demo_batch


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
    assert body["REASONS_AGAINST"] and body["REASONS_AGAINST"][0]["fr"]
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
