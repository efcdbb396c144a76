"""The HTML report and the plot data the judges store for it (`gates/_details.py`)."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import calibration_result, sample_report
from sklearn.metrics import confusion_matrix as sk_confusion

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.gates._details import (
    DRIFT_MAX_COLUMNS,
    LATENCY_PROBS,
    confusion_matrix,
    latency_sketch,
)
from pytest_modelgate.report import build_report, render_html, render_html_document
from pytest_modelgate.report._format import format_interval, format_number
from pytest_modelgate.results import GateResult, RunRecord


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return sample_report(latency=False)


def _charts(html: str, kind: str) -> int:
    return html.count(f'class="chart {kind}"')


def test_every_chart_kind_is_drawn(report: dict[str, Any]) -> None:
    html = render_html_document(report)
    assert html.startswith("<!doctype html>")
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert _charts(html, "forest") >= 3  # accuracy, calibration, slices
    assert _charts(html, "confusion") == 1  # two label metrics of one test: drawn once
    assert "confusion matrix: the same as for the gate above" in html
    assert _charts(html, "bars") == 1  # drift effects
    assert _charts(html, "dist") == 6  # one per column of the drift gate
    assert _charts(html, "reliability") == 4  # overall + 3 classes
    assert html.count("<svg") == html.count("<title>") - 1  # every chart says what it shows


def test_failures_first_and_messages_in_full(report: dict[str, Any]) -> None:
    html = render_html_document(report)
    cards = re.findall(r'<article class="card (\w+)', html)
    order = {"error": 0, "failed": 1, "inconclusive": 2, "passed": 3}
    assert cards == sorted(cards, key=order.__getitem__)
    for r in report["results"]:
        assert json.dumps(r["message"])[1:-1].replace("&", "&amp;").replace("<", "&lt;") \
            .replace(">", "&gt;").replace('\\"', "&quot;").replace("'", "&#x27;") in html


def test_run_metadata(report: dict[str, Any]) -> None:
    html = render_html_document(report)
    for text in ("models/m.skops", "ab" * 32, "mypkg.Scaler", "allowed_globals", "seed",
                 "numpy"):
        assert text in html


def test_same_document_same_bytes(report: dict[str, Any]) -> None:
    """From the dict or from its JSON text read back: the same page."""
    again = json.loads(json.dumps(report, indent=2))
    assert render_html_document(report) == render_html_document(again)


_EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&amp;"


def test_user_strings_are_escaped() -> None:
    rng = np.random.default_rng(1)
    g = Gate(GateContext(nodeid=f"tests/test_x.py::test_{_EVIL}"))
    g.drift(rng.choice([_EVIL, "b", "c"], 300), rng.choice([_EVIL, "b"], 300), name=_EVIL)
    assert _EVIL in g.results[0].details["distributions"]["columns"]["0"]["categories"]
    y = np.array([_EVIL, "b"] * 50)
    g.metric("accuracy", y, y[::-1].copy(), min=0.5, slices=y)
    cal = calibration_result(nodeid=_EVIL)
    run = RunRecord(seed=0, models={_EVIL: {"path": _EVIL, "version": _EVIL}},
                    versions={_EVIL: _EVIL}, extra={_EVIL: _EVIL})
    html = render_html(run, [*g.results, GateResult(**{**cal.__dict__, "message": _EVIL,
                                                       "name": _EVIL})])
    assert "<script" not in html
    assert "<img" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_size_stays_small_for_a_wide_drift_gate() -> None:
    """200 columns: the JSON stores distributions of the worst 12 only, the page charts the
    worst 20 effects and 12 distributions, and says how many it left out."""
    rng = np.random.default_rng(2)
    ref = rng.normal(size=(2000, 200))
    cur = rng.normal(size=(2000, 200))
    cur[:, :30] += 0.5
    r = Gate(GateContext(nodeid="t::wide")).drift(ref, cur, max_share=0.5)
    dist = r.details["distributions"]
    assert len(dist["columns"]) == DRIFT_MAX_COLUMNS
    assert dist["omitted"] == 200 - DRIFT_MAX_COLUMNS
    assert set(dist["columns"]) <= {str(i) for i in range(30)}  # the drifted ones first
    plot_bytes = len(json.dumps(dist))
    assert plot_bytes < 12_000
    html = render_html_document(build_report(RunRecord(seed=0), [r]))
    assert len(html.encode()) < 80_000
    assert "180 more columns not shown" in html
    assert "distributions of 188 further columns not shown" in html


@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=200))
def test_confusion_matrix_equals_sklearn(pairs: list[tuple[int, int]]) -> None:
    t = np.array([a for a, _ in pairs])
    p = np.array([b for _, b in pairs])
    cm = confusion_matrix("accuracy", t, p)
    assert cm is not None
    labels = np.unique(np.concatenate([t, p]))
    assert cm["labels"] == labels.tolist()
    assert cm["matrix"] == sk_confusion(t, p, labels=labels).tolist()


def test_confusion_matrix_only_for_few_labels_and_label_metrics() -> None:
    y = np.arange(100) % 21
    assert confusion_matrix("accuracy", y, y) is None  # 21 labels
    assert confusion_matrix("accuracy", y % 3, y % 3) is not None
    assert confusion_matrix("r2", y * 1.0, y * 1.0) is None  # regression
    assert confusion_matrix("log_loss", y % 2, np.full((100, 2), 0.5)) is None  # scores
    r = Gate().metric("accuracy", y % 3, y % 3, min=0.5)
    assert r.details["confusion_matrix"]["matrix"][0][0] == 34


def test_latency_sketch_is_numpy_quantiles() -> None:
    class Res:
        times = tuple(np.random.default_rng(3).lognormal(-7, 0.5, 999))

    sk = latency_sketch(Res(), Res())
    assert sk is not None
    expect = np.quantile(np.array(Res.times), LATENCY_PROBS)
    np.testing.assert_allclose(sk["candidate"], expect, rtol=1e-3)
    assert sk["baseline"] == sk["candidate"]


def test_drift_distribution_shares_match_numpy_histogram() -> None:
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(size=(500, 2)), rng.normal(1.0, 1.0, size=(400, 2))
    r = Gate().drift(ref, cur, max_share=1.0)
    plot = r.details["distributions"]["columns"]["0"]
    edges = np.array(plot["edges"])
    assert plot["kind"] == "numeric"
    for data, key in ((ref[:, 0], "reference"), (cur[:, 0], "current")):
        clipped = np.clip(data, edges[0], edges[-1])
        counts, _ = np.histogram(clipped, bins=edges)
        # right-closed bins (searchsorted side="right") vs numpy's left-closed: equal for
        # continuous data away from the edges; 4 significant digits stored
        np.testing.assert_allclose(plot[key], counts / data.size, atol=2.5e-3)
        assert sum(plot[key]) == pytest.approx(1.0, abs=1e-3)


def test_drift_categorical_distribution_keeps_top_categories() -> None:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    cats = [f"c{i}" for i in range(30)]
    ref = pd.DataFrame({"x": rng.choice(cats, 3000)})
    cur = pd.DataFrame({"x": rng.choice(cats[:5], 3000)})
    r = Gate().drift(ref, cur)
    plot = r.details["distributions"]["columns"]["x"]
    assert plot["kind"] == "categorical"
    assert plot["categories"][-1] == "(other)"
    assert len(plot["categories"]) == 13
    assert set(plot["categories"][:5]) == set(cats[:5])  # current's categories are the largest
    assert sum(plot["current"]) == pytest.approx(1.0, abs=1e-3)
    assert sum(plot["reference"]) == pytest.approx(1.0, abs=1e-3)


def test_drift_against_a_saved_profile_has_distributions(tmp_path: Any) -> None:
    from pytest_modelgate.drift import profile

    rng = np.random.default_rng(6)
    ref, cur = rng.normal(size=(300, 3)), rng.normal(0.5, 1, size=(300, 3))
    path = tmp_path / "p.json"
    profile(ref).save(path)
    r = Gate().drift(str(path), cur, max_share=1.0)
    assert set(r.details["distributions"]["columns"]) == {"0", "1", "2"}
    html = render_html_document(build_report(RunRecord(seed=0), [r]))
    assert _charts(html, "dist") == 3


def test_reliability_from_the_calibration_shape() -> None:
    """The calibration gate's details shape, hand-made: overall and per-class diagrams."""
    html = render_html(RunRecord(seed=0), [calibration_result()])
    assert _charts(html, "reliability") == 4
    assert "uniform, 10 bins" in html
    assert "class 2" in html


