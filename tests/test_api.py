"""The local API: token required, input validated (4xx, never 500), scores equal the engine's."""

from __future__ import annotations

import http.client
import io
import json
import urllib.error
import urllib.request

import polars as pl
import pytest

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from desktop.api import openapi
from desktop.body_limits import DASH_UPDATE_ROUTE, LARGER_BODIES, MAX_UPLOAD_BYTES, UPLOAD_OUTPUT, body_limit
from desktop.cli import main
from engine.input_problems import InputError, describe
from engine.records import recognised_keys, tables_from_json
from engine.resources import demo_batch
from engine.score_record import FIELDS
from storage.client_query import ROW_SCHEMA, ClientQuery
from storage.store import ClientStore


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
        (b"{}", {"Content-Type": "text/plain"}, 422),  # a text body is a file: no table's columns
        (b"<a/>", {"Content-Type": "application/xml"}, 415),
        (b"--x--", {"Content-Type": "multipart/form-data; boundary=x"}, 400),  # no file in it
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


# Issue 11 item 4 through the API: files of any name, each table recognised by its columns as the CLI does.
BRANCH_CLIENTS = 40


@pytest.fixture(scope="module")
def branch_files(demo_tables, tmp_path_factory) -> dict[str, bytes]:
    """Real clients of the shipped demo batch (application_test rows) as an officer's tools name them: the
    application as « clients agence nov.csv » (semicolons and decimal commas, as French Excel writes it), their
    bureau as « export 2.csv » and its monthly balances as « historique mensuel.csv »."""
    application = demo_tables["application"].head(BRANCH_CLIENTS)
    bureau = demo_tables["bureau"].filter(pl.col("SK_ID_CURR").is_in(application["SK_ID_CURR"].implode()))
    assert bureau.height > BRANCH_CLIENTS  # the clients have a bureau history: the bureau model scores them
    balance = demo_tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(bureau["SK_ID_BUREAU"].implode()))
    folder = tmp_path_factory.mktemp("branch")
    application.write_csv(folder / "a.csv", separator=";", decimal_comma=True)
    bureau.write_csv(folder / "b.csv")
    balance.write_csv(folder / "c.csv")
    return {"clients agence nov.csv": (folder / "a.csv").read_bytes(), "export 2.csv": (folder / "b.csv").read_bytes(),
            "historique mensuel.csv": (folder / "c.csv").read_bytes()}


def _multipart(files: dict[str, bytes]) -> tuple[bytes, dict]:
    boundary, body = encode_multipart({name: FileStorage(io.BytesIO(data), name) for name, data in files.items()})
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _post_files(server, token: str, files: dict[str, bytes]):
    body, headers = _multipart(files)
    return _call(server, "/api/v1/score", token=token, body=body, headers=headers)


def test_files_of_any_name_score_as_the_cli_import(app, branch_files, tmp_path):
    ctx, server = app
    status, body = _post_files(server, ctx.token, branch_files)
    assert status == 200, body
    assert body["TABLES"] == {"clients agence nov.csv": "application", "export 2.csv": "bureau",
                              "historique mensuel.csv": "bureau_balance"}
    assert body["MODEL"] == "bureau" and body["TABLES_SUPPLIED"] == ["application", "bureau", "bureau_balance"]
    folder = tmp_path / "files"
    folder.mkdir()
    for name, data in branch_files.items():
        (folder / name).write_bytes(data)
    assert main(["--home", str(tmp_path / "home"), "import", *(str(folder / name) for name in branch_files)]) == 0
    stored = ClientStore(tmp_path / "home").find_clients()
    assert stored.height == len(body["CLIENTS"]) == BRANCH_CLIENTS
    by_id = {client["SK_ID_CURR"]: client for client in body["CLIENTS"]}
    for sk_id, pd, decision, grade in stored.select("SK_ID_CURR", "PD", "DECISION", "GRADE").iter_rows():
        assert by_id[sk_id]["PD"] == pytest.approx(pd, abs=1e-12)
        assert (by_id[sk_id]["DECISION"], by_id[sk_id]["GRADE"], by_id[sk_id]["MODEL"]) == (decision, grade, "bureau")
    first = body["CLIENTS"][0]["REASONS_AGAINST"][0]
    assert first["fr"] and first["en"] and first["fr"] != first["en"]


