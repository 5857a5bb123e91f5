"""Coverages: which model a batch's tables call for, and blanking the tables it did not supply."""

from __future__ import annotations

import polars as pl
import pytest

from engine.coverage import COVERAGES, blank, coverage_of
from engine.schema import TABLE_NAMES

EXTRACT = set(TABLE_NAMES) - {"installments_payments"}  # the shared extract lacks installments


def test_coverages_grow_from_application_to_all_tables():
    assert [c.name for c in COVERAGES] == ["application", "bureau", "full"]
    assert all(a.tables < b.tables for a, b in zip(COVERAGES, COVERAGES[1:]))
    assert COVERAGES[-1].tables == set(TABLE_NAMES)


@pytest.mark.parametrize(
    ("supplied", "expected"),
    [
        ({"application"}, "application"),
        ({"application", "bureau"}, "application"),  # bureau without its balances is not the bureau model's input
        ({"application", "bureau", "bureau_balance"}, "bureau"),
        ({"application", "bureau", "bureau_balance", "previous_application"}, "bureau"),
        (EXTRACT, "full"),  # a table the bundle never saw is not required
        ({"application", "previous_application", "POS_CASH_balance", "credit_card_balance"}, "application"),
    ],
)
def test_coverage_of_is_the_largest_the_batch_supplied(supplied, expected):
    assert coverage_of(supplied, EXTRACT).name == expected


def test_coverage_of_a_bundle_trained_on_the_application_alone_is_full_for_any_batch():
    assert coverage_of({"application"}, {"application"}).name == "full"


def test_coverage_of_ignores_unknown_tables_and_needs_the_application(caplog):
    assert coverage_of({"application", "bureau", "bureau_balance", "loans"}, EXTRACT).name == "bureau"
    assert "loans" in caplog.text
    with pytest.raises(ValueError, match="application"):
        coverage_of({"bureau", "bureau_balance"}, EXTRACT)


def test_blank_nulls_tables_not_kept_and_keeps_the_zeros_of_a_supplied_table():
    from engine.features import FeaturePipeline

    application = pl.DataFrame({"SK_ID_CURR": [1, 2], "AMT_CREDIT": [1000.0, 2000.0]})
    bureau = pl.DataFrame({"SK_ID_CURR": [1], "SK_ID_BUREAU": [10], "AMT_CREDIT_SUM": [500.0]})
    pipeline = FeaturePipeline(drop_constant=False).fit({"application": application, "bureau": bureau})
    features = pipeline.transform({"application": application, "bureau": bureau})
    # Client 2 has no bureau rows in a supplied table: a count of 0, not unknown.
    assert features["BURO_COUNT"].to_list() == [1, 0]

    assert blank(features, pipeline.specs, TABLE_NAMES) is features  # nothing to blank: the same frame

    blanked = blank(features, pipeline.specs, {"application"})
    history = [n for n in pipeline.feature_names if pipeline.specs[n].table != "application"]
    assert history and blanked.select(history).null_count().row(0) == (2,) * len(history)
    assert blanked["AMT_CREDIT"].to_list() == [1000.0, 2000.0]
    assert blanked.schema == features.schema
