"""The store's refusals and faults, a failed drift run and the loopback refusal: codes and values, worded in the
reader's language from the catalogues (``resources/i18n/store.json``, ``engine/drift_notes.json``)."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from flask import Flask

from desktop.security import install_token_guard
from engine.catalogues import texts
from engine.drift import DriftError
from storage import drift_runs
from storage.drift_runs import FAILED, drift_run, latest_failure, run_batch_drift
from storage.faults import DAMAGED, FULL, LOCKED, StoreFault
from storage.importer import import_files
from storage.paths import StoreError
from storage.store import ACCEPT, REFUSE, ClientStore

STORAGE = Path(__file__).resolve().parent.parent / "storage"


def _store_codes() -> dict[str, str]:
    return {key.removeprefix("store."): text for key, text in texts()["en"].items() if key.startswith("store.")}


def _fields(text: str) -> dict[str, str]:
    return {name: f"<{name}>" for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(_store_codes()))
def test_every_store_sentence_is_worded_in_both_languages(code):
    values = _fields(_store_codes()[code])
    error = StoreError(code, **values)
    fr, en = error.sentence("fr"), error.sentence("en")
    assert str(error) == en and fr != en
    for sentence in (fr, en):
        assert "{" not in sentence and all(value in sentence for value in values.values())


def test_every_code_the_store_raises_has_its_words_and_every_word_is_used():
    source = "\n".join(path.read_text("utf-8") for path in STORAGE.glob("*.py"))
    raised = set(re.findall(r'(?:StoreError|ScoredAgain)\(\s*"(\w+)"', source))
    raised |= {f"override_of_{decision}" for decision in (ACCEPT, REFUSE)}  # f"override_of_{score.decision}"
    raised |= {DAMAGED, FULL, LOCKED}  # StoreFault's kinds
    assert raised == set(_store_codes())


def test_a_fault_is_said_in_french_with_its_place_and_detail():
    fault = StoreFault(LOCKED, Path("/data/clients.sqlite"), "database is locked")
    assert fault.sentence("fr").startswith("le fichier des clients /data/clients.sqlite est occupé")
    assert "(database is locked)" in fault.sentence("fr") and str(fault).startswith("the client store")


@pytest.fixture
def store(tmp_path, scorer, small_batch):
    found = ClientStore(tmp_path)
    import_files(found, [small_batch], scorer)
    yield found
    found.close()


@pytest.mark.parametrize(("raised", "stored", "fr"), [
    (DriftError("evidently_failed", detail="boom"), {"code": "evidently_failed", "detail": "boom"},
     "Evidently n'a pas pu comparer le lot à la référence (détail technique : boom)"),
    (StoreFault(FULL, Path("/d/clients.sqlite"), "disk full"), {"store": FULL, "path": "/d/clients.sqlite", "detail": "disk full"},
     "le disque qui contient le fichier des clients /d/clients.sqlite est plein (disk full)"),
    (RuntimeError("out of cheese"), {"code": "run_failed", "detail": "RuntimeError: out of cheese"},
     "l'analyse s'est interrompue (détail technique : RuntimeError: out of cheese)"),
])
def test_a_failed_drift_run_is_stored_as_a_code_and_worded_when_shown(store, bundle, monkeypatch, raised, stored, fr):
    def fail(*_args):
        raise raised

    monkeypatch.setattr(drift_runs, "_compare", fail)
    with pytest.raises(type(raised)):
        run_batch_drift(store, bundle, 1)
    (run_id, report), = store.db.conn.execute("SELECT id, report FROM drift_runs WHERE status = ?", (FAILED,))
    assert json.loads(report) == {"error": stored}
    run = drift_run(store, run_id)
    assert run.error_sentence("fr").startswith(fr) and run.error_sentence("en") != run.error_sentence("fr")
    assert latest_failure(store, 1).id == run_id


def test_a_run_failed_before_codes_keeps_its_english_sentence_and_a_later_run_clears_it(store):
    conn = store.db.conn
    with store.db.atomic():
        conn.execute("INSERT INTO drift_runs (batch_id, bundle_id, started, finished, status, report) VALUES "
                     "(1, 'b', 't0', 't1', ?, ?)", (FAILED, json.dumps({"error": "Evidently could not compare"})))
    assert latest_failure(store, 1).error_sentence("fr") == "Evidently could not compare"
    with store.db.atomic():
        conn.execute("INSERT INTO drift_runs (batch_id, bundle_id, started, finished, status, report) VALUES "
                     "(1, 'b', 't2', 't3', 'done', '{}')")
    assert latest_failure(store, 1) is None


@pytest.mark.parametrize(("host", "token", "fr", "en"), [
    ("evil.example", "secret", "creditscore ne répond qu'à cet ordinateur", "creditscore answers on this computer only"),
    ("127.0.0.1", None, "ouvrez creditscore depuis son application", "open creditscore from its application"),
])
def test_a_page_refused_says_why_in_both_languages(host, token, fr, en):
    server = Flask(__name__)
    server.add_url_rule("/", "home", lambda: "ok")
    install_token_guard(server, "secret")
    answer = server.test_client().get("/" + (f"?token={token}" if token else ""), headers={"Host": host})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 403 and answer.mimetype == "text/plain"
    assert fr in body.splitlines()[0] and en in body.splitlines()[1]
