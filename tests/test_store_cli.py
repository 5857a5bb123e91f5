"""The store verbs of the ``creditscore`` command: first start, import, clients, export, --home."""

from __future__ import annotations

import codecs

import polars as pl
import pytest

from desktop.cli import main
from engine.resources import demo_batch
from storage.paths import DEMO_DIR, HOME_ENV
from storage.store import ClientStore
from storage_helpers import snapshot
DEMO_CLIENTS = 5_000


@pytest.fixture(scope="module")
def home(tmp_path_factory, bundle):
    """A store holding the demo batch, imported by ``creditscore import`` with ``--home`` after the verb."""
    home = tmp_path_factory.mktemp("home")
    assert main(["import", str(demo_batch()), "--home", str(home)]) == 0
    return home


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_import_stores_the_batch_whole(home):
    store = ClientStore(home)
    batches = store.batches()
    assert batches["KIND"].to_list() == ["import"] and batches["CLIENTS"][0] == DEMO_CLIENTS
    assert store.find_clients().height == DEMO_CLIENTS
    history = store.db.execute("SELECT SUM(rows) FROM history WHERE table_name = 'bureau_balance'").fetchone()[0]
    assert history > 900_000


def test_a_first_import_into_a_new_folder_brings_no_demo_client(demo_tables, tmp_path, capsys):
    """Issue 11 item 6: the demo clients live apart (``storage.demo``); the CLI never seeds them."""
    app = tmp_path / "application_test.csv"
    demo_tables["application"].head(25).write_csv(app)
    code, out, err = run(capsys, "--home", str(tmp_path / "new"), "import", str(app))
    assert code == 0 and "batch 1: 25 clients scored and stored (25 new)" in out and "demo" not in err
    store = ClientStore(tmp_path / "new")
    assert store.batches()["KIND"].to_list() == ["import"] and store.find_clients().height == 25
    assert not (tmp_path / "new" / DEMO_DIR).exists()


def test_clients_lists_and_filters(home, capsys):
    code, out, _ = run(
        capsys, "--home", str(home), "clients", "--grade", "E", "--decision", "refuse", "--limit", "4"
    )
    rows = out.splitlines()[1:-1]
    assert code == 0 and len(rows) == 4 and all(" Refused " in row and " E " in row for row in rows)
    assert out.splitlines()[-1] == "4 clients shown"


def test_clients_id_shows_the_reasons_in_the_chosen_language(home, capsys):
    sk_id = ClientStore(home).find_clients(limit=1)["SK_ID_CURR"][0]
    code, out, _ = run(capsys, "--home", str(home), "clients", "--id", str(sk_id), "--lang", "fr")
    assert code == 0 and f"client {sk_id}" in out and "augmente le risque" in out
    code, _, err = run(capsys, "--home", str(home), "clients", "--id", "1")
    assert code == 1 and "no client 1" in err


def test_import_shows_progress_then_bad_files_exit_2_and_change_nothing(home, demo_tables, tmp_path, capsys):
    app = tmp_path / "application_test.csv"
    demo_tables["application"].head(25).write_csv(app)
    code, out, err = run(capsys, "--home", str(home), "import", str(app))
    assert code == 0 and "batch 2: 25 clients scored and stored (0 new)" in out
    assert all(stage in err for stage in ("Files checked", "Scored and stored: 25 / 25 clients"))

    store = ClientStore(home)
    before = snapshot(store)
    code, _, err = run(capsys, "--home", str(home), "import", str(app))
    assert code == 2 and "application_test.csv: already imported" in err and "batch 2" in err
    bad = tmp_path / "bad" / "application_test.csv"
    bad.parent.mkdir()
    credit = pl.col("AMT_CREDIT").cast(pl.String)
    rows = demo_tables["application"].head(25).with_row_index()
    rows.with_columns(
        pl.when(pl.col("index") == 2).then(pl.lit("lots")).otherwise(credit).alias("AMT_CREDIT")
    ).drop("index").write_csv(bad)
    code, _, err = run(capsys, "--home", str(home), "import", str(bad))
    assert code == 2 and "application_test.csv, column AMT_CREDIT, line 4" in err and "Traceback" not in err
    assert snapshot(store) == before


def test_export_writes_french_excel_csv(home, tmp_path, capsys):
    out = tmp_path / "batch1.csv"
    code, printed, _ = run(capsys, "--home", str(home), "export", "1", "--out", str(out), "--excel-fr")
    assert code == 0 and f"{DEMO_CLIENTS:,} clients written" in printed
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and data.count(b"\n") == DEMO_CLIENTS + 1
    code, _, err = run(capsys, "--home", str(home), "export", "42", "--out", str(out))
    assert code == 2 and "no batch 42" in err


def test_home_from_the_environment(home, monkeypatch, capsys):
    monkeypatch.setenv(HOME_ENV, str(home))
    code, out, _ = run(capsys, "batches")
    assert code == 0 and out.startswith("batch    1  import")


def test_import_and_score_take_files_under_any_names(home, demo_tables, tmp_path, capsys):
    """Issue 11 item 4: « clients agence nov.csv » is the application table by its columns."""
    app = tmp_path / "clients agence nov.csv"
    demo_tables["application"].slice(100, 7).write_csv(app)
    history = tmp_path / "export.CSV"
    ids = demo_tables["application"].slice(100, 7)["SK_ID_CURR"].implode()
    demo_tables["bureau"].filter(pl.col("SK_ID_CURR").is_in(ids)).write_csv(history)
    code, out, err = run(capsys, "--home", str(home), "score", str(app), str(history), "--out", str(tmp_path / "s.csv"))
    assert code == 0 and "7 clients scored" in out, err
    code, out, err = run(capsys, "--home", str(home), "import", str(app), str(history))
    assert code == 0 and "7 clients scored and stored" in out, err
    batches = ClientStore(home).batches()
    batch = batches.row(batches["BATCH"].arg_max(), named=True)
    assert "clients agence nov.csv" in batch["FILES"] and "export.CSV" in batch["FILES"]
