"""The drift in the reader's language: why a batch cannot be compared (a code and its values, worded on the
page and by the command line) and the header we write on top of Evidently's report."""

from __future__ import annotations

import html
import time

import polars as pl
import pytest
from flask import Flask

from desktop.cli import main
from desktop.i18n import LANG_COOKIE
from engine.drift import DriftConfig, DriftError, drift_frame, run_drift
from engine.resources import demo_batch

SMALL = DriftConfig(top_features=5, application_columns=2)
EMPTY = pl.DataFrame({"SK_ID_CURR": []}, schema={"SK_ID_CURR": pl.Int64})
NO_CLIENT = {"fr": "le lot n'a aucun client : rien à comparer", "en": "the batch has no client: nothing to compare"}


def test_a_batch_that_cannot_be_compared_is_a_code_said_in_each_language(bundle):
    with pytest.raises(DriftError) as refused:
        run_drift(bundle, EMPTY, config=SMALL)
    assert refused.value.code == "no_clients" and str(refused.value) == NO_CLIENT["en"]
    assert {lang: refused.value.sentence(lang) for lang in NO_CLIENT} == NO_CLIENT
    with pytest.raises(DriftError) as refused:
        run_drift(bundle, pl.DataFrame({"SK_ID_CURR": [1, 2], "SOMETHING": [1.0, 2.0]}), config=SMALL)
    error = refused.value
    assert error.code == "no_compared_columns" and error.params["n"] > 3
    assert error.sentence("fr").startswith(f"le lot n'a aucune des {error.params['n']} colonnes comparées pour la dérive")
    with pytest.raises(DriftError) as refused:
        run_drift(bundle, bundle.reference().head(5), current_pd=[0.1] * 3, config=SMALL)
    assert refused.value.sentence("fr") == "3 PD fournies pour un lot de 5 clients"
    assert refused.value.sentence("en") == "3 PDs given for a batch of 5 clients"


def _failed_drift_job(ctx, bundle):
    job = ctx.jobs.start("drift", lambda progress: run_drift(bundle, EMPTY, config=SMALL))
    deadline = time.monotonic() + 30
    while job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.state == "failed"
    return job


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_drift_page_says_why_in_its_language(running_app, bundle, lang):
    from desktop.pages import drift  # registers the page: needs the app (running_app) in this process

    ctx, _ = running_app
    job = _failed_drift_job(ctx, bundle)
    with Flask(__name__).test_request_context(headers={"Cookie": f"{LANG_COOKIE}={lang}"}):
        _, _, alert, *_ = drift.poll(1, job.id)
    said = alert.children
    assert said.endswith(NO_CLIENT[lang]) and said.startswith({"fr": "L'analyse a échoué", "en": "The analysis failed"}[lang])
    other = NO_CLIENT["en" if lang == "fr" else "fr"]
    assert other not in said


@pytest.fixture(scope="module")
def clients_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("drift") / "clients.csv"
    pl.read_parquet(demo_batch() / "application_test.parquet").head(40).write_csv(path)
    return path


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "Evidently n'a pas pu comparer le lot à la référence (détail technique : out of memory)"),
    ("en", "Evidently could not compare the batch with the reference (technical detail: out of memory)"),
])
def test_the_command_line_says_why_in_its_language(clients_file, tmp_path, monkeypatch, capsys, lang, said):
    import evidently

    def fails(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(evidently.Report, "run", fails)  # Evidently failing on the batch: the engine says so
    code = main(["drift", str(clients_file), "--top", "3", "--lang", lang, "--home", str(tmp_path / "home"),
                 "--html", str(tmp_path / "report.html")])
    err = capsys.readouterr().err
    assert code == 2 and said in err and "Traceback" not in err
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize(("lang", "ours", "not_ours"), [
    ("fr", ["Dérive des données du lot par rapport", "Lot : n° 7. Analyse du", "40 clients du lot comparés",
            "variable principale", "Les tests et graphiques qui suivent sont ceux d'Evidently"],
     ["Data drift of the batch", "Columns compared", "clients of the batch against", "top feature"]),
    ("en", ["Data drift of the batch against", "Batch: no. 7. Compared on", "40 clients of the batch against",
            "top feature", "The tests and charts below are Evidently's own"],
     ["Dérive des données", "variable principale"]),
])
def test_the_report_s_header_is_in_the_reader_s_language(bundle, demo_tables, lang, ours, not_ours):
    tables = {name: frame for name, frame in demo_tables.items() if name == "application"}
    tables["application"] = tables["application"].head(40)
    current = drift_frame(bundle, {**dict.fromkeys(demo_tables), **tables})
    result = run_drift(bundle, current, config=SMALL, supplied={"application"}, lang=lang, batch=7)
    header = html.unescape(result.html.split('<section lang="', 1)[1].split("</section>", 1)[0])
    assert header.startswith(f'{lang}"')
    for text in ours:
        assert text in header, text
    for text in not_ours:
        assert text not in header, text
    assert "<script" not in header
