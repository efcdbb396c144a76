"""Review #3 F4/F5: real small values, thresholds and p-values never print as "0", a negative
margin never prints as "+0", and a value that misses its threshold never prints equal to it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pytest_modelgate.exceptions import InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import evaluate
from pytest_modelgate.report.html import render_html
from pytest_modelgate.results import GateResult, RunRecord, decide


def _pair(reason: str) -> tuple[str, str]:
    m = re.search(r"(?:value|bound) (\S+) [<>] (?:min|max) (\S+)", reason)
    assert m, reason
    return m.group(1), m.group(2)


@pytest.mark.parametrize(("value", "bound", "want"), [
    (1.06e-12, {"max": 1e-13}, ("1.06e-12", "1e-13")),
    (-1.06e-12, {"min": -1e-13}, ("-1.06e-12", "-1e-13")),
    (0.7999999999999999, {"min": 0.8}, ("0.7999999999999999", "0.8")),
    (0.999988, {"min": 0.99999995}, ("0.99999", "0.99999995")),
    (1.0000000000000002, {"max": 1.0}, ("1.0000000000000002", "1")),
])
def test_a_failed_value_and_its_threshold_print_as_they_differ(value: float,
                                                               bound: dict[str, float],
                                                               want: tuple[str, str]) -> None:
    dec = decide(value, **bound)
    assert dec.verdict == "failed"
    assert _pair(dec.reason) == want


def test_an_inconclusive_bound_and_its_threshold_print_as_they_differ() -> None:
    dec = decide(0.9, (0.7999999999999999, 1.0), min=0.8)
    assert dec.verdict == "inconclusive"
    assert _pair(dec.reason) == ("0.7999999999999999", "0.8")


def test_different_numbers_keep_four_digits() -> None:
    assert "value 0.1235 > max 0.1" in decide(0.123456, max=0.1).reason


def test_metric_message_in_small_units_shows_the_threshold_and_a_negative_margin() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200) * 1e-6
    p = y + rng.normal(size=200) * 1e-6
    res = Gate(GateContext(nodeid="t::a", seed=1)).metric("mse", y, p, max=1e-13)
    assert res.verdict == "failed"
    assert "max 1e-13" in res.message
    assert "max 0" not in res.message
    assert "margin +0" not in res.message
    assert re.search(r"margin -\d", res.message), res.message


def test_a_one_ulp_miss_has_a_negative_margin_and_distinct_numbers() -> None:
    y = np.arange(100.0)
    p = y + 0.1
    gate = Gate(GateContext(nodeid="t::a", seed=1))
    value = gate.metric("mse", y, p, confidence=None).value
    assert value is not None
    limit = float(np.nextafter(value, 0.0))
    res = gate.metric("mse", y, p, max=limit, confidence=None, naive=False)
    assert res.verdict == "failed"
    assert "margin +0" not in res.message
    assert re.search(r"margin -\d", res.message), res.message
    shown, bound = (t.rstrip(".;") for t in _pair(res.message))
    assert shown != bound
    assert float(shown) == value
    assert float(bound) == limit


def test_probabilities_just_over_one_print_over_one() -> None:
    y = np.array([0, 1, 0, 1] * 10)
    p = np.where(y == 1, 0.8, 0.2).astype(float)
    p[3] = 1.0000001
    with pytest.raises(InputError) as info:
        evaluate("log_loss", y, p)
    assert "1.0000001]" in str(info.value)
    P = np.column_stack([1 - np.where(y == 1, 0.8, 0.2), np.where(y == 1, 0.8, 0.2)])
    P[5, 1] += 2e-6
    with pytest.raises(InputError) as info:
        evaluate("log_loss", y, P)
    assert "sums to 1.000002" in str(info.value)


def test_html_drift_bars_print_tiny_adjusted_p_values() -> None:
    r = GateResult(nodeid="t::x", kind="drift", name="drift", value=1.0,
                   threshold={"max_share": 0.5}, verdict="failed",
                   details={"columns": {"x": {"test": "ks", "statistic": 0.3, "effect": 0.3,
                                              "threshold": 0.1, "p_value": 3e-31,
                                              "p_adjusted": 1e-30, "effect_name": "ks",
                                              "drifted": True}},
                            "drifted": ["x"]})
    html = render_html(RunRecord(seed=0), [r])
    assert "p_adj 1e-30" in html
    assert "p_adj 0<" not in html
    assert "p_adj 0\"" not in html


def _tiny_result() -> GateResult:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200) * 1e-6
    p = y + rng.normal(size=200) * 1e-6
    return Gate(GateContext(nodeid="t::a", seed=1)).metric("mse", y, p, max=1e-13)


def test_tables_show_tiny_thresholds_and_negative_margins() -> None:
    from pytest_modelgate.report._format import result_rows

    r = _tiny_result()
    row = result_rows([r])[0]
    assert row[4] == "max 1e-13"
    assert row[5].startswith("-")
    assert row[5] != "-0"
    html = render_html(RunRecord(seed=0), [r])
    assert "max 1e-13" in html
    assert "<b>-9.59e-13</b>" in html


def test_tables_keep_noise_margins_as_zero() -> None:
    from pytest_modelgate.report._format import result_rows

    r = GateResult(nodeid="t::a", kind="metric", name="accuracy", value=0.9,
                   threshold={"min": 0.9}, margin=6.9e-17, verdict="passed")
    assert result_rows([r])[0][5] == "0"
    neg = GateResult(nodeid="t::a", kind="metric", name="accuracy", value=0.9,
                     threshold={"min": 0.9}, margin=-6.9e-17, verdict="failed")
    assert result_rows([neg])[0][5] == "-0"
