"""The global importance of the reason groups in PD points (model card and interpretation page)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from flask import Flask

from desktop import explain
from desktop.figures.scoring import importance, points_text
from desktop.i18n import LANG_COOKIE
from engine.reasons import group_label


def _pd(log_odds: float) -> float:
    return 1 / (1 + math.exp(-log_odds))


def test_a_groups_effect_is_the_mean_change_of_pd_it_makes():
    log_odds = np.array([math.log(0.1 / 0.9), 0.0])
    totals = np.array([[1.0, 0.0], [-0.5, 0.2]])  # rows × groups
    effects = explain.pd_effects(log_odds, totals)
    first = (abs(0.1 - _pd(log_odds[0] - 1.0)) + abs(0.5 - _pd(0.5))) / 2
    second = abs(0.5 - _pd(-0.2)) / 2
    assert effects == pytest.approx([first, second], abs=1e-15)
    assert explain.pd_effects(log_odds, np.zeros((2, 3))).tolist() == [0.0, 0.0, 0.0]  # no share: no change


@pytest.fixture(scope="module")
def ranked(scorer):
    return explain.global_importance(scorer)


def test_every_reason_group_of_the_model_is_ranked_in_pd_points(ranked, scorer):
    groups = ranked.groups
    assert sorted(groups["group"]) == sorted(scorer.groups.keys) and "sex" not in groups["group"]
    effects = groups["importance"].to_numpy()
    assert list(effects) == sorted(effects, reverse=True) and 0 < effects[-1] and effects[0] < 0.2
    assert "external" in groups["group"].head(3).to_list()  # the external scores drive this model most


def test_the_log_odds_behind_the_effects_are_the_scorers_pd(scorer):
    reference = explain.reference(scorer).head(200)
    contrib = scorer.contributions(scorer.matrix(reference))
    log_odds = scorer.bundle.calibration.log_odds(contrib.sum(axis=1))
    assert 1 / (1 + np.exp(-log_odds)) == pytest.approx(scorer.pd(reference), abs=1e-9)


@pytest.mark.parametrize(("lang", "axis", "texts", "words"), [
    ("fr", "points de PD", ["2,5 pt", "0,4 pt"], "± 2,5 points de PD en moyenne"),
    ("en", "PD points", ["2.5 pt", "0.4 pt"], "± 2.5 PD points on average"),
])
def test_the_chart_reads_in_pd_points_in_each_language(lang, axis, texts, words):
    figure = importance(["Scores externes", "Âge"], [0.025, 0.004], lang)
    bar = figure.data[0]
    assert list(bar.x) == pytest.approx([2.5, 0.4]) and list(bar.text) == texts
    assert list(bar.customdata[0]) == ["Scores externes", words] and words == points_text(0.025, lang)
    title = figure.layout.xaxis.title.text
    assert axis in title and "log" not in title.lower()


@pytest.mark.parametrize(("lang", "title"), [("fr", "points de PD"), ("en", "PD points")])
def test_the_model_card_shows_the_groups_with_their_effect(running_app, ranked, lang, title):
    from desktop.pages import model  # registers the page: needs the app (running_app) in this process

    ctx, _ = running_app
    with Flask(__name__).test_request_context(headers={"Cookie": f"{LANG_COOKIE}={lang}"}):
        figure = model._importance("model-importance-box")
    heading, graph, caption = figure.children
    assert title in heading.children
    first = group_label(ranked.groups["group"][0], lang)
    assert graph.figure.data[0].customdata[0][0] == first and first in caption.children
    assert points_text(ranked.groups["importance"][0], lang) in caption.children
