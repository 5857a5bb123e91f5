"""The model card ("/model"): what the shipped model was trained on, how well it does, what it uses.

Everything comes from the bundle's manifest: the data summary and licence, the three trainings'
out-of-fold metrics, the model of each set of tables supplied, the excluded columns and monotone
constraints, fairness by sex and age band, the confusion matrix at the chosen threshold, ROC,
calibration and cost curves, versions and hashes; and the global importance of the reason groups
in PD points over the bundle's reference sample (``desktop.explain``: computed once per process,
in the background at start; its chart comes by a callback, so the page never waits for it). The
card and its chart are built once per bundle and language, then served as built: :func:`build_ahead`
builds both languages' in the background right after the window opens, so even the first view is served.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from desktop import explain
from desktop.context import context
from desktop.figures.model import calibration_figure, cost_figure, roc_figure, variant_name
from desktop.figures.scoring import importance, points_text
from desktop.i18n import LANGS, current_lang, number, percent, t, timestamp
from desktop.widgets import CHART_HEIGHT, chart
from engine.constants import VARIANTS
from engine.fairness_words import ATTRIBUTES, group_name, minimum_sentence, ratio_cell, reading
from engine.formats import quote
from engine.labels import feature_label
from engine.manifest import DataSummary, Manifest, TrainingMetrics, VariantMetrics
from engine.model_build import ModelBuild, describe
from engine.reasons import group_label

log = logging.getLogger(__name__)

#: Reason groups named in the importance chart's text alternative.
NAMED_GROUPS = 3


def _table(head: list[str], rows: list[list], caption: str | None = None, **kwargs) -> dbc.Table:
    parts = [html.Caption(caption)] if caption else []
    parts += [html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
              html.Tbody([html.Tr([html.Th(r[0], scope="row"), *[html.Td(c) for c in r[1:]]]) for r in rows])]
    return dbc.Table(parts, bordered=False, hover=True, size="sm", responsive=True, **kwargs)


def _licence(text: str, lang: str) -> str:
    """The manifest's licence line (written in English by the training) in ``lang`` when it is the known one."""
    return t("model.licence_kaggle", lang) if text == t("model.licence_kaggle", "en") else text


def _data_section(data: DataSummary, lang: str) -> html.Section:
    tables = [[name, number(rows, lang)] for name, rows in data.tables.items()]
    tables += [[name, t("model.table_absent", lang)] for name in data.missing_tables]
    facts = [
        (t("model.clients", lang), number(data.clients, lang)),
        (t("model.defaults", lang), f'{number(data.defaults, lang)} ({percent(data.default_rate, lang)})'),
        (t("model.source", lang), data.source),
    ]
    return html.Section([
        html.H2(t("model.data_title", lang), id="model-data"),
        html.Dl([item for term, value in facts for item in (html.Dt(term), html.Dd(value))], className="facts"),
        dbc.Alert([html.Strong(t("model.licence", lang) + " "), _licence(data.licence, lang)], color="warning", className="licence"),
        _table([t("model.table", lang), t("model.rows", lang)], tables, t("model.tables_caption", lang)),
    ], **{"aria-labelledby": "model-data"})


def _metrics_rows(variants: dict[str, VariantMetrics], shipped: str, lang: str) -> list[list]:
    rows = []
    for name in (v for v in VARIANTS if v in variants):
        m = variants[name]
        at05, best = m.at_0_5, m.at_threshold
        label = [variant_name(name, lang)]
        if name == shipped:
            label += [" ", dbc.Badge(t("model.shipped", lang), color="dark", className="ms-1")]
        rows.append([
            label, _auc(m.roc_auc_mean, m.roc_auc_std, lang), percent(at05.accuracy, lang),
            number(at05.business_cost, lang),
            number(best.threshold, lang, 3), percent(best.accuracy, lang), number(best.business_cost, lang),
            number(m.cross_fitted_cost_mean, lang), number(m.brier, lang, 4),
        ])
    return rows


def _auc(mean: float, std: float, lang: str) -> str:
    """OOF ROC AUC as mean ± std over the fold seeds."""
    return f'{number(mean, lang, 3)} ± {number(std, lang, 3)}'


def _build_section(bundle, lang: str) -> html.Section:
    build = ModelBuild.of(bundle.booster, bundle.manifest.metrics.dropout, bundle.manifest.threshold_rule)
    return html.Section([html.H2(t("model.build_title", lang), id="model-build"), *map(html.P, describe(build, lang))],
                        id="model-build-text", **{"aria-labelledby": "model-build"})


