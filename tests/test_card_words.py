"""What the model card, the training report and the command's outputs say: the fairness reading (one wording
for both, in French and English, computed from the figures), the settings' honest wording, and the model
that made each score in words in the client list, ``score --out`` and the decisions export."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from storage_helpers import history_of, write_csvs

from desktop.cli import main
from engine import fairness
from engine.catalogues import catalogue, text
from engine.coverage_words import scored_with
from engine.fairness_words import ATTRIBUTES, ratio_cell, reading
from engine.formats import LANGS, number, percent
from engine.manifest import Fairness, typed
from engine.model_build import ModelBuild
from engine.report import render
from storage.export import decisions_frame
from storage.store import ClientStore


def _fairness(accepted_defaults_over_50: int) -> Fairness:
    """80 clients: 40 under 30 (men), half of them accepted, 4 of those 20 defaulting (20 %); 40 over 50
    (women), all accepted, ``accepted_defaults_over_50`` of them defaulting."""
    young, old = 40, 40
    pd = np.array([0.1] * 20 + [0.9] * 20 + [0.1] * old)
    y = np.array([1] * 4 + [0] * 16 + [1] * 10 + [0] * 10 + [1] * accepted_defaults_over_50 + [0] * (old - accepted_defaults_over_50))
    application = pl.DataFrame({
        "CODE_GENDER": ["M"] * young + ["F"] * old,
        "DAYS_BIRTH": [-round(25 * fairness.DAYS_PER_YEAR)] * young + [-round(60 * fairness.DAYS_PER_YEAR)] * old,
    })
    return typed(Fairness, fairness.report(application, y, pd, 0.5))


def _plain(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def shipped_report(bundle) -> str:
    """The training report of the shipped bundle, rendered from its manifest by today's code."""
    metrics = bundle.manifest.metrics
    return render(metrics, ModelBuild.of(bundle.booster, metrics.dropout, bundle.manifest.threshold_rule))


def test_the_shipped_report_reads_its_fairness_figures_in_both_languages(bundle, shipped_report):
    metrics = bundle.manifest.metrics
    section = _plain(shipped_report[shipped_report.index("<h2>Fairness"):])
    for attribute in ATTRIBUTES:
        low = metrics.fairness.lowest[attribute]
        rows = {row.group: row for row in metrics.fairness.groups(attribute)}
        for lang in LANGS:
            said = reading(metrics.fairness, attribute, metrics.exclude, lang)
            assert said in section
            assert number(low.ratio, lang, 2) in said  # the ratio
            assert percent(rows[low.group].default_rate_accepted, lang) in said  # defaults among the accepted
            assert percent(rows[low.best].default_rate_accepted, lang) in said
    # Sex is excluded, age is an input; each said in both languages.
    for sentence in ("Sex is not a model input", "Le sexe n'est pas une variable du modèle",
                     "Age is a model input.", "L'âge est une variable du modèle."):
        assert sentence in section
    # The shipped figures: accepted under-30s default less than accepted over-50s (2.7 % against 4.0 %).
    age = {row.group: row for row in metrics.fairness.age}
    stricter = age["<30"].default_rate_accepted < age[">50"].default_rate_accepted
    assert (text("model.fairness_stricter", "en") in section) is stricter
    assert f"{metrics.fairness.lowest['age'].ratio:.2f}" in section  # the table's ratio too


def test_the_reading_follows_the_figures():
    follows = _fairness(accepted_defaults_over_50=2)  # over 50 accepted default 5 %: below the under-30s' 20 %
    stricter = _fairness(accepted_defaults_over_50=12)  # 30 %: above the under-30s' 20 %
    for lang in LANGS:
        said = reading(follows, "age", ["CODE_GENDER"], lang)
        assert text("model.fairness_follows", lang) in said and text("model.fairness_stricter", lang) not in said
        assert percent(0.2, lang) in said and percent(0.05, lang) in said and number(0.5, lang, 2) in said
        assert text("model.verdict_below", lang) in said  # approved at half the rate of the over-50s
        said = reading(stricter, "age", ["CODE_GENDER"], lang)
        assert text("model.fairness_stricter", lang) in said and percent(0.3, lang) in said
    assert "Age is a model input." in reading(follows, "age", [], "en")
    assert "Age is not a model input" in reading(follows, "age", ["DAYS_BIRTH"], "en")
    assert "Sex is a model input." in reading(follows, "sex", [], "en")


def test_a_group_too_small_to_compare_is_said_so():
    rows = fairness.table(np.array(["F"] * 40 + ["XNA"] * 2, dtype=object), np.zeros(42, dtype=int),
                          np.array([0.1] * 30 + [0.9] * 10 + [0.1] * 2), 0.5)
    tiny = typed(Fairness, {"threshold": 0.5, "four_fifths": 0.8, "min_clients": fairness.MIN_CLIENTS, "sex": rows,
                            "age": rows, "lowest": fairness.lowest({"sex": rows})})
    cells = [ratio_cell(row, tiny, "fr") for row in tiny.sex]
    assert cells == ["1,00", "trop petit pour comparer (moins de 30 clients)"]
    assert "no group of at least 30 clients" in reading(tiny, "age", [], "en")


