"""Units: durations and sizes parse, nonsense is a clear error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.units import format_bytes, format_seconds, parse_bytes, parse_seconds


@pytest.mark.parametrize(("text", "seconds"), [
    ("5ms", 0.005), ("1.5s", 1.5), ("250us", 250e-6), ("250µs", 250e-6), ("10ns", 1e-8),
    ("2min", 120.0), (" 3 ms ", 0.003), (0.1, 0.1), (2, 2.0), ("1e-3s", 1e-3), ("7", 7.0),
])
def test_parse_seconds(text: object, seconds: float) -> None:
    assert parse_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "size"), [
    ("200MiB", 200 * 2**20), ("1.5GB", 1_500_000_000), ("512k", 512 * 1024), (1024, 1024),
    ("10 KiB", 10240), ("3b", 3),
])
def test_parse_bytes(text: object, size: int) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize("bad", ["fast", "5 parsecs", "-1ms", "inf", "ms", True, None, [1]])
def test_nonsense_durations_are_clear_errors(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"^p95: "):
        parse_seconds(bad, "p95")


def test_error_message_shows_an_example() -> None:
    with pytest.raises(ConfigError, match=r'such as "200MiB"'):
        parse_bytes("lots", "memory")


@given(st.floats(1e-9, 1e4))
def test_format_then_parse_round_trips(x: float) -> None:
    assert parse_seconds(format_seconds(x).replace("µs", "us")) == pytest.approx(x, rel=5e-3)


def test_format_bytes() -> None:
    assert format_bytes(1536) == "1.5KiB"
    assert format_bytes(200 * 2**20) == "200MiB"
    assert format_bytes(12) == "12B"
