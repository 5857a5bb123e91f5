"""The score record is declared once (engine.score_record): the store's table, the scorer's table,
the export and the API all carry its fields with its types."""

from __future__ import annotations

import polars as pl

from desktop.api import openapi
from engine.score_record import FIELDS, LIST_FIELDS, SCORE_FIELDS, ClientScore, json_properties, schema, store_schema
from storage.store import ClientStore

#: SQLite's declared type for each Polars type of a score field.
SQL_TYPES = {pl.Int64(): "INTEGER", pl.Float64(): "REAL", pl.String(): "TEXT"}


def test_every_field_is_a_column_of_the_stores_scores_table_with_its_type(tmp_path):
    store = ClientStore(tmp_path)
    try:
        columns = {name: kind.upper() for name, kind in
                   ((row[1], row[2]) for row in store.db.conn.execute("PRAGMA table_info(scores)"))}
    finally:
        store.close()
    declared = store_schema(*FIELDS)
    assert {name: SQL_TYPES[dtype] for name, dtype in declared.items()} == {name: columns[name] for name in declared}


def test_a_client_score_gives_its_fields_in_order_and_its_reasons_as_stored(scorer, small_tables):
    score = scorer.score(scorer.features(small_tables).head(3), supplied=frozenset(small_tables))[0]
    assert isinstance(score, ClientScore)
    assert list(score.fields()) == list(SCORE_FIELDS)
    assert score.fields()["PD"] == score.pd and score.fields()["MODEL"] == score.model
    reasons = score.reasons()
    assert set(reasons) == {"against", "for"} and reasons["against"] == [r.to_dict() for r in score.against]
    assert list(score.to_dict()) == [*SCORE_FIELDS, "REASONS_AGAINST", "REASONS_FOR"]


def test_the_scorers_table_and_the_lists_carry_the_declared_types(scorer, small_tables):
    table = scorer.score_table(scorer.features(small_tables), supplied=frozenset(small_tables))
    assert {name: table.schema[name] for name in SCORE_FIELDS} == schema(*SCORE_FIELDS)
    assert list(schema(*LIST_FIELDS)) == ["SK_ID_CURR", "BATCH", "SCORED_AT", "PD", "DECISION", "GRADE", "POINTS"]


def test_the_apis_score_schema_is_the_declared_one():
    properties = openapi()["paths"]["/api/v1/score"]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"]["properties"]
    assert {name: properties[name] for name in SCORE_FIELDS} == json_properties(*SCORE_FIELDS)
    assert properties["DECISION"]["enum"] == ["accept", "refuse"] and properties["GRADE"]["enum"] == list("ABCDE")
