"""The demo clients apart from the officer's (issue 11 item 6): their own store, unpacked on first start,
shown until the first real import, which never brings them in; decisions on them stay in the demo."""

from __future__ import annotations

import json

import pytest

from desktop.context import AppContext
from engine.bundle import verified_manifest
from engine.resources import default_bundle
from storage import demo
from storage.importer import import_files
from storage.journal import JOURNAL_FILE
from storage.paths import DATABASE_FILE, demo_home
from storage.store import ClientStore

DEMO_CLIENTS = 5_000


@pytest.fixture
def app_context(tmp_path):
    ctx = AppContext(home=tmp_path / "home", bundle_path=default_bundle(), token="t")
    yield ctx
    ctx.close()


def test_the_shipped_demo_store_was_scored_by_the_shipped_model():
    """After a retraining, ``python build/make_demo_store.py`` writes it again (else first starts import the demo)."""
    assert demo.prebuilt_bundle_id() == verified_manifest(default_bundle())["manifest_sha256"]


def test_first_start_shows_the_demo_store_apart_and_the_first_import_leaves_it(app_context, demo_tables, tmp_path, scorer):
    assert demo.unpack(app_context.home, default_bundle())
    assert app_context.demo and app_context.real_store.is_empty()
    shown = app_context.store
    assert shown.home == demo_home(app_context.home) and shown.find_clients(limit=None).height == DEMO_CLIENTS
    batch = shown.batches().row(0, named=True)
    assert batch["KIND"] == "demo" and shown.db.execute("SELECT bundle_id FROM batches").fetchone()[0] == scorer.bundle.id
    history = shown.db.execute("SELECT SUM(rows) FROM history WHERE table_name = 'bureau_balance'").fetchone()[0]
    assert history > 900_000  # the whole history
    assert sorted(p.name for p in (shown.imports / "1").iterdir()) == sorted(json.loads(
        (shown.imports / "1" / "batch.json").read_text())["files"] + ["batch.json"])

    sk_id = shown.find_clients(limit=1)["SK_ID_CURR"][0]
    shown.record_decision(sk_id, "accept", override_reason="démonstration", officer="A. Martin")
    assert (demo_home(app_context.home) / JOURNAL_FILE).exists()
    assert not (app_context.home / JOURNAL_FILE).exists()  # a decision on a demo client never reaches the real log

    application = tmp_path / "application_test.csv"
    demo_tables["application"].head(25).write_csv(application)
    import_files(app_context.real_store, [application], scorer)
    assert not app_context.demo and app_context.store.home == app_context.home
    assert app_context.store.find_clients(limit=None).height == 25  # the real import brought no demo client
    assert app_context.store.batches()["KIND"].to_list() == ["import"]
    assert app_context.demo_store.find_clients(limit=None).height == DEMO_CLIENTS  # the demo is left as it was


def test_a_second_start_keeps_the_demo_store_as_it_is(app_context):
    assert demo.unpack(app_context.home, default_bundle())
    app_context.store.record_decision(app_context.store.find_clients(limit=1)["SK_ID_CURR"][0], "refuse",
                                      override_reason="essai", officer="A. Martin")
    app_context.close()
    assert demo.unpack(app_context.home, default_bundle())  # already there: not unpacked again
    assert ClientStore(demo_home(app_context.home)).db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 1


def test_the_prebuilt_store_of_another_model_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "prebuilt_bundle_id", lambda: "0" * 64)
    assert not demo.unpack(tmp_path, default_bundle())
    assert not (demo_home(tmp_path) / DATABASE_FILE).exists() and not demo.is_ready(tmp_path)


def test_every_page_says_demonstration_until_the_first_import(app_context, demo_tables, tmp_path, scorer, monkeypatch):
    from desktop import app, context

    monkeypatch.setattr(context, "_current", app_context)  # restored after the test: the e2e app keeps its own
    assert demo.unpack(app_context.home, default_bundle())
    notice = app._demo_notice()
    assert notice.id == "demo-mode" and notice.children[0].children == "Démonstration"
    assert "rangés à part de vos clients" in notice.children[2]
    application = tmp_path / "application_test.csv"
    demo_tables["application"].head(3).write_csv(application)
    import_files(app_context.real_store, [application], scorer)
    assert app._demo_notice() is None
