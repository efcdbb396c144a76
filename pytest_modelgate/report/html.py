"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no network).

A headline and summary, the run metadata, the overview table, then one card per gate result,
blocking ones first: the full message, the facts, and the charts its `details` carry (forest
plot of interval vs threshold, slices with the worst highlighted, confusion matrix,
reliability diagram, drift effects and reference-vs-current distributions, latency ECDF with
budgets). The page is a pure function of the JSON report (`render_html_document`), so
`modelgate report REPORT.json -o report.html` rebuilds the plugin's file byte for byte.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from pytest_modelgate.results import GateResult, RunRecord, is_blocking

from . import _svg, _views
from ._format import (
    HEADER,
    check_rows,
    format_margin,
    format_number,
    format_threshold,
    headline,
    latency_checks,
    sort_results,
    summary_text,
    value_and_ci,
    verdict_label,
)

__all__ = ["render_html", "render_html_document"]

#: at most this many columns in a drift gate's effect chart (worst first)
DRIFT_BARS = 20
#: at most this many per-column distribution charts per drift gate
DRIFT_PANELS = 12
#: at most this many classes get their own reliability diagram
RELIABILITY_CLASSES = 10

_CSS = """
:root{--pass:#1a7f37;--fail:#cf222e;--inc:#bf8700;--err:#8250df;--mut:#57606a}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#24292f;
background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:16px;margin:0}h3{font-size:13px;margin:12px 0 4px;
color:var(--mut);font-weight:600}
.sum{color:var(--mut);margin:0 0 14px}
table{border-collapse:collapse;background:#fff;width:100%}
td,th{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top;font-size:13px}
td:nth-child(-n+2){overflow-wrap:break-word}td:nth-child(3),td:nth-child(6){white-space:nowrap}
th{background:#f6f8fa}
tr.failed td:last-child,tr.error td:last-child{color:var(--fail);font-weight:600}
tr.inconclusive td:last-child{color:var(--inc);font-weight:600}
tr.error{background:#fbefff}tr.failed{background:#ffebe9}tr.inconclusive{background:#fff8c5}
tr.passed{background:#fff}tr.check td{color:var(--mut);border-top-style:dotted}
tr.waived{opacity:.75}
td a{color:inherit}
.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:10px;
margin:12px 0 18px}
.meta section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px}
.meta dl{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;margin:4px 0}
.meta dt{color:var(--mut)}.meta dd{margin:0;overflow-wrap:anywhere}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.card{background:#fff;border:1px solid #d0d7de;border-left:6px solid var(--pass);
border-radius:6px;padding:10px 14px;margin:14px 0}
.card.failed{border-left-color:var(--fail)}.card.inconclusive{border-left-color:var(--inc)}
.card.error{border-left-color:var(--err)}.card.waived{border-left-style:dashed}
.badge{display:inline-block;font-size:11px;font-weight:700;color:#fff;border-radius:10px;
padding:1px 8px;margin-right:6px;vertical-align:2px;background:var(--pass)}
.badge.failed{background:var(--fail)}.badge.inconclusive{background:var(--inc)}
.badge.error{background:var(--err)}
.nodeid{color:var(--mut);margin:2px 0 6px}
.msg{white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0;padding:6px 9px;
background:#f6f8fa;border-radius:4px}
.card.failed .msg,.card.error .msg{background:#ffebe9}.card.inconclusive .msg{background:#fff8c5}
.facts{display:flex;flex-wrap:wrap;gap:2px 18px;margin:4px 0;color:var(--mut);font-size:13px}
.facts b{color:#24292f;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:flex-start}
figure{margin:4px 0}figcaption{font-size:12px;color:var(--mut);max-width:640px}
svg{display:block;overflow:visible}
svg text{font:11px system-ui,sans-serif;fill:#24292f}
svg text.tick{fill:#57606a;font-size:10px}svg text.thr{fill:#cf222e;font-size:10px}
svg text.cell{font-size:10px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}
.note{color:var(--mut);font-size:12px}
table.checks,table.rows{width:auto;margin:6px 0}table.checks td{vertical-align:middle}
table.checks td:nth-child(-n+2){overflow-wrap:normal}table.checks td:nth-child(6){white-space:normal}
caption{caption-side:top;text-align:left;font-size:12px;color:var(--mut);padding:2px 0}
table.rows caption{white-space:nowrap}table.rows th{font-weight:600}
td svg{display:inline-block;vertical-align:middle}
.v{font-weight:600;color:var(--pass)}.v.failed,.v.error{color:var(--fail)}
.v.inconclusive{color:var(--inc)}
"""


