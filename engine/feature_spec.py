"""What one feature column means: the contract between the feature pipeline and the labels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureSpec:
    """Where a feature comes from, so that it can be put into plain words.

    ``table`` is the source table (``application``, ``bureau``, ``bureau_balance``,
    ``previous_application``, ``POS_CASH_balance``, ``installments_payments``,
    ``credit_card_balance``); ``column`` a raw column of that table or a derived one
    (e.g. ``ANNUITY_INCOME_PERC``); ``agg`` the aggregation over the client's rows
    (``min``, ``max``, ``mean``, ``sum``, ``var``, ``std``, ``count``, ``nunique``), ``None``
    for the application row itself; ``scope`` the subset aggregated (``active``, ``closed``,
    ``approved``, ``refused``) or ``None``; ``level`` the original category text of a one-hot
    feature (the share of rows with that value once aggregated), else ``None``.
    """

    name: str
    table: str
    column: str
    agg: str | None = None
    scope: str | None = None
    level: str | None = None
