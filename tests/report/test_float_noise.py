"""Review2 #12c: float noise (|x| below 1e-12, or 1e-12 relative to a scale such as the
threshold of a margin) prints as 0 in every view and gate message; real small values print."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.gates._text import fmt_number, fmt_signed
from pytest_modelgate.report._format import format_number, result_rows
from pytest_modelgate.units import format_number as plain_number

noise = st.floats(-1e-12, 1e-12, allow_nan=False)
FORMATTERS = (fmt_number, fmt_signed, format_number, plain_number)


@given(noise)
def test_noise_prints_as_zero(x: float) -> None:
    for f in FORMATTERS:
        assert f(x) in {"0", "+0"}, (f.__name__, x, f(x))


@given(st.floats(1e-11, 1e6) | st.floats(-1e6, -1e-11))
def test_real_values_keep_their_digits(x: float) -> None:
    for f in FORMATTERS:
        text = f(x)
        assert text not in {"0", "+0"}, (f.__name__, x)
        exp = re.search(r"e(-\d+)", text)
        assert exp is None or int(exp.group(1)) >= -11, (f.__name__, x, text)


def test_small_real_values_and_scaled_noise() -> None:
    assert fmt_number(1e-5) == "1e-5"
    assert format_number(1e-5) == "1e-5"
    assert format_number(-6.939e-17) == "0"
    assert fmt_number(-6.939e-17) == "0"
    assert fmt_signed(-6.939e-17) == "+0"
    assert fmt_number(2e-11, scale=1e5) == "0"  # noise of a value near 1e5
    assert fmt_number(2e-11) == "2e-11"
    assert format_number(2e-11, scale=1e5) == "0"


def test_seed_variance_with_identical_values_says_sd_0() -> None:
    ctx = GateContext(nodeid="t::t", seed=0)
    r = Gate(ctx).seed_variance({s: 0.7 for s in range(3)} | {3: 0.7000000000000001}, min=0.2)
    assert "sd 0," in r.message, r.message
    assert "e-1" not in r.message


def test_naive_margin_tie_prints_margin_0() -> None:
    y = np.array([0] * 92 + [1] * 8)
    p = y.copy()
    p[:3] = 1
    r = Gate(GateContext(nodeid="t::t", seed=0)).metric("accuracy", y, p, min=0.9,
                                                           naive_margin=0.05)
    assert "e-17" not in r.message, r.message
    assert "margin +0" in r.message or "margin 0" in r.message
    margin_cell = result_rows([r])[0][5]
    assert margin_cell == "-0"  # the naive check fails by float noise: never "+0" (review3 F4)
