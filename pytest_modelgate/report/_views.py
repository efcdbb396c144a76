"""The HTML report's views of the newer gates, drawn from their JSON `details` alone.

- integrity: the checks of one `gate.integrity` call as one table (failing checks first, value
  vs limit with a bar, the first offending rows or columns, a link to each check's card), and
  per check its offending rows, columns or leaking features;
- determinism: per check the rows compared, how many disagreed, the largest difference and the
  first disagreeing rows;
- fairness: every group's rate with its interval, the worst pair highlighted, its gap as a
  bracket over the band the gap allows;
- seed variance: one dot per seed, the mean, its t-interval and the threshold(s).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from pytest_modelgate.results import GateResult

from . import _svg
from ._format import format_interval, format_number

__all__ = ["INTEGRITY_CHECKS", "determinism", "fairness", "integrity", "integrity_groups",
           "seed_variance"]

#: the integrity gate's checks in report order (`gates.integrity.CHECKS`; not imported, so the
#: report stays free of the judge layer)
INTEGRITY_CHECKS = ("duplicates", "near_duplicates", "label_conflicts", "split_label_conflicts",
                    "leakage", "schema", "null_rate", "range", "new_categories")
#: at most this many rows in a per-column table, groups in a fairness chart, ids in a cell
COLUMNS_SHOWN = 12
GROUPS_SHOWN = 20
IDS_SHOWN = 5
_ORDER = {"error": 0, "failed": 1, "inconclusive": 2, "passed": 3}
_WHAT = {"repeat": "the same batch twice", "batch_vs_single": "one row at a time vs the batch",
         "row_order": "shuffled vs original row order",
         "dtype": "float32 vs float64 input of the same values"}


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def _f(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def _count(x: Any) -> int:
    """A count from the details (a number or its text); ValueError (the chart fallback) when it
    is not a finite number, never an OverflowError."""
    value = float(x or 0)
    if not math.isfinite(value):
        raise ValueError(f"count {x!r} is not finite")
    return int(value)


def _range_end(time: Any) -> Callable[[Any], str]:
    """How a range card prints its ends: as the integrity gate's message does, ISO UTC times
    for a datetime column ("stamp"), durations for a timedelta ("delta"), else numbers."""
    if time in ("stamp", "delta"):
        from pytest_modelgate.gates.integrity import _when

        return lambda ns: _when(_f(ns), time == "delta")
    return format_number


def _ci(x: Any) -> tuple[float | None, float | None]:
    if isinstance(x, (list, tuple)) and len(x) == 2:
        return _f(x[0]), _f(x[1])
    return None, None


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>" if svg else ""


def _ids(rows: Any, total: Any = None) -> str:
    """"3, 17, 40, …" (the first `IDS_SHOWN`), "…" when more than those offend."""
    if not isinstance(rows, (list, tuple)) or not rows:
        return "—"
    shown = [str(v) for v in rows[:IDS_SHOWN]]
    more = (isinstance(total, int) and total > len(shown)) or len(rows) > IDS_SHOWN
    return ", ".join(shown) + (", …" if more else "")


def _rows(count: Any) -> str:
    return "row" if count == 1 else "rows"


def _pct(share: Any) -> str:
    v = _f(share)
    return "—" if v is None else ("0%" if v == 0 else f"{100 * v:.3g}%")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str, caption: str) -> str:
    """A compact table; cells are HTML already (escaped by the caller)."""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f"<table class=\"{cls}\"><caption>{_e(caption)}</caption><thead><tr>{th}</tr>"
            f"</thead><tbody>{body}</tbody></table>")


def _mark(verdict: str) -> str:
    return f"<span class=\"v {_e(verdict)}\">{_e(verdict)}</span>"


# -- integrity ----------------------------------------------------------------------------------


def _check_of(r: GateResult) -> tuple[str, str]:
    """(check, prefix) of an integrity result from its report name ("<prefix>:<check>")."""
    for c in INTEGRITY_CHECKS:
        if r.name == c:
            return c, ""
        if r.name.endswith(":" + c):
            return c, r.name[: -len(c) - 1]
    return r.name, ""


def integrity_groups(ordered: Sequence[GateResult]) -> dict[int, list[tuple[int, GateResult]]]:
    """The checks of each `gate.integrity` call (same test, same name prefix), keyed by the index
    of the call's first card (its worst check, as the cards are sorted worst first)."""
    found: dict[tuple[str, str], list[tuple[int, GateResult]]] = {}
    for i, r in enumerate(ordered):
        if r.kind == "integrity":
            found.setdefault((r.nodeid, _check_of(r)[1]), []).append((i, r))
    return {g[0][0]: g for g in found.values()}