def render_html_document(report: Mapping[str, Any]) -> str:
    """The page for a report document (the JSON's dict): normalised through JSON first, so the
    plugin's in-memory report and a report read back from disk give the same bytes."""
    from .json_report import parse_report

    data = json.loads(json.dumps(report, sort_keys=True, allow_nan=False))
    run, results = parse_report(data)
    return render_html(run, results)


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def render_html(run: RunRecord, results: Sequence[GateResult]) -> str:
    """Heading and counts (the same as the Markdown view), run metadata, the overview table,
    and one card per result with its full message and charts."""
    ordered = sort_results(results, run)
    icon, title = headline(results, run)
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        f"<title>{_e(title)}</title><style>{_CSS.strip()}</style></head><body><main>",
        f"<h1>{_e(icon)} {_e(title)}</h1>",
        f"<p class=\"sum\">{_e(summary_text(results, run))}</p>",
        _metadata(run),
    ]
    if ordered:
        parts.append(_overview(ordered, run))
        seen: set[str] = set()
        groups = _views.integrity_groups(ordered)
        parts.extend(_card(i, r, run, seen, groups.get(i)) for i, r in enumerate(ordered))
    parts.append("</main></body></html>\n")
    return "".join(parts)


# -- run metadata ---------------------------------------------------------------------------------


def _dl(items: Sequence[tuple[str, Any]]) -> str:
    return "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def _code(x: Any) -> str:
    if isinstance(x, (list, tuple)):
        return ", ".join(_code(v) for v in x) if x else "—"
    return f"<code>{_e(x)}</code>" if x not in (None, "") else "—"


def _metadata(run: RunRecord) -> str:
    boxes = []
    for role, meta in run.models.items():
        items = [(k, _code(v)) for k, v in meta.items()]
        boxes.append(f"<section><h3>{_e(role)}</h3>{_dl(items)}</section>")
    policy = [("seed", _code(run.seed)), ("started", _code(run.started)),
              ("inconclusive gates", _e("fail the run" if run.inconclusive == "fail"
                                        else "do not fail the run"))]
    if run.warn_only:
        policy.append(("mode", "warn-only (shadow): failures do not fail the run"))
    if run.interrupted:
        policy.append(("interrupted", "yes: not every gate ran, so this is no verdict"))
    for k, v in run.extra.items():
        if k != "summary":
            policy.append((str(k), _code(v if isinstance(v, (str, int, float, list)) else
                                         json.dumps(v, sort_keys=True, default=str))))
    boxes.append(f"<section><h3>run</h3>{_dl(policy)}</section>")
    if run.versions:
        boxes.append("<section><h3>versions</h3>"
                     + _dl([(k, _code(v)) for k, v in run.versions.items()]) + "</section>")
    return f"<div class=\"meta\">{''.join(boxes)}</div>"


# -- overview table -------------------------------------------------------------------------------


def _row_cells(r: GateResult, run: RunRecord) -> list[str]:
    margin_unit = r.unit if r.unit in {"s", "B"} or (r.unit or "").endswith("/s") else None
    value, ci = value_and_ci(r.value, r.ci, r.unit)
    return [r.nodeid, f"{r.kind}:{r.name}", value, ci, format_threshold(r.threshold, r.unit),
            format_margin(r.margin, margin_unit, r), verdict_label(r, run)]


def _breakable(text: str) -> str:
    """Escaped, with line-break opportunities after "/", "::" and ":" (node ids, gate names)."""
    return (_e(text).replace("::", "\0").replace(":", ":<wbr>").replace("\0", "::<wbr>")
            .replace("/", "/<wbr>"))


