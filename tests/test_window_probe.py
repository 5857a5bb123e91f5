"""Before the window opens (issue 11 item 5): no display is said in words; as root, Qt WebEngine runs without its sandbox."""

from __future__ import annotations

import sys

import pytest

from desktop import window_probe
from desktop.window_probe import FLAGS_ENV, PLATFORM_ENV, prepare_qt, window_problem

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's window checks are Linux's")


def test_without_a_display_the_problem_is_said_without_starting_qt(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", PLATFORM_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(window_probe, "_probe_in_child", lambda platform: pytest.fail("Qt was started"))
    assert window_problem() == ("there is no display: DISPLAY and WAYLAND_DISPLAY are not set (no graphical "
                                "session, or a remote shell without display forwarding)")
    monkeypatch.setenv(PLATFORM_ENV, "wayland")
    monkeypatch.setenv("DISPLAY", ":0")
    assert window_problem().startswith("there is no display: WAYLAND_DISPLAY is not set")


def test_as_root_no_sandbox_is_added_to_the_flags_already_set_once(monkeypatch, caplog):
    monkeypatch.setattr(window_probe.os, "geteuid", lambda: 0)
    monkeypatch.setenv(FLAGS_ENV, "--disable-gpu")
    prepare_qt()
    prepare_qt()
    assert window_probe.os.environ[FLAGS_ENV] == "--disable-gpu --no-sandbox"
    assert caplog.text.count("running as root") == 1


def test_not_as_root_the_flags_are_left_alone(monkeypatch):
    monkeypatch.setattr(window_probe.os, "geteuid", lambda: 1000)
    monkeypatch.delenv(FLAGS_ENV, raising=False)
    prepare_qt()
    assert FLAGS_ENV not in window_probe.os.environ
