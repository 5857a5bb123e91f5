"""What the packaged app leaves out of what PyInstaller's hooks collect (used by ``creditscore.spec``).

Two mechanisms, both on the Analysis' lists of ``(destination, source, kind)`` entries:

* :func:`unused_file` — files the app never opens: Qt's QML modules, plugins and translations other
  than the window's own (X11 platform, input methods, images), Chromium's developer tools,
  JavaScript source maps and debug builds, plotly.js for plotly's own HTML export (the pages get
  theirs from Dash), installers' file lists, locale data for languages other than French and English;
* :func:`drop_unneeded_libraries` — shared libraries no kept binary links to, found with the
  dynamic linker (so leaving out a Qt plugin also leaves out GTK, which only that plugin used).
"""

from __future__ import annotations

import logging
import re
from pathlib import PurePosixPath

log = logging.getLogger(__name__)

QT = "PyQt6/Qt6/"
QT_PLUGINS_KEPT = (
    "platforms/libqxcb.so",  # the X11 window (Wayland sessions run it through XWayland)
    "xcbglintegrations/",
    "platforminputcontexts/",  # dead keys and input methods: accented letters
    "platformthemes/libqxdgdesktopportal.so",  # native file dialogs through the desktop portal
    "imageformats/libqgif.so",  # the window's own images (web pages decode theirs in Chromium)
    "imageformats/libqico.so",
    "imageformats/libqjpeg.so",
    "imageformats/libqsvg.so",
    "iconengines/",
)
LANGUAGES = ("fr", "en")
LOCALE_DATA = re.compile(r"babel/locale-data/(root|(fr|en)(_\w+)?)\.dat$")
WEBENGINE_LOCALES = re.compile(r"qtwebengine_locales/(fr|en-US|en-GB)\.pak$")
QT_TRANSLATION = re.compile(r"_(fr|en)\.qm$")


def unused_file(dest: str) -> bool:
    """True for a collected file (by its path inside the bundle) the app never uses."""
    dest = PurePosixPath(dest).as_posix()
    if dest.startswith(QT + "qml/"):
        return True
    if dest.startswith(QT + "plugins/"):
        return not dest[len(QT + "plugins/"):].startswith(QT_PLUGINS_KEPT)
    if dest.startswith(QT + "translations/"):
        if "qtwebengine_locales/" in dest:
            return not WEBENGINE_LOCALES.search(dest)
        return not QT_TRANSLATION.search(dest)
    if dest == QT + "resources/qtwebengine_devtools_resources.pak":
        return True
    if dest.startswith("babel/locale-data/"):
        return not LOCALE_DATA.search(dest)
    if dest == "plotly/package_data/plotly.min.js":  # for HTML written by plotly itself: training reports only
        return True
    # Source maps, Dash's debug-mode renderer, installers' file lists (versions are read from METADATA).
    return dest.endswith((".js.map", ".css.map", ".dev.js", ".dist-info/RECORD"))


def _is_shared_library(dest: str, kind: str) -> bool:
    """A library collected as a dependency (top level or Qt's lib folder), not a Python module or a plugin."""
    in_library_folder = "/" not in dest or dest.startswith(QT + "lib/")
    return kind == "BINARY" and in_library_folder and ".so" in dest and not dest.startswith("libpython")


def drop_unneeded_libraries(binaries: list[tuple], imports_of) -> list[tuple]:
    """``binaries`` without the shared libraries that no other kept binary needs.

    ``imports_of(path)`` gives the names of the libraries a binary loads, directly or not
    (PyInstaller's ``bindepend.get_imports``, which asks the dynamic linker).
    """
    roots = [src for dest, src, kind in binaries if not _is_shared_library(dest, kind)]
    needed: set[str] = set()
    for src in roots:
        needed.update(name for name, _ in imports_of(src))
    kept = [
        (dest, src, kind)
        for dest, src, kind in binaries
        if not _is_shared_library(dest, kind) or PurePosixPath(dest).name in needed
    ]
    log.info("left out %d shared libraries no kept binary needs", len(binaries) - len(kept))
    return kept