def _overview(ordered: Sequence[GateResult], run: RunRecord) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in HEADER)
    body = []
    for i, r in enumerate(ordered):
        cls = r.verdict + ("" if r.passed or is_blocking(r, run) else " waived")
        cells = _row_cells(r, run)
        tds = [f"<td><a href=\"#g{i}\">{_breakable(cells[0])}</a></td>",
               f"<td>{_breakable(cells[1])}</td>"]
        tds += [f"<td>{_e(c)}</td>" for c in cells[2:]]
        body.append(f"<tr class=\"{cls}\">{''.join(tds)}</tr>")
        for sub in check_rows(r):
            body.append("<tr class=\"check\">" + "".join(f"<td>{_e(c)}</td>" for c in sub)
                        + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# -- cards ----------------------------------------------------------------------------------------


def _card(i: int, r: GateResult, run: RunRecord, seen: set[str],
          group: Sequence[tuple[int, GateResult]] | None = None) -> str:
    waived = not r.passed and not is_blocking(r, run)
    label = verdict_label(r, run)
    value, ci = value_and_ci(r.value, r.ci, r.unit)
    facts = [("value", value)]
    if r.ci is not None:
        level = f" ({r.confidence:.0%})" if isinstance(r.confidence, float) else ""
        facts.append((f"CI{level}", ci))
    facts.append(("threshold", format_threshold(r.threshold, r.unit)))
    margin_unit = r.unit if r.unit in {"s", "B"} or (r.unit or "").endswith("/s") else None
    facts.append(("margin", format_margin(r.margin, margin_unit, r)))
    if r.method:
        facts.append(("method", r.method))
    if r.n is not None:
        facts.append(("n", format_number(r.n)))
    if r.outcome:
        facts.append(("test outcome", r.outcome))
    facts_html = "".join(f"<span>{_e(k)} <b>{_e(v)}</b></span>" for k, v in facts)
    try:
        charts = _charts(r, seen, group)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError,
            OverflowError):
        charts = ["<p class=\"note\">the charts of this result could not be drawn from its "
                  "details</p>"]
    cls = f"card {r.verdict}" + (" waived" if waived else "")
    return (f"<article class=\"{cls}\" id=\"g{i}\"><h2><span class=\"badge {r.verdict}\">"
            f"{_e(label)}</span>{_e(r.kind)}:{_e(r.name)}</h2>"
            f"<p class=\"nodeid\"><code>{_e(r.nodeid)}</code></p>"
            f"<p class=\"msg\">{_e(r.message) or '—'}</p>"
            f"<div class=\"facts\">{facts_html}</div>"
            + (f"<div class=\"charts\">{''.join(charts)}</div>" if charts else "")
            + "</article>")


