"""The model's and its signature's refusals: a code and its values, worded in the reader's language from
``resources/i18n/bundle.json``, in the command's output and on the page the app shows when it cannot start."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from markupsafe import escape

from desktop.startup import diagnose, problem_page
from desktop.window import Launch
from engine.bundle import MANIFEST_FILE, BundleError
from engine.catalogues import texts
from engine.resources import default_bundle
from engine.signing import SigningError, new_key_pair
from storage.paths import StoreError
from bundle_helpers import edit_manifest
from test_cli_words import english_words, said

ENGINE = Path(__file__).resolve().parent.parent / "engine"
#: The key refusals ``engine.signing._read_key`` raises, their code composed with the key's kind.
KEY_CODES = {f"{kind}_key_{why}" for kind in ("private", "public") for why in ("unreadable", "invalid")}


def _codes(lang: str) -> dict[str, str]:
    return {key.removeprefix("bundle."): words for key, words in texts()[lang].items() if key.startswith("bundle.")}


def _fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


@pytest.mark.parametrize("code", sorted(_codes("en")))
def test_every_refusal_is_worded_in_both_languages_with_the_same_values(code):
    assert _fields(_codes("fr")[code]) == _fields(_codes("en")[code])
    values = {name: f"/v/{name}" for name in _fields(_codes("en")[code])}  # a path: not a word
    error = SigningError(code, **values)
    fr, en = error.sentence("fr"), error.sentence("en")
    assert str(error) == en and fr != en and error.code == code and error.params == values
    for sentence in (fr, en):
        assert "{" not in sentence and all(value in sentence for value in values.values())
    assert not english_words(fr), english_words(fr)
    assert not re.search(r"\S:", fr.replace("://", "")) and '"' not in fr  # « » and a space before « : »


def test_every_code_the_engine_raises_has_its_words_and_every_word_is_used():
    source = "\n".join((ENGINE / name).read_text("utf-8") for name in ("bundle.py", "signing.py"))
    raised = set(re.findall(r'(?:BundleError|SigningError)\(\s*"(\w+)"', source)) | KEY_CODES
    assert raised == set(_codes("fr")) == set(_codes("en"))
    assert not re.search(r"(?:BundleError|SigningError)\(\s*f?\"[^\"]* ", source)  # no sentence left in the code


@pytest.fixture
def tampered(tmp_path) -> Path:
    """A copy of the shipped model whose model.txt was edited after training."""
    copy = tmp_path / "tampered"
    shutil.copytree(default_bundle(), copy)
    model = copy / "model.txt"
    model.write_text(model.read_text().replace("tree", "tree ", 1))
    return copy


def test_a_tampered_model_is_refused_by_the_command_in_french_naming_the_file(tampered, small_batch, tmp_path):
    code, text = said("--home", str(tmp_path / "home"), "--lang", "fr", "score", str(small_batch), "--bundle", str(tampered))
    assert code == 2 and "Traceback" not in text
    assert f"{tampered / 'model.txt'} ne correspond plus à l'empreinte enregistrée à l'entraînement" in text
    assert "le modèle n'est pas utilisé" in text and not english_words(text), english_words(text)


def test_a_tampered_model_is_refused_by_the_command_in_english_when_asked(tampered, small_batch, tmp_path):
    code, text = said("--home", str(tmp_path / "home"), "--lang", "en", "score", str(small_batch), "--bundle", str(tampered))
    assert code == 2 and f"{tampered / 'model.txt'} does not match the hash recorded at training" in text
    assert "empreinte" not in text


def test_signing_a_manifest_edited_after_training_is_refused_in_french(tmp_path):
    copy = tmp_path / "edited"
    shutil.copytree(default_bundle(), copy)
    edit_manifest(copy, lambda m: m.update(threshold=0.99), rehash=False)
    key = new_key_pair(tmp_path / "keys", "team").private
    code, text = said("--lang", "fr", "sign", str(copy), "--key", str(key))
    assert code == 2 and f"le manifeste du modèle {copy / MANIFEST_FILE} a été modifié après l'entraînement" in text
    assert not (copy / "signature.json").exists()


def test_keygen_over_an_existing_key_is_refused_in_each_language(tmp_path):
    pair = new_key_pair(tmp_path, "team")
    code, fr = said("--lang", "fr", "keygen", str(tmp_path), "--name", "team")
    assert code == 2 and f"{pair.private} existe déjà : une clé n'est jamais écrasée" in fr
    code, en = said("--lang", "en", "keygen", str(tmp_path), "--name", "team")
    assert code == 2 and f"{pair.private} exists: a key is never overwritten" in en


def test_the_start_page_of_a_tampered_model_says_what_was_found_in_each_language(tampered, tmp_path):
    launch = Launch(tmp_path / "home", tampered)
    launch._start()
    problem = launch.problem
    assert problem.code == "bundle_damaged" and launch.server is None
    assert problem.detail.startswith("BundleError: ") and "does not match the hash" in problem.detail  # for IT
    page = problem_page(problem, None, "t")
    fr = BundleError("file_modified", file=str(tampered / "model.txt")).sentence("fr")
    assert f"Ce que creditscore a constaté : {escape(fr)}." in page
    assert f"What creditscore found: {escape(problem.found['en'])}." in page
    assert page.index(str(escape(fr))) < page.index('<section lang="en">') < page.index(str(escape(problem.found["en"])))


def test_the_start_page_of_an_unsigned_model_says_how_to_have_it_signed(tmp_path):
    copy = tmp_path / "copy<1>"
    shutil.copytree(default_bundle(), copy)
    launch = Launch(tmp_path / "home", copy)
    launch._start()
    assert launch.problem.code == "bundle_untrusted"
    page = problem_page(launch.problem, None, "t")
    assert f"le modèle {escape(copy)} n&#39;est pas signé" in page and "« creditscore sign" in page
    assert "<1>" not in page  # the path, escaped


def test_only_a_refusal_worded_by_its_code_adds_what_was_found():
    assert diagnose(RuntimeError("boom")).found == {}
    assert diagnose(SigningError("no_such_key", path="/k.pub")).found["fr"].startswith("/k.pub : aucun fichier")
    newer = diagnose(StoreError("newer_schema", path="/home/clients.sqlite", schema="m099"))
    assert newer.code == "store_unusable"
    assert newer.found["fr"].startswith("/home/clients.sqlite a été écrit par une version plus récente")
    assert newer.found["en"].startswith("/home/clients.sqlite was written by a newer creditscore")