def test_malformed_details_do_not_break_the_page() -> None:
    bad = GateResult(nodeid="t::x", kind="drift", name="d", value=0.5,
                     threshold={"max_share": 0.2}, verdict="failed", message="m",
                     details={"columns": {"a": {"effect": "x"}}, "distributions": {
                         "columns": {"a": {"kind": "numeric", "edges": [1], "reference": None}}},
                         "reliability": {"bins": [{"n": "many"}]}, "checks": 3,
                         "confusion_matrix": {"labels": [1], "matrix": "nope"}})
    html = render_html(RunRecord(seed=0), [bad])
    assert "t::x" in html
    assert html.endswith("</html>\n")


def test_large_sides_are_drawn_from_a_strided_sample() -> None:
    from pytest_modelgate.gates._details import DRIFT_PLOT_ROWS

    rng = np.random.default_rng(7)
    ref, cur = rng.normal(size=(60_000, 1)), rng.normal(0.2, 1.0, size=(50_000, 1))
    r = Gate().drift(ref, cur, max_share=1.0)
    dist = r.details["distributions"]
    assert dist["sampled"] == DRIFT_PLOT_ROWS
    plot = dist["columns"]["0"]
    edges = np.array(plot["edges"])
    for data, key in ((ref[:, 0], "reference"), (cur[:, 0], "current")):
        full, _ = np.histogram(np.clip(data, edges[0], edges[-1]), bins=edges)
        np.testing.assert_allclose(plot[key], full / data.size, atol=0.01)


