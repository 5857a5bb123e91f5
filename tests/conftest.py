"""Shared fixtures (the shipped bundle and demo batch, the real extract in ../shared/data when it is
there, a small real batch, a store holding it and a scorer) and the markers given by folder."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from storage_helpers import SMALL_CLIENTS, history_of, write_csvs

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CREDITSCORE_SHARED_DATA", ROOT.parent / "shared" / "data"))
HOME_CREDIT = SHARED_DATA / "home-credit"
FRAGMENTS = SHARED_DATA / "home-credit-fragments"

# The command speaks the system's language by default ($LANG): the suite runs as on an English system, whatever
# the machine's, so that no test's words depend on it; the French words are tested with --lang fr (or LANG=fr_FR).
os.environ.update(LANG="en_GB.UTF-8")
for _variable in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)


#: Fixtures that train a model or start the app (its modules, the model and the demo store): a test using
#: one takes tens of seconds, so it is ``slow``.
SLOW_FIXTURES = frozenset({"small_bundle", "running_app"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the end-to-end tests by their folder (``-m "not e2e"`` runs the rest) and the tests that use a
    slow fixture as ``slow`` (``-m "not slow"`` is the quick loop)."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
    """A quickly trained bundle on the real extract (few trees, 3 folds, one fold seed, the shipped variant
    alone, a bag of two boosters: two model files, as the shipped bag's five are five; it serves tests of what
    a trained bundle is, not of its quality), written to a temp folder."""
    from engine.train_bundle import train_bundle
    from engine.training import TrainingConfig

    fast = {"n_estimators": 40, "learning_rate": 0.1, "num_leaves": 7, "colsample_bytree": 0.5, "verbose": -1}
    config = TrainingConfig(n_splits=3, params=fast, fold_seeds=(42,), variants=(TrainingConfig.shipped,), bags=2)
    return train_bundle(home_credit, tmp_path_factory.mktemp("bundle"), config)


@pytest.fixture(scope="session")
def running_app(tmp_path_factory):
    """(context, server) of the app as a new user first meets it: an empty store of their own, so the pages
    show the demo clients from theirs (the pre-built demo store, unpacked by the start as on a first start).

    One per test session: Dash pages register globally, so a process holds one app. The batches tests add
    go into the store the pages show (``ctx.store``: the demo's), so the session stays in demonstration mode;
    a test that imports through the Import page does it on a new user's folder (``first_start`` in
    tests/e2e/conftest.py).
    """
    from desktop.window import start_server
    from engine.resources import default_bundle
    from storage import demo
    from storage.paths import settings_file
    from storage.settings import save_officer_name

    home = tmp_path_factory.mktemp("home")
    save_officer_name(settings_file(home), "Agent e2e")  # the name asked at first use (tests/e2e/test_decisions.py asks it)
    ctx, server = start_server(home, default_bundle())
    assert demo.is_ready(home), "the pre-built demo store was not scored by the shipped model: python build/make_demo_store.py"
    assert ctx.demo and ctx.real_store.is_empty()
    yield ctx, server
    server.stop()
    ctx.close()


@pytest.fixture(scope="session")
def scorer(bundle):
    from engine.scoring import Scorer

    return Scorer(bundle)


@pytest.fixture(scope="session")
def small_tables(demo_tables) -> dict[str, pl.DataFrame]:
    """The first demo clients (real application_test rows) with their whole history."""
    return history_of(demo_tables, demo_tables["application"]["SK_ID_CURR"].head(SMALL_CLIENTS))


@pytest.fixture(scope="session")
def small_batch(small_tables, tmp_path_factory) -> Path:
    """``small_tables`` as a folder of CSV files."""
    return write_csvs(small_tables, tmp_path_factory.mktemp("small_batch"))


@pytest.fixture(scope="session")
def imported_store(tmp_path_factory, scorer, small_batch):
    """A store holding ``small_batch`` imported (batch 1), read-only: the tests given it check that what they
    try leaves it as it was."""
    from storage.importer import import_files
    from storage.store import ClientStore

    store = ClientStore(tmp_path_factory.mktemp("home"))
    import_files(store, [small_batch], scorer)
    return store


@pytest.fixture(scope="session")
def fresh_app(demo_tables) -> pl.DataFrame:
    """20 real demo clients that are not in ``imported_store``."""
    return demo_tables["application"].slice(1000, 20)
