"""What the packaged app leaves out (build/pruning.py, used by creditscore.spec)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))
from pruning import drop_unneeded_libraries, unused_file  # noqa: E402


@pytest.mark.parametrize(
    ("dest", "unused"),
    [
        ("PyQt6/Qt6/qml/QtQuick3D/qmldir", True),
        ("PyQt6/Qt6/plugins/platforms/libqxcb.so", False),
        ("PyQt6/Qt6/plugins/platforms/libqwayland.so", True),
        ("PyQt6/Qt6/plugins/platformthemes/libqgtk3.so", True),
        ("PyQt6/Qt6/plugins/imageformats/libqpdf.so", True),
        ("PyQt6/Qt6/plugins/imageformats/libqjpeg.so", False),
        ("PyQt6/Qt6/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", False),
        ("PyQt6/Qt6/translations/qtwebengine_locales/fr.pak", False),
        ("PyQt6/Qt6/translations/qtwebengine_locales/en-US.pak", False),
        ("PyQt6/Qt6/translations/qtwebengine_locales/de.pak", True),
        ("PyQt6/Qt6/translations/qtbase_fr.qm", False),
        ("PyQt6/Qt6/translations/qtbase_de.qm", True),
        ("PyQt6/Qt6/resources/qtwebengine_resources.pak", False),
        ("PyQt6/Qt6/resources/qtwebengine_devtools_resources.pak", True),
        ("PyQt6/Qt6/lib/libQt6WebEngineCore.so.6", False),
        ("babel/locale-data/fr.dat", False),
        ("babel/locale-data/fr_FR.dat", False),
        ("babel/locale-data/en_GB.dat", False),
        ("babel/locale-data/root.dat", False),
        ("babel/locale-data/de_DE.dat", True),
        ("babel/locale-data/frr.dat", True),
        ("dash/dcc/dash_core_components.js.map", True),
        ("dash/dcc/dash_core_components.js", False),
        ("dash/dash-renderer/build/dash_renderer.dev.js", True),
        ("dash/dash-renderer/build/dash_renderer.min.js", False),
        ("plotly/package_data/plotly.min.js", True),
        ("plotly/package_data/templates/plotly.json", False),
        ("plotly-5.24.1.dist-info/RECORD", True),
        ("plotly-5.24.1.dist-info/METADATA", False),
        ("resources/model/model.txt", False),
        ("evidently/nbextension/static/index.js", False),
    ],
)
def test_unused_files(dest, unused):
    assert unused_file(dest) is unused


def test_libraries_are_kept_when_a_kept_binary_needs_them():
    binaries = [
        ("PyQt6/QtCore.abi3.so", "/src/QtCore.abi3.so", "EXTENSION"),
        ("PyQt6/Qt6/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PyQt6/Qt6/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PyQt6/Qt6/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
        ("PyQt6/Qt6/lib/libQt6Quick3D.so.6", "/src/libQt6Quick3D.so.6", "BINARY"),
        ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
        ("libicudata.so.73", "/src/libicudata.so.73", "BINARY"),
        ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),
        ("lightgbm/lib/lib_lightgbm.so", "/src/lib_lightgbm.so", "BINARY"),
        ("ujson.cpython-311-x86_64-linux-gnu.so", "/src/ujson.so", "EXTENSION"),  # a module, not a library
    ]
    links = {
        "/src/QtCore.abi3.so": ["libQt6Core.so.6", "libicudata.so.73", "libc.so.6"],
        "/src/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Core.so.6"],
        "/src/lib_lightgbm.so": ["libgomp.so.1"],
        "/usr/lib/libpython3.11.so.1.0": [],
        "/src/ujson.so": [],
    }
    kept = {dest for dest, _, _ in drop_unneeded_libraries(binaries, lambda src: [(n, None) for n in links[src]])}
    assert kept == {
        "PyQt6/QtCore.abi3.so", "PyQt6/Qt6/plugins/platforms/libqxcb.so", "PyQt6/Qt6/lib/libQt6Core.so.6",
        "PyQt6/Qt6/lib/libQt6XcbQpa.so.6", "libicudata.so.73", "libpython3.11.so.1.0", "lightgbm/lib/lib_lightgbm.so",
        "ujson.cpython-311-x86_64-linux-gnu.so",
    }