# -- the newer gates' views: integrity, determinism, fairness, seed variance ---------------------


@pytest.fixture(scope="module")
def new_gates() -> tuple[dict[str, Any], str]:
    from report_fixtures import new_gate_results

    doc = json.loads(json.dumps(build_report(RunRecord(seed=0), new_gate_results()),
                                sort_keys=True))
    return doc, render_html_document(doc)


def _cards(html: str) -> dict[str, list[str]]:
    """Each card's HTML under its "kind:name" heading."""
    out: dict[str, list[str]] = {}
    for card in re.findall(r'<article class="card.*?</article>', html):
        title = re.search(r"</span>([^<]+)</h2>", card)
        assert title is not None
        out.setdefault(title.group(1), []).append(card)
    return out


def _result(doc: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    return next(r for r in doc["results"] if r["kind"] == kind and r["name"] == name)


def _table_rows(html: str, cls: str = "checks") -> list[list[str]]:
    """The text of every cell of the first table of class `cls`, row by row."""
    table = re.search(rf'<table class="{cls}">.*?</table>', html)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0))
    return [[re.sub(r"<svg.*?</svg>|<[^>]+>", "", c) for c in re.findall(r"<t[dh]>(.*?)</t[dh]>",
                                                                         row)] for row in rows]


def test_integrity_card_tables_every_check_failing_first(new_gates: tuple[dict[str, Any], str]
                                                         ) -> None:
    from report_fixtures import DUPLICATED_ROWS, OUT_OF_RANGE_ROWS

    doc, html = new_gates
    cards = _cards(html)
    first = cards["integrity:duplicates"][0]  # the worst check: its card carries the table
    rows = _table_rows(first)[1:]
    checks = [r for r in doc["results"] if r["kind"] == "integrity"]
    assert len(rows) == len(checks) == 9
    assert [r[0] for r in rows[:2]] == ["duplicates", "range"]  # failing first
    assert [r[1] for r in rows] == ["failed"] * 2 + ["passed"] * 7
    dup = _result(doc, "integrity", "duplicates")
    assert dup["details"]["examples"] == list(DUPLICATED_ROWS[:5])
    assert rows[0][2] == "5%"
    assert rows[0][3] == "max_duplicate_share 0%"
    assert rows[0][5] == "6 test rows: 0, 1, 2, 3, 4, …"
    rng = _result(doc, "integrity", "range")["details"]["columns"]["2"]
    assert rng["examples"] == list(OUT_OF_RANGE_ROWS[:5])
    assert rows[1][5].startswith(f"2: {rng['count']} rows (10, 11, 12, 13, 14, …)")
    # one value-vs-limit bar per check, each with a text alternative naming value and limit
    assert first.count('class="chart spark"') >= 9
    assert "<title>duplicates: 5% vs max_duplicate_share 0%</title>" in first
    # every check links to its own card
    for i in re.findall(r'<a href="#g(\d+)">', first):
        assert f'id="g{i}"' in html
    # the duplicates card pairs each test row with the train row it repeats
    pairs = _table_rows(first, "rows")
    assert pairs == [["test row", "0", "1", "2", "3", "4"], ["train row", "0", "1", "2", "3", "4"]]
    # the range card lists the offending column with its rows and the allowed range
    card = cards["integrity:range"][0]
    col = _table_rows(card)[1]
    assert col[0] == "2"
    assert col[1] == str(rng["count"])
    assert col[6] == f"outside {format_interval(rng['low'], rng['high'])}"
    assert ";" in col[6], col[6]
    assert ", " not in col[6], col[6]
    assert "<table" not in cards["integrity:near_duplicates"][0]  # only the first card's table
    assert 'class="chart bars"' in cards["integrity:leakage"][0]  # per-feature scores


