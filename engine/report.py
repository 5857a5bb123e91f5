"""The training report as one self-contained HTML page (plotly.js inlined once, no network)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio

from engine.evaluation import COST_FN, COST_FP

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1b1b;line-height:1.45}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #999;padding:.3rem .6rem;text-align:right}
th{background:#eef}td:first-child,th:first-child{text-align:left}.shipped{font-weight:bold}
"""


def _figure(fig: go.Figure, first: bool, title: str) -> str:
    fig.update_layout(title=title, template="plotly_white", height=420, margin={"t": 60, "l": 60, "r": 20, "b": 50})
    return pio.to_html(fig, include_plotlyjs=first, full_html=False, config={"displaylogo": False})


def _variants_table(metrics: dict) -> str:
    head = (
        "<tr><th>Variant</th><th>OOF ROC AUC (mean ± std)</th><th>Accuracy @0.5</th><th>Cost @0.5</th><th>Threshold</th>"
        "<th>Accuracy @threshold</th><th>Cost @threshold</th><th>Cross-fitted cost (mean)</th><th>Brier (raw)</th></tr>"
    )
    rows = []
    for name, m in metrics["variants"].items():
        cls = ' class="shipped"' if name == metrics["shipped"] else ""
        rows.append(
            f"<tr{cls}><td>{html.escape(name)}</td><td>{m['roc_auc_mean']:.4f} ± {m['roc_auc_std']:.4f}</td>"
            f"<td>{m['at_0_5']['accuracy']:.4f}</td><td>{m['at_0_5']['business_cost']}</td>"
            f"<td>{m['at_threshold']['threshold']:.4f}</td><td>{m['at_threshold']['accuracy']:.4f}</td>"
            f"<td>{m['at_threshold']['business_cost']}</td><td>{m['cross_fitted_cost_mean']:.0f}</td><td>{m['brier']:.4f}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _models_table(metrics: dict) -> str:
    head = (
        "<tr><th>Model (tables supplied)</th><th>OOF ROC AUC (mean ± std)</th><th>Threshold (PD)</th>"
        "<th>Mean PD (cross-fitted)</th><th>Default rate</th><th>Refusal rate</th><th>Cross-fitted cost (mean)</th></tr>"
    )
    rows = [
        f"<tr><td>{html.escape(name)} ({html.escape(', '.join(m['tables']))})</td>"
        f"<td>{m['roc_auc_mean']:.4f} ± {m['roc_auc_std']:.4f}</td><td>{m['threshold']:.4f}</td>"
        f"<td>{m['mean_pd']:.4f}</td><td>{m['default_rate']:.4f}</td><td>{m['refusal_rate']:.4f}</td>"
        f"<td>{m['cross_fitted_cost_mean']:.0f}</td></tr>"
        for name, m in metrics["models"].items()
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _fairness(fairness: dict) -> str:
    head = (
        "<tr><th>Group</th><th>Clients</th><th>Approval rate</th><th>Defaults among accepted</th>"
        "<th>Defaults among refused</th><th>ROC AUC</th><th>Ratio to most approved</th></tr>"
    )
    parts = []
    for attribute, title in (("sex", "By sex"), ("age", "By age band (years)")):
        low = fairness["lowest"][attribute]
        verdict = "above" if low["ratio"] >= fairness["four_fifths"] else "below"
        parts.append(
            f"<p>{title}: the least-approved group ({html.escape(low['group'])}) is approved at {low['ratio']:.2f} of "
            f"the rate of the most approved ({html.escape(low['best'])}), {verdict} the four-fifths benchmark.</p>"
        )
        rows = "".join(
            f"<tr><td>{html.escape(r['group'])}</td><td>{r['clients']}</td><td>{_rate(r['approval_rate'])}</td>"
            f"<td>{_rate(r['default_rate_accepted'])}</td><td>{_rate(r['default_rate_refused'])}</td>"
            f"<td>{'–' if r['roc_auc'] is None else format(r['roc_auc'], '.3f')}</td><td>{r['approval_ratio']:.2f}</td></tr>"
            for r in fairness[attribute]
        )
        parts.append(f"<table><caption>{title}</caption>{head}{rows}</table>")
    return "".join(parts)


def _confusion(name: str, m: dict) -> str:
    cells = []
    for label, key in (("at 0.5", "at_0_5"), (f"at {m['at_threshold']['threshold']:.4f}", "at_threshold")):
        c = m[key]["confusion_matrix"]
        cells.append(
            f"<table><caption>{html.escape(name)} {label}</caption><tr><th></th><th>predicted repaid</th>"
            f"<th>predicted default</th></tr><tr><th>repaid</th><td>{c['tn']}</td><td>{c['fp']}</td></tr>"
            f"<tr><th>default</th><td>{c['fn']}</td><td>{c['tp']}</td></tr></table>"
        )
    return "".join(cells)


def render(metrics: dict) -> str:
    """HTML report of the three trainings, the shipped model's threshold, calibration and importances."""
    shipped = metrics["shipped"]
    sm = metrics["variants"][shipped]
    roc = go.Figure()
    for name, m in metrics["variants"].items():
        roc.add_scatter(x=m["roc_curve"]["fpr"], y=m["roc_curve"]["tpr"], name=f"{name} (AUC {m['roc_auc']:.3f})")
    roc.add_scatter(x=[0, 1], y=[0, 1], name="chance", line={"dash": "dot", "color": "#888"})
    roc.update_xaxes(title="false positive rate")
    roc.update_yaxes(title="true positive rate")
    cost = go.Figure(go.Scatter(x=sm["cost_curve"]["threshold"], y=sm["cost_curve"]["cost"], name="cost"))
    cost.add_vline(x=sm["at_threshold"]["threshold"], line_dash="dash", annotation_text="chosen threshold")
    cost.update_xaxes(title="threshold on the OOF probability", range=[0, 1])
    cost.update_yaxes(title=f"business cost ({COST_FN}×FN + {COST_FP}×FP)")
    cal = metrics["calibration"]
    calib = go.Figure(go.Scatter(x=cal["curve"]["predicted"], y=cal["curve"]["observed"], mode="lines+markers", name="model"))
    top = max(cal["curve"]["predicted"] + cal["curve"]["observed"])
    calib.add_scatter(x=[0, top], y=[0, top], name="perfect", line={"dash": "dot", "color": "#888"})
    calib.update_xaxes(title="mean calibrated PD (decile)")
    calib.update_yaxes(title="observed default rate")
    imp = sm["top_importance"][::-1]
    importance = go.Figure(go.Bar(x=[i["gain"] for i in imp], y=[i["feature"] for i in imp], orientation="h"))
    importance.update_layout(height=700)
    data = metrics["data"]
    parts = [
        f"<h1>creditscore — training report</h1><p>Trained on {data['clients']:,} clients "
        f"({data['defaults']:,} defaults, {data['default_rate']:.2%}); {html.escape(data['source'])}. "
        f"{html.escape(data['licence'])}. {metrics['n_features']} features, "
        f"{metrics['n_splits']}-fold stratified CV repeated over fold seeds {', '.join(map(str, metrics['fold_seeds']))}, "
        "out-of-fold predictions. The LightGBM settings, the table-dropout share and the features are fixed a priori "
        "(not searched on these folds).</p>",
        "<h2>The three trainings</h2>",
        "<p>Thresholds are chosen on out-of-fold probabilities to minimise the business cost; the cross-fitted "
        "cost picks each fold's threshold on the other folds only. SMOTE runs inside training folds only.</p>",
        _variants_table(metrics),
        f"<p>Shipped: <b>{html.escape(shipped)}</b> (chosen by nested CV before this training); calibrated PD "
        f"threshold {metrics['threshold']:.4f}. Brier score: {cal['brier_uncalibrated']:.4f} uncalibrated, "
        f"{cal['brier_calibrated_cross_fitted']:.4f} Platt-calibrated (cross-fitted).</p>",
        "<h2>Models by the tables supplied</h2>",
        f"<p>One booster trained with the history of {metrics['dropout']:.0%} of the training clients blanked (as a "
        "smaller table set); each model has its own Platt calibration, cost-optimal threshold and metrics from the "
        "out-of-fold predictions of its input kind (history of the other tables blanked).</p>",
        _models_table(metrics),
        "<h2>Excluded columns and monotone constraints</h2>",
        f"<p>Not model inputs: {html.escape(', '.join(metrics['exclude']) or 'none')}. Monotone constraints "
        f"(+1: never lowers the PD, -1: never raises it): "
        f"{html.escape(', '.join(f'{n} {c:+d}' for n, c in metrics['monotone'].items()) or 'none')}.</p>",
        "<h2>Fairness (full-history model, out-of-fold, at its threshold)</h2>",
        _fairness(metrics["fairness"]),
        _figure(roc, True, "ROC curves (out-of-fold, first fold seed)"),
        _figure(cost, False, f"Business cost vs threshold — {shipped}"),
        "<h2>Confusion matrices</h2>",
        "".join(_confusion(n, m) for n, m in metrics["variants"].items()),
        _figure(calib, False, "Calibration (out-of-fold, deciles)"),
        _figure(importance, False, f"Top {len(imp)} features by gain — {shipped}"),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>creditscore training report</title>'
        f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )
