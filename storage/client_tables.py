"""What the client pages read from the store: one client's tables as imported, and pages of clients.

``client_tables`` rebuilds the input the client was scored from: the application row and the
history rows stored with the batch of its latest score (``bureau_balance`` through the client's
bureau rows), typed per ``engine.schema``, for every table that batch supplied (a table without
rows for the client stays, empty: the client has no such history, which scores otherwise than a
table not supplied). ``client_page`` lists scored clients one page at a time,
filtered and counted in SQL, so a store of hundreds of thousands of clients is never loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import polars as pl

from engine.schema import TABLE_NAMES, tables
from engine.score_record import LIST_FIELDS, schema
from storage.batch_tables import batch_supplied
from storage.migrations import quote
from storage.store import ClientStore

log = logging.getLogger(__name__)

#: Columns a page of clients can be sorted by (SQL expression per column name).
SORTABLE = {
    "SK_ID_CURR": 'c."SK_ID_CURR"', "BATCH": "s.batch_id", "PD": "s.pd", "GRADE": "s.grade",
    "POINTS": "s.points", "DECISION": "s.decision", "SCORED_AT": "s.scored_at",
}
_PAGE_COLUMNS = {**schema(*LIST_FIELDS), "OFFICER_DECISION": pl.String}


def _batch_of(store: ClientStore, sk_id_curr: int) -> int | None:
    row = store.db.conn.execute(
        'SELECT s.batch_id FROM clients c JOIN scores s ON s.id = c.latest_score_id WHERE c."SK_ID_CURR" = ?',
        (sk_id_curr,),
    ).fetchone()
    return None if row is None else row[0]


def _rows(store: ClientStore, name: str, where: str, params: tuple) -> pl.DataFrame:
    """Rows of one stored table, typed per the engine schema (without ``batch_id``)."""
    spec = tables()[name]
    columns = spec.input_columns([])  # the label (TARGET) is no input
    sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(name)} WHERE {where}"
    rows = store.db.conn.execute(sql, params).fetchall()
    return pl.DataFrame(rows, schema={c: spec.columns[c].dtype for c in columns}, orient="row")


def client_tables(store: ClientStore, sk_id_curr: int) -> dict[str, pl.DataFrame]:
    """The client's application row and history rows from the batch of its latest score, one frame
    per table that batch supplied (empty where the client has no rows).

    Raises ``KeyError`` for a client the store does not hold.
    """
    batch = _batch_of(store, sk_id_curr)
    if batch is None:
        raise KeyError(sk_id_curr)
    supplied = batch_supplied(store, batch)
    found: dict[str, pl.DataFrame] = {}
    for name in (name for name in TABLE_NAMES if name in supplied):
        if name == "bureau_balance":
            bureaus = found.get("bureau")
            ids = [] if bureaus is None else bureaus["SK_ID_BUREAU"].to_list()
            marks = ", ".join("?" * len(ids))
            found[name] = _rows(store, name, f'batch_id = ? AND "SK_ID_BUREAU" IN ({marks})', (batch, *ids))
        else:
            found[name] = _rows(store, name, 'batch_id = ? AND "SK_ID_CURR" = ?', (batch, sk_id_curr))
    return found


@dataclass(frozen=True)
class ClientFilter:
    """What the officer narrows the list to; every field optional."""

    id_prefix: str = ""  # digits the client number starts with
    decision: str | None = None  # the model's: accept / refuse
    grade: str | None = None
    batch: int | None = None  # clients whose latest score comes from this batch
    sort: tuple[str, bool] = field(default=("SK_ID_CURR", False))  # (column, descending)

    @property
    def on_scores(self) -> bool:
        """Whether the filter or the order reads the scores (else the clients table alone answers)."""
        return any(v is not None for v in (self.decision, self.grade, self.batch)) or self.sort[0] != "SK_ID_CURR"

    def sql(self) -> tuple[str, list]:
        """WHERE clause (possibly empty) and its parameters."""
        where, params = [], []
        digits = "".join(ch for ch in self.id_prefix if ch.isdigit())
        if digits:
            where.append('CAST(c."SK_ID_CURR" AS TEXT) LIKE ?')
            params.append(f"{digits}%")
        for clause, value in (("s.decision = ?", self.decision), ("s.grade = ?", self.grade), ("s.batch_id = ?", self.batch)):
            if value is not None:
                where.append(clause)
                params.append(value)
        return ("WHERE " + " AND ".join(where)) if where else "", params


_LATEST = "JOIN scores s ON s.id = c.latest_score_id"
_ROW = """c."SK_ID_CURR", s.batch_id, s.scored_at, s.pd, s.decision, s.grade, s.points,
        (SELECT d.decision FROM decisions d WHERE d."SK_ID_CURR" = c."SK_ID_CURR" ORDER BY d.id DESC LIMIT 1)"""


def client_page(store: ClientStore, filters: ClientFilter, limit: int, offset: int = 0) -> tuple[pl.DataFrame, int]:
    """One page of clients (latest score and the officer's latest decision) and how many match.

    Without score filters the page and the count come from the ``clients`` table alone (its
    primary key), and only the page's scores are read: fast at any size. Filters on the scores
    scan them (see the report: an index on scores would speed that up).
    """
    where, params = filters.sql()
    column, descending = filters.sort
    direction = "DESC" if descending else "ASC"
    conn = store.db.conn
    if filters.on_scores:
        total = conn.execute(f"SELECT COUNT(*) FROM clients c {_LATEST} {where}", params).fetchone()[0]
        sql = f"""SELECT {_ROW} FROM clients c {_LATEST} {where}
        ORDER BY {SORTABLE[column]} {direction}, c."SK_ID_CURR" LIMIT ? OFFSET ?"""
    else:
        total = conn.execute(f"SELECT COUNT(*) FROM clients c {where}", params).fetchone()[0]
        sql = f"""SELECT {_ROW} FROM (SELECT * FROM clients c {where} ORDER BY c."SK_ID_CURR" {direction} LIMIT ? OFFSET ?) c
        {_LATEST} ORDER BY c."SK_ID_CURR" {direction}"""
    rows = conn.execute(sql, [*params, limit, offset]).fetchall()
    return pl.DataFrame(rows, schema=_PAGE_COLUMNS, orient="row"), total
