"""Inline SVG charts for the HTML report, drawn from the compact data in `GateResult.details`.

Stdlib only, no scripts: every chart is a static `<svg>` with a `<title>` (what it shows) and
its numbers as text, so the page needs no network and nothing to run. Every string from a
report (column names, labels) is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from ._format import format_number
from .terminal import shorten_middle

__all__ = [
    "COLORS",
    "Row",
    "bars_vs_threshold",
    "confusion",
    "distribution",
    "ecdf",
    "forest",
    "groups",
    "reliability",
    "spark",
    "strip",
]

COLORS = {"passed": "#1a7f37", "failed": "#cf222e", "inconclusive": "#bf8700",
          "error": "#8250df", "reference": "#8c959f", "current": "#0969da",
          "baseline": "#8c959f", "threshold": "#cf222e", "axis": "#57606a", "grid": "#d8dee4"}
_FONT = 11


def _n(x: float) -> str:
    """Coordinates with one decimal (smaller files, no visible difference)."""
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def _t(text: Any) -> str:
    return escape(str(text), quote=True)


def _svg(width: float, height: float, title: str, body: Sequence[str], cls: str = "") -> str:
    extra = f' class="{_t(cls)}"' if cls else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{_n(width)}" '
            f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}"{extra}>'
            f"<title>{_t(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, s: Any, anchor: str = "start", cls: str = "",
          fill: str | None = None, weight: str | None = None) -> str:
    attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
    attrs += f' class="{cls}"' if cls else ""
    attrs += f' fill="{fill}"' if fill else ""
    attrs += f' font-weight="{weight}"' if weight else ""
    return f'<text x="{_n(x)}" y="{_n(y)}"{attrs}>{_t(s)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1,
          dash: str | None = None) -> str:
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{d}/>')


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About `n` round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    out = []
    x = start
    while x <= hi + step * 1e-9:
        out.append(0.0 if abs(x) < step * 1e-9 else x)
        x += step
    return out


@dataclass(frozen=True)
class _Scale:
    lo: float
    hi: float
    x0: float
    x1: float
    log: bool = False

    def __call__(self, v: float) -> float:
        if self.log:
            v, lo, hi = math.log10(max(v, 1e-300)), math.log10(self.lo), math.log10(self.hi)
        else:
            lo, hi = self.lo, self.hi
        span = hi - lo or 1.0
        return self.x0 + (min(max(v, lo), hi) - lo) / span * (self.x1 - self.x0)

    def ticks(self) -> list[float]:
        if not self.log:
            return _nice_ticks(self.lo, self.hi)
        out = []
        e = math.floor(math.log10(self.lo))
        while 10.0 ** e <= self.hi * 1.0001:
            for m in (1, 2, 5):
                v = m * 10.0 ** e
                if self.lo <= v <= self.hi:
                    out.append(v)
            e += 1
        return out


def _span(values: Sequence[float | None], pad: float = 0.06) -> tuple[float, float]:
    xs = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not xs:
        return 0.0, 1.0
    lo, hi = min(xs), max(xs)
    if hi == lo:
        d = abs(lo) * 0.1 or 1.0
        return lo - d, hi + d
    d = (hi - lo) * pad
    return lo - d, hi + d


def _xaxis(sc: _Scale, y: float, unit: str | None, top: float) -> list[str]:
    out = [_line(sc.x0, y, sc.x1, y, COLORS["axis"])]
    for t in sc.ticks():
        x = sc(t)
        out.append(_line(x, top, x, y, COLORS["grid"], 0.5))
        out.append(_text(x, y + 13, format_number(t, unit, short=True), "middle", "tick"))
    return out


@dataclass(frozen=True)
class Row:
    """One row of a forest plot: a point estimate with an interval, and its verdict colour."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    verdict: str = "passed"
    highlight: bool = False
    note: str = ""


