"""The HTML report and the plot data the judges store for it (`gates/_details.py`)."""

from __future__ import annotations

import json
import re
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
