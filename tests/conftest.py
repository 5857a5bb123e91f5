"""Shared fixtures: the real Home Credit extract in ../shared/data, when it is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CREDITSCORE_SHARED_DATA", ROOT.parent / "shared" / "data"))
HOME_CREDIT = SHARED_DATA / "home-credit"
FRAGMENTS = SHARED_DATA / "home-credit-fragments"

needs_shared_data = pytest.mark.skipif(
    not (HOME_CREDIT / "application_train.zip").exists(),
    reason=f"the real Home Credit extract is not at {HOME_CREDIT} (only developer machines and CI have ../shared/data)",
)


@pytest.fixture(scope="session")
def home_credit() -> Path:
    """Folder of the real extract (6 of 7 tables as Kaggle zips); skips where it is absent."""
    if not (HOME_CREDIT / "application_train.zip").exists():
        pytest.skip(f"the real Home Credit extract is not at {HOME_CREDIT}")
    return HOME_CREDIT


@pytest.fixture(scope="session")
def bundle():
    """The default bundle shipped in resources/ (a fresh clone must score with no training step)."""
    from engine.bundle import load_bundle
    from engine.resources import default_bundle

    return load_bundle(default_bundle())


@pytest.fixture(scope="session")
def demo_tables():
    """The shipped demo batch: 5,000 application_test clients and their history."""
    from engine.readers import read_tables
    from engine.resources import demo_batch

    return read_tables(demo_batch()).frames


@pytest.fixture(scope="session")
def small_bundle(home_credit, tmp_path_factory):
    """A quickly trained bundle on the real extract (few trees, 3 folds, one fold seed), written to a temp folder."""
    from engine.train_bundle import train_bundle
    from engine.training import TrainingConfig

    fast = {"n_estimators": 40, "learning_rate": 0.1, "num_leaves": 7, "colsample_bytree": 0.5, "verbose": -1}
    return train_bundle(home_credit, tmp_path_factory.mktemp("bundle"), TrainingConfig(n_splits=3, params=fast, fold_seeds=(42,)))


@pytest.fixture(scope="session")
def running_app(tmp_path_factory):
    """(context, server) of the app serving a fresh store seeded with the demo batch.

    One per test session: Dash pages register globally, so a process holds one app.
    """
    from desktop.window import start_server
    from engine.resources import default_bundle
    from storage.importer import seed_demo
    from storage.store import ClientStore
    from engine.bundle import load_bundle
    from engine.scoring import Scorer

    home = tmp_path_factory.mktemp("home")
    store = ClientStore(home)
    seed_demo(store, Scorer(load_bundle(default_bundle())))
    store.close()
    ctx, server = start_server(home, default_bundle())
    yield ctx, server
    server.stop()
    ctx.close()