def _whisker(sc: Callable[[float], float], low: float | None, high: float | None,
             value: float | None, y: float, color: str) -> list[str]:
    """An interval as a line with end ticks, and its point, at height y (finite parts only)."""
    out = []
    if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
        out += [_line(sc(low), y, sc(high), y, color, 2),
                _line(sc(low), y - 5, sc(low), y + 5, color, 1.5),
                _line(sc(high), y - 5, sc(high), y + 5, color, 1.5)]
    if value is not None and math.isfinite(value):
        out.append(f'<circle cx="{_n(sc(value))}" cy="{_n(y)}" r="4.5" fill="{color}"/>')
    return out


def forest(rows: Sequence[Row], thresholds: Sequence[tuple[str, float]], title: str,
           unit: str | None = None, width: int = 560, label_width: int = 150) -> str:
    """Point estimates with interval whiskers against vertical threshold lines."""
    h_row, top = 22, 18
    height = top + h_row * len(rows) + 24
    vals = [v for r in rows for v in (r.value, r.low, r.high)] + [t for _, t in thresholds]
    lo, hi = _span(vals)
    sc = _Scale(lo, hi, label_width + 8, width - 70)
    body = _xaxis(sc, height - 22, unit, top - 6)
    for name, t in thresholds:
        x = sc(t)
        body.append(_line(x, top - 8, x, height - 22, COLORS["threshold"], 1.5, "5 3"))
        body.append(_text(x, top - 10 + 2, f"{name} {format_number(t, unit, short=True)}",
                          "middle", "thr", COLORS["threshold"]))
    for i, r in enumerate(rows):
        y = top + 6 + i * h_row + h_row / 2
        color = COLORS.get(r.verdict, COLORS["axis"])
        weight = "bold" if r.highlight else None
        label = shorten_middle(r.label, 28)
        body.append(_text(label_width, y + 4, label, "end", "lab", None, weight))
        if r.highlight:
            body.append(f'<rect x="0" y="{_n(y - h_row / 2)}" width="{width}" height="{h_row}" '
                        'fill="#cf222e" fill-opacity="0.07"/>')
        body.extend(_whisker(sc, r.low, r.high, r.value, y, color))
        if r.value is not None and math.isfinite(r.value):
            text = format_number(r.value, unit) + (f" {r.note}" if r.note else "")
            body.append(_text(width - 66, y + 4, text, "start", "val"))
    return _svg(width, height, title, body, "chart forest")


def bars_vs_threshold(rows: Sequence[tuple[str, float, float | None, bool, str]], title: str,
                      width: int = 640, label_width: int = 170) -> str:
    """Horizontal bars (label, value, own threshold, flagged, value text) with a tick at each
    row's threshold: per-column drift effects, worst first."""
    h_row, top = 18, 8
    height = top + h_row * len(rows) + 24
    hi = max([v for _, v, _, _, _ in rows] + [t or 0.0 for _, _, t, _, _ in rows] + [1e-12])
    sc = _Scale(0.0, hi * 1.08, label_width + 8, width - 110)
    body = _xaxis(sc, height - 22, None, top)
    for i, (label, v, t, flagged, text) in enumerate(rows):
        y = top + i * h_row
        color = COLORS["failed"] if flagged else COLORS["current"]
        short = shorten_middle(label, 26)
        body.append(_text(label_width, y + 13, short, "end", "lab", None,
                          "bold" if flagged else None))
        body.append(f'<rect x="{_n(sc(0))}" y="{_n(y + 3)}" width="{_n(sc(v) - sc(0))}" '
                    f'height="{h_row - 6}" fill="{color}" fill-opacity="0.8"/>')
        if t is not None:
            x = sc(t)
            body.append(_line(x, y + 1, x, y + h_row - 1, COLORS["threshold"], 2))
        body.append(_text(width - 104, y + 13, text, "start", "val"))
    return _svg(width, height, title, body, "chart bars")


