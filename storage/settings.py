"""The user's settings: a small JSON file in the private data folder (``storage.paths.settings_file``).

It keeps the officer's name, asked once in the app and written into every decision, and the language the
officer last chose in the app (the command's default language). Written
atomically (a temporary file beside it, then renamed), so a crash leaves the old settings or the new
ones, never half a file; an unreadable file counts as no settings (logged), never as an error.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from storage.paths import create_home

log = logging.getLogger(__name__)

OFFICER = "officer"
LANG = "lang"
#: The longest officer's name kept.
MAX_NAME = 100


def read_settings(path: Path) -> dict:
    """The settings in ``path``; empty when there is no file or it cannot be read."""
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("settings %s not read (%s): starting from none", path, error)
        return {}
    return settings if isinstance(settings, dict) else {}


def write_settings(path: Path, settings: dict) -> None:
    """Replace the settings in ``path`` atomically."""
    create_home(path.parent)
    fd, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(settings, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def officer_name(path: Path) -> str | None:
    """The officer's name kept in the settings, None until it was given."""
    name = read_settings(path).get(OFFICER)
    return name.strip() if isinstance(name, str) and name.strip() else None


def save_officer_name(path: Path, name: str) -> str:
    """Keep the officer's name (spaces trimmed, at most :data:`MAX_NAME` characters); returns it as kept."""
    kept = " ".join(name.split())[:MAX_NAME]
    if not kept:
        raise ValueError("the officer's name is empty")
    write_settings(path, {**read_settings(path), OFFICER: kept})
    log.info("officer's name kept in %s", path)
    return kept


def saved_lang(path: Path) -> str | None:
    """The language last chosen in the app, None if none was."""
    lang = read_settings(path).get(LANG)
    return lang if isinstance(lang, str) and lang else None


def save_lang(path: Path, lang: str) -> None:
    """Keep the language chosen in the app (for the command, which has no cookie)."""
    if saved_lang(path) != lang:
        write_settings(path, {**read_settings(path), LANG: lang})
