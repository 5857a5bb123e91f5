"""The one way to ask the store for clients: a filter object, one WHERE builder, one row schema.

Every list of clients — the app's list, ``creditscore clients``, the API's ``GET /clients`` and the
batch export — is a :class:`ClientQuery` read by :meth:`ClientQuery.rows` (or by
:meth:`ClientQuery.select` where more columns are wanted), so a filter means the same thing everywhere.

* **batch**: the clients *scored in that batch*, each with its score from that batch. Without a
  batch, each client with its latest score. (A batch is what an officer imported; asking for it
  gives back those clients as that import scored them, whatever came after.)
* **status** is about the listed score: ``awaiting`` no officer's decision was recorded on it,
  ``decided`` at least one was, ``override`` the latest one on it goes against the model.
* **decision** is the model's (accept/refuse); **since**/**until** bound the scoring day (both included).

Without score filters and in client order a page comes from the ``clients`` table alone (its
primary key) and only the page's scores are read: fast at any size.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from engine.grading import GRADING
from engine.score_record import ACCEPT, REFUSE, decision_columns, schema, store_schema
from storage.migrations import quote
from storage.paths import StoreError

if TYPE_CHECKING:
    from storage.store import ClientStore

log = logging.getLogger(__name__)

DECISIONS = (ACCEPT, REFUSE)
GRADES = tuple(GRADING["grades"])
AWAITING, DECIDED, OVERRIDE = STATUSES = ("awaiting", "decided", "override")

#: Columns a list can be sorted by (SQL expression per column name); ``SCORED`` is the scoring order.
SORTABLE = {
    "SK_ID_CURR": 's."SK_ID_CURR"', "BATCH": "s.batch_id", "PD": "s.pd", "GRADE": "s.grade",
    "POINTS": "s.points", "DECISION": "s.decision", "SCORED_AT": "s.scored_at", "SCORED": "s.id",
}
#: A listed client: the score, then the officer's latest decision on that score (NULL when none).
_SCORE_FIELDS = ("SK_ID_CURR", "BATCH", "SCORED_AT", "BUNDLE", "MODEL", "PD", "DECISION", "GRADE", "POINTS")
_OFFICER_FIELDS = ("OFFICER_DECISION", "OVERRIDE", "OFFICER", "DECIDED_AT")
ROW_SCHEMA = schema(*_SCORE_FIELDS, *_OFFICER_FIELDS)
ROW_COLUMNS = ", ".join("s." + quote(column) for column in store_schema(*_SCORE_FIELDS)) + (
    ", " + decision_columns("d", *_OFFICER_FIELDS)
)
#: The officer's latest decision on the listed score.
DECIDED_JOIN = "LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE score_id = s.id)"
# Each status as a set of score ids read from the decisions (a few thousand rows), never a lookup per client.
# ``{score}``: the listed score's id (the clients table holds the latest one's, so the status of the latest
# scores is answered from that table alone).
_STATUS_SQL = {
    AWAITING: "{score} NOT IN (SELECT score_id FROM decisions)",
    DECIDED: "{score} IN (SELECT score_id FROM decisions)",
    OVERRIDE: """{score} IN (SELECT score_id FROM decisions
        WHERE overrides = 1 AND id IN (SELECT MAX(id) FROM decisions GROUP BY score_id))""",
}


@dataclass(frozen=True)
class ClientQuery:
    """Which clients, in which order; every filter optional. Invalid values raise ``StoreError``."""

    id_prefix: str = ""  # digits the client number starts with
    decision: str | None = None  # the model's
    grade: str | None = None
    batch: int | None = None  # scored in this batch, with that score
    status: str | None = None  # awaiting / decided / override
    since: date | None = None
    until: date | None = None
    sort: tuple[str, bool] = field(default=("SK_ID_CURR", False))  # (column, descending)

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("decision", self.decision, DECISIONS), ("grade", self.grade, GRADES), ("status", self.status, STATUSES),
            ("sort", self.sort[0], tuple(SORTABLE)),
        ):
            if value is not None and value not in allowed:
                raise StoreError("filter_choice", name=name, allowed=", ".join(allowed), value=value)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ClientQuery:
        """A query from text parameters (a URL's query string): ``decision``, ``grade``, ``batch``,
        ``status``, ``since``, ``until`` (YYYY-MM-DD), ``id_prefix``; others are refused."""
        known = {f.name for f in fields(cls)} - {"sort"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise StoreError("filter_unknown", names=", ".join(unknown), known=", ".join(sorted(known)))
        values: dict[str, object] = {k: v for k, v in params.items() if v != ""}
        try:
            if "batch" in values:
                values["batch"] = int(str(values["batch"]))
                if not 0 <= values["batch"] < 2**63:  # what SQLite's INTEGER holds
                    raise ValueError(f"no batch {values['batch']}")
            for day in ("since", "until"):
                if day in values:
                    values[day] = date.fromisoformat(str(values[day]))
        except ValueError as error:
            raise StoreError("filter_value", detail=str(error)) from None
        return cls(**values)  # type: ignore[arg-type]

    @property
    def on_scores(self) -> bool:
        """Whether the filter or the order reads the scores (else the clients table alone answers)."""
        chosen = (self.decision, self.grade, self.batch, self.since, self.until)
        return any(v is not None for v in chosen) or self.sort[0] != "SK_ID_CURR"

    def where(self) -> tuple[str, list]:
        """WHERE clause (possibly empty) over ``c`` (clients) and ``s`` (the listed score), and its parameters."""
        where, params = [], []
        digits = "".join(ch for ch in self.id_prefix if ch.isdigit())
        if digits:
            where.append('CAST(c."SK_ID_CURR" AS TEXT) LIKE ?')
            params.append(f"{digits}%")
        for clause, value in (
            ("s.batch_id = ?", self.batch), ("s.decision = ?", self.decision), ("s.grade = ?", self.grade),
            ("s.scored_at >= ?", self.since and self.since.isoformat()),
            ("s.scored_at < ?", self.until and (self.until + timedelta(days=1)).isoformat()),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if self.status is not None:
            where.append(_STATUS_SQL[self.status].format(score="s.id" if self.batch is not None else "c.latest_score_id"))
        return ("WHERE " + " AND ".join(where)) if where else "", params

    @property
    def _source(self) -> str:
        if self.batch is None:
            return "clients c JOIN scores s ON s.id = c.latest_score_id"
        return 'scores s JOIN clients c ON c."SK_ID_CURR" = s."SK_ID_CURR"'

    def select(self, columns: str = ROW_COLUMNS, joins: str = "", limit: int | None = None, offset: int = 0) -> tuple[str, list]:
        """The SELECT of ``columns`` (over ``c``, ``s``, ``d`` and any ``joins``) for the matching clients, in order."""
        where, params = self.where()
        column, descending = self.sort
        direction = "DESC" if descending else "ASC"
        page = [-1 if limit is None else limit, offset]
        if self.on_scores:
            sql = f"""SELECT {columns} FROM {self._source} {DECIDED_JOIN} {joins} {where}
            ORDER BY {SORTABLE[column]} {direction}, s."SK_ID_CURR" LIMIT ? OFFSET ?"""
            return sql, [*params, *page]
        sql = f"""SELECT {columns} FROM (SELECT * FROM clients c {where} ORDER BY c."SK_ID_CURR" {direction} LIMIT ? OFFSET ?) c
        JOIN scores s ON s.id = c.latest_score_id {DECIDED_JOIN} {joins} ORDER BY c."SK_ID_CURR" {direction}"""
        return sql, [*params, *page]

    def rows(self, store: ClientStore, limit: int | None = None, offset: int = 0) -> pl.DataFrame:
        """The matching clients as rows of :data:`ROW_SCHEMA`."""
        found = store.db.conn.execute(*self.select(limit=limit, offset=offset)).fetchall()
        return pl.DataFrame(found, schema=ROW_SCHEMA, orient="row", strict=False)

    def count(self, store: ClientStore) -> int:
        """How many clients match."""
        where, params = self.where()
        source = self._source if self.on_scores else "clients c"
        return store.db.conn.execute(f"SELECT COUNT(*) FROM {source} {where}", params).fetchone()[0]

    def page(self, store: ClientStore, limit: int, offset: int = 0) -> tuple[pl.DataFrame, int]:
        """One page of rows and how many clients match in all."""
        return self.rows(store, limit, offset), self.count(store)