def distribution(plot: dict[str, Any], title: str, width: int = 300, height: int = 130,
                 unit: str | None = None) -> str:
    """Reference (grey, filled) vs current (blue, outline) shares: a histogram over common
    bins for numeric columns, side-by-side bars for categories."""
    ref, cur = plot.get("reference") or [], plot.get("current") or []
    top, bottom, left, right = 8, 22, 34, 8
    y0, y1 = height - bottom, top
    ymax = max([v or 0.0 for v in (*ref, *cur)] + [1e-9]) * 1.05
    sy = _Scale(0.0, ymax, y0, y1)
    body = [_line(left, y0, width - right, y0, COLORS["axis"])]
    for t in _nice_ticks(0.0, ymax, 3):
        body.append(_line(left, sy(t), width - right, sy(t), COLORS["grid"], 0.5))
        body.append(_text(left - 3, sy(t) + 3, f"{t:.0%}" if ymax > 0.05 else f"{t:.1%}",
                          "end", "tick"))
    if plot.get("kind") == "categorical":
        cats = [str(c) for c in plot.get("categories") or []]
        n = max(len(cats), 1)
        bw = (width - left - right) / n
        for i, c in enumerate(cats):
            x = left + i * bw
            for j, (series, color) in enumerate(((ref, COLORS["reference"]),
                                                 (cur, COLORS["current"]))):
                v = (series[i] if i < len(series) else 0.0) or 0.0
                body.append(f'<rect x="{_n(x + 2 + j * (bw - 4) / 2)}" y="{_n(sy(v))}" '
                            f'width="{_n(max((bw - 4) / 2, 1))}" height="{_n(y0 - sy(v))}" '
                            f'fill="{color}"/>')
            if n <= 8 or i % 2 == 0:
                body.append(_text(x + bw / 2, y0 + 12, c if len(c) <= 8 else c[:7] + "…",
                                  "middle", "tick"))
        return _svg(width, height, title, body, "chart dist")
    edges = [e for e in plot.get("edges") or [] if e is not None]
    if len(edges) < 2:
        return ""
    sx = _Scale(edges[0], edges[-1], left, width - right,
                plot.get("scale") == "log" and edges[0] > 0)

    def path(series: Sequence[float | None]) -> str:
        pts = [f"M{_n(sx(edges[0]))},{_n(y0)}"]
        for i, v in enumerate(series[: len(edges) - 1]):
            y = sy(v or 0.0)
            pts.append(f"L{_n(sx(edges[i]))},{_n(y)}L{_n(sx(edges[i + 1]))},{_n(y)}")
        pts.append(f"L{_n(sx(edges[-1]))},{_n(y0)}")
        return "".join(pts)

    body.append(f'<path d="{path(ref)}Z" fill="{COLORS["reference"]}" fill-opacity="0.45" '
                f'stroke="{COLORS["reference"]}"/>')
    body.append(f'<path d="{path(cur)}" fill="none" stroke="{COLORS["current"]}" '
                'stroke-width="1.6"/>')
    ticks = sx.ticks()[:6] if sx.log else _nice_ticks(edges[0], edges[-1], 4)
    for t in ticks:
        body.append(_text(sx(t), y0 + 12, format_number(t, unit, short=True), "middle", "tick"))
    return _svg(width, height, title, body, "chart dist")