def _figure(svg: str, caption: str) -> str:
    if not svg:
        return ""
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _f(x: Any) -> float | None:
    """A finite float from a details value, else None (JSON spells non-finite as strings)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def _ci(x: Any) -> tuple[float | None, float | None]:
    if isinstance(x, (list, tuple)) and len(x) == 2:
        return _f(x[0]), _f(x[1])
    return None, None


_VALUE_BOUNDS = ("min", "max", "max_share", "max_flip_rate", "max_advantage", "max_auc",
                 "max_gap", "alpha", "max_ratio", "min_ratio")


def _thresholds(r: GateResult) -> list[tuple[str, float]]:
    out = []
    for k in _VALUE_BOUNDS:
        v = _f(r.threshold.get(k))
        if v is not None:
            out.append((k, v))
    limit = _f(r.details.get("limit")) if r.kind == "compare" else None
    if limit is not None:
        out.append(("limit", limit))
    base = r.details.get("baseline")
    if r.kind == "metric" and isinstance(base, Mapping) and _f(base.get("limit")) is not None:
        out.append(("baseline limit", float(base["limit"])))
    return out


def _charts(r: GateResult, seen: set[str],
            group: Sequence[tuple[int, GateResult]] | None = None) -> list[str]:
    d = r.details
    out: list[str] = []
    if r.kind == "integrity":  # these three draw their own views instead of the forest plot
        out.extend(_views.integrity(r, group))
    elif r.kind == "determinism":
        out.extend(_views.determinism(r))
    elif r.kind == "seed_variance" and isinstance(d.get("values"), list):
        out.extend(_views.seed_variance(r))
    elif r.kind == "latency":
        out.extend(_latency(r))
    elif r.kind == "drift" and isinstance(d.get("columns"), Mapping):
        out.extend(_drift(r))
    elif r.value is not None and _thresholds(r) and r.unit not in ("s", "B"):
        lo, hi = (r.ci if r.ci is not None else (None, None))
        what = ("delta candidate − baseline" if r.kind == "compare" else
                f"{r.name}" + (f" ({r.unit})" if r.unit else ""))
        out.append(_figure(
            _svg.forest([_svg.Row(what, _f(r.value), _f(lo), _f(hi), r.verdict)],
                         _thresholds(r), f"{r.kind}:{r.name}: value and interval vs threshold"),
            "point estimate, confidence interval and threshold(s) (dashed)"))
    if r.kind == "fairness":
        out.extend(_views.fairness(r))
    slices = d.get("slices")
    if isinstance(slices, Mapping) and isinstance(slices.get("results"), list):
        out.append(_slices(r, slices))
    segments = d.get("segments")
    if r.kind == "weak_slices" and isinstance(segments, list) and segments:
        out.append(_segments(r, segments))
    cm = d.get("confusion_matrix")
    key = f"{r.nodeid}\0{json.dumps(cm, sort_keys=True)}"
    if isinstance(cm, Mapping) and cm.get("labels") and cm.get("matrix") and key in seen:
        out.append("<p class=\"note\">confusion matrix: the same as for the gate above (same "
                   "test, same predictions)</p>")
    elif isinstance(cm, Mapping) and cm.get("labels") and cm.get("matrix"):
        seen.add(key)
        out.append(_figure(_svg.confusion(cm["labels"], cm["matrix"],
                                          f"confusion matrix of {r.name}"),
                           "confusion matrix: rows are true labels, columns predictions; cell "
                           + ("sums of sample_weight" if cm.get("weighted") else "counts")
                           + ", shaded by share of the row"))
    out.extend(_reliability(r))
    return [c for c in out if c]


def _slices(r: GateResult, slices: Mapping[str, Any]) -> str:
    worst = slices.get("worst")
    rows = []
    for s in slices["results"]:
        if not isinstance(s, Mapping) or _f(s.get("value")) is None:
            continue
        lo, hi = _ci(s.get("ci"))
        verdict = str(s.get("verdict") or ("passed" if s.get("gated") else "skipped"))
        label = f"{slices.get('column', 'slice')}={s.get('key')}"
        is_worst = worst is not None and str(s.get("key")) == str(worst)
        note = f"n={format_number(s.get('n'))}" + (" worst" if is_worst else "")
        rows.append(_svg.Row(label, _f(s.get("value")), lo, hi, verdict, is_worst, note))
    if not rows:
        return ""
    thr = [(k, float(v)) for k, v in r.threshold.items() if k in ("min", "max")
           and _f(v) is not None]
    return _figure(_svg.forest(rows, thr, f"{r.name} per slice of {slices.get('column')}"),
                   f"{r.name} per slice with its interval; the worst slice ({worst}) highlighted")


def _segments(r: GateResult, segments: Sequence[Any]) -> str:
    rows = []
    found = r.details.get("worst")
    worst: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    for s in segments[:12]:
        if not isinstance(s, Mapping):
            continue
        lo, hi = _ci(s.get("ci"))
        is_worst = bool(worst) and s.get("rule") == worst.get("rule")
        rows.append(_svg.Row(str(s.get("rule")), _f(s.get("gap")), lo, hi,
                             r.verdict if is_worst else "passed", is_worst,
                             f"n={format_number(s.get('n'))}"))
    thr = [("max_gap", float(r.threshold["max_gap"]))] if _f(r.threshold.get("max_gap")) \
        is not None else []
    return _figure(_svg.forest(rows, thr, f"weakest segments of {r.name}", label_width=230),
                   "gap to the overall value per segment (the worst highlighted)")


def _reliability(r: GateResult) -> list[str]:
    out = []
    rel = r.details.get("reliability")
    if isinstance(rel, Mapping) and isinstance(rel.get("bins"), list):
        out.append(_figure(_svg.reliability(rel["bins"], f"reliability diagram of {r.name}"),
                           f"reliability: accuracy vs mean confidence per bin ({rel.get('strategy')}"
                           f", {rel.get('n_bins')} bins); dashed diagonal = perfectly calibrated, "
                           "dot area ∝ rows"))
    per_class = r.details.get("per_class")
    if isinstance(per_class, Mapping):
        shown = 0
        for label, info in per_class.items():
            rel_c = info.get("reliability") if isinstance(info, Mapping) else None
            if not isinstance(rel_c, Mapping) or not isinstance(rel_c.get("bins"), list):
                continue
            if shown == RELIABILITY_CLASSES:
                out.append(f"<p class=\"note\">{len(per_class) - shown} more classes not "
                           "drawn</p>")
                break
            out.append(_figure(_svg.reliability(rel_c["bins"], f"reliability of class {label}",
                                                size=130), f"class {label}"))
            shown += 1
    return out


def _drift(r: GateResult) -> list[str]:
    cols = r.details["columns"]
    drifted = set(map(str, r.details.get("drifted_columns") or []))

    def rank(item: tuple[str, Any]) -> tuple[int, float]:
        name, c = item
        eff, thr = _f(c.get("effect")), _f(c.get("threshold"))
        rel = (eff / thr if thr else eff) if eff is not None and thr is not None else -1.0
        return (0 if name in drifted else 1, -rel)

    tested = [(str(k), c) for k, c in cols.items()
              if isinstance(c, Mapping) and not c.get("skipped") and _f(c.get("effect")) is not None]
    tested.sort(key=rank)
    out = []
    if tested:
        bars = []
        for name, c in tested[:DRIFT_BARS]:
            p = c.get("p_adjusted")
            ptxt = f", p_adj {format_number(p, digits=3, tiny=True)}" if _f(p) is not None else ""
            text = f"{format_number(c['effect'])}{ptxt}"
            bars.append((name, float(c["effect"]), _f(c.get("threshold")), name in drifted, text))
        eff_names = sorted({str(c.get("effect_name")) for _, c in tested[:DRIFT_BARS]})
        more = len(tested) - DRIFT_BARS
        out.append(_figure(
            _svg.bars_vs_threshold(bars, f"drift effect per column ({', '.join(eff_names)})"),
            f"effect size per column ({', '.join(eff_names)}), worst first; red tick = the "
            "column's threshold; red bar = drifted"
            + (f"; {more} more columns not shown" if more > 0 else "")))
    dist = r.details.get("distributions")
    if isinstance(dist, Mapping) and isinstance(dist.get("columns"), Mapping):
        panels = []
        for name, plot in list(dist["columns"].items())[:DRIFT_PANELS]:
            if not isinstance(plot, Mapping):
                continue
            c = cols.get(name, {}) if isinstance(cols.get(name, {}), Mapping) else {}
            flag = " DRIFTED" if name in drifted else ""
            cap = (f"{name}{flag}: {c.get('test', '')} {c.get('effect_name', '')}="
                   f"{format_number(c.get('effect'))}")
            panels.append(_figure(_svg.distribution(dict(plot), f"column {name}: reference vs "
                                                    "current"), cap))
            if plot.get("kind") == "numeric":
                panels.append(_figure(_ecdf_from_bins(name, plot), f"{name}: cumulative"))
        legend = ("<p class=\"legend note\"><span style=\"background:#8c959f\"></span>reference"
                  "<span style=\"background:#0969da\"></span>current (shares of rows"
                  + ("; values beyond the pooled 0.5–99.5% range counted in the end bins"
                     if any(isinstance(p, Mapping) and p.get("clipped")
                            for p in dist["columns"].values()) else "")
                  + ")</p>")
        omitted = int(dist.get("omitted") or 0) + max(0, len(dist["columns"]) - DRIFT_PANELS)
        note = (f"<p class=\"note\">distributions of {omitted} further columns not shown "
                "(the worst columns come first)</p>" if omitted else "")
        out.append(f"<div>{legend}<div class=\"charts\">{''.join(panels)}</div>{note}</div>")
    return out


def _ecdf_from_bins(name: str, plot: Mapping[str, Any]) -> str:
    edges = [e for e in plot.get("edges") or []]
    series = []
    for key, color in (("reference", _svg.COLORS["reference"]),
                       ("current", _svg.COLORS["current"])):
        shares = plot.get(key) or []
        probs = [0.0]
        for s in shares:
            probs.append(min(1.0, probs[-1] + (s or 0.0)))
        series.append((key, edges, probs, color))
    return _svg.ecdf(series, f"column {name}: cumulative share, reference vs current", log=False,
                     width=220)


def _latency(r: GateResult) -> list[str]:
    d = r.details
    out = []
    found = d.get("checks")
    checks: list[Any] = found if isinstance(found, list) else []
    rows = []
    for c in checks:
        if not isinstance(c, Mapping):
            continue
        unit = None if c.get("unit") == "ratio" else c.get("unit")
        lo, hi = _ci(c.get("ci"))
        rows.append(_svg.forest([_svg.Row(str(c.get("name")), _f(c.get("value")), lo, hi,
                                          str(c.get("verdict")))],
                                [("budget", float(c["threshold"]))]
                                if _f(c.get("threshold")) is not None else [],
                                f"{c.get('name')}: estimate and interval vs budget", unit,
                                width=460, label_width=100))
    if rows:
        multi = len(latency_checks(r)) > 1
        out.append(_figure("".join(rows), "every budget: estimate, confidence interval, budget "
                                          "(dashed)" if multi else
                           "estimate, confidence interval and budget (dashed)"))
    sk = d.get("sketch")
    if isinstance(sk, Mapping) and isinstance(sk.get("probs"), list):
        probs = [float(p) for p in sk["probs"]]
        series = [("candidate", sk.get("candidate") or [], probs, _svg.COLORS["current"])]
        if sk.get("baseline"):
            series.append(("baseline", sk["baseline"], probs, _svg.COLORS["baseline"]))
        vlines, intervals = [], []
        for c in checks:
            if not isinstance(c, Mapping) or c.get("unit") != "s":
                continue
            name = str(c.get("name")).split(" ")[0]
            level = {"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}.get(name)
            if _f(c.get("threshold")) is not None:
                vlines.append((f"{name} budget", float(c["threshold"])))
            lo, hi = _ci(c.get("ci"))
            if level is not None and lo is not None and hi is not None:
                intervals.append((f"{name} CI", level, lo, hi, _svg.COLORS.get(
                    str(c.get("verdict")), _svg.COLORS["axis"])))
        if not intervals:
            got = d.get("distribution")
            dist: Mapping[str, Any] = got if isinstance(got, Mapping) else {}
            got = dist.get("ci")
            ci: Mapping[str, Any] = got if isinstance(got, Mapping) else {}
            for name, level in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
                lo, hi = _ci(ci.get(name))
                if lo is not None and hi is not None:
                    intervals.append((f"{name} CI", level, lo, hi, _svg.COLORS["axis"]))
        cap = ("cumulative share of calls by time (ECDF from stored quantiles), candidate"
               + (" vs baseline (grey)" if sk.get("baseline") else "")
               + "; bars: percentile confidence intervals; dashed: budgets")
        out.append(_figure(_svg.ecdf(series, f"latency ECDF of {r.name}", "s", width=460,
                                     height=170, vlines=vlines, intervals=intervals), cap))
    hist = (d.get("distribution") or {}).get("histogram") if isinstance(
        d.get("distribution"), Mapping) else None
    if isinstance(hist, Mapping) and len(hist.get("edges") or []) > 1:
        counts = [int(c) for c in hist.get("counts") or []]
        total = sum(counts) or 1
        edges = [float(e) for e in hist["edges"]]
        plot = {"kind": "numeric", "edges": edges, "reference": [], "scale": hist.get("scale"),
                "current": [c / total for c in counts]}
        out.append(_figure(_svg.distribution(plot, f"latency histogram of {r.name}",
                                             width=360, height=130, unit="s"), "histogram of call times (share of calls per bin, "
                                      f"{'log-spaced' if hist.get('scale') == 'log' else 'even'}"
                                      f" bins from {format_number(edges[0], 's')} to "
                                      f"{format_number(edges[-1], 's')})"))
    return out
