"""Feature pipeline: hand-checked aggregates on a tiny example, then behaviour on the real extract."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from engine.aggregations import NULL_LEVEL
from engine.features import PIPELINE_VERSION, FeaturePipeline, NotFittedError
from engine.schema import tables

HISTORY = ("bureau", "bureau_balance", "previous_application", "POS_CASH_balance", "credit_card_balance")


# ------------------------------------------------------------------------------ tiny example


def tiny_tables() -> dict[str, pl.DataFrame]:
    """Three clients: 1 with bureau / previous / instalments history, 2 with a little, 3 with none."""
    application = pl.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3],
            "TARGET": [1, 0, 0],
            "CODE_GENDER": ["XNA", "F", "M"],
            "FLAG_OWN_CAR": ["Y", "N", "N"],
            "NAME_INCOME_TYPE": ["Working", "Pensioner", None],
            "AMT_INCOME_TOTAL": [100_000.0, 50_000.0, 80_000.0],
            "AMT_CREDIT": [200_000.0, 100_000.0, 0.0],
            "AMT_ANNUITY": [10_000.0, 4_000.0, 3_000.0],
            "AMT_GOODS_PRICE": [180_000.0, 100_000.0, None],
            "CNT_FAM_MEMBERS": [2.0, 1.0, 3.0],
            "DAYS_BIRTH": [-10_000.0, -20_000.0, -15_000.0],
            "DAYS_EMPLOYED": [365_243.0, -2_000.0, -1_000.0],
            "EXT_SOURCE_1": [0.5, 0.2, None],
            "EXT_SOURCE_2": [None, 0.4, None],
            "EXT_SOURCE_3": [0.7, 0.6, None],
            "FLAG_DOCUMENT_3": [1.0, 1.0, 0.0],
            "FLAG_DOCUMENT_8": [1.0, 0.0, 0.0],
        }
    )
    bureau = pl.DataFrame(
        {
            "SK_ID_CURR": [1, 1, 1, 2],
            "SK_ID_BUREAU": [11, 12, 13, 21],
            "CREDIT_ACTIVE": ["Active", "Closed", "Active", "Closed"],
            "DAYS_CREDIT": [-100.0, -300.0, -200.0, -50.0],
            "AMT_CREDIT_SUM": [1_000.0, 500.0, 3_000.0, 700.0],
        }
    )
    bureau_balance = pl.DataFrame(
        {
            "SK_ID_BUREAU": [11, 11, 11, 13],
            "MONTHS_BALANCE": [0.0, -1.0, -2.0, 0.0],
            "STATUS": ["C", "0", "1", "X"],
        }
    )
    previous = pl.DataFrame(
        {
            "SK_ID_PREV": [101, 102, 103],
            "SK_ID_CURR": [1, 1, 1],
            "NAME_CONTRACT_STATUS": ["Approved", "Refused", "Approved"],
            "AMT_APPLICATION": [100.0, 300.0, 50.0],
            "AMT_CREDIT": [200.0, 300.0, 0.0],
            "DAYS_TERMINATION": [365_243.0, -10.0, -20.0],
        }
    )
    pos = pl.DataFrame(
        {
            "SK_ID_PREV": [201, 201, 201],
            "SK_ID_CURR": [2, 2, 2],
            "MONTHS_BALANCE": [-3.0, -2.0, -1.0],
            "SK_DPD": [0.0, 4.0, 1.0],
            "NAME_CONTRACT_STATUS": ["Active", "Active", "Completed"],
        }
    )
    instalments = pl.DataFrame(
        {
            "SK_ID_PREV": [101, 101, 101],
            "SK_ID_CURR": [1, 1, 1],
            "DAYS_INSTALMENT": [-100.0, -70.0, -40.0],
            "DAYS_ENTRY_PAYMENT": [-95.0, -80.0, None],
            "AMT_INSTALMENT": [100.0, 100.0, 100.0],
            "AMT_PAYMENT": [100.0, 50.0, None],
        }
    )
    card = pl.DataFrame(
        {
            "SK_ID_PREV": [301, 301],
            "SK_ID_CURR": [2, 2],
            "MONTHS_BALANCE": [-2.0, -1.0],
            "AMT_BALANCE": [100.0, 300.0],
            "NAME_CONTRACT_STATUS": ["Active", "Completed"],
        }
    )
    return {
        "application": application,
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous,
        "POS_CASH_balance": pos,
        "installments_payments": instalments,
        "credit_card_balance": card,
    }


@pytest.fixture(scope="module")
def tiny() -> tuple[FeaturePipeline, dict[int, dict[str, float | None]]]:
    pipeline = FeaturePipeline(drop_constant=False)
    frame = pipeline.fit_transform(tiny_tables())
    return pipeline, {row["SK_ID_CURR"]: row for row in frame.iter_rows(named=True)}


def test_application_features_by_hand(tiny):
    _, rows = tiny
    one, two, three = rows[1], rows[2], rows[3]
    assert one["ANNUITY_GOODS_PERC"] == pytest.approx(10_000 / 180_000)
    assert one["INCOME_CREDIT_PERC"] == pytest.approx(0.5)
    assert one["INCOME_PER_PERSON"] == pytest.approx(50_000)
    assert one["ANNUITY_INCOME_PERC"] == pytest.approx(0.1)
    assert one["CREDIT_GOODS_PERC"] == pytest.approx(200_000 / 180_000)
    assert one["DAYS_EMPLOYED"] is None and one["DAYS_EMPLOYED_PERC"] is None  # 365243 -> null
    assert two["DAYS_EMPLOYED_PERC"] == pytest.approx(0.1)
    assert three["INCOME_CREDIT_PERC"] is None  # AMT_CREDIT 0: null, not inf
    assert one["EXT_SOURCES_MEAN"] == pytest.approx(0.6)
    assert one["EXT_SOURCES_NULL_COUNT"] == 1 and three["EXT_SOURCES_NULL_COUNT"] == 3
    assert two["EXT_SOURCES_PROD"] == pytest.approx(0.2 * 0.4 * 0.6)
    assert two["EXT_SOURCES_WEIGHTED_SUM"] == pytest.approx(0.2 * 2 + 0.4 + 0.6 * 3)
    assert one["EXT_SOURCES_WEIGHTED_MEAN"] == pytest.approx((0.5 * 2 + 0.7 * 3) / 5)
    assert one["AGE_YEARS"] == pytest.approx(10_000 / 365.25)
    assert one["DOCUMENT_COUNT"] == 2
    # 'XNA' gender is null, which gets its own level; Y/N without nulls is one 0/1 column.
    assert one["CODE_GENDER_MISSING"] == 1 and one["CODE_GENDER_F"] == 0 and two["CODE_GENDER_F"] == 1
    assert [one["FLAG_OWN_CAR_Y"], two["FLAG_OWN_CAR_Y"]] == [1, 0]
    assert three["NAME_INCOME_TYPE_MISSING"] == 1 and three["NAME_INCOME_TYPE_WORKING"] == 0
    assert "TARGET" not in rows[1] and "FLAG_OWN_CAR_N" not in rows[1]


def test_bureau_features_by_hand(tiny):
    _, rows = tiny
    one, two, three = rows[1], rows[2], rows[3]
    assert one["BURO_DAYS_CREDIT_MEAN"] == pytest.approx(-200)
    assert one["BURO_DAYS_CREDIT_VAR"] == pytest.approx(10_000)  # sample variance
    assert one["BURO_CREDIT_ACTIVE_ACTIVE_MEAN"] == pytest.approx(2 / 3)
    assert (one["ACTIVE_COUNT"], one["ACTIVE_AMT_CREDIT_SUM_SUM"]) == (2, 4_000)
    assert (one["CLOSED_COUNT"], one["CLOSED_DAYS_CREDIT_MIN"]) == (1, -300)
    assert two["ACTIVE_COUNT"] == 0 and two["ACTIVE_AMT_CREDIT_SUM_SUM"] is None
    # bureau_balance: credit 11 has 3 months (C, 0, 1), 13 has 1 (X), 12 none.
    assert one["BURO_MONTHS_BALANCE_SIZE_MEAN"] == pytest.approx(2)
    assert one["BURO_MONTHS_BALANCE_SIZE_SUM"] == 4
    assert one["BURO_MONTHS_BALANCE_MIN_MIN"] == -2
    assert one["BURO_STATUS_C_MEAN"] == pytest.approx((1 / 3 + 0) / 2)
    assert three["BURO_COUNT"] == 0 and three["BURO_DAYS_CREDIT_MEAN"] is None


def test_history_features_by_hand(tiny):
    _, rows = tiny
    one, two, three = rows[1], rows[2], rows[3]
    # AMT_CREDIT 0 gives a null ratio, left out of the mean.
    assert one["PREV_APP_CREDIT_PERC_MEAN"] == pytest.approx((0.5 + 1.0) / 2)
    assert one["APPROVED_APP_CREDIT_PERC_MEAN"] == pytest.approx(0.5)
    assert (one["PREV_COUNT"], one["APPROVED_COUNT"], one["REFUSED_COUNT"]) == (3, 2, 1)
    assert one["PREV_DAYS_TERMINATION_MAX"] == -10  # 365243 -> null
    assert one["PREV_NAME_CONTRACT_STATUS_REFUSED_MEAN"] == pytest.approx(1 / 3)
    assert (two["POS_COUNT"], two["POS_SK_DPD_MAX"]) == (3, 4)
    assert two["POS_NAME_CONTRACT_STATUS_ACTIVE_MEAN"] == pytest.approx(2 / 3)
    # Instalments: 5 days late, 10 days early, one unpaid (null).
    assert (one["INSTAL_DPD_MAX"], one["INSTAL_DBD_MAX"], one["INSTAL_DPD_SUM"]) == (5, 10, 5)
    assert one["INSTAL_PAYMENT_PERC_MEAN"] == pytest.approx(0.75)
    assert one["INSTAL_PAYMENT_DIFF_SUM"] == pytest.approx(50)
    assert one["INSTAL_COUNT"] == 3 and two["INSTAL_COUNT"] == 0
    assert (two["CC_AMT_BALANCE_MEAN"], two["CC_AMT_BALANCE_VAR"], two["CC_COUNT"]) == (200, 20_000, 2)
    assert three["CC_COUNT"] == 0 and three["CC_AMT_BALANCE_MEAN"] is None


def test_specs_and_names(tiny):
    pipeline, _ = tiny
    assert list(pipeline.specs) == pipeline.feature_names
    assert all(re.fullmatch(r"[A-Z0-9_]+", name) for name in pipeline.feature_names)
    spec = pipeline.specs["PREV_NAME_CONTRACT_STATUS_REFUSED_MEAN"]
    assert (spec.table, spec.column, spec.agg, spec.level) == (
        "previous_application",
        "NAME_CONTRACT_STATUS",
        "mean",
        "Refused",
    )
    spec = pipeline.specs["ACTIVE_AMT_CREDIT_SUM_SUM"]
    assert (spec.table, spec.column, spec.agg, spec.scope) == ("bureau", "AMT_CREDIT_SUM", "sum", "active")
    assert pipeline.specs["BURO_STATUS_C_MEAN"].table == "bureau_balance"
    assert pipeline.specs["CODE_GENDER_MISSING"].level == NULL_LEVEL
    assert pipeline.specs["ANNUITY_GOODS_PERC"].agg is None
    assert pipeline.levels["application"]["CODE_GENDER"] == ["F", "M", NULL_LEVEL]


def test_missing_and_empty_tables(tiny):
    pipeline, _ = tiny
    data = tiny_tables()
    full = pipeline.transform(data)
    only_application = pipeline.transform({"application": data["application"], "bureau": None})
    empty = pipeline.transform(
        {name: frame.clear() for name, frame in data.items() if name != "application"}
        | {"application": data["application"]}
    )
    for frame in (only_application, empty):
        assert frame.columns == full.columns
        assert frame.dtypes == [pl.Int64] + [pl.Float32] * len(pipeline.feature_names)
    history = [name for name in pipeline.feature_names if pipeline.specs[name].table != "application"]
    assert only_application.select(pl.col(history).is_null().all()).row(0) == (True,) * len(history)
    counts = [name for name in history if name.endswith("_COUNT")]
    assert empty.select(pl.col(counts).sum()).row(0) == (0,) * len(counts)  # supplied but empty: 0 rows
    others = [name for name in history if name not in counts]
    assert empty.select(pl.col(others).is_null().all()).row(0) == (True,) * len(others)
    application = [name for name in pipeline.feature_names if name not in history]
    assert_frame_equal(only_application.select(application), full.select(application))


def test_lazy_and_eager_paths_agree(tiny):
    """LazyFrames run as one streaming plan, small DataFrames eagerly: same features."""
    pipeline, _ = tiny
    data = tiny_tables()
    lazy = pipeline.transform({name: frame.lazy() for name, frame in data.items()})
    assert_frame_equal(lazy, pipeline.transform(data))


def test_not_fitted_and_version():
    with pytest.raises(NotFittedError):
        FeaturePipeline().transform(tiny_tables())
    with pytest.raises(ValueError, match="application table is required"):
        FeaturePipeline().fit({"bureau": tiny_tables()["bureau"]})
    state = FeaturePipeline().fit(tiny_tables()).to_dict()
    with pytest.raises(ValueError, match="version"):
        FeaturePipeline.from_dict({**state, "version": PIPELINE_VERSION + ".old"})


def test_drop_constant_at_fit():
    pipeline = FeaturePipeline().fit(tiny_tables())
    assert "FLAG_DOCUMENT_3" in pipeline.feature_names  # varies
    assert "FLAG_DOCUMENT_2" not in pipeline.feature_names  # absent: all null
    assert "REFUSED_COUNT" in pipeline.feature_names  # 1, 0, 0
    assert "REFUSED_APP_CREDIT_PERC_VAR" not in pipeline.feature_names  # one refusal: null everywhere


# ------------------------------------------------------------------------------ real extract


def read_zip(path: Path, table: str) -> pl.DataFrame:
    """One Kaggle zip (one CSV inside) typed by the schema."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read(archive.namelist()[0])
    header = data[: data.index(b"\n")].decode().strip().split(",")
    schema = {name: dtype for name, dtype in tables()[table].schema().items() if name in header}
    return pl.read_csv(data, schema_overrides=schema)