def ecdf(series: Sequence[tuple[str, Sequence[float | None], Sequence[float], str]], title: str,
         unit: str | None = None, width: int = 300, height: int = 130,
         vlines: Sequence[tuple[str, float]] = (),
         intervals: Sequence[tuple[str, float, float, float, str]] = (),
         log: bool | None = None) -> str:
    """Empirical CDFs through stored quantiles (name, x values, probabilities, colour), with
    vertical budget lines and horizontal interval segments (name, level, low, high, colour)."""
    top, bottom, left, right = 8, 22, 34, 10
    y0 = height - bottom
    xs = [x for _, v, _, _ in series for x in v if x is not None]
    xs += [t for _, t in vlines] + [x for _, _, lo, hi, _ in intervals for x in (lo, hi)]
    xs = [x for x in xs if math.isfinite(x)]
    if not xs:
        return ""
    lo, hi = min(xs), max(xs)
    use_log = (lo > 0 and hi / lo > 20) if log is None else log
    if not use_log:
        lo, hi = _span(xs, 0.03)
    else:
        lo, hi = lo / 1.15, hi * 1.15
    sx = _Scale(lo, hi, left, width - right, use_log)
    sy = _Scale(0.0, 1.0, y0, top)
    body = [_line(left, y0, width - right, y0, COLORS["axis"])]
    for t in (0.0, 0.5, 1.0):
        body.append(_line(left, sy(t), width - right, sy(t), COLORS["grid"], 0.5))
        body.append(_text(left - 3, sy(t) + 3, f"{t:g}", "end", "tick"))
    for t in sx.ticks()[:8]:
        body.append(_text(sx(t), y0 + 12, format_number(t, unit, short=True), "middle", "tick"))
    for name, t in vlines:
        body.append(_line(sx(t), top, sx(t), y0, COLORS["threshold"], 1.5, "5 3"))
        body.append(_text(sx(t) - 3, top + 9, name, "end", "thr", COLORS["threshold"]))
    for _, values, probs, color in series:
        pts = [(sx(x), sy(p)) for x, p in zip(values, probs, strict=False) if x is not None]
        if pts:
            d = "M" + "L".join(f"{_n(x)},{_n(y)}" for x, y in pts)
            body.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="1.8"/>')
    for name, level, a, b, color in intervals:
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        y = sy(level)
        body.append(_line(sx(a), y, sx(b), y, color, 3))
        body.append(_text(sx(b) + 3, y + 4, name, "start", "tick"))
    return _svg(width, height, title, body, "chart ecdf")


def confusion(labels: Sequence[Any], matrix: Sequence[Sequence[int]], title: str) -> str:
    """Row-normalised shading (true label per row), the count in every cell; the diagonal
    green, errors red."""
    k = len(labels)
    cell = 28 if k <= 10 else 20
    left, top = 46, 34
    size = cell * k
    width, height = left + size + 10, top + size + 10
    body = [f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" '
            f'stroke="{COLORS["grid"]}"/>',
            _text(left + size / 2, 11, "predicted", "middle", "tick"),
            _text(10, top + size / 2, "true", "middle", "tick")]
    for j, lab in enumerate(labels):
        body.append(_text(left + j * cell + cell / 2, top - 6, str(lab)[:4], "middle", "tick"))
        body.append(_text(left - 4, top + j * cell + cell / 2 + 4, str(lab)[:6], "end", "tick"))
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        for j, v in enumerate(row):
            share = v / total
            color = COLORS["passed"] if i == j else COLORS["failed"]
            if not v:  # an empty cell stays blank
                continue
            op = 0.08 + 0.85 * share
            body.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" '
                        f'height="{cell - 1}" fill="{color}" fill-opacity="{op:.2f}"/>')
            if v:
                fill = "#fff" if op > 0.55 else "#24292f"
                body.append(_text(left + j * cell + cell / 2, top + i * cell + cell / 2 + 4,
                                  format_number(v, short=True), "middle", "cell", fill))
    return _svg(width, height, title, body, "chart confusion")