def _coverage_section(bundle, metrics: TrainingMetrics, lang: str) -> html.Section:
    rows = [
        [t(f"model.coverage_{name}", lang), ", ".join(sorted(model.tables & bundle.trained_tables)),
         _auc(model.metrics.roc_auc_mean, model.metrics.roc_auc_std, lang), percent(model.threshold, lang, 2),
         percent(model.metrics.mean_pd, lang), percent(model.metrics.default_rate, lang),
         percent(model.metrics.refusal_rate, lang)]
        for name, model in bundle.models.items()
    ]
    head = [t(f"model.col_{key}", lang) for key in
            ("model", "tables", "auc", "threshold", "mean_pd", "default_rate", "refusals")]
    return html.Section([
        html.H2(t("model.coverage_title", lang), id="model-coverage"),
        html.P(t("model.coverage_intro", lang, dropout=percent(metrics.dropout, lang, 0))),
        _table(head, rows, t("model.coverage_caption", lang), id="model-coverage-table"),
    ], **{"aria-labelledby": "model-coverage"})


def _inputs_section(bundle, metrics: TrainingMetrics, lang: str) -> html.Section:
    excluded = metrics.exclude
    specs = bundle.pipeline.specs
    monotone = [feature_label(specs[name], lang) for name in metrics.monotone]
    texts = [t("model.excluded", lang, columns=", ".join(excluded)) if excluded else t("model.excluded_none", lang)]
    if monotone:
        texts.append(t("model.monotone", lang, n=len(monotone), features=", ".join(monotone)))
    return html.Section([html.H2(t("model.inputs_title", lang), id="model-inputs"), *map(html.P, texts)],
                        id="model-inputs-text", **{"aria-labelledby": "model-inputs"})


def _fairness_section(metrics: TrainingMetrics, lang: str) -> html.Section:
    fairness = metrics.fairness
    head = [t(f"model.col_{key}", lang) for key in
            ("group", "clients", "approval", "default_accepted", "default_refused", "auc", "ratio")]
    parts = [html.H2(t("model.fairness_title", lang), id="model-fairness"),
             html.P(t("model.fairness_intro", lang, threshold=percent(fairness.threshold, lang, 2),
                      four_fifths=number(fairness.four_fifths, lang, 1)))]
    if minimum := minimum_sentence(fairness, lang):
        parts.append(html.P(minimum))
    for attribute in ATTRIBUTES:
        parts.append(html.P(reading(fairness, attribute, metrics.exclude, lang), className="fairness-reading"))
        rows = [[group_name(r.group, lang), number(r.clients, lang), percent(r.approval_rate, lang),
                 percent(r.default_rate_accepted, lang), percent(r.default_rate_refused, lang),
                 number(r.roc_auc, lang, 3), ratio_cell(r, fairness, lang)] for r in fairness.groups(attribute)]
        parts.append(_table(head, rows, t(f"model.fairness_{attribute}", lang), id=f"model-fairness-{attribute}"))
    return html.Section(parts, **{"aria-labelledby": "model-fairness"})


def _metrics_section(metrics: TrainingMetrics, lang: str) -> html.Section:
    head = [t(f"model.col_{key}", lang) for key in
            ("variant", "auc", "accuracy_05", "cost_05", "threshold", "accuracy_t", "cost_t", "cost_cross", "brier")]
    return html.Section([
        html.H2(t("model.metrics_title", lang), id="model-metrics"),
        html.P(t("model.metrics_intro", lang, folds=metrics.n_splits, seeds=len(metrics.fold_seeds),
                 features=number(metrics.n_features, lang))),
        _table(head, _metrics_rows(metrics.variants, metrics.shipped, lang), t("model.metrics_caption", lang),
               id="model-metrics-table"),
    ], **{"aria-labelledby": "model-metrics"})


def _confusion(variant: VariantMetrics, name: str, lang: str) -> html.Section:
    at = variant.at_threshold
    cm = at.confusion_matrix

    def cell(key: str) -> html.Td:
        return html.Td([html.Span(number(getattr(cm, key), lang), className="fw-bold"), html.Br(),
                        html.Small(t(f"model.cm_{key}", lang))], className=f"cm cm-{key}")

    table = html.Table([
        html.Caption(t("model.confusion_caption", lang, variant=variant_name(name, lang),
                       threshold=number(at.threshold, lang, 3))),
        html.Thead(html.Tr([html.Td(), html.Th(t("model.predicted_accept", lang), scope="col"),
                            html.Th(t("model.predicted_refuse", lang), scope="col")])),
        html.Tbody([
            html.Tr([html.Th(t("model.actual_repaid", lang), scope="row"), cell("tn"), cell("fp")]),
            html.Tr([html.Th(t("model.actual_default", lang), scope="row"), cell("fn"), cell("tp")]),
        ]),
    ], className="table table-bordered confusion", id="model-confusion")
    summary = t("model.confusion_summary", lang, recall=percent(at.recall_defaulters, lang),
                refusals=percent(at.refusal_rate, lang), cost=number(at.business_cost, lang))
    return html.Section([html.H2(t("model.confusion_title", lang), id="model-cm"), table, html.P(summary)],
                        **{"aria-labelledby": "model-cm"})


