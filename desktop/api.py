"""The local HTTP API of the model, on the app's own Flask server (token-checked, loopback only).

    GET  /api/v1/health              status, bundle id, threshold
    GET  /api/v1/clients             clients in the store, filtered (``storage.client_query``): decision, grade,
                                     batch, status (awaiting/decided/override), since, until, id_prefix; limit, offset
    GET  /api/v1/clients/<id>        the client's latest stored score, the model that made it, reasons
    POST /api/v1/score               one application (+ optional history) as JSON, or client files (multipart
                                     parts or one CSV/zip/Parquet body) of any name, each table recognised by
                                     its columns as the CLI and the app do -> PD, decision, grade, points,
                                     the model (the one matching the tables supplied), reasons
    POST /api/v1/what-if             a stored client with some fields changed -> PD, decision, grade, points,
                                     distance to the threshold, the largest credit and the shortest term granted
    GET  /api/v1/openapi.json        this API described in OpenAPI 3.1
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from desktop import api_files, whatif
from desktop.api_problems import RequestRefused, http_code, listed, refused, request_problem
from desktop.context import context
from desktop.i18n import t
from engine.bundle import Bundle
from engine.coverage_words import expected_auc, ignored_tables, scored_with
from engine.input_problems import describe
from engine.labels import LANGS
from engine.readers import InputError, Problem
from engine.records import INT_RANGE, json_body, recognised_keys, tables_from_json
from engine.schema import TABLE_NAMES
from engine.score_record import FIELDS, SCORE_FIELDS, json_properties
from storage.client_query import ROW_SCHEMA, STATUSES, ClientQuery
from storage.paths import StoreError
from storage.validation import ImportRefused
from engine.whatif_edits import FIELDS as WHATIF_FIELDS

log = logging.getLogger(__name__)

_REASON = {
    "type": "object",
    "properties": {
        "group": {"type": "string", "description": "reason group (README, 'The model'); absent from scores stored before groups"},
        "feature": {"type": "string", "description": "the model feature (or application column) whose value drives the group"},
        "value": {"type": ["number", "string", "null"], "description": "the client's value (a category's level as text)"},
        "contribution": {"type": "number", "description": "share of the calibrated log-odds; > 0 raises the risk"},
        **{lang: {"type": "string", "description": f"the reason in words ({lang})"} for lang in LANGS},
    },
}
_SCORE = {
    "type": "object",
    "properties": {
        **json_properties(*SCORE_FIELDS),
        "MODEL_AUC": {"type": ["number", "null"], "description": "that model's expected (out-of-fold) ROC AUC"},
        "MODEL_FR": {"type": "string", "description": "the model in words, in French"},
        "MODEL_EN": {"type": "string", "description": "the model in words, in English"},
        "TABLES_SUPPLIED": {"type": "array", "items": {"type": "string"}},
        "TABLES_IGNORED": {"type": "array", "items": {"type": "string"},
                           "description": "tables supplied that this model does not use"},
        "REASONS_AGAINST": {"type": "array", "items": _REASON},
        "REASONS_FOR": {"type": "array", "items": _REASON},
    },
}
#: At most this many clients per request of the list.
MAX_LIMIT = 1000
_LIST_FILTERS = [
    {"name": "decision", "in": "query", "schema": {"type": "string", "enum": ["accept", "refuse"]}, "description": "the model's"},
    {"name": "grade", "in": "query", "schema": {"type": "string", "enum": ["A", "B", "C", "D", "E"]}},
    {"name": "batch", "in": "query", "schema": {"type": "integer"}, "description": "clients scored in this batch, with that score"},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)},
     "description": "awaiting: no officer's decision on the score; decided; override: the latest decision goes against the model"},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "id_prefix", "in": "query", "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT, "default": 100}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
_LIST = {
    "type": "object",
    "properties": {
        "total": {"type": "integer", "description": "clients matching the filters"},
        "clients": {"type": "array", "items": {"type": "object", "properties": {name: {} for name in ROW_SCHEMA}}},
    },
}
_LIMIT = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["found", "none", "upper", "lower"],
                   "description": "found; none: refused even at the easiest end searched (the smallest credit, the "
                                  "longest term); upper: the largest credit searched is granted; lower: even the "
                                  "shortest term searched is granted"},
        "value": {"type": ["number", "null"], "description": "the credit amount, or the term in months"},
        "pd": {"type": ["number", "null"]},
        "annuity": {"type": ["number", "null"], "description": "the annuity that goes with it"},
        "low": {"type": "number"}, "high": {"type": "number", "description": "the range searched"},
    },
}
_WHATIF_FIELDS = [field.name for field in WHATIF_FIELDS]
#: A stored score's fields, from the one score record (its reasons are answered worded, by side).
_STORED_FIELDS = tuple(name for name in FIELDS if name not in ("SK_ID_CURR", "REASONS"))
_STORED_SCORE = {**_SCORE, "properties": {**json_properties("SK_ID_CURR", *_STORED_FIELDS), **_SCORE["properties"]}}
_PROBLEM = {
    "type": "object",
    "properties": {
        "table": {"type": "string", "description": "JSON body: the table (or the body's key) the problem is in"},
        "record": {"type": ["integer", "null"], "description": "JSON body: the record's position, from 1"},
        "file": {"type": "string", "description": "files: the file as sent (zip members as archive.zip:member.csv)"},
        "line": {"type": ["integer", "null"], "description": "files: the line, as a spreadsheet shows it (header = 1)"},
        "column": {"type": ["string", "null"]},
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "code": {"type": ["string", "null"]},
        "params": {"type": "object", "description": "the values the sentence shows (e.g. tables: the candidates)"},
        "message": {"type": "string", "description": "in English"},
        **{lang: {"type": "string", "description": f"the problem in words ({lang})"} for lang in LANGS},
    },
}
_FILE = {"type": "string", "format": "binary"}
#: What ``POST /api/v1/score`` takes, besides JSON.
_FILE_BODIES = {
    api_files.MULTIPART: {"schema": {"type": "object", "additionalProperties": _FILE,
                                     "description": "client files, each part under its own file name"}},
    **{kind: {"schema": _FILE} for kind in api_files.RAW_TYPES},
}
_ERROR = {"type": "object", "properties": {
    "error": {"type": "string", "description": "in English; each problem says it in every language"},
    "problems": {"type": "array", "items": _PROBLEM,
                 "description": "what is wrong: the input's problems, or the one problem of the request"}}}
_AUTH = [{"bearer": []}]


def openapi() -> dict:
    """The OpenAPI document of this API."""
    errors = {str(code): {"description": text, "content": {"application/json": {"schema": _ERROR}}}
              for code, text in ((400, "invalid input"), (401, "missing or wrong token"), (413, "body too large"),
                                 (415, "unsupported content type"),
                                 (422, "files that cannot be used: no table or several fit, bad values (problems)"))}
    return {
        "openapi": "3.1.0",
        "info": {"title": "creditscore local API", "version": "1"},
        "servers": [{"url": "http://127.0.0.1"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": _AUTH,
        "paths": {
            "/api/v1/health": {"get": {"summary": "Service status", "responses": {"200": {"description": "ok"}}}},
            "/api/v1/clients": {
                "get": {
                    "summary": "Clients in the store, filtered, one page at a time",
                    "parameters": _LIST_FILTERS,
                    "responses": {"200": {"description": "a page of clients",
                                          "content": {"application/json": {"schema": _LIST}}},
                                  "400": errors["400"], "401": errors["401"]},
                }
            },
            "/api/v1/clients/{sk_id_curr}": {
                "get": {
                    "summary": "Latest stored score of a client",
                    "parameters": [{"name": "sk_id_curr", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "the client's latest score",
                                          "content": {"application/json": {"schema": _STORED_SCORE}}},
                                  "404": {"description": "unknown client"}, "401": errors["401"]},
                }
            },
            "/api/v1/what-if": {
                "post": {
                    "summary": "Score a stored client with some fields changed (the store is not changed)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["SK_ID_CURR"],
                        "properties": {
                            "SK_ID_CURR": {"type": "integer"},
                            "changes": {"type": "object", "propertyNames": {"enum": _WHATIF_FIELDS},
                                        "additionalProperties": {"type": ["number", "string"]},
                                        "description": "field -> new value (EMPLOYED_YEARS in years)"},
                        },
                    }}}},
                    "responses": {
                        "200": {"description": "the what-if", "content": {"application/json": {"schema": {
                            **_SCORE, "properties": {
                                **_SCORE["properties"], "THRESHOLD": {"type": "number"},
                                "DISTANCE_TO_THRESHOLD": {"type": "number",
                                                          "description": "PD points below the threshold (< 0: above)"},
                                "EDITS": {"type": "object"}, "LARGEST_CREDIT": _LIMIT, "SHORTEST_TERM": _LIMIT,
                            }}}}},
                        "404": {"description": "unknown client"},
                        **{code: errors[code] for code in ("400", "401", "413")},
                    },
                }
            },
            "/api/v1/score": {
                "post": {
                    "summary": "Score one application (JSON), or the clients of files of any name",
                    "description": "JSON: a key that is a table's name is that table; any other key is recognised "
                                   "by its records' columns. Files: each is recognised by its columns (its name "
                                   "only a hint), and read and checked as an import; nothing is stored.",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"application": {"type": "object", "description": "application columns (Home Credit names)"}},
                        "additionalProperties": {"type": ["array", "object"], "items": {"type": "object"},
                                                 "description": "history tables: bureau, bureau_balance, previous_application, …; "
                                                                "or any table under a free name, recognised by its columns"},
                    }}, **_FILE_BODIES}},
                    "responses": {"200": {"description": "score", "content": {"application/json": {"schema": {
                        **_SCORE, "properties": {
                            **_SCORE["properties"],
                            "TABLES": {"type": "object", "additionalProperties": {"type": "string"},
                                       "description": "each key or file sent -> the table it was recognised as"},
                            "WARNINGS": {"type": "array", "items": _PROBLEM},
                            "CLIENTS": {"type": "array", "items": _SCORE,
                                        "description": "files: one score per client (the score's fields are then not at the top)"},
                        }}}}}, **errors},
                }
            },
        },
    }


def _worded(reasons: list[dict]) -> list[dict]:
    """Reasons with their words in each language, from the scorer's feature labels."""
    words = context().scorer.words
    return [{**reason, **{lang: words.text(reason, lang) for lang in LANGS}} for reason in reasons]


