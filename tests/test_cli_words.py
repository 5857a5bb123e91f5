"""The command in the officer's language: one --lang for every verb, defaulting to the app's choice, else the
system's, else French; the main verbs' output on a real batch with no English word left in French."""

from __future__ import annotations

import io
import re
import string
from contextlib import redirect_stderr, redirect_stdout

import pytest

from desktop.cli import main
from desktop.cli.context import ProgressLine, command_lang
from storage.paths import settings_file
from storage.settings import save_lang

#: Words of the command's English output that French never uses: one of them in the French output is a
#: sentence left untranslated.
ENGLISH = frozenset(
    "the of and to with batch batches scored stored written shown rows read new model threshold accepted "
    "refused mean grade grades report columns column drifted detected not approval reasons against favour "
    "officer decision decisions first seen latest memo imported kept store no unknown supplied share dataset "
    "analysis failed error errors warning line file files checked scoring storing reading saving".split()
)
#: A record of a module's log (``2026-11-28 23:14:09,480 INFO storage.importer: …``), for IT: not the command's
#: words, which come unstamped.
LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")
#: A client of the small batch (the demo batch's first).
CLIENT = "100001"


def english_words(text: str) -> set[str]:
    """The words of ``text`` that are English (paths, codes and numbers left out)."""
    found = set()
    for token in text.split():
        if "/" in token or "_" in token or any(c.isdigit() for c in token):
            continue
        found |= {word.lower() for word in re.findall(r"[^\W\d_]+", token)} & ENGLISH
    return found


