"""The score record is declared once (engine.score_record): the store's table, the scorer's table,
the export and the API all carry its fields with its types."""

from __future__ import annotations

from dataclasses import fields

import polars as pl

from desktop.api import openapi
from engine.score_record import (
    FIELDS,
    LIST_FIELDS,
    SCORE_FIELDS,
    ClientScore,
    StoredScore,
    json_properties,
    schema,
    store_schema,
)
from storage.importer import import_files
from storage.store import ClientStore, DecisionRecord

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


def test_a_stored_score_is_the_scorers_record_with_where_and_when_it_was_stored(scorer, small_tables, small_batch, tmp_path):
    """Issue 13 item 3: one score record. What the store gives back is the scorer's record (same fields, same
    reasons as stored) plus only its id, batch, bundle, tables supplied and time; a decision copies it."""
    assert [f.name for f in fields(StoredScore)] == [
        *(f.name for f in fields(ClientScore)), "id", "batch_id", "bundle_id", "supplied", "scored_at"]
    store = ClientStore(tmp_path)
    try:
        result = import_files(store, [small_batch], scorer)
        expected = scorer.score(scorer.features(small_tables), supplied=frozenset(small_tables))
        for score in expected[:5]:
            stored = store.client(score.sk_id_curr).score
            assert isinstance(stored, ClientScore) and stored.fields() == score.fields()
            assert stored.reasons() == score.reasons() and stored.to_dict() == score.to_dict()
            assert (stored.batch_id, stored.bundle_id) == (result.batch_id, scorer.bundle.id)
            assert set(stored.supplied) == set(small_tables) and stored.scored_at
            assert store.scores(score.sk_id_curr) == [stored]
            decision = DecisionRecord.on_score(stored, "refuse", "test", "Claire", "2026-01-01T00:00:00+00:00")
            assert (decision.score_id, decision.pd, decision.reasons) == (stored.id, score.pd, score.reasons())
    finally:
        store.close()