def _scored(result) -> dict:
    """A score's (or a what-if's) fields, its reasons worded."""
    fields = result.to_dict()
    return {**fields, **{side: _worded(reasons) for side, reasons in fields.items() if side.startswith("REASONS_")}}


def _problem(problem: Problem, files: bool = False) -> dict:
    """An input problem in the API's words: where (table and record of a JSON body, or file and line), what, FR/EN."""
    place, position = ("file", "line") if files else ("table", "record")
    return {place: problem.file, "column": problem.column, position: problem.row, "severity": problem.severity,
            "code": problem.code, "params": problem.params, "message": problem.message,
            **{lang: describe(problem, lang) for lang in LANGS}}


def model_fields(bundle: Bundle, model: str, supplied, bundle_id: str | None = None) -> dict:
    """The model that made a score, by name and in words, with the tables supplied and ignored."""
    supplied = [name for name in TABLE_NAMES if name in set(supplied)]
    return {
        "MODEL": model,
        "MODEL_AUC": expected_auc(bundle, model) if bundle_id in (None, bundle.id) else None,
        **{f"MODEL_{lang.upper()}": scored_with(bundle, model, supplied, lang, bundle_id) for lang in LANGS},
        "TABLES_SUPPLIED": supplied,
        "TABLES_IGNORED": ignored_tables(bundle, model, supplied),
    }