def _charts(metrics: TrainingMetrics, lang: str) -> html.Section:
    variants = metrics.variants
    names = [v for v in VARIANTS if v in variants]
    sep = " ; " if lang == "fr" else "; "
    roc_text = sep.join(f'{variant_name(v, lang)} {number(variants[v].roc_auc, lang, 3)}' for v in names)
    cost_text = sep.join(
        t("model.cost_item", lang, variant=variant_name(v, lang), cost=number(variants[v].at_threshold.business_cost, lang),
          threshold=number(variants[v].at_threshold.threshold, lang, 3)) for v in names)
    calibration = metrics.calibration
    curve = calibration.curve
    return html.Section([
        html.H2(t("model.curves_title", lang), id="model-curves"),
        dbc.Row([
            dbc.Col(chart("model-roc", roc_figure(variants, lang), t("model.roc_caption", lang, values=roc_text),
                          title=t("model.roc_title", lang), height=CHART_HEIGHT), lg=6),
            dbc.Col(chart("model-calibration", calibration_figure(curve, lang), t(
                "model.calibration_caption", lang, groups=len(curve.predicted),
                brier=number(calibration.brier_calibrated_cross_fitted, lang, 4)),
                title=t("model.calibration_title", lang), height=CHART_HEIGHT), lg=6),
            dbc.Col(chart("model-cost", cost_figure(variants, lang), t("model.cost_caption", lang, values=cost_text),
                          title=t("model.cost_title", lang), height=CHART_HEIGHT), lg=12),
            dbc.Col(dcc.Loading(html.Div(id="model-importance-box")), lg=12),
        ]),
    ], **{"aria-labelledby": "model-curves"})


@callback(Output("model-importance-box", "children"), Input("model-importance-box", "id"))
def _importance(_) -> html.Figure:
    """The reason groups by the mean change of PD they make over the reference sample, in PD points."""
    return _importance_chart(context().scorer, current_lang())


@lru_cache(maxsize=4)
def _importance_chart(scorer, lang: str) -> html.Figure:
    ranked = explain.global_importance(scorer)
    labels = [group_label(key, lang) for key in ranked.groups["group"]]
    effects = ranked.groups["importance"].to_numpy()
    named = ", ".join(f"{quote(label, lang)} ({points_text(effect, lang)})"
                      for label, effect in zip(labels[:NAMED_GROUPS], effects))
    caption = t("model.importance_caption", lang, n=number(explain.reference(scorer).height, lang), first=named)
    return chart("model-importance", importance(labels, effects, lang, top=len(labels)), caption,
                 title=t("model.importance_title", lang))


def _versions(manifest: Manifest, lang: str) -> html.Section:
    versions = [[name, value] for name, value in manifest.versions.items()]
    files = [[name, html.Code(digest)] for name, digest in manifest.files.items()]
    return html.Section([
        html.H2(t("model.versions_title", lang), id="model-versions"),
        html.P([t("model.bundle_id", lang) + " ", html.Code(manifest.digest, id="model-bundle-id", className="hash")]),
        html.P(t("model.created", lang, when=timestamp(manifest.created, lang))),
        dbc.Row([
            dbc.Col(_table([t("model.library", lang), t("model.version", lang)], versions, t("model.versions_caption", lang)), md=5),
            dbc.Col(_table([t("model.file", lang), "SHA-256"], files, t("model.files_caption", lang)), md=7),
        ]),
    ], **{"aria-labelledby": "model-versions"})


def build_ahead() -> None:
    """Both languages' cards, then their importance charts (once the global importance is computed),
    built before the officer asks: what the page serves from then on."""
    clock, scorer = time.perf_counter(), context().scorer
    for lang in LANGS:
        _card(scorer.bundle.id, lang)
    for lang in LANGS:
        _importance_chart(scorer, lang)
    log.info("model card built ahead in %s in %.1f s", " and ".join(LANGS), time.perf_counter() - clock)


def layout(**query: str) -> html.Div:
    """The model card of the bundle the app scores with."""
    return _card(context().scorer.bundle.id, current_lang())


@lru_cache(maxsize=4)
def _card(bundle_id: str, lang: str) -> html.Div:
    """The card of the bundle ``bundle_id`` in one language: it changes with neither (built once, then served as is)."""
    bundle = context().scorer.bundle
    manifest, metrics = bundle.manifest, bundle.manifest.metrics
    shipped = metrics.shipped
    intro = t("model.intro", lang, variant=variant_name(shipped, lang), threshold=percent(bundle.threshold, lang, 2),
              auc=_auc(metrics.shipped_variant.roc_auc_mean, metrics.shipped_variant.roc_auc_std, lang))
    return html.Div([
        html.H1(t("model.title", lang)),
        html.P(intro, className="lead"),
        _data_section(manifest.data, lang),
        _metrics_section(metrics, lang),
        _build_section(bundle, lang),
        _coverage_section(bundle, metrics, lang),
        _inputs_section(bundle, metrics, lang),
        _fairness_section(metrics, lang),
        _confusion(metrics.shipped_variant, shipped, lang),
        _charts(metrics, lang),
        _versions(manifest, lang),
    ], className="model-card page")


dash.register_page(__name__, path="/model", name="model.nav", title=lambda **_: f'{t("model.title")} — creditscore', order=4, layout=layout)
