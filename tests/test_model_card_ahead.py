"""The model card built ahead at start in both languages: the officer's first view is served as built."""

from __future__ import annotations

from flask import Flask

from desktop.i18n import LANG_COOKIE, LANGS


def test_the_card_and_its_chart_are_built_ahead_then_served(running_app):
    from desktop.pages import model  # registers the page: needs the app (running_app) in this process

    model._card.cache_clear()
    model._importance_chart.cache_clear()
    model.build_ahead()
    assert (model._card.cache_info().currsize, model._importance_chart.cache_info().currsize) == (2, 2)
    for lang in LANGS:
        with Flask(__name__).test_request_context(headers={"Cookie": f"{LANG_COOKIE}={lang}"}):
            page = model.layout()
            chart = model._importance("model-importance-box")
        assert page is model._card(model.context().scorer.bundle.id, lang)  # the one built ahead, not a new one
        assert page.children[0].children == {"fr": "Fiche du modèle", "en": "Model card"}[lang]
        assert chart.children[0].children
    assert model._card.cache_info().misses == 2 and model._importance_chart.cache_info().misses == 2


def test_a_failure_to_build_ahead_is_logged_and_the_page_builds_when_shown(running_app, monkeypatch, caplog):
    from desktop import window
    from desktop.pages import model

    def fails() -> None:
        raise RuntimeError("no model")

    monkeypatch.setattr(model, "build_ahead", fails)
    window._build_model_card()
    assert "building the model card ahead failed" in caplog.text and "no model" in caplog.text
