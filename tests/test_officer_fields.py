"""The officer's decision's fields declared once (engine.score_record.OFFICER_FIELDS): the client lists', the
batch export's and the decisions log's columns and types come from it, and each names a column the store has."""

from __future__ import annotations

import polars as pl

from engine.score_record import FIELDS, OFFICER_FIELDS, decision_columns, schema
from storage import client_query, export


def test_the_lists_and_exports_officer_columns_are_the_declared_ones():
    listed = [name for name in client_query.ROW_SCHEMA if name not in FIELDS]
    assert listed == ["OFFICER_DECISION", "OVERRIDE", "OFFICER", "DECIDED_AT"]
    assert all(client_query.ROW_SCHEMA[name] == OFFICER_FIELDS[name].dtype for name in listed)
    assert client_query.ROW_COLUMNS.endswith("d.decision, d.overrides, d.officer, d.decided_at")
    logged = {name: dtype for name, dtype in export._DECISION_SCHEMA.items() if name in OFFICER_FIELDS}
    assert logged == schema(*OFFICER_FIELDS) and logged["OVERRIDE"] == pl.Boolean


def test_decision_columns_name_the_decisions_tables_columns(imported_store):
    columns = {row[1] for row in imported_store.db.execute("PRAGMA table_info(decisions)").fetchall()}
    assert {field.stored for field in OFFICER_FIELDS.values()} <= columns
    assert decision_columns("x", "OFFICER", "OVERRIDE_REASON") == "x.officer, x.override_reason"


def test_a_scores_and_its_officers_names_never_clash():
    assert not set(FIELDS) & set(OFFICER_FIELDS)
