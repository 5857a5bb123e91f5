"""The analyst features (engine.analyst_features): computed right by hand, worded, grouped, monotone."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from engine import vocabulary as vocab
from engine.analyst_features import COUNTS
from engine.families import MONOTONE
from engine.features import FeaturePipeline
from engine.labels import feature_label, reason
from engine.readers import read_tables
from engine.reasons import group_of

ANALYST = {
    "BURO_CREDITS_12M": "bureau",
    "BURO_ACTIVE_DEBT_INCOME": "bureau",
    "BURO_ACTIVE_OVERDUE_INCOME": "bureau",
    "BURO_ANNUITY_INCOME": "bureau",
    "BURO_LATE_MONTHS_24M": "bureau_balance",
    "BURO_LATE_SHARE_24M": "bureau_balance",
    "BURO_MONTHS_SINCE_LATE": "bureau_balance",
    "PREV_LAST_REFUSED": "previous_application",
    "PREV_APPLICATIONS_24M": "previous_application",
    "PREV_REFUSED_SHARE_24M": "previous_application",
    "POS_LATE_MONTHS_12M": "POS_CASH_balance",
    "POS_LATE_SHARE": "POS_CASH_balance",
    "CC_UTILISATION_LAST": "credit_card_balance",
    "CC_UTILISATION_12M": "credit_card_balance",
    "CC_LATE_MONTHS_12M": "credit_card_balance",
    "CC_BELOW_MINIMUM_12M": "credit_card_balance",
}
GROUPS = {
    "bureau": "bureau",
    "bureau_balance": "bureau",
    "previous_application": "previous",
    "POS_CASH_balance": "repayments",
    "credit_card_balance": "cards",
}


def tables() -> dict[str, pl.DataFrame]:
    """Client 1: a bit of everything, on the windows' borders; 2: all closed, all late; 3: zero income,
    tied decisions, zero card limit; 4: no history at all."""
    application = pl.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3, 4],
            "TARGET": [0, 1, 0, 0],
            "AMT_INCOME_TOTAL": [100_000.0, 50_000.0, 0.0, 80_000.0],
            "AMT_CREDIT": [200_000.0, 100_000.0, 50_000.0, 10_000.0],
            "AMT_ANNUITY": [10_000.0, 5_000.0, 2_000.0, 1_000.0],
        }
    )
    bureau = pl.DataFrame(
        {
            "SK_ID_CURR": [1, 1, 1, 2, 3],
            "SK_ID_BUREAU": [11, 12, 13, 21, 31],
            "CREDIT_ACTIVE": ["Active", "Closed", "Active", "Closed", "Active"],
            "DAYS_CREDIT": [-365.0, -366.0, -100.0, -50.0, -900.0],
            "AMT_CREDIT_SUM_DEBT": [20_000.0, 5_000.0, None, 3_000.0, 10_000.0],
            "AMT_CREDIT_SUM_OVERDUE": [1_000.0, 700.0, 0.0, 0.0, 0.0],
            "AMT_ANNUITY": [2_000.0, 9_000.0, None, 500.0, 100.0],
        }
    )
    bureau_balance = pl.DataFrame(
        {
            "SK_ID_BUREAU": [11, 11, 11, 11, 11, 12, 21, 21, 31, 31],
            "MONTHS_BALANCE": [0.0, -1.0, -3.0, -24.0, -25.0, -30.0, -1.0, -2.0, -5.0, -4.0],
            "STATUS": ["C", "X", "0", "1", "2", "5", "0", "0", "1", "2"],
        }
    )
    previous = pl.DataFrame(
        {
            "SK_ID_PREV": [101, 102, 103, 201, 202, 301, 302],
            "SK_ID_CURR": [1, 1, 1, 2, 2, 3, 3],
            "NAME_CONTRACT_STATUS": ["Approved", "Refused", "Approved", "Approved", "Refused", "Refused", "Approved"],
            "DAYS_DECISION": [-800.0, -730.0, -10.0, -400.0, -20.0, -5.0, -5.0],
        }
    )
    pos = pl.DataFrame(
        {
            "SK_ID_PREV": [111, 111, 111, 211, 211],
            "SK_ID_CURR": [1, 1, 1, 2, 2],
            "MONTHS_BALANCE": [-13.0, -12.0, -1.0, -2.0, -1.0],
            "SK_DPD": [5.0, 3.0, 0.0, 1.0, 2.0],
        }
    )
    card = pl.DataFrame(
        {
            "SK_ID_PREV": [121, 121, 121, 122, 321],
            "SK_ID_CURR": [1, 1, 1, 1, 3],
            "MONTHS_BALANCE": [-13.0, -12.0, -1.0, -1.0, -1.0],
            "AMT_BALANCE": [1_000.0, 100.0, 500.0, 250.0, 100.0],
            "AMT_CREDIT_LIMIT_ACTUAL": [1_000.0, 1_000.0, 1_000.0, 0.0, 0.0],
            "SK_DPD": [10.0, 0.0, 2.0, 0.0, 0.0],
            "AMT_INST_MIN_REGULARITY": [50.0, 50.0, 50.0, 0.0, 10.0],
            "AMT_PAYMENT_TOTAL_CURRENT": [0.0, 10.0, 50.0, 0.0, 0.0],
        }
    )
    return {
        "application": application,
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous,
        "POS_CASH_balance": pos,
        "credit_card_balance": card,
    }


@pytest.fixture(scope="module")
def fitted() -> tuple[FeaturePipeline, dict[int, dict]]:
    pipeline = FeaturePipeline(drop_constant=False)
    frame = pipeline.fit_transform(tables())
    return pipeline, {row["SK_ID_CURR"]: row for row in frame.iter_rows(named=True)}


def test_bureau_features_by_hand(fitted):
    _, rows = fitted
    one, two, three, four = rows[1], rows[2], rows[3], rows[4]
    assert [r["BURO_CREDITS_12M"] for r in (one, two, three, four)] == [2, 1, 0, 0]  # −365 in, −366 out
    # Active credits only: 11 and 13 (its null debt counts as nothing); closed 12 left out.
    assert one["BURO_ACTIVE_DEBT_INCOME"] == pytest.approx(0.2)
    assert one["BURO_ACTIVE_OVERDUE_INCOME"] == pytest.approx(0.01)
    assert one["BURO_ANNUITY_INCOME"] == pytest.approx(0.02)
    # All credits closed: no debt with other lenders, 0 (not unknown).
    assert (two["BURO_ACTIVE_DEBT_INCOME"], two["BURO_ANNUITY_INCOME"]) == (0, 0)
    assert three["BURO_ACTIVE_DEBT_INCOME"] is None  # zero income: null, never inf
    assert four["BURO_ACTIVE_DEBT_INCOME"] is None and four["BURO_LATE_MONTHS_24M"] is None


def test_bureau_balance_late_months_by_hand(fitted):
    _, rows = fitted
    one, two, three = rows[1], rows[2], rows[3]
    # Credit 11: late at −24 (in the window) and −25 (out); open months in the window −3 and −24.
    # Credit 12: late at −30 only; credit 13: no monthly rows.
    assert one["BURO_LATE_MONTHS_24M"] == 1
    assert one["BURO_LATE_SHARE_24M"] == pytest.approx(1 / 2)
    assert one["BURO_MONTHS_SINCE_LATE"] == 24
    assert (two["BURO_LATE_MONTHS_24M"], two["BURO_LATE_SHARE_24M"], two["BURO_MONTHS_SINCE_LATE"]) == (0, 0, None)
    assert (three["BURO_LATE_MONTHS_24M"], three["BURO_LATE_SHARE_24M"], three["BURO_MONTHS_SINCE_LATE"]) == (2, 1, 4)


def test_previous_application_features_by_hand(fitted):
    _, rows = fitted
    one, two, three, four = rows[1], rows[2], rows[3], rows[4]
    assert (one["PREV_LAST_REFUSED"], one["PREV_APPLICATIONS_24M"], one["PREV_REFUSED_SHARE_24M"]) == (0, 2, 0.5)
    assert (two["PREV_LAST_REFUSED"], two["PREV_APPLICATIONS_24M"], two["PREV_REFUSED_SHARE_24M"]) == (1, 2, 0.5)
    assert three["PREV_LAST_REFUSED"] == 0  # same day: the later application (302, approved) is the last
    assert (four["PREV_LAST_REFUSED"], four["PREV_APPLICATIONS_24M"], four["PREV_REFUSED_SHARE_24M"]) == (None, 0, None)


def test_pos_and_card_features_by_hand(fitted):
    _, rows = fitted
    one, two, three, four = rows[1], rows[2], rows[3], rows[4]
    assert (one["POS_LATE_MONTHS_12M"], one["POS_LATE_SHARE"]) == (1, pytest.approx(2 / 3))
    assert (two["POS_LATE_MONTHS_12M"], two["POS_LATE_SHARE"]) == (2, 1)  # all late
    assert (four["POS_LATE_MONTHS_12M"], four["POS_LATE_SHARE"]) == (0, None)
    # Latest month −1: balances 500 + 250 over limits 1,000 + 0; over 12 months 0.1 and 0.5 (limit 0 left out).
    assert one["CC_UTILISATION_LAST"] == pytest.approx(0.75)
    assert one["CC_UTILISATION_12M"] == pytest.approx(0.3)
    assert one["CC_LATE_MONTHS_12M"] == 1  # the month −13 is out of the window
    assert one["CC_BELOW_MINIMUM_12M"] == pytest.approx(0.5)  # −12 paid 10 of 50; −1 paid the 50
    assert (three["CC_UTILISATION_LAST"], three["CC_UTILISATION_12M"]) == (None, None)  # zero limit
    assert three["CC_BELOW_MINIMUM_12M"] == 1
    assert (four["CC_LATE_MONTHS_12M"], four["CC_UTILISATION_LAST"]) == (0, None)


def test_tables_not_supplied_or_empty(fitted):
    pipeline, _ = fitted
    data = tables()
    application_only = pipeline.transform({"application": data["application"]})
    assert application_only.select(pl.col(list(ANALYST)).is_null().all()).row(0) == (True,) * len(ANALYST)
    no_balance = pipeline.transform({**data, "bureau_balance": None})
    late = ["BURO_LATE_MONTHS_24M", "BURO_LATE_SHARE_24M", "BURO_MONTHS_SINCE_LATE"]
    assert no_balance.select(pl.col(late).is_null().all()).row(0) == (True,) * 3
    assert no_balance["BURO_ACTIVE_DEBT_INCOME"][0] == pytest.approx(0.2)  # bureau alone still gives its own
    empty = pipeline.transform({name: frame.clear() for name, frame in data.items()} | {"application": data["application"]})
    counts = [name for name in ANALYST if name in COUNTS]
    assert empty.select(pl.col(counts).sum()).row(0) == (0,) * len(counts)
    others = [name for name in ANALYST if name not in COUNTS]
    assert empty.select(pl.col(others).is_null().all()).row(0) == (True,) * len(others)


def test_lazy_and_eager_paths_agree(fitted):
    pipeline, _ = fitted
    data = tables()
    lazy = pipeline.transform({name: frame.lazy() for name, frame in data.items()})
    assert_frame_equal(lazy, pipeline.transform(data))


def test_one_client_alone_as_in_the_batch(fitted):
    pipeline, rows = fitted
    alone = {name: frame.filter(pl.col("SK_ID_CURR") == 1) if "SK_ID_CURR" in frame.columns else frame
             for name, frame in tables().items()}
    row = pipeline.transform(alone).row(0, named=True)
    assert {name: row[name] for name in ANALYST} == {name: rows[1][name] for name in ANALYST}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_worded_and_grouped(fitted, lang):
    pipeline, _ = fitted
    for name, table in ANALYST.items():
        spec = pipeline.specs[name]
        assert spec.table == table
        assert group_of(spec) == GROUPS[table]
        label = feature_label(spec, lang)
        assert label == vocab.DERIVED[name][0 if lang == "fr" else 1] and name not in label
        text = reason(spec, 0.4, 0.1, lang, 0.2)
        assert ("augmente le risque" if lang == "fr" else "raises the risk") in text, text


def test_refused_last_reads_as_a_statement(fitted):
    spec = fitted[0].specs["PREV_LAST_REFUSED"]
    assert reason(spec, 1.0, 0.2, "fr") == "Dernière demande chez nous refusée — augmente le risque"
    assert reason(spec, 0.0, -0.2, "en") == "Last application with us not refused — lowers the risk"


def test_burden_features_are_monotone():
    burden = {"BURO_ACTIVE_DEBT_INCOME", "BURO_ACTIVE_OVERDUE_INCOME", "BURO_ANNUITY_INCOME",
              "CC_UTILISATION_LAST", "CC_UTILISATION_12M"}
    assert {name for name in ANALYST if MONOTONE.get(name)} == burden
    assert all(MONOTONE[name] == 1 for name in burden)


def test_real_extract_by_plain_python(home_credit: Path):
    """On the extract, two features recomputed row by row for the first 300 clients with history."""
    frames = read_tables(home_credit, application="train").frames
    ids = frames["previous_application"]["SK_ID_CURR"].unique().sort()[:300]
    subset = {name: None if frame is None else frame.filter(pl.col("SK_ID_CURR").is_in(ids.implode()))
              for name, frame in frames.items() if name != "bureau_balance"}
    features = FeaturePipeline(drop_constant=False).fit_transform(subset)
    last: dict[int, tuple] = {}
    for row in subset["previous_application"].iter_rows(named=True):
        key = (row["DAYS_DECISION"], row["SK_ID_PREV"])
        if row["SK_ID_CURR"] not in last or key > last[row["SK_ID_CURR"]][0]:
            last[row["SK_ID_CURR"]] = (key, row["NAME_CONTRACT_STATUS"] == "Refused")
    late: dict[int, int] = {}
    for row in subset["POS_CASH_balance"].iter_rows(named=True):
        recent_late = (row["SK_DPD"] or 0) > 0 and row["MONTHS_BALANCE"] >= -12
        late[row["SK_ID_CURR"]] = late.get(row["SK_ID_CURR"], 0) + recent_late
    for row in features.iter_rows(named=True):
        assert row["PREV_LAST_REFUSED"] == last[row["SK_ID_CURR"]][1]
        assert row["POS_LATE_MONTHS_12M"] == late.get(row["SK_ID_CURR"], 0)
    assert sum(v for _, v in last.values()) > 10 and sum(late.values()) > 0  # the features do vary