def reliability(bins: Sequence[dict[str, Any]], title: str, size: int = 200) -> str:
    """Accuracy against mean confidence per bin, the diagonal of perfect calibration, each
    bin's gap drawn as a bar; the dot's area grows with the bin's rows."""
    left, top, bottom = 30, 8, 22
    width, height = left + size + 8, top + size + bottom
    s_x = _Scale(0.0, 1.0, left, left + size)
    s_y = _Scale(0.0, 1.0, top + size, top)
    body = [_line(left, top + size, left + size, top + size, COLORS["axis"]),
            _line(left, top, left, top + size, COLORS["axis"]),
            _line(s_x(0), s_y(0), s_x(1), s_y(1), COLORS["grid"], 1.2, "4 3")]
    for t in (0.0, 0.5, 1.0):
        body.append(_text(s_x(t), top + size + 13, f"{t:g}", "middle", "tick"))
        body.append(_text(left - 3, s_y(t) + 3, f"{t:g}", "end", "tick"))
    n_max = max([int(b.get("n") or 0) for b in bins] + [1])
    for b in bins:
        conf, acc, n = b.get("confidence"), b.get("accuracy"), int(b.get("n") or 0)
        if conf is None or acc is None or not n:
            continue
        x, y = s_x(float(conf)), s_y(float(acc))
        gap_color = COLORS["failed"] if abs(float(acc) - float(conf)) > 0.1 else COLORS["current"]
        body.append(_line(x, s_y(float(conf)), x, y, gap_color, 3))
        r = 2.0 + 5.0 * math.sqrt(n / n_max)
        body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{COLORS["current"]}"/>')
    return _svg(width, height, title, body, "chart reliability")


def spark(value: float | None, limit: float | None, verdict: str, title: str,
          width: int = 110, height: int = 22) -> str:
    """A one-row bar of a value (coloured by verdict) on a track from 0, with a red tick at
    its upper limit: the check-table cell of integrity and determinism checks."""
    v = max(value or 0.0, 0.0) if value is not None and math.isfinite(value) else 0.0
    t = limit if limit is not None and math.isfinite(limit) else None
    hi = max(v, t or 0.0)
    sc = _Scale(0.0, hi * 1.15 if hi > 0 else 1.0, 2, width - 4)
    body = [f'<rect x="2" y="6" width="{width - 6}" height="{height - 12}" fill="#eaeef2"/>',
            f'<rect x="2" y="6" width="{_n(sc(v) - 2)}" height="{height - 12}" '
            f'fill="{COLORS.get(verdict, COLORS["axis"])}"/>']
    if t is not None:
        body.append(_line(sc(max(t, 0.0)), 2, sc(max(t, 0.0)), height - 2, COLORS["threshold"],
                          2))
    return _svg(width, height, title, body, "chart spark")


def groups(rows: Sequence[Row], band: tuple[float, float] | None, bracket: tuple[float, float]
           | None, bracket_text: str, title: str, width: int = 560,
           label_width: int = 120) -> str:
    """Per-group values with intervals (the worst pair highlighted) under a bracket that spans
    the worst pair's gap, over a green band: where every group would have to lie for the
    gap to meet its threshold (measured from the best-placed group of the pair)."""
    h_row, top = 22, 34
    height = top + h_row * len(rows) + 24
    vals = [v for r in rows for v in (r.value, r.low, r.high)] + list(band or ())
    lo, hi = _span(vals)
    sc = _Scale(lo, hi, label_width + 8, width - 90)
    y_axis = height - 22
    body: list[str] = []
    for i, r in enumerate(rows):
        if r.highlight and r.verdict != "passed":
            body.append(f'<rect x="0" y="{_n(top + i * h_row)}" width="{width}" '
                        f'height="{h_row}" fill="#cf222e" fill-opacity="0.06"/>')
    if band is not None:
        a, b = sorted(band)
        body.append(f'<rect x="{_n(sc(a))}" y="{top - 4}" width="{_n(max(sc(b) - sc(a), 1))}" '
                    f'height="{_n(y_axis - top + 4)}" fill="{COLORS["passed"]}" '
                    'fill-opacity="0.15"/>')
    body += _xaxis(sc, y_axis, None, top - 4)
    if bracket is not None:
        a, b = sorted(bracket)
        yb = 14.0
        body += [_line(sc(a), yb, sc(b), yb, COLORS["threshold"], 1.5),
                 _line(sc(a), yb - 4, sc(a), yb + 4, COLORS["threshold"], 1.5),
                 _line(sc(b), yb - 4, sc(b), yb + 4, COLORS["threshold"], 1.5),
                 _text((sc(a) + sc(b)) / 2, yb - 5, bracket_text, "middle", "thr",
                       COLORS["threshold"])]
    for i, r in enumerate(rows):
        y = top + i * h_row + h_row / 2
        color = COLORS.get(r.verdict, COLORS["axis"]) if r.highlight else COLORS["current"]
        body.append(_text(label_width, y + 4, shorten_middle(r.label, 20), "end", "lab", None,
                          "bold" if r.highlight else None))
        body.extend(_whisker(sc, r.low, r.high, r.value, y, color))
        if r.value is not None and math.isfinite(r.value):
            body.append(_text(width - 86, y + 4, format_number(r.value)
                              + (f" {r.note}" if r.note else ""), "start", "val"))
    return _svg(width, height, title, body, "chart groups")


