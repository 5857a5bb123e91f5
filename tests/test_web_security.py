"""Issue 12, findings 2 and 11: the launch token never reaches a log, the data folder and its
files are the user's only, the token is removed from the URL without touching the rest of the
query, the scheme ``bearer`` is accepted in any case, and ``/lang/..`` only redirects on the app."""

from __future__ import annotations

import http.client
import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import pytest

from desktop.redaction import redact
from desktop.security import local_path, query_without_token
from engine.resources import demo_batch

ROOT = Path(__file__).resolve().parent.parent


def _get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (b"token=T&next=%2Fdrift%3Fbatch%3D1&q=a+b", "next=%2Fdrift%3Fbatch%3D1&q=a+b"),
        (b"a=%26%3D&token=T&tok%65n=T", "a=%26%3D"),
        (b"token=T", ""),
        (b"tokens=1&&x", "tokens=1&x"),
    ],
)
def test_removing_the_token_keeps_the_rest_of_the_query_as_sent(raw, kept):
    assert query_without_token(raw) == kept


@pytest.mark.parametrize(
    ("path", "local"),
    [("//evil.example/x", "/evil.example/x"), ("/\\evil.example", "/evil.example"), ("/drift", "/drift"), ("", "/")],
)
def test_redirect_targets_stay_on_the_app(path, local):
    assert local_path(path) == local


def test_redaction_removes_query_strings_tokens_and_credentials():
    line = '127.0.0.1 - - [x] "GET /?token=s3cr3t&lang=fr HTTP/1.1" 302 -'
    assert "s3cr3t" not in redact(line) and '"GET /?[redacted] HTTP/1.1" 302' in redact(line)
    assert redact("open http://127.0.0.1:8050/drift?batch=2") == "open http://127.0.0.1:8050/drift?[redacted]"
    assert redact("Authorization: bearer abc.def") == "Authorization: bearer [redacted]"
    assert redact("token=abc and more") == "token=[redacted] and more"
    assert redact("nothing secret here: 3 clients") == "nothing secret here: 3 clients"


def test_api_accepts_the_bearer_scheme_in_any_case(running_app):
    ctx, server = running_app
    for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
        assert _get(server.port, "/api/v1/health", {"Authorization": f"{scheme} {ctx.token}"}).status == 200
    assert _get(server.port, "/api/v1/health", {"Authorization": f"Basic {ctx.token}"}).status == 401


def test_the_token_leaves_the_url_and_the_query_is_not_decoded(running_app):
    ctx, server = running_app
    answer = _get(server.port, f"/drift?token={ctx.token}&next=%2Fx%3Fy%3D1%26z&lang=fr")
    assert answer.status == 302
    assert answer.getheader("Location") == "/drift?next=%2Fx%3Fy%3D1%26z&lang=fr"
    assert _get(server.port, f"//evil.example/?token={ctx.token}").getheader("Location") == "/evil.example/"


@pytest.mark.parametrize(
    ("referer", "target"),
    [
        ("http://127.0.0.1//evil.example/x", "/evil.example/x"),
        ("http://127.0.0.1/\\evil.example/x", "/evil.example/x"),
        ("//evil.example/x", "/x"),
        ("http://evil.example/drift?batch=1", "/drift?batch=1"),
        (None, "/"),
    ],
)
def test_language_switch_never_redirects_off_the_app(running_app, referer, target):
    ctx, server = running_app
    headers = {"Authorization": f"Bearer {ctx.token}", **({"Referer": referer} if referer else {})}
    answer = _get(server.port, "/lang/en", headers)
    assert answer.status == 302
    location = answer.getheader("Location")
    assert location == target and not urlsplit(location).netloc


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _creditscore(home: Path, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "desktop", "--home", str(home), *args], cwd=ROOT, env=env,
                            text=True, **popen)


def test_the_token_is_in_no_log_and_the_data_folder_is_private(tmp_path):
    """Finding 2: a fresh home filled by the commands (an import, a drift report) and the app
    served for a browser; the log holds no token and no query, and the folder (0700) and every
    file in it (0600: store, WAL/SHM, log, imported file, report) are the user's only (mode bits, also as root)."""
    home = tmp_path / "fresh" / "home"
    application = tmp_path / "application_test.csv"
    pl.read_parquet(demo_batch() / "application_test.parquet").head(60).write_csv(application)
    for verb in (["import", str(application)], ["drift", "1"]):
        assert _creditscore(home, *verb, stdout=subprocess.DEVNULL).wait(timeout=600) == 0, verb
    app = _creditscore(home, "app", "--browser", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = app.stdout.readline()  # "creditscore: open http://127.0.0.1:PORT/?token=…"
        url = urlsplit(line.split("open ", 1)[1].strip())
        token = url.query.removeprefix("token=")
        assert _get(url.port, f"/?{url.query}&next=%2Fdrift").status == 302
        assert _get(url.port, "/api/v1/health", {"Authorization": f"bearer {token}"}).status == 200
    finally:
        app.terminate()
        app.wait(timeout=60)
    log = (home / "logs" / "creditscore.log").read_text("utf-8")
    assert "GET /?[redacted]" in log  # the request was logged, without its query
    assert token not in log and "next=" not in log
    assert _mode(home) == 0o700
    folders = [p for p in home.rglob("*") if p.is_dir()]
    files = [p for p in home.rglob("*") if p.is_file()]
    assert {"clients.sqlite", "creditscore.log", "application_test.csv"} <= {p.name for p in files}
    assert any(p.name.startswith("drift-") for p in files)
    assert {p.relative_to(home).as_posix(): oct(_mode(p)) for p in folders if _mode(p) != 0o700} == {}
    assert {p.relative_to(home).as_posix(): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
