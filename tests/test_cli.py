"""The engine verbs of the command line: score, drift, and clear refusals (exit 2, no traceback)."""

from __future__ import annotations

import sys

import polars as pl
import pytest

from desktop.cli import main
from engine.resources import demo_batch


def test_score_without_files_scores_the_demo_batch(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", "--out", str(out)]) == 0
    scores = pl.read_csv(out)
    assert scores.height == 5000 and set(scores["DECISION"]) == {"accept", "refuse"}
    printed = capsys.readouterr().out
    assert "5,000 clients scored" in printed and "refused" in printed


def test_score_refuses_a_bad_file_by_name_column_and_line(tmp_path, capsys):
    bad = tmp_path / "application_test.csv"
    bad.write_text("SK_ID_CURR,AMT_INCOME_TOTAL,AMT_CREDIT,AMT_ANNUITY,DAYS_BIRTH\n1,100,abc,10,-9000\n")
    assert main(["score", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "application_test.csv" in err and "AMT_CREDIT" in err and "line 2" in err
    assert "Traceback" not in err


def test_train_refuses_to_exclude_a_column_no_table_has(tmp_path, capsys):
    out = tmp_path / "bundle"
    assert main(["train", "--data", str(demo_batch()), "--out", str(out), "--exclude", "CODE_GENDER", "SEXE"]) == 2
    err = capsys.readouterr().err
    assert "--exclude SEXE" in err and "Traceback" not in err
    assert not out.exists()  # refused before anything is read or written


def test_drift_of_files_writes_a_report(tmp_path, capsys):
    html = tmp_path / "drift.html"
    assert main(["drift", str(demo_batch()), "--top", "5", "--html", str(html)]) == 0
    printed = capsys.readouterr().out
    assert "columns drifted" in printed and "PSI of the PD" in printed
    assert html.stat().st_size > 100_000


def test_without_a_verb_the_app_opens(monkeypatch, tmp_path):
    """A double-click starts the executable with no arguments: the window opens."""
    import desktop.window

    opened = []
    monkeypatch.setattr(desktop.window, "run_window", lambda home, bundle, **kw: opened.append((home, kw)) or 0)
    assert main(["--home", str(tmp_path)]) == 0
    assert opened[0][0] == str(tmp_path) and opened[0][1]["log_file"] == tmp_path / "logs" / "creditscore.log"


def test_a_command_needing_a_package_left_out_of_the_install_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as in the packaged app
    monkeypatch.delitem(sys.modules, "tools.scaling", raising=False)
    assert main(["scale-data", "--clients", "10", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "does not include the Python module 'pyarrow" in err and "Traceback" not in err


def test_issue12_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path, capsys):
    link = tmp_path / "application.csv"
    link.symlink_to("/dev/zero")
    assert main(["score", str(link)]) == 2
    err = capsys.readouterr().err
    assert "application.csv: not a regular file" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--home", "{home}", "-v", "app", "--port", "0"], ["app", "--port", "0", "--home", "{home}", "-v"]])
def test_global_options_are_taken_before_or_after_the_verb(monkeypatch, tmp_path, argv):
    """Issue 11 item 5: ``creditscore app --browser --home DIR`` was refused."""
    import logging

    import desktop.window

    opened = []
    monkeypatch.setattr(desktop.window, "run_window", lambda home, bundle, **kw: opened.append(home) or 0)
    assert main([arg.format(home=tmp_path) for arg in argv]) == 0
    assert opened == [str(tmp_path)] and logging.getLogger().level == logging.DEBUG
