"""Start-up problems: diagnosis, the page shown instead of the app, keeping a damaged store."""

from __future__ import annotations

import errno
import re
import socket
import sqlite3

import pytest
from flask import Flask

from desktop.server import ServerThread
from desktop.startup import diagnose, opening_page, problem_page
from engine.bundle import BundleError
from engine.signing import SigningError
from storage.faults import keep_damaged_store
from storage.paths import StoreError
from storage.store import ClientStore


def damaged_store(home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "clients.sqlite").write_bytes(b"not a database" * 200)


def test_a_damaged_store_is_diagnosed_as_such(tmp_path):
    damaged_store(tmp_path)
    with pytest.raises(sqlite3.DatabaseError) as raised:
        ClientStore(tmp_path)
    problem = diagnose(raised.value, tmp_path / "clients.sqlite")
    assert problem.code == "store_damaged" and problem.store_can_be_replaced
    assert "file is not a database" in problem.detail


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (StoreError("newer_schema", path="clients.sqlite", schema="m099"), "store_unusable"),
        (sqlite3.OperationalError("unable to open database file"), "store_unusable"),
        (OSError(errno.EADDRINUSE, "Address already in use"), "port_unavailable"),
        (BundleError("file_modified", file="model/model.txt"), "bundle_damaged"),
        (SigningError("not_signed", bundle="model", signature="signature.json"), "bundle_untrusted"),
        (RuntimeError("boom"), "unexpected"),
    ],
)
def test_each_failure_has_its_own_text_and_only_a_damaged_store_can_be_replaced(exc, code):
    problem = diagnose(exc, port=8050)
    assert problem.code == code and not problem.store_can_be_replaced


def test_a_port_in_use_raises_instead_of_exiting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as raised:
            ServerThread(Flask(__name__), taken.getsockname()[1])
    assert diagnose(raised.value).code == "port_unavailable"


def test_the_problem_page_speaks_french_then_english_and_loads_nothing_from_elsewhere(tmp_path):
    damaged_store(tmp_path)
    problem = diagnose(sqlite3.DatabaseError("file is not a database"), tmp_path / "clients.sqlite")
    page = problem_page(problem, tmp_path / "logs" / "creditscore.log", "t")
    assert page.index("n'a pas pu démarrer") < page.index("could not start")
    assert "Garder une copie" in page and "Keep a copy" in page and 'id="keep-copy"' in page
    assert str(tmp_path / "logs" / "creditscore.log") in page
    assert not re.search(r"(src|href)=", page)  # no script, style or image from anywhere

    port_page = problem_page(diagnose(OSError(errno.EADDRINUSE, "in use"), port=8050), None, "t")
    assert "8050" in port_page and 'id="keep-copy"' not in port_page and 'id="quit"' in port_page


def test_a_detail_with_markup_is_shown_as_text():
    page = problem_page(diagnose(RuntimeError("<script>alert(1)</script>")), None, "t")
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_keeping_a_damaged_store_moves_it_with_its_imports_and_a_new_store_opens(tmp_path):
    damaged_store(tmp_path)
    (tmp_path / "clients.sqlite-wal").write_bytes(b"wal")
    (tmp_path / "imports" / "3").mkdir(parents=True)
    (tmp_path / "imports" / "3" / "application_test.csv").write_text("SK_ID_CURR\n1\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "journal.jsonl").write_text('{"kind": "decision"}\n')
    kept = keep_damaged_store(tmp_path)
    assert kept.parent == tmp_path and kept.name.startswith("damaged-")
    assert (kept / "clients.sqlite").read_bytes() == b"not a database" * 200
    assert (kept / "clients.sqlite-wal").exists() and (kept / "imports" / "3" / "application_test.csv").exists()
    assert (kept / "journal.jsonl").exists() and not (tmp_path / "journal.jsonl").exists()
    assert (tmp_path / "reports").exists()  # drift reports stay where they are
    store = ClientStore(tmp_path)
    assert store.is_empty()
    store.close()


def test_the_opening_page_is_bilingual_and_self_contained():
    page = opening_page()
    assert "Ouverture de creditscore" in page and "Opening creditscore" in page
    assert not re.search(r"(src|href)=", page)


def test_the_pages_are_rendered_from_their_templates_the_apps_markup_kept_the_values_escaped(tmp_path):
    problem = diagnose(StoreError("newer_schema", path="x<y>", schema="m099"), tmp_path / "x<y>" / "clients.sqlite")
    page = problem_page(problem, tmp_path / "a&b.log", 'to"ken')
    assert f"<code>{tmp_path}/x&lt;y&gt;/clients.sqlite</code>" in page  # the text's <code>, the path escaped
    assert f"<code>{tmp_path}/a&amp;b.log</code>" in page
    assert "<h1>creditscore n'a pas pu démarrer</h1>" in page and "<hr><section lang=\"en\">" in page
    assert 'const TOKEN = "to\\"ken";' in page  # the token as a JavaScript string
    assert "{{" not in page and "{%" not in page
    assert opening_page().count("Ouverture de creditscore… / Opening creditscore…") == 1
