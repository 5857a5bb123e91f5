"""The window's Python bridge acts only for the problem page shown now (its one-time token, no page of a
server in the window); a call from anywhere else does nothing and is logged. The real window: tests/test_window.py."""

from __future__ import annotations

import logging
import re

import pytest

from desktop.startup import StartupProblem
from desktop.window import Launch


class Window:
    """What the bridge's functions use of pywebview's window: its address, and closing it."""

    def __init__(self) -> None:
        self.url, self.destroyed, self.exposed, self.html = "", False, (), ""

    def get_current_url(self) -> str:
        return self.url

    def destroy(self) -> None:
        self.destroyed = True

    def expose(self, *functions) -> None:
        self.exposed = functions

    def load_html(self, html: str) -> None:
        self.html, self.url = html, "file:///opt/creditscore/"


@pytest.fixture
def launch(tmp_path) -> Launch:
    shown = Launch(tmp_path, tmp_path / "model")
    shown.window, shown.problem = Window(), StartupProblem("port_unavailable", "OSError: in use", {"port": 8050})
    return shown


def _token_of(page: str) -> str:
    return re.search(r'const TOKEN = "([^"]+)";', page).group(1)


def test_the_problem_page_s_button_closes_the_window_once(launch, caplog):
    launch._show_problem()
    assert [f.__name__ for f in launch.window.exposed] == ["keep_copy_and_start_new", "quit"]
    token = _token_of(launch.window.html)
    assert len(token) >= 40 and "pywebview.api.quit(TOKEN)" in launch.window.html
    with caplog.at_level(logging.INFO, "desktop.window"):
        launch.quit(token)
    assert launch.window.destroyed and launch.refused == []
    assert "window bridge: quit from the problem page" in caplog.text
    launch.window.destroyed = False
    launch.quit(token)  # spent
    assert not launch.window.destroyed and launch.refused == ["quit"]


@pytest.mark.parametrize("caller", ["app page", "app page with the token", "no token", "a guess"])
def test_a_call_from_elsewhere_does_nothing_and_is_logged(launch, caplog, caller):
    launch._show_problem()
    token = _token_of(launch.window.html)
    if caller.startswith("app page"):  # the window moved on to a page of a server: the token no longer counts
        launch.window.url = "http://127.0.0.1:8050/clients"
    sent = {"app page": None, "app page with the token": token, "no token": None, "a guess": "x" * len(token)}[caller]
    with caplog.at_level(logging.WARNING, "desktop.window"):
        launch.quit(sent)
        launch.keep_copy_and_start_new(sent)
    assert not launch.window.destroyed and launch.refused == ["quit", "keep_copy_and_start_new"]
    shown = "http://127.0.0.1:8050/clients" if caller.startswith("app page") else "file:///opt/creditscore/"
    assert caplog.text.count(f"refused: not called by the problem page (the window shows {shown})") == 2


def test_each_problem_page_shown_gets_a_new_token(launch):
    launch._show_problem()
    first = _token_of(launch.window.html)
    launch._show_problem()  # e.g. keeping a copy failed: the page is shown again
    assert _token_of(launch.window.html) != first
    launch.quit(first)
    assert not launch.window.destroyed and launch.refused == ["quit"]
