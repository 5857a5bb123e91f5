"""The catalogues of words: JSON files, read once, each text in French and English, filled by
:func:`engine.formats.fill`.

The engine's, beside its modules: ``tables.json`` (the 7 tables' columns and their labels),
``levels.json`` (category values in words), ``vocabulary.json`` (the words labels and reasons are
composed with), ``problems.json`` (the sentences of input problems), ``drift_notes.json`` (the
drift's notes and why a batch cannot be compared) and ``drift_report.json`` (the header of the drift
report). The application's, in ``resources/i18n/*.json`` (:func:`texts`): the interface, the API's
refusals, the store's refusals and faults (``store.json``, said by ``storage``), the model's and its
signature's refusals (``bundle.json``, said by ``engine.bundle`` and ``engine.signing``) and the command's
messages (``cli.json``); :func:`text` words one of them. The store's and the model's refusals are each a
:class:`CodedError`: a code and its values, worded from their file when it is said.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from engine.formats import LANGS, fill
from engine.resources import resources_dir

log = logging.getLogger(__name__)

#: The language a text missing in another is taken from.
FIRST_LANG = "fr"


@cache
def catalogue(name: str) -> Any:
    """The content of ``engine/<name>.json`` (shared: not to be modified)."""
    return json.loads(Path(__file__).with_name(f"{name}.json").read_text("utf-8"))


@cache
def texts() -> dict[str, dict[str, str]]:
    """The application's texts by language, keys namespaced by their file's name (``clients.title``);
    each file of ``resources/i18n`` is ``{"fr": {key: text}, "en": {key: text}}``."""
    found: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for path in sorted((resources_dir() / "i18n").glob("*.json")):
        part = json.loads(path.read_text("utf-8"))
        for lang in LANGS:
            found[lang].update({f"{path.stem}.{key}": words for key, words in part.get(lang, {}).items()})
    return found


def text(key: str, lang: str, **values: object) -> str:
    """The application's text ``key`` in ``lang`` (French when it has none), its fields filled; the key
    itself (logged) when no language has it."""
    found = texts()[lang].get(key) or texts()[FIRST_LANG].get(key)
    if found is None:
        log.warning("no text for %s", key)
        return key
    return fill(found, lang, **values)


class CodedError(Exception):
    """An error that is a code and its values, worded by :meth:`sentence` in a language from the application's
    catalogue ``resources/i18n/<CATALOGUE>.json`` (key ``<CATALOGUE>.<code>``); its ``str`` is the English one."""

    CATALOGUE: ClassVar[str]

    def __init__(self, code: str, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(self.sentence("en"))

    def sentence(self, lang: str) -> str:
        return text(f"{self.CATALOGUE}.{self.code}", lang, **self.params)
