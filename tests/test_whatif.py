"""What-if and the client's stored tables: the store stays unchanged, and scoring matches."""

from __future__ import annotations

import polars as pl
import pytest

from desktop.whatif import simulate
from engine.whatif_edits import EMPLOYED_YEARS, apply_edits, start_values
from engine.labels import DAYS_NOT_APPLICABLE
from storage.client_query import ClientQuery
from storage.client_tables import client_tables
from storage.importer import import_files
from storage.store import ClientStore
from storage_helpers import history_of, snapshot


@pytest.fixture(scope="module")
def store(small_batch, scorer, tmp_path_factory):
    store = ClientStore(tmp_path_factory.mktemp("home"))
    import_files(store, [small_batch], scorer)
    yield store
    store.close()


def _clients(small_tables, n: int = 3) -> list[int]:
    return small_tables["application"]["SK_ID_CURR"].head(n).to_list()


def test_client_tables_give_back_the_stored_score(store, scorer, small_tables):
    for sk_id in _clients(small_tables):
        tables = client_tables(store, sk_id)
        assert tables["application"].height == 1
        assert scorer.score(scorer.features(tables))[0].pd == pytest.approx(store.client(sk_id).score.pd, abs=1e-12)
    with pytest.raises(KeyError):
        client_tables(store, -1)


def test_whatif_leaves_the_store_unchanged_and_matches_direct_scoring(store, scorer, small_tables):
    sk_id = _clients(small_tables)[1]
    before = snapshot(store)
    income = store.client(sk_id).application["AMT_INCOME_TOTAL"] * 3
    simulated = simulate(store, scorer, sk_id, {"AMT_INCOME_TOTAL": income})
    assert snapshot(store) == before

    direct = history_of(small_tables, pl.Series([sk_id]))
    direct["application"] = direct["application"].with_columns(AMT_INCOME_TOTAL=pl.lit(income))
    expected = scorer.score(scorer.features(direct))[0]
    assert simulated.pd == pytest.approx(expected.pd, abs=1e-12)
    assert simulated.pd != pytest.approx(store.client(sk_id).score.pd)
    assert [r.feature for r in simulated.against] == [r.feature for r in expected.against]


def test_edits_of_employment_and_children():
    application = pl.DataFrame({"SK_ID_CURR": [1], "DAYS_EMPLOYED": [DAYS_NOT_APPLICABLE], "CNT_CHILDREN": [1],
                                "CNT_FAM_MEMBERS": [3.0], "AMT_INCOME_TOTAL": [1000.0], "AMT_CREDIT": [5000.0],
                                "AMT_ANNUITY": [300.0], "AMT_GOODS_PRICE": [4500.0]})
    assert start_values(application.row(0, named=True))[EMPLOYED_YEARS] is None
    edited = apply_edits({"application": application}, {EMPLOYED_YEARS: 2.5, "CNT_CHILDREN": 3})["application"]
    assert edited["DAYS_EMPLOYED"][0] == -913 and edited["CNT_CHILDREN"][0] == 3 and edited["CNT_FAM_MEMBERS"][0] == 5
    assert start_values(edited.row(0, named=True))[EMPLOYED_YEARS] == 2.5
    assert application["CNT_CHILDREN"][0] == 1  # the input is not changed


def test_client_page_filters_counts_and_pages_in_sql(store):
    everyone = store.find_clients()
    rows, total = ClientQuery().page(store, limit=10, offset=10)
    assert total == everyone.height and rows["SK_ID_CURR"].to_list() == everyone["SK_ID_CURR"][10:20].to_list()
    refused = store.find_clients(decision="refuse", grade="E")
    rows, total = ClientQuery(decision="refuse", grade="E").page(store, limit=1000)
    assert total == refused.height == rows.height
    first = str(everyone["SK_ID_CURR"][0])
    rows, total = ClientQuery(id_prefix=first).page(store, limit=5)
    assert total >= 1 and rows["SK_ID_CURR"][0] == int(first)
    rows, _ = ClientQuery(sort=("PD", True)).page(store, limit=3)
    assert rows["PD"].to_list() == sorted(everyone["PD"].to_list(), reverse=True)[:3]