#: at most this many rows of stacked dots in a seed strip
STRIP_LEVELS = 8


def strip(points: Sequence[tuple[Any, float]], mean: float | None,
          ci: tuple[float, float] | None, ci_label: str, thresholds: Sequence[tuple[str, float]],
          worst: Any, verdict: str, title: str, width: int = 560) -> str:
    """One dot per seed on a value axis (the worst seed ringed and named), the across-seed mean
    (solid), its interval (thick bar below the dots) and the threshold(s) (dashed)."""
    xs = [v for _, v in points] + [t for _, t in thresholds] + list(ci or ()) + (
        [mean] if mean is not None else [])
    lo, hi = _span(xs)
    left, right = 20, 20
    sc = _Scale(lo, hi, left, width - right)
    levels: list[float] = []  # the x of the last dot on each stacking level
    placed = []
    for seed, v in sorted(points, key=lambda p: p[1]):
        x = sc(v)
        level = next((k for k, last in enumerate(levels) if x - last >= 9), len(levels))
        if level == STRIP_LEVELS:  # dozens of seeds in one spot: the top level overlaps
            level = STRIP_LEVELS - 1
        if level == len(levels):
            levels.append(x)
        else:
            levels[level] = x
        placed.append((seed, v, x, level))
    n_levels = max(len(levels), 1)
    top = 26
    dots_bottom = top + 10 * n_levels
    ci_y = dots_bottom + 10
    y_axis = ci_y + 30
    height = y_axis + 22
    body = _xaxis(sc, y_axis, None, top - 6)
    for name, t in thresholds:
        x = sc(t)
        body.append(_line(x, top - 10, x, y_axis, COLORS["threshold"], 1.5, "5 3"))
        body.append(_text(x, top - 12, f"{name} {format_number(t, short=True)}", "middle",
                          "thr", COLORS["threshold"]))
    color = COLORS.get(verdict, COLORS["axis"])
    if ci is not None and all(math.isfinite(c) for c in ci):
        a, b = sc(ci[0]), sc(ci[1])
        body += [_line(a, ci_y, b, ci_y, color, 4), _line(a, ci_y - 5, a, ci_y + 5, color, 1.5),
                 _line(b, ci_y - 5, b, ci_y + 5, color, 1.5),
                 _text(b + 5, ci_y + 4, ci_label, "start", "tick")]
    if mean is not None and math.isfinite(mean):
        x = sc(mean)
        body.append(_line(x, top - 4, x, ci_y + 8, "#24292f", 1.5))
        body.append(_text(x, ci_y + 20, f"mean {format_number(mean)}", "middle", "tick"))
    for seed, v, x, level in placed:
        y = dots_bottom - 5 - 10 * level
        is_worst = worst is not None and str(seed) == str(worst)
        ring = f' stroke="{COLORS["failed"]}" stroke-width="2"' if is_worst else ""
        body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4"'
                    f' fill="{COLORS["current"]}" fill-opacity="0.75"{ring}>'
                    f"<title>seed {_t(seed)}: {_t(format_number(v))}</title></circle>")
        if is_worst:  # named on the side away from the other seeds
            first = v <= min(p for _, p in points)
            body.append(_text(x - 7 if first else x + 7, y + 4, f"seed {seed}",
                              "end" if first else "start", "tick", COLORS["failed"]))
    return _svg(width, height, title, body, "chart strip")