def test_determinism_card_lists_each_check(new_gates: tuple[dict[str, Any], str]) -> None:
    doc, html = new_gates
    card = _cards(html)["determinism:determinism"][0]
    got = {r[0]: r for r in _table_rows(card)[1:]}
    checks = _result(doc, "determinism", "determinism")["details"]["checks"]
    assert set(got) == {c["name"] for c in checks}
    bvs = next(c for c in checks if c["name"] == "batch_vs_single")
    assert bvs["n_disagree"] == 22
    row = got["batch_vs_single"]
    assert row[2] == str(bvs["n_rows"])
    assert row[3] == f"failed {bvs['n_disagree']} ({100 * bvs['n_disagree'] / bvs['n_rows']:.3g}%)"
    assert row[6] == ", ".join(map(str, bvs["rows"][:5])) + ", …"
    assert got["repeat"][3] == "passed 0 (0%)"
    assert got["repeat"][6] == "—"
    assert card.count('class="chart spark"') == 4


def test_fairness_card_draws_every_group_and_the_worst_pair(new_gates: tuple[dict[str, Any], str]
                                                            ) -> None:
    doc, html = new_gates
    r = _result(doc, "fairness", "demographic_parity_difference")
    card = _cards(html)["fairness:demographic_parity_difference"][0]
    chart = re.search(r'<svg[^>]*class="chart groups".*?</svg>', card)
    assert chart is not None
    svg = chart.group(0)
    groups = {g["key"]: g for g in r["details"]["groups"]}
    assert set(groups) == {"A", "B", "C"}
    for g in groups.values():
        assert f">{format_number(g['value'])} n={format_number(g['n'])}<" in svg
    pair = r["details"]["worst_pair"]
    assert (pair["high"], pair["low"]) == ("A", "C")
    bold = re.findall(r'font-weight="bold">([^<]+)<', svg)
    assert sorted(bold) == ["A", "C"]
    gap = groups["A"]["value"] - groups["C"]["value"]
    assert gap == pytest.approx(r["value"], abs=1e-12)
    assert f">gap {format_number(gap)} vs max_gap 0.1<" in svg
    assert svg.count("<circle") == 3
    assert "fill-opacity=\"0.15\"" in svg
    assert 'class="chart forest"' in card  # the gap and its interval vs max_gap


def test_seed_variance_card_strips_every_seed(new_gates: tuple[dict[str, Any], str]) -> None:
    doc, html = new_gates
    r = _result(doc, "seed_variance", "seed_variance")
    card = _cards(html)["seed_variance:seed_variance"][0]
    chart = re.search(r'<svg[^>]*class="chart strip".*?</svg>', card)
    assert chart is not None
    svg = chart.group(0)
    d = r["details"]
    dots = re.findall(r"<title>seed (\d+): ([^<]+)</title>", svg)
    assert dots == sorted([(str(s), format_number(v)) for s, v in zip(d["seeds"], d["values"], strict=False)],
                          key=lambda sv: d["values"][d["seeds"].index(int(sv[0]))])
    assert f">mean {format_number(d['mean'])}<" in svg
    assert ">min 0.87<" in svg
    assert ">95% t-interval of the mean<" in svg
    assert f">seed {d['worst_seed']}<" in svg
    assert 'class="chart forest"' not in card  # the strip replaces the generic forest