def test_no_sentence_claims_the_settings_were_fixed_a_priori(bundle, shipped_report):
    words = [text("model.metrics_intro", lang, folds=5, seeds=3, features=1) for lang in LANGS]
    words += [catalogue("model_build")["why"][lang] for lang in LANGS]
    for said in [*words, _plain(shipped_report)]:
        assert not re.search(r"a priori|not searched|none of the figures|aucun des chiffres", said, re.IGNORECASE)
    assert "0.7635 ± 0.0057" in shipped_report and "bench/RESULTS-models.md" in shipped_report
    assert "un peu optimiste" in catalogue("model_build")["why"]["fr"] and "slightly optimistic" in words[1]


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory, small_tables) -> tuple[Path, Path, Path]:
    """A store with 40 clients imported with their application alone (batch 1) and 40 others with every
    table (batch 2); the application-only folder."""
    root = tmp_path_factory.mktemp("card_words")
    ids = small_tables["application"]["SK_ID_CURR"]
    alone = write_csvs({"application": small_tables["application"].head(40)}, root / "alone")
    full = write_csvs(history_of(small_tables, ids.slice(40, 40)), root / "full")
    home = root / "home"
    for folder in (alone, full):
        assert main(["--home", str(home), "import", str(folder)]) == 0
    return home, alone, full


def test_the_client_list_says_the_model_decision_and_the_model_in_words(two_batches, capsys):
    home = two_batches[0]
    capsys.readouterr()
    for lang, decision, alone, full in (("fr", "Décision du modèle", "Demande seule", "Historique complet"),
                                        ("en", "Model decision", "Application only", "Full history")):
        assert main(["--home", str(home), "--lang", lang, "clients", "--limit", "100"]) == 0
        header, *rows, shown = capsys.readouterr().out.splitlines()
        assert decision in header and text("model.col_model", lang) in header and len(rows) == 80
        assert shown == text("cli.clients_shown", lang, n=80)
        by_batch = {batch: [row for row in rows if re.match(rf"\s*\d+\s+{batch}\s", row)] for batch in (1, 2)}
        assert len(by_batch[1]) == len(by_batch[2]) == 40
        assert all(alone in row for row in by_batch[1]) and all(full in row for row in by_batch[2])


def test_score_out_has_the_model_in_words_as_the_export(two_batches, bundle, tmp_path):
    _, alone, _ = two_batches
    assert main(["score", str(alone), "--out", str(tmp_path / "scores.csv")]) == 0
    scores = pl.read_csv(tmp_path / "scores.csv")
    assert scores.columns[scores.columns.index("MODEL"):][:3] == ["MODEL", "MODEL_FR", "MODEL_EN"]
    assert scores["MODEL_FR"].unique().to_list() == [scored_with(bundle, "application", {"application"}, "fr")]
    assert scores["MODEL_EN"][0].startswith("Scored on the application alone: less accurate (expected AUC 0.7")
    assert main(["score", str(alone), "--out", str(tmp_path / "scores.txt")]) == 2  # refused before scoring
    assert not (tmp_path / "scores.txt").exists()


def test_the_decisions_export_words_each_model_with_its_batch_tables(two_batches, scorer, tmp_path):
    store = ClientStore(two_batches[0])
    for batch in (1, 2):
        client = store.find_clients(batch=batch, limit=1).row(0, named=True)
        store.record_decision(client["SK_ID_CURR"], client["DECISION"], officer="Alice Martin")
    frame = decisions_frame(store, scorer, "fr")
    assert frame["MODEL"].to_list() == ["application", "full"]
    assert frame["MODEL_FR"][0].startswith("Score établi sur la demande seule : moins précis (AUC attendue 0,7")
    assert frame["MODEL_EN"][1].startswith("Scored on the application and the client's full history (expected AUC")


def test_the_minimum_group_size_is_said_when_the_figures_apply_one(bundle):
    metrics = bundle.manifest.metrics
    build = ModelBuild.of(bundle.booster, metrics.dropout, bundle.manifest.threshold_rule)
    said = text("model.fairness_min", "en", n=fairness.MIN_CLIENTS)
    applied = dataclasses.replace(metrics, fairness=dataclasses.replace(metrics.fairness, min_clients=fairness.MIN_CLIENTS))
    assert said in _plain(render(applied, build))
    assert text("model.fairness_min", "fr", n=fairness.MIN_CLIENTS) in _plain(render(applied, build))
    before = dataclasses.replace(metrics, fairness=dataclasses.replace(metrics.fairness, min_clients=1))
    assert "fewer than" not in _plain(render(before, build))