def test_one_csv_body_named_by_its_header_is_scored(app, branch_files):
    ctx, server = app
    headers = {"Content-Type": "text/csv", "Content-Disposition": "attachment; filename*=UTF-8''clients%20agence%20nov.csv"}
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=branch_files["clients agence nov.csv"], headers=headers)
    assert status == 200, body
    assert body["TABLES"] == {"clients agence nov.csv": "application"} and body["MODEL"] == "application"
    assert len(body["CLIENTS"]) == BRANCH_CLIENTS and body["MODEL_FR"].startswith("Score établi sur la demande seule")
    status, unnamed = _call(server, "/api/v1/score", token=ctx.token, body=branch_files["clients agence nov.csv"],
                            headers={"Content-Type": "text/csv"})
    assert status == 200 and unnamed["TABLES"] == {"request.csv": "application"}
    assert [c["PD"] for c in unnamed["CLIENTS"]] == [c["PD"] for c in body["CLIENTS"]]


def test_json_tables_under_free_names_are_recognised_by_their_columns(app, branch_files, tmp_path):
    ctx, server = app
    application = pl.read_csv(io.BytesIO(branch_files["clients agence nov.csv"]), separator=";", decimal_comma=True)
    bureau = pl.read_csv(io.BytesIO(branch_files["export 2.csv"]))
    balance = pl.read_csv(io.BytesIO(branch_files["historique mensuel.csv"]))
    sk_id = bureau.filter(pl.col("SK_ID_BUREAU").is_in(balance["SK_ID_BUREAU"].implode()))["SK_ID_CURR"][0]
    record = {k: v for k, v in application.filter(pl.col("SK_ID_CURR") == sk_id).row(0, named=True).items() if v is not None}
    credits = bureau.filter(pl.col("SK_ID_CURR") == sk_id)
    free = {"client agence nov": record, "export 2": credits.to_dicts(),
            "historique": balance.filter(pl.col("SK_ID_BUREAU").is_in(credits["SK_ID_BUREAU"].implode())).to_dicts()}
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=json.dumps(free).encode())
    assert status == 200, body
    assert body["TABLES"] == {"client agence nov": "application", "export 2": "bureau", "historique": "bureau_balance"}
    assert body["MODEL"] == "bureau"
    _, files = _post_files(server, ctx.token, branch_files)
    assert body["PD"] == pytest.approx(next(c["PD"] for c in files["CLIENTS"] if c["SK_ID_CURR"] == sk_id), abs=1e-12)
    for empty, status, said in (("export previous_application", 200, None), ("export 4", 400, "mettez la liste vide sous le nom de la table")):
        answer = _call(server, "/api/v1/score", token=ctx.token, body=json.dumps({**free, empty: []}).encode())
        assert answer[0] == status and (said is None or said in answer[1]["problems"][0]["fr"]), answer
    twice = {**free, "bureau": free["export 2"]}
    status, body = _call(server, "/api/v1/score", token=ctx.token, body=json.dumps(twice).encode())
    assert status == 400 and body["problems"][0]["code"] == "several_table_files"
    assert "export 2, bureau" in body["problems"][0]["fr"]


def test_an_ambiguous_file_is_a_422_naming_the_candidates(app, branch_files):
    ctx, server = app
    keys_only = b"SK_ID_PREV,SK_ID_CURR\n1,100002\n"
    status, body = _post_files(server, ctx.token, {**branch_files, "export 3.csv": keys_only})
    assert status == 422, body
    [problem] = body["problems"]
    assert (problem["file"], problem["code"], problem["line"]) == ("export 3.csv", "table_ambiguous", 1)
    candidates = ["previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"]
    assert problem["params"]["tables"] == candidates
    assert all(name in problem["fr"] and name in problem["en"] for name in candidates)
    assert problem["fr"].startswith("ses colonnes conviennent autant à plusieurs tables")
    status, body = _post_files(server, ctx.token, {**branch_files, "export 3 pos_cash_balance.csv": keys_only})
    assert status == 200 and body["TABLES"]["export 3 pos_cash_balance.csv"] == "POS_CASH_balance"  # the name breaks the tie