def api_blueprint() -> Blueprint:
    api = Blueprint("api", __name__, url_prefix="/api/v1")

    @api.errorhandler(RequestRefused)
    def request_refused(exc: RequestRefused):
        return exc.answer()

    @api.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return refused(http_code(exc.code), exc.code, http=exc.code, detail=exc.description or exc.name)

    @api.errorhandler(InputError)
    def input_error(exc: InputError):
        return listed("invalid_input", [_problem(p) for p in exc.problems], 400)

    @api.errorhandler(ImportRefused)
    def files_refused(exc: ImportRefused):
        return listed("files_refused", [_problem(p, files=True) for p in exc.problems], 422)

    @api.get("/health")
    def health():
        ctx = context()
        bundle = ctx.scorer.bundle
        return jsonify(status="ok", bundle=bundle.id, threshold=bundle.threshold, variant=bundle.manifest.variant)

    @api.get("/openapi.json")
    def spec():
        return jsonify(openapi())

    @api.errorhandler(StoreError)
    def store_error(exc: StoreError):  # the store's own sentence (English) is the error; the problem words it in each language
        problem = request_problem("store_refused", detail=str(exc))
        problem.update({lang: t("api.store_refused", lang, detail=exc.sentence(lang)) for lang in LANGS})
        return jsonify(error=str(exc), problems=[problem]), 400

    @api.get("/clients")
    def clients():
        params = request.args.to_dict()
        limit, offset = params.pop("limit", "100"), params.pop("offset", "0")
        if not (limit.isdigit() and offset.isdigit() and int(limit) <= MAX_LIMIT):
            return refused("bad_page", limit=MAX_LIMIT)
        rows, total = ClientQuery.from_params(params).page(context().store, int(limit), int(offset))
        return jsonify(total=total, clients=rows.to_dicts())

    @api.get(f"/clients/<int(max={INT_RANGE[1]}):sk_id_curr>")  # larger ids: 404, never an overflow
    def client(sk_id_curr: int):
        found = context().store.client(sk_id_curr)
        if found is None:
            return refused("no_client", 404, id=sk_id_curr)
        score = found.score
        return jsonify({
            "SK_ID_CURR": sk_id_curr, **{name: getattr(score, FIELDS[name].stored) for name in _STORED_FIELDS},
            **model_fields(context().scorer.bundle, score.model, score.supplied, score.bundle_id),
            "REASONS_AGAINST": _worded(score.against), "REASONS_FOR": _worded(score.favour),
        })

    @api.post("/score")
    def score():
        if api_files.carries_files(request):
            return _score_files()
        if not request.is_json:
            raise RequestRefused("unsupported_type", 415, type=request.mimetype)
        body = json_body(request.get_data())  # read within the route's body limit
        frames, warnings = tables_from_json(body)
        scorer, supplied = context().scorer, frozenset(frames)
        result = scorer.score(scorer.features(frames), supplied=supplied)[0]
        return jsonify({**_scored(result), **model_fields(scorer.bundle, result.model, supplied),
                        "TABLES": {key: table for table, key in recognised_keys(body).items()},
                        "WARNINGS": [_problem(w) for w in warnings]})

    def _score_files():
        ctx = context()
        validated = api_files.validated_files(request, ctx.real_store.home)
        scorer, supplied = ctx.scorer, frozenset(validated.frames)
        results = scorer.score(scorer.features(validated.frames), supplied=supplied)
        return jsonify({**model_fields(scorer.bundle, scorer.bundle.model_for(supplied).name, supplied),
                        "TABLES": {name: table for table, name in validated.sources.items()},
                        "WARNINGS": [_problem(w, files=True) for w in validated.report.problems],
                        "CLIENTS": [_scored(result) for result in results]})

    @api.post("/what-if")
    def what_if():
        if not request.is_json:
            return refused("not_json")
        body = json_body(request.get_data())
        sk_id = body.get("SK_ID_CURR") if isinstance(body, dict) else None
        changes = body.get("changes", {}) if isinstance(body, dict) else None
        if not isinstance(sk_id, int) or isinstance(sk_id, bool) or not INT_RANGE[0] <= sk_id <= INT_RANGE[1]:
            return refused("bad_client_id")
        if not isinstance(changes, dict):
            return refused("bad_changes")
        ctx = context()
        try:
            result = whatif.answer(ctx.store, ctx.scorer, sk_id, changes)
        except KeyError:
            return refused("no_client", 404, id=sk_id)
        if isinstance(result, list):
            return listed("invalid_whatif", [error.to_dict() for error in result], 400)
        record = ctx.store.client(sk_id)
        return jsonify({**_scored(result), **model_fields(ctx.scorer.bundle, result.score.model, record.score.supplied)})

    return api