@pytest.mark.parametrize("kind", ["integrity", "determinism", "fairness", "seed_variance"])
def test_malformed_details_of_the_new_views(kind: str) -> None:
    bad = GateResult(nodeid="t::x", kind=kind, name="x", value=0.5, threshold={"max_gap": "?"},
                     verdict="failed", message="m",
                     details={"checks": [3, {"name": "repeat", "n_rows": "x"}],
                              "groups": [{"value": "v"}, 5], "seeds": [1, 2], "values": ["a"],
                              "columns": {"a": 1}, "scores": {"a": None}})
    html = render_html(RunRecord(seed=0), [bad])
    assert "t::x" in html
    assert html.endswith("</html>\n")


def test_the_new_views_keep_the_page_small(new_gates: tuple[dict[str, Any], str]) -> None:
    """12 results of the four newer gates: the cards add ~30 kB, not the JSON's raw details."""
    _doc, html = new_gates
    base = render_html(RunRecord(seed=0), [])
    assert len(html.encode()) - len(base.encode()) < 40_000


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_seed_strip_draws_every_seed_apart(values: list[float]) -> None:
    """One dot per seed inside the plot; dots on one stacking level never overlap (9 px apart)
    until `STRIP_LEVELS` levels are full."""
    from pytest_modelgate.report import _svg

    points = list(enumerate(values))
    mean = float(np.mean(values))
    svg = _svg.strip(points, mean, (min(values), max(values)), "ci", [("min", mean)], 0,
                     "failed", "t")
    dots = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([-\d.]+)" cy="([-\d.]+)"',
                                                          svg)]
    assert len(dots) == len(values)
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert all(0 <= x <= width for x, _ in dots)
    levels = {y for _, y in dots}
    if len(levels) < _svg.STRIP_LEVELS:
        for y in levels:
            xs = sorted(x for x, yy in dots if yy == y)
            assert all(b - a >= 8.8 for a, b in pairwise(xs))


def test_integrity_offending_cells_count_rows_in_words() -> None:
    from pytest_modelgate.report._views import _offending

    assert _offending("duplicates", {"count": 1, "examples": [7]}) == "1 test row: 7"
    assert _offending("label_conflicts", {"count": 7, "examples": [1, 2, 3, 4, 5, 6]}) == \
        "7 train rows: 1, 2, 3, 4, 5, …"
    cols = {"a": {"count": 1, "share": 0.01, "examples": [49]},
            "b": {"count": 0, "share": 0.0, "examples": []},
            "c": {"count": 3, "share": 0.03, "examples": [1, 2, 3]}}
    assert _offending("range", {"columns": cols}) == \
        "<code>c</code>: 3 rows (1, 2, 3); <code>a</code>: 1 row (49)"
    assert _offending("null_rate", {"columns": {"x": {"n_missing": 0}}}) == "—"
@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4),
                          st.floats(0.01, 1000.0, allow_nan=False)), min_size=1, max_size=150))
def test_weighted_confusion_matrix_equals_sklearn(pairs: list[tuple[int, int, float]]) -> None:
    t = np.array([a for a, _, _ in pairs])
    p = np.array([b for _, b, _ in pairs])
    w = np.array([c for _, _, c in pairs])
    cm = confusion_matrix("accuracy", t, p, sample_weight=w)
    assert cm is not None
    assert cm["weighted"] is True
    labels = np.unique(np.concatenate([t, p]))
    want = sk_confusion(t, p, labels=labels, sample_weight=w)
    np.testing.assert_allclose(np.array(cm["matrix"], dtype=float), want, rtol=5e-4, atol=1e-9)


def test_weighted_metric_gate_stores_the_weighted_confusion_matrix() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0, 1, 1, 0, 1, 0])
    w = np.array([1.0, 2.5, 1.0, 4.0, 0.5, 3.0])
    r = Gate().metric("accuracy", y, p, min=0.1, sample_weight=w)
    cm = r.details["confusion_matrix"]
    assert cm["weighted"] is True
    assert cm["matrix"] == sk_confusion(y, p, sample_weight=w).tolist()
    unweighted = Gate().metric("accuracy", y, p, min=0.1).details["confusion_matrix"]
    assert "weighted" not in unweighted
    assert unweighted["matrix"] == sk_confusion(y, p).tolist()
    html = render_html(RunRecord(seed=0), [r])
    assert "sums of sample_weight" in html
