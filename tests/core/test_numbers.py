"""The one number formatter (`pytest_modelgate._numbers`) shared by messages and views."""

from __future__ import annotations

import re

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
    assert fmt_signed(-9977.0) == "-9,977"  # grouped from 1,000 on, as the integers are
    assert fmt_number(4527.0) == fmt_number(4527) == "4,527"
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


# -- intervals: "[lo; hi]", one grouping and precision for both ends -----------------------------

_UNIT_SCALE = {"ms": 1e-3, "µs": 1e-6, "ns": 1e-9, "s": 1.0, "min": 60.0, "h": 3600.0,
               "B": 1.0, "KiB": 2.0**10, "MiB": 2.0**20, "GiB": 2.0**30, "TiB": 2.0**40}


def _parse(text: str) -> float:
    """One printed end back to a float: grouping commas dropped, a unit suffix scaled."""
    m = re.fullmatch(r"([-+]?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?(?:e-?\d+)?|[-+]?inf)"
                     r"(ms|µs|ns|min|h|s|KiB|MiB|GiB|TiB|B|%)?", text)
    assert m is not None, text
    return float(m.group(1).replace(",", "")) * _UNIT_SCALE.get(m.group(2) or "", 1.0)


def _ends(text: str) -> list[str]:
    assert text.startswith("["), text
    assert text.endswith("]"), text
    return text[1:-1].split("; ")


_ends_strategy = (st.floats(-1e14, 1e14, allow_nan=False) | st.integers(-10**12, 10**12))


@given(_ends_strategy, _ends_strategy)
def test_an_interval_parses_back_into_two_ordered_numbers(a: float, b: float) -> None:
    lo, hi = min(a, b), max(a, b)
    text = _numbers.format_interval(lo, hi)
    parts = _ends(text)
    assert len(parts) == 2, text
    plo, phi = (_parse(p) for p in parts)
    assert plo <= phi, text
    assert not re.search(r"\d,\d{3}, \d", text), text
    scale = max(abs(lo), abs(hi), 1e-300)
    assert abs(plo - lo) <= 5e-4 * scale + 1e-4, text
    assert abs(phi - hi) <= 5e-4 * scale + 1e-4, text
    if abs(hi - lo) > 1e-9 * max(scale, 1.0):
        assert parts[0] != parts[1], text  # unequal ends never print alike


@given(st.floats(1e-9, 1e6), st.floats(1e-9, 1e6), st.sampled_from(["s", "B", "rows/s"]))
def test_an_interval_with_a_unit_parses_back_in_order(a: float, b: float, unit: str) -> None:
    lo, hi = min(a, b), max(a, b)
    text = _numbers.format_interval(lo, hi, unit)
    parts = _ends(text)
    assert len(parts) == 2, text
    if unit == "rows/s":
        assert all(p.endswith(" rows/s") for p in parts), text
        return
    plo, phi = (_parse(p) for p in parts)
    assert plo <= phi * (1 + 1e-9), text


@given(st.floats(1000, 1e9), st.floats(1000, 1e9), st.floats(1000, 1e9))
def test_a_value_and_its_interval_share_grouping_and_decimals(v: float, a: float,
                                                                 b: float) -> None:
    value, interval = _numbers.format_estimate(v, min(a, b), max(a, b))
    texts = [value, *_ends(interval)]
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", t) for t in texts), texts
    # one number of decimals for all three: none unless the ends need them to differ (found by
    # hypothesis in CI: [999,999,999.0; 999,999,999.2] with the value 1,000.0)
    assert len({len(t.partition(".")[2]) for t in texts}) == 1, texts


def test_intervals_read_as_the_docs_say() -> None:
    fi, fe = _numbers.format_interval, _numbers.format_estimate
    assert fi(4527, 375_998.0) == "[4,527; 375,998]"  # not "[4527, 375,998]"
    assert fe(11_582.2, 10_612.3, 12_545.4) == ("11,582", "[10,612; 12,545]")
    assert fi(0.85, 0.94) == "[0.85; 0.94]"
    assert fi(0.8512, 0.87) == "[0.8512; 0.8700]"  # the same decimals at both ends
    assert fe(0.9, 0.85, 0.94) == ("0.90", "[0.85; 0.94]")
    assert fi(0.912341, 0.912346) == "[0.91234; 0.91235]"  # never "[0.9123; 0.9123]"
    assert fi(-0.031, 0.004, signed=True) == "[-0.031; +0.004]"
    assert fi(float("-inf"), 0.02, signed=True) == "[-inf; +0.02]"
    assert fi(0.000912, 0.00123, "s") == "[0.91ms; 1.23ms]"  # one unit for both ends
    assert fi(1536, 3_000_000, "B") == "[1.5KiB; 2.86MiB]"  # too far apart to share one
    assert fi(100, 512, "B") == "[100B; 512B]"
    assert fi(9.44, 15.1, "%", digits=3) == "[9.4%; 15.1%]"
    assert fi(1e-7, 3e-6) == "[1e-7; 3e-6]"
    assert fi(None, 1.0) == "[—; 1]"
    assert fi(-1e-30, 0.5) == "[0.0; 0.5]"  # float noise is 0, at the other end's decimals
    assert fi("2024-01-01", "2024-03-01") == "[2024-01-01; 2024-03-01]"
    assert fi(np.float64(1234.5), np.int64(99_999)) == "[1,234; 99,999]"


def test_the_views_and_units_reexport_the_one_interval_formatter() -> None:
    from pytest_modelgate import units

    assert _format.format_interval is _numbers.format_interval is units.format_interval
    assert _format.format_ci((10_612.3, 12_545.4)) == "[10,612; 12,545]"
    assert _format.value_and_ci(11_582.2, (10_612.3, 12_545.4)) == ("11,582", "[10,612; 12,545]")