@pytest.mark.parametrize(
    ("name", "data", "headers", "code", "french"),
    [
        ("clients.xlsx", b"PK\x03\x04 workbook", None, "unsupported_file_type", "type de fichier non pris en charge"),
        ("clients.csv", b"PK\x03\x04 workbook", None, "not_csv_known_format", "un classeur Excel (.xlsx)"),
        ("photo", b"\x89PNG\r\n\x1a\n", {"Content-Type": "text/csv"}, "not_csv_known_format", "une image PNG"),
    ],
)
def test_a_file_that_is_no_csv_gets_a_clear_422(app, name, data, headers, code, french):
    ctx, server = app
    if headers is None:
        status, body = _post_files(server, ctx.token, {name: data})
    else:
        status, body = _call(server, "/api/v1/score", token=ctx.token, body=data,
                             headers={**headers, "Content-Disposition": f'attachment; filename="{name}"'})
    assert status == 422, body
    assert [(p["code"], p["severity"]) for p in body["problems"]] == [(code, "error")]
    assert french in body["problems"][0]["fr"] and body["problems"][0]["en"] == body["problems"][0]["message"]


def test_uploads_keep_to_the_body_limit_and_leave_nothing_behind(app, branch_files):
    ctx, server = app
    large = branch_files["clients agence nov.csv"] * ((body_limit("/api/v1/score") // len(branch_files["clients agence nov.csv"])) + 1)
    assert _post_files(server, ctx.token, {"clients agence nov.csv": large})[0] == 413
    body, headers = _multipart({"clients agence nov.csv": large})
    assert _chunked_post(server, "/api/v1/score", ctx.token, iter([body]), headers) == 413
    assert _post_files(server, ctx.token, {"../../escape.csv": branch_files["clients agence nov.csv"]})[0] == 200
    assert not list(ctx.real_store.home.glob(".api-*")) and not (ctx.real_store.home.parent / "escape.csv").exists()


def test_the_client_route_answers_every_field_of_the_score_record(app):
    ctx, server = app
    client_id = int(ctx.store.find_clients(limit=1)["SK_ID_CURR"][0])
    status, body = _call(server, f"/api/v1/clients/{client_id}", token=ctx.token)
    assert status == 200
    assert set(FIELDS) - {"REASONS"} <= set(body) and {"REASONS_AGAINST", "REASONS_FOR"} <= set(body)
    stored = ctx.store.client(client_id).score
    assert (body["BATCH"], body["SCORED_AT"], body["BUNDLE"]) == (stored.batch_id, stored.scored_at, stored.bundle_id)
    schema = openapi()["paths"]["/api/v1/clients/{sk_id_curr}"]["get"]["responses"]["200"]["content"]
    assert set(FIELDS) - {"REASONS"} <= set(schema["application/json"]["schema"]["properties"])


def test_json_keys_are_recognised_by_their_columns_the_key_breaking_ties(one_application):
    keys_only = [{"SK_ID_PREV": 1, "SK_ID_CURR": one_application["SK_ID_CURR"]}]
    with pytest.raises(InputError) as caught:
        recognised_keys({"dossier": one_application, "export 3": keys_only})
    [problem] = caught.value.problems
    assert (problem.file, problem.code) == ("export 3", "table_ambiguous")
    assert "previous_application, POS_CASH_balance, installments_payments, credit_card_balance" in describe(problem, "fr")
    named = {"dossier": one_application, "export 3 credit_card_balance": keys_only, "bureau": []}
    assert recognised_keys(named) == {"application": "dossier", "credit_card_balance": "export 3 credit_card_balance",
                                      "bureau": "bureau"}
    frames, _ = tables_from_json(named)
    assert frames["application"]["SK_ID_CURR"].to_list() == [one_application["SK_ID_CURR"]] and frames["bureau"].height == 0
