"""The one number formatter (`pytest_modelgate._numbers`) shared by messages and views."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pytest_modelgate import _numbers
from pytest_modelgate.gates._text import fmt_number, fmt_signed
from pytest_modelgate.report import _format


def test_the_report_formatter_is_the_shared_one() -> None:
    assert _format.format_number is _numbers.format_number


@given(st.floats(1e-4, 9.99e14) | st.floats(-9.99e14, -1e-4))
def test_plain_values_read_back_within_4_significant_digits(x: float) -> None:
    text = fmt_number(x)
    assert "e" not in text, text
    back = float(text.replace(",", ""))
    assert abs(back - x) <= 5e-4 * abs(x), (x, text)
    signed = fmt_signed(x)
    assert signed[0] in "+-"
    assert float(signed.replace(",", "")) == back


def test_messages_keep_what_matters() -> None:
    assert fmt_number(101_234.5) == "101,234"
    assert fmt_signed(-9977.0) == "-9977"
    assert fmt_signed(-123_456.0) == "-123,456"
    assert fmt_number(np.float32(0.123456)) == "0.1235"
    assert fmt_signed(np.float64(0.25)) == "+0.25"
    assert fmt_number(np.int64(123_456)) == "123,456"
    assert fmt_number(None) == "n/a"
    assert _numbers.format_number(1e-30) == "0"  # float noise for a metric or a margin
    assert _numbers.format_number(1e-30, tiny=True) == "1e-30"  # a real p-value
    assert _numbers.format_number(3.2e-7, digits=3, tiny=True) == "3.2e-7"
    assert _numbers.format_signed(-0.0012, "s") == "-1.2ms"
    assert _numbers.format_signed(-9.97e14, "rows/s") == "-997T rows/s"
