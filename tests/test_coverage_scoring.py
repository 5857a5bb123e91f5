"""Scoring by the model of the tables supplied, on real clients the model never saw.

Honest by construction: the extract is split in two stratified halves; a bundle trained on one half
scores the other (and the other way round), so every PD below comes from a model that never saw
the client, with a calibration fitted on its own training half's out-of-fold predictions.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.model_selection import StratifiedKFold

from engine.readers import read_tables
from engine.scoring import Scorer
from engine.train_bundle import train_bundle
from engine.training import TrainingConfig

FAST = {"n_estimators": 60, "learning_rate": 0.08, "num_leaves": 7, "colsample_bytree": 0.5, "verbose": -1}
BUREAU = {"application", "bureau", "bureau_balance"}
#: A bundle is trained on part of the extract for these tests.
pytestmark = pytest.mark.slow


def _clients(tables: dict[str, pl.DataFrame], ids: pl.Series) -> dict[str, pl.DataFrame]:
    """The tables restricted to ``ids`` (bureau_balance through their bureau credits)."""
    kept = {n: f.filter(pl.col("SK_ID_CURR").is_in(ids.implode())) for n, f in tables.items() if n != "bureau_balance"}
    credits = kept["bureau"]["SK_ID_BUREAU"].implode()
    kept["bureau_balance"] = tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(credits))
    return kept


@pytest.fixture(scope="module")
def held_out(home_credit, tmp_path_factory):
    """[(scorer trained on one half, the other half's tables, its TARGET)] for both halves."""
    tables = read_tables(home_credit, application="train").frames
    application = tables["application"]
    y = application["TARGET"].to_numpy()
    halves = StratifiedKFold(n_splits=2, shuffle=True, random_state=0).split(np.zeros(len(y)), y)
    # Bags of two boosters (the shipped five): routing and calibration are the same mechanism, at 2/5 the fits.
    config = TrainingConfig(n_splits=3, params=FAST, fold_seeds=(42,), variants=("as_is",), bags=2)
    pairs = []
    for k, (train_rows, test_rows) in enumerate(halves):
        folder = tmp_path_factory.mktemp(f"half{k}")
        for name, frame in _clients(tables, application["SK_ID_CURR"][train_rows]).items():
            frame.write_parquet(folder / f"{'application_train' if name == 'application' else name}.parquet")
        bundle = train_bundle(folder, folder / "bundle", config)
        test = _clients(tables, application["SK_ID_CURR"][test_rows])
        pairs.append((Scorer(bundle), test, y[test_rows]))
    return pairs


@pytest.mark.parametrize(("supplied", "model"), [({"application"}, "application"), (BUREAU, "bureau")])
def test_unseen_clients_with_fewer_tables_are_scored_by_their_model_and_calibrated(held_out, supplied, model):
    pds, targets = [], []
    for scorer, test, y in held_out:
        scores = scorer.score(scorer.features({n: test[n] for n in supplied}), supplied=supplied)
        assert {s.model for s in scores} == {model}
        pds += [s.pd for s in scores]
        targets.append(y)
    rate = np.concatenate(targets).mean()
    assert abs(np.mean(pds) - rate) <= 0.10 * rate, (np.mean(pds), rate)


def test_the_same_clients_with_every_table_are_scored_as_full_history(held_out):
    for scorer, test, _ in held_out:
        table = scorer.score_table(scorer.features(test), supplied=set(test))
        assert set(table["MODEL"]) == {"full"}


def test_a_table_not_supplied_is_blanked_whatever_the_features_hold(held_out):
    scorer, test, _ = held_out[0]
    app_only = scorer.score(scorer.features({"application": test["application"]}), supplied={"application"})
    # The same clients' full features, scored as application-only input: the history is ignored.
    full_features = scorer.features(test)
    assert [s.pd for s in app_only] == pytest.approx(list(scorer.pd(full_features, {"application"})))
    assert [s.pd for s in scorer.score(full_features, supplied=set(test))] == pytest.approx(list(scorer.pd(full_features)))
    # Scored as full history, the same features get the full-history model's calibration: other PDs.
    as_full = scorer.score(scorer.features({"application": test["application"]}), supplied=None)
    assert {s.model for s in as_full} == {"full"}
    assert [s.pd for s in as_full] != pytest.approx([s.pd for s in app_only])