def _limit(r: GateResult) -> tuple[str, float | None]:
    for k, v in r.threshold.items():
        return str(k), _f(v)
    return "", None


def _value_text(r: GateResult) -> str:
    if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)):
        return "—"
    return _pct(r.value) if r.unit == "share" else format_number(r.value)


def _offending_columns(per: Mapping[str, Any], count_key: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Columns with offending rows, the largest share of offending rows first."""
    bad = [(str(c), d) for c, d in per.items()
           if isinstance(d, Mapping) and (_f(d.get(count_key)) or 0) > 0]

    def share(d: Mapping[str, Any]) -> float:
        return _f(d.get("null_rate", d.get("share"))) or 0.0

    return sorted(bad, key=lambda cd: -share(cd[1]))


def _offending(check: str, d: Mapping[str, Any]) -> str:
    """The check-table cell: the first offending rows, columns or features (escaped HTML)."""
    if check in ("duplicates", "near_duplicates", "label_conflicts", "split_label_conflicts"):
        count = d.get("count")
        if not count:
            return "—"
        side = "train" if check == "label_conflicts" else "test"
        return (f"{_e(format_number(count))} {side} {_rows(count)}: "
                f"{_e(_ids(d.get('examples'), count))}")
    if check == "leakage":
        leaking = d.get("leaking") or []
        scores = d.get("scores") or {}
        return ", ".join(f"<code>{_e(k)}</code> {_e(format_number(scores.get(k)))}"
                         for k in leaking[:IDS_SHOWN]) or "—"
    if check == "schema":
        names = [*(d.get("missing_columns") or []), *(d.get("extra_columns") or []),
                 *(d.get("dtype_mismatches") or {})]
        return ", ".join(f"<code>{_e(c)}</code>" for c in names[:IDS_SHOWN]) + (
            ", …" if len(names) > IDS_SHOWN else "") if names else "—"
    per = d.get("columns")
    if not isinstance(per, Mapping):
        return "—"
    key = "n_missing" if check == "null_rate" else "count"
    bad = _offending_columns(per, key)
    cells = [f"<code>{_e(c)}</code>: {_e(format_number(x.get(key)))} {_rows(x.get(key))} "
             f"({_e(_ids(x.get('examples'), x.get(key)))})" for c, x in bad[:3]]
    return "; ".join(cells) + (f"; {len(bad) - 3} more columns" if len(bad) > 3 else "") \
        if cells else "—"


def _integrity_table(group: Sequence[tuple[int, GateResult]]) -> str:
    rows = []
    rank = {c: k for k, c in enumerate(INTEGRITY_CHECKS)}
    ordered = sorted(group, key=lambda ir: (_ORDER.get(ir[1].verdict, 4),
                                            rank.get(_check_of(ir[1])[0], len(rank))))
    for i, r in ordered:
        check = _check_of(r)[0]
        key, limit = _limit(r)
        bar = _svg.spark(_f(r.value), limit, r.verdict,
                         f"{check}: {_value_text(r)} vs {key} {_limit_text(r, limit)}")
        rows.append([f"<a href=\"#g{i}\">{_e(check)}</a>", _mark(r.verdict), _e(_value_text(r)),
                     f"{_e(key)} {_e(_limit_text(r, limit))}", bar,
                     _offending(check, r.details)])
    n_bad = sum(1 for _, r in group if r.verdict != "passed")
    cap = (f"the {len(group)} checks of this integrity gate, failing first ({n_bad} not "
           "passed); each links to its card" if len(group) > 1 else
           "the one check of this integrity gate")
    return _table(("check", "verdict", "value", "limit", "value vs limit", "first offending"),
                  rows, "checks", cap)


def _limit_text(r: GateResult, limit: float | None) -> str:
    if limit is None:
        return "—"
    return _pct(limit) if r.unit == "share" else format_number(limit)


def integrity(r: GateResult, group: Sequence[tuple[int, GateResult]] | None) -> list[str]:
    """The call's check table (on its first card), then this check's offending rows/columns."""
    out = [_integrity_table(group)] if group else []
    check = _check_of(r)[0]
    d = r.details
    if check in ("duplicates", "near_duplicates") and d.get("count"):
        pairs = list(zip(d.get("examples") or [], d.get("train_examples") or [], strict=False))
        cells = ["<th>test row</th>" + "".join(f"<td>{_e(a)}</td>" for a, _ in pairs),
                 "<th>train row</th>" + "".join(f"<td>{_e(b)}</td>" for _, b in pairs)]
        cap = (f"the first {len(pairs)} of {format_number(d['count'])} test rows that repeat a "
               f"train row{' (after rounding)' if check == 'near_duplicates' else ''}, and the "
               "train row each repeats")
        out.append(f"<table class=\"rows\"><caption>{_e(cap)}</caption><tbody>"
                   + "".join(f"<tr>{c}</tr>" for c in cells) + "</tbody></table>")
    elif check in ("label_conflicts", "split_label_conflicts") and d.get("count"):
        side = "train" if check == "label_conflicts" else "test"
        out.append(f"<p class=\"note\">first {side} rows with a conflicting label: "
                   f"{_e(_ids(d.get('examples'), d.get('count')))}</p>")
    elif check == "leakage" and isinstance(d.get("scores"), Mapping) and d["scores"]:
        _, thr = _limit(r)
        leaking = set(map(str, d.get("leaking") or []))
        scores = sorted(((str(k), _f(v)) for k, v in d["scores"].items() if _f(v) is not None),
                        key=lambda kv: -(kv[1] or 0.0))
        bars = [(k, float(v or 0.0), thr, k in leaking, format_number(v))
                for k, v in scores[:COLUMNS_SHOWN if r.verdict != "passed" else 5]]
        more = len(scores) - len(bars)
        label = "balanced accuracy" if d.get("metric") == "balanced_accuracy" else "R²"
        out.append(_figure(_svg.bars_vs_threshold(bars, f"leakage: {label} of each feature "
                                                        "alone vs max_leak_score"),
                           f"how well each feature alone predicts the label ({label}, out of "
                           f"fold), best first; red tick = max_leak_score; red bar = leaking"
                           + (f"; {more} more features not shown" if more > 0 else "")))
    elif check == "schema":
        items = [(f"missing from test: <code>{_e(c)}</code>") for c in d.get("missing_columns")
                 or []]
        items += [(f"not in the reference: <code>{_e(c)}</code>") for c in d.get("extra_columns")
                  or []]
        mism = d.get("dtype_mismatches") or {}
        if isinstance(mism, Mapping):
            items += [f"<code>{_e(c)}</code>: {_e(m.get('test'))} in test, "
                      f"{_e(m.get('reference'))} in the reference"
                      for c, m in mism.items() if isinstance(m, Mapping)]
        if items:
            out.append("<ul class=\"note\">" + "".join(f"<li>{x}</li>" for x in items[:20])
                       + "</ul>")
    elif check in ("null_rate", "range", "new_categories") and isinstance(d.get("columns"),
                                                                         Mapping):
        out.append(_column_table(check, d["columns"], r))
    return [c for c in out if c]


def _column_table(check: str, per: Mapping[str, Any], r: GateResult) -> str:
    key = "n_missing" if check == "null_rate" else "count"
    bad = _offending_columns(per, key)
    if not bad:
        return (f"<p class=\"note\">no offending row in any of the {format_number(len(per))} columns "
                "checked</p>") if per else ""
    rows = []
    for c, x in bad[:COLUMNS_SHOWN if r.verdict != "passed" else 3]:
        share = _f(x.get("null_rate", x.get("share")))
        limit = _f(x.get("max_null_rate", x.get("limit")))
        verdict = str(x.get("verdict") or ("failed" if share is not None and limit is not None
                                           and share > limit else "passed"))
        if check == "range":
            end = _range_end(x.get("time"))
            lo, hi = x.get("low"), x.get("high")
            what = "outside " + (format_interval(lo, hi) if end is format_number
                                 else format_interval(end(lo), end(hi)))
        elif check == "new_categories":
            unseen = list(x.get("unseen") or [])
            what = "unseen: " + ", ".join(map(repr, unseen[:IDS_SHOWN])) + (
                ", …" if len(unseen) > IDS_SHOWN else "")
        else:
            lo, hi = _ci(x.get("ci"))
            what = (f"CI {format_interval(100 * lo, 100 * hi, '%', digits=3)}"
                    if lo is not None and hi is not None else "")
        rows.append([f"<code>{_e(c)}</code>", _e(format_number(x.get(key))), _e(_pct(share)),
                     _e(_pct(limit)),
                     _svg.spark(share, limit, verdict, f"column {c}: {_pct(share)} vs limit "
                                                       f"{_pct(limit)}"),
                     _e(_ids(x.get("examples"), x.get(key))), _e(what)])
    more = len(bad) - len(rows)
    return _table(("column", "rows", "share", "limit", "share vs limit", "first rows", "detail"),
                  rows, "checks", f"columns with offending test rows, worst first ({format_number(len(bad))} of "
                  f"{format_number(len(per))} columns" + (f"; {more} more not shown" if more > 0 else "")
                  + ")")


# -- determinism --------------------------------------------------------------------------------


def determinism(r: GateResult) -> list[str]:
    """Per check: rows compared, disagreeing rows (count, share bar), largest difference, the
    first disagreeing rows (with their index labels)."""
    checks = r.details.get("checks")
    if not isinstance(checks, list) or not checks:
        return []
    rows = []
    for c in checks:
        if not isinstance(c, Mapping):
            continue
        name = str(c.get("name"))
        what = _e(_WHAT.get(name, ""))
        if c.get("skipped"):
            rows.append([f"<b>{_e(name)}</b>", what, "—", f"not applicable: {_e(c['skipped'])}",
                         "", "—", "—"])
            continue
        n, k = _f(c.get("n_rows")) or 0.0, _count(c.get("n_disagree"))
        verdict = "failed" if k else "passed"
        ids = _ids(c.get("rows"), k)
        labels = c.get("labels")
        if isinstance(labels, list) and labels and labels != c.get("rows"):
            ids += f" (index {_ids(labels, k)})"
        share = k / n if n else 0.0
        rows.append([f"<b>{_e(name)}</b>", what, _e(format_number(n)),
                     f"{_mark(verdict)} {_e(format_number(k))} ({_e(_pct(share))})",
                     _svg.spark(share, 0.0, verdict, f"{name}: {format_number(k)} of {format_number(n)} rows "
                                                     "disagree; allowed 0"),
                     _e(format_number(c.get("max_abs_diff"))) if c.get("compare") == "tolerance"
                     or c.get("max_abs_diff") is not None else "— (labels)",
                     _e(ids) if k else "—"])
    tol = (f"; outputs compared within atol {format_number(r.details.get('atol'))}, rtol "
           f"{format_number(r.details.get('rtol'))}" if r.details.get("atol") is not None else "")
    return [_table(("check", "compares", "rows", "disagreeing", "share (max 0)",
                    "max abs diff", "first disagreeing rows"), rows, "checks",
                   f"{r.details.get('predict', 'predict')}() consistency checks{tol}")]


# -- fairness ------------------------------------------------------------------------------------


def fairness(r: GateResult) -> list[str]:
    """Every group's value with its interval, the worst pair highlighted and its gap drawn as a
    bracket over the band where the low group would have to lie to meet the threshold."""
    d = r.details
    found = d.get("groups")
    groups = [g for g in found if isinstance(g, Mapping) and _f(g.get("value")) is not None] \
        if isinstance(found, list) else []
    if not groups:
        return []
    pair = d.get("worst_pair") if isinstance(d.get("worst_pair"), Mapping) else None
    keys = {str(pair.get("high")), str(pair.get("low"))} if pair else set()
    groups.sort(key=lambda g: -float(g["value"]))
    shown = groups[:GROUPS_SHOWN]
    missing = [g for g in groups[GROUPS_SHOWN:] if str(g.get("key")) in keys]
    if missing:  # the worst pair is always drawn
        shown = shown[: GROUPS_SHOWN - len(missing)] + missing
    rows = []
    for g in shown:
        lo, hi = _ci(g.get("ci"))
        rows.append(_svg.Row(str(g.get("key")), float(g["value"]), lo, hi, r.verdict,
                             str(g.get("key")) in keys, f"n={format_number(g.get('n'))}"))
    value_of = {str(g.get("key")): float(g["value"]) for g in groups}
    band = bracket = None
    text = ""
    rate = str(d.get("rate") or d.get("metric") or "value").replace("_", " ")
    max_gap, min_ratio = _f(r.threshold.get("max_gap")), _f(r.threshold.get("min_ratio"))
    if pair and str(pair.get("high")) in value_of and str(pair.get("low")) in value_of:
        top, bottom = value_of[str(pair["high"])], value_of[str(pair["low"])]
        bracket = (bottom, top)
        if d.get("kind") == "ratio":
            text = f"ratio {format_number(r.value)}" + (
                f" vs min_ratio {format_number(min_ratio)}" if min_ratio is not None else "")
            if min_ratio is not None:
                band = (top * min_ratio, top)
        else:
            text = f"gap {format_number(top - bottom)}" + (
                f" vs max_gap {format_number(max_gap)}" if max_gap is not None else "")
            if max_gap is not None:
                band = (top - max_gap, top)
    level = f"{r.confidence:.0%} " if isinstance(r.confidence, float) else ""
    more = len(groups) - len(shown)
    cap = (f"{rate} per group with its {level}interval (bootstrap stratified by group)"
           + (f"; worst pair {pair['high']} vs {pair['low']} highlighted, its {text}" if pair
              and bracket else "")
           + (f"; green band: where the low group would have to lie for the "
              f"{'ratio to meet min_ratio' if d.get('kind') == 'ratio' else 'gap to meet max_gap'}"
              if band else "") + (f"; {more} more groups not shown" if more > 0 else ""))
    return [_figure(_svg.groups(rows, band, bracket, text, f"fairness: {rate} per group of "
                                f"{', '.join(map(str, d.get('features') or []))}"), cap)]


# -- seed variance -------------------------------------------------------------------------------


def seed_variance(r: GateResult) -> list[str]:
    """One dot per seed, the mean (solid), its Student-t interval (bar), the threshold(s)."""
    d = r.details
    seeds, values = d.get("seeds"), d.get("values")
    if not isinstance(seeds, list) or not isinstance(values, list):
        return []
    points = [(s, float(v)) for s, v in zip(seeds, values, strict=False) if _f(v) is not None]
    if not points:
        return []
    lo, hi = _ci(r.ci)
    ci = (lo, hi) if lo is not None and hi is not None else None
    level = f"{r.confidence:.0%} " if isinstance(r.confidence, float) else ""
    thresholds = [(k, float(v)) for k, v in r.threshold.items()
                  if k in ("min", "max") and _f(v) is not None]
    metric = str(d.get("metric") or "value")
    worst = d.get("worst_seed")
    mean = _f(d.get("mean"))
    svg = _svg.strip(points, mean, ci, f"{level}t-interval of the mean", thresholds, worst,
                     r.verdict, f"seed variance: {metric} of each of {len(points)} seeds vs "
                                "threshold")
    gated = ("the mean is gated (its interval must clear the threshold)"
             if d.get("aggregate") == "mean" else "the worst seed is gated")
    cap = (f"{metric} per seed (one dot each; ringed: the worst, seed {worst} at "
           f"{format_number(_f(d.get('worst_value')))}); solid line: mean "
           f"{format_number(mean)}, sd {format_number(_f(d.get('std')))}"
           + (f"; bar: its {level}Student-t interval" if ci else "")
           + f"; dashed: threshold; {gated}")
    return [_figure(svg, cap)]