@pytest.fixture(scope="module")
def extract(home_credit: Path) -> dict[str, dict[str, pl.DataFrame]]:
    """Train and test tables of the extract (history shared, no instalments)."""
    history = {name: read_zip(home_credit / f"{name}.zip", name) for name in HISTORY}
    return {
        part: {"application": read_zip(home_credit / f"application_{part}.zip", "application"), **history}
        for part in ("train", "test")
    }


@pytest.fixture(scope="module")
def fitted(extract) -> tuple[FeaturePipeline, pl.DataFrame, pl.DataFrame]:
    pipeline = FeaturePipeline()
    train = pipeline.fit_transform(extract["train"])
    return pipeline, train, pipeline.transform(extract["test"])


def client_tables(data: dict[str, pl.DataFrame], client: int) -> dict[str, pl.DataFrame]:
    """The rows of one client in every table, as the app passes them to score one applicant."""
    own = {
        name: frame.filter(pl.col("SK_ID_CURR") == client)
        for name, frame in data.items()
        if name != "bureau_balance"
    }
    credits = own["bureau"]["SK_ID_BUREAU"]
    return own | {
        "bureau_balance": data["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(credits.implode()))
    }


def test_real_train_and_test(fitted, extract):
    pipeline, train, test = fitted
    assert train.height == test.height == 5_000
    assert train["SK_ID_CURR"].n_unique() == 5_000
    assert train["SK_ID_CURR"].to_list() == extract["train"]["application"]["SK_ID_CURR"].to_list()
    assert train.columns == test.columns == ["SK_ID_CURR", *pipeline.feature_names]
    assert test.dtypes == [pl.Int64] + [pl.Float32] * len(pipeline.feature_names)
    assert "TARGET" not in pipeline.feature_names and len(set(pipeline.feature_names)) == len(
        pipeline.feature_names
    )
    assert len(pipeline.feature_names) > 600
    families = {name.split("_")[0] for name in pipeline.feature_names}
    assert {"BURO", "ACTIVE", "CLOSED", "PREV", "APPROVED", "REFUSED", "POS", "CC"} <= families
    assert not any(name.startswith("INSTAL_") for name in pipeline.feature_names)  # table absent at fit
    assert train.select(pl.col(pipeline.feature_names).is_infinite().any()).sum_horizontal().item() == 0
    assert train["BURO_COUNT"].null_count() == 0 and train["BURO_DAYS_CREDIT_MEAN"].null_count() > 0


def test_single_client_matches_batch(fitted, extract):
    pipeline, _, test = fitted
    data = extract["test"]
    with_history = data["bureau"].join(data["credit_card_balance"], on="SK_ID_CURR")["SK_ID_CURR"][0]
    without = data["application"].join(data["bureau"], on="SK_ID_CURR", how="anti")["SK_ID_CURR"][0]
    for client in (with_history, without):
        one = pipeline.transform(client_tables(data, client))
        assert_frame_equal(one, test.filter(pl.col("SK_ID_CURR") == client))


def test_real_application_only(fitted, extract):
    pipeline, _, test = fitted
    alone = pipeline.transform({"application": extract["test"]["application"]})
    assert alone.columns == test.columns
    history = [name for name, spec in pipeline.specs.items() if spec.table != "application"]
    assert alone.select(pl.col(history).null_count()).sum_horizontal().item() == alone.height * len(history)
    application = ["SK_ID_CURR", *(name for name in pipeline.feature_names if name not in history)]
    assert_frame_equal(alone.select(application), test.select(application))


def test_unseen_category(fitted, extract):
    pipeline, _, _ = fitted
    row = (
        extract["test"]["application"]
        .head(1)
        .with_columns(
            pl.lit("Astronaut").alias("NAME_INCOME_TYPE"), pl.lit("Moon base").alias("ORGANIZATION_TYPE")
        )
    )
    out = pipeline.transform({"application": row})
    for column in ("NAME_INCOME_TYPE", "ORGANIZATION_TYPE"):
        one_hot = [
            name
            for name, spec in pipeline.specs.items()
            if spec.table == "application" and spec.column == column
        ]
        assert len(one_hot) > 2
        assert out.select(one_hot).row(0) == (0.0,) * len(one_hot)


def test_state_round_trip(fitted, extract):
    pipeline, _, test = fitted
    state = json.loads(json.dumps(pipeline.to_dict()))
    restored = FeaturePipeline.from_dict(state)
    assert restored.feature_names == pipeline.feature_names and restored.specs == pipeline.specs
    assert_frame_equal(restored.transform(extract["test"]), test, rel_tol=1e-6)  # streaming sums: ulp noise
    with pytest.raises(ValueError, match="version"):
        FeaturePipeline.from_dict({**state, "version": "0"})


def test_real_instalments_sample(extract, home_credit):
    path = home_credit.parent / "home-credit-fragments" / "installments_payments_sample.csv"
    sample = pl.read_csv(path, schema_overrides=tables()["installments_payments"].schema())
    data = extract["train"] | {"installments_payments": sample}
    pipeline = FeaturePipeline()
    out = pipeline.fit_transform(data)
    assert {"INSTAL_COUNT", "INSTAL_DPD_MAX", "INSTAL_PAYMENT_PERC_MEAN"} <= set(pipeline.feature_names)
    counts = sample.join(out.select("SK_ID_CURR"), on="SK_ID_CURR").group_by("SK_ID_CURR").len()
    assert counts.height > 0
    got = out.join(counts, on="SK_ID_CURR").select(pl.col("INSTAL_COUNT") == pl.col("len")).to_series()
    assert got.all()
    assert out["INSTAL_DPD_MAX"].min() >= 0 and out["INSTAL_DBD_MAX"].min() >= 0
    assert out["INSTAL_COUNT"].null_count() == 0
