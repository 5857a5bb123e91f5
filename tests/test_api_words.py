"""The local API's own refusals in the one wording layer: every error answer is ``{"error", "problems"}``,
each problem with its code, its params and its sentence in French and English from the catalogue."""

from __future__ import annotations

import io
import json

import pytest
from test_api import _call
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from desktop.api import MAX_LIMIT, openapi
from desktop.i18n import t

_SHAPE = set(openapi()["paths"]["/api/v1/score"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
             ["properties"]["problems"]["items"]["properties"])
CSV = b"SK_ID_CURR\n100001\n"


@pytest.fixture(scope="module")
def app(running_app):
    return running_app


def _one_problem(answer: dict, code: str, **params) -> dict:
    """The answer's single problem, checked against the catalogue's sentences in both languages."""
    [problem] = answer["problems"]
    assert set(problem) <= _SHAPE, set(problem) - _SHAPE
    assert problem["code"] == code and problem["severity"] == "error" and problem["params"] == params
    for lang in ("fr", "en"):
        assert problem[lang] == t(f"api.{code}", lang, **params), lang
    assert problem["fr"] != problem["en"] and answer["error"] == problem["message"] == problem["en"]
    return problem


def _files(server, token: str, parts: list[tuple[str, bytes]]):
    boundary, body = encode_multipart(MultiDict([(f"f{i}", FileStorage(io.BytesIO(data), name))
                                                 for i, (name, data) in enumerate(parts)]))
    return _call(server, "/api/v1/score", token=token, body=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def _raw(server, token: str, name: str, kind: str = "text/csv"):
    return _call(server, "/api/v1/score", token=token, body=CSV,
                 headers={"Content-Type": kind, "Content-Disposition": f'attachment; filename="{name}"'})


def test_a_request_without_files_is_refused_in_both_languages(app):
    ctx, server = app
    status, answer = _call(server, "/api/v1/score", token=ctx.token, body=b"--x--",
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert status == 400
    problem = _one_problem(answer, "no_file")
    assert problem["fr"].startswith("aucun fichier dans la requête") and problem["en"].startswith("no file in the request")


def test_two_files_of_one_name_are_refused_naming_it(app):
    ctx, server = app
    status, answer = _files(server, ctx.token, [("clients.csv", CSV), ("autres.csv", CSV), ("clients.csv", CSV)])
    assert status == 400
    problem = _one_problem(answer, "same_name", name="clients.csv")
    assert problem["file"] == "clients.csv"
    assert problem["fr"] == "deux fichiers portent le même nom : clients.csv"
    assert problem["en"] == "two files have the same name: clients.csv"


@pytest.mark.parametrize("name", ["..", "dossier/.", "  "])
def test_a_nameless_file_is_refused(app, name):
    ctx, server = app
    status, answer = _raw(server, ctx.token, name)
    assert status == 400
    problem = _one_problem(answer, "no_usable_name", name=name)
    assert problem["fr"].startswith("un fichier n'a pas de nom utilisable") and problem["en"].startswith("a file has no usable name")


def test_an_over_long_file_name_is_refused_with_the_limit_in_each_language_s_numbers(app):
    ctx, server = app
    status, answer = _raw(server, ctx.token, "é" * 200 + ".csv")  # 404 bytes in UTF-8
    assert status == 400
    shown = "é" * 60 + "…"
    problem = _one_problem(answer, "name_too_long", name=shown, limit=255)
    assert problem["fr"] == f"nom de fichier plus long que 255 octets : {shown}"
    assert problem["en"] == f"file name longer than 255 bytes: {shown}"


def test_an_unsupported_content_type_is_refused_in_both_languages(app):
    ctx, server = app
    status, answer = _call(server, "/api/v1/score", token=ctx.token, body=b"<a/>", headers={"Content-Type": "application/xml"})
    assert status == 415
    _one_problem(answer, "unsupported_type", type="application/xml")


def test_the_api_s_other_refusals_are_worded_the_same_way(app):
    ctx, server = app
    status, answer = _call(server, "/api/v1/clients/7", token=ctx.token)
    assert status == 404 and _one_problem(answer, "no_client", id=7)["fr"] == "aucun client 7 dans la base"
    status, answer = _call(server, f"/api/v1/clients?limit={MAX_LIMIT + 1}", token=ctx.token)
    assert status == 400 and _one_problem(answer, "bad_page", limit=MAX_LIMIT)["fr"].startswith("limit doit être un entier de 0 à 1")
    for body, code in ((b'{"SK_ID_CURR": "x"}', "bad_client_id"), (b'{"SK_ID_CURR": 7, "changes": []}', "bad_changes")):
        status, answer = _call(server, "/api/v1/what-if", token=ctx.token, body=body)
        assert status == 400
        _one_problem(answer, code)
    status, answer = _call(server, "/api/v1/what-if", token=ctx.token, body=b"{}", headers={"Content-Type": "text/plain"})
    assert status == 400 and _one_problem(answer, "not_json")
    status, answer = _call(server, "/api/v1/score", token=ctx.token, body=b"{" + b" " * (10 << 20) + b"}")
    assert status == 413
    assert _one_problem(answer, "http_413", http=413, detail=answer["problems"][0]["params"]["detail"])["fr"] == \
        "corps de la requête trop volumineux"


def test_a_request_without_the_token_is_refused_in_both_languages(app):
    _, server = app
    status, answer = _call(server, "/api/v1/health", token=None)
    assert status == 401 and _one_problem(answer, "bad_token")["fr"] == "jeton de lancement absent ou erroné"


def test_a_refused_filter_keeps_the_store_s_english_sentence_and_words_it_in_each_language(app):
    ctx, server = app
    status, answer = _call(server, "/api/v1/clients?colour=red", token=ctx.token)
    assert status == 400 and "unknown filter" in answer["error"]
    [problem] = answer["problems"]
    assert problem["code"] == "store_refused" and problem["en"] == f"request refused: {answer['error']}"
    assert problem["fr"] == "requête refusée : filtre inconnu : colour ; filtres possibles : batch, decision, grade, " \
        "id_prefix, since, status, until"
    assert json.dumps(answer)  # JSON all through