def said(*argv: str) -> tuple[int, str]:
    """Exit status and what the command says to the officer: its output, its progress and its own messages
    (not the modules' log records)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    kept = [line for line in err.getvalue().splitlines() if not LOG_RECORD.match(line)]
    return code, "\n".join([out.getvalue(), *kept])


@pytest.fixture(scope="module")
def spoken(tmp_path_factory, small_batch) -> dict[str, dict[str, tuple[int, str]]]:
    """What the main verbs say in French and in English on the 300 real clients of ``small_batch``, each
    language in a store of its own."""
    found = {}
    for lang in ("fr", "en"):
        home, out = tmp_path_factory.mktemp(f"home-{lang}"), tmp_path_factory.mktemp(f"out-{lang}")
        verbs = {
            "import": ["import", str(small_batch)],
            "batches": ["batches"],
            "clients": ["clients", "--limit", "5"],
            "client": ["clients", "--id", CLIENT],
            "score": ["score", str(small_batch), "--out", str(out / "scores.csv")],
            "export": ["export", "1", "--out", str(out / "batch.csv")],
            "decisions": ["decisions", "--out", str(out / "log.csv")],
            "drift": ["drift", "1", "--top", "5"],
            "memo": ["memo", CLIENT, "--out", str(out / "memo.html")],
            "no batch": ["drift", "999"],
            "no client": ["clients", "--id", "1"],
        }
        found[lang] = {name: said("--home", str(home), "--lang", lang, *argv) for name, argv in verbs.items()}
    return found


def test_the_main_verbs_succeed_in_both_languages(spoken):
    for lang, verbs in spoken.items():
        codes = {name: code for name, (code, _) in verbs.items()}
        assert codes == {**dict.fromkeys(verbs, 0), "no batch": 2, "no client": 1}, lang


def test_every_main_verb_speaks_french_with_no_english_word_left(spoken):
    for name, (_, text) in spoken["fr"].items():
        assert text.strip(), name
        assert not english_words(text), (name, english_words(text), text)


def test_the_same_verbs_speak_english_when_asked(spoken):
    """The check above can fail: the English output is full of the words it looks for."""
    for name, (_, text) in spoken["en"].items():
        assert english_words(text), (name, text)


def test_the_french_output_says_what_happened(spoken):
    fr = {name: text for name, (_, text) in spoken["fr"].items()}
    assert "lot 1 : 300 clients scorés et enregistrés (dont 300 nouveaux)" in fr["import"]
    assert "Fichiers vérifiés" in fr["import"] and "Scores calculés et enregistrés : 300 / 300 clients" in fr["import"]
    assert "300 clients scorés en" in fr["score"] and "classes de risque : A : " in fr["score"]
    assert "lot 1 : 300 clients écrits dans" in fr["export"] and "0 décision écrite dans" in fr["decisions"]
    assert "5 clients affichés" in fr["clients"] and "motifs défavorables :" in fr["client"]
    assert "dérive de l'ensemble du lot" in fr["drift"] and "Lecture du lot dans la base…" in fr["drift"]
    assert "aucun lot n° 999 dans le fichier des clients : rien à comparer" in fr["no batch"]
    assert "aucun client n° 1 dans" in fr["no client"]
    assert "no batch 999 in the store: nothing to compare" in spoken["en"]["no batch"][1]


def test_numbers_and_dates_follow_the_language(spoken):
    fr, en = spoken["fr"]["clients"][1], spoken["en"]["clients"][1]
    assert re.search(r"\d+,\d\d\u00a0%", fr) and re.search(r"\d+\.\d\d%", en)  # PD: "6,04 %" / "6.04%"
    assert "Accordé" in fr or "Refusé" in fr
    assert "Granted" in en or "Refused" in en


def test_the_language_option_goes_before_or_after_the_verb(tmp_path):
    home = str(tmp_path)
    assert "aucun lot n° 7" in said("--home", home, "drift", "7", "--lang", "fr")[1]
    assert "no batch 7" in said("--lang", "en", "--home", home, "drift", "7")[1]
    assert "no batch 7" in said("--lang", "fr", "--home", home, "drift", "7", "--lang", "en")[1]  # after the verb wins


@pytest.mark.parametrize(("system", "expected"), [
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "fr_FR.UTF-8"}, "fr"), ({"LANG": "de_DE.UTF-8"}, "fr"),
    ({"LANG": "C.UTF-8"}, "fr"), ({}, "fr"), ({"LANG": "fr_FR.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
    ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "fr_CA.UTF-8"}, "fr"),
])
def test_without_the_option_the_system_language_else_french(tmp_path, monkeypatch, system, expected):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in system.items():
        monkeypatch.setenv(name, value)
    assert command_lang(None, str(tmp_path)) == expected
    assert command_lang("en", str(tmp_path)) == "en" and command_lang("fr", str(tmp_path)) == "fr"


def test_the_language_chosen_in_the_app_comes_before_the_system_s(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    save_lang(settings_file(tmp_path), "en")  # what the app's language switch keeps
    assert command_lang(None, str(tmp_path)) == "en"
    assert "no batch 3" in said("--home", str(tmp_path), "drift", "3")[1]
    assert command_lang("fr", str(tmp_path)) == "fr"


def test_a_home_the_command_refuses_is_said_in_the_language_found(monkeypatch):
    from engine.resources import resources_dir

    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, text = said("--home", str(resources_dir() / "store"), "batches")
    assert code == 2 and "ne peut pas être placé dans les ressources de l'application" in text


def test_a_damaged_store_is_said_in_french(tmp_path):
    (tmp_path / "clients.sqlite").write_bytes(b"not a database" * 300)
    code, text = said("--home", str(tmp_path), "--lang", "fr", "clients")
    assert code == 2 and "est endommagé" in text and "« creditscore rebuild »" in text
    assert not english_words(text.split("(", 1)[0])  # SQLite's own words are in the technical detail only


def test_bad_input_files_are_said_in_french_with_file_column_and_line(tmp_path):
    bad = tmp_path / "application_test.csv"
    bad.write_text("SK_ID_CURR,AMT_INCOME_TOTAL\nabc,1000\n", encoding="utf-8")
    code, text = said("--home", str(tmp_path / "home"), "--lang", "fr", "score", str(bad))
    assert code == 2 and "les fichiers ne peuvent pas être utilisés" in text and "application_test.csv" in text
    assert not english_words(text), english_words(text)


def test_progress_lines_use_the_pages_words(capsys):
    line = ProgressLine("fr")
    line("validated", 1200, 1200)
    line("stored", 5, 300)
    line("read", 0, 5)
    err = capsys.readouterr().err.splitlines()
    assert err == ["  Fichiers vérifiés (1\u202f200 lignes)", "  Scores calculés et enregistrés : 5 / 300 clients",
                   "  Lecture du lot dans la base…"]


def _sample(spec: str) -> object:
    """A value a field of this format takes: a count or number for ``{n:one|other}`` and ``{n:,}``, else text."""
    return 1234 if "|" in spec or spec == "," else "x"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_sentence_of_the_command_fills_in_each_language(lang):
    """The verbs not run above (train, keygen, sign, scale-data, rebuild) have their sentences checked here."""
    from desktop.i18n import catalogue, t

    keys = [key for key in catalogue()[lang] if key.startswith("cli.")]
    assert len(keys) > 50
    for key in keys:
        fields = {name: _sample(spec) for _, name, spec, _ in string.Formatter().parse(catalogue()[lang][key]) if name}
        filled = t(key, lang, **fields)
        assert "{" not in filled and filled.strip(), key


def test_the_app_s_language_switch_is_kept_for_the_command(running_app, monkeypatch):
    from http.client import HTTPConnection

    from storage.settings import officer_name, saved_lang

    ctx, server = running_app
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    officer = officer_name(settings_file(ctx.home))
    for lang in ("en", "fr"):
        connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", f"/lang/{lang}", headers={"Authorization": f"Bearer {ctx.token}"})
        assert connection.getresponse().status == 302
        connection.close()
        assert saved_lang(settings_file(ctx.home)) == lang == command_lang(None, str(ctx.home))
    assert officer_name(settings_file(ctx.home)) == officer  # the other settings kept
