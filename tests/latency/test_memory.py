"""Memory: tracemalloc peaks of numpy allocations, subprocess RSS, artifact size."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.latency import artifact_size, peak_memory, peak_rss

from ._helpers import allocate


def test_numpy_allocations_are_traced() -> None:
    r = peak_memory(np.ones, 1_000_000)
    assert 8_000_000 <= r.peak < 8_200_000
    assert r.method == "tracemalloc"
    assert len(r.peaks) == 3
    assert not tracemalloc.is_tracing()


def test_peak_counts_temporaries_not_what_existed_before() -> None:
    big = np.ones(2_000_000)  # 16 MB alive before the call: not part of the peak

    def temp() -> float:
        return float((big[:100_000] * 2).sum())  # one 800 kB temporary

    r = peak_memory(temp)
    assert 800_000 <= r.peak < 1_000_000


def test_already_tracing_is_respected() -> None:
    tracemalloc.start()
    try:
        r = peak_memory(np.ones, 100_000)
        assert tracemalloc.is_tracing()
        assert 800_000 <= r.peak < 900_000
        assert r.notes
    finally:
        tracemalloc.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM reset is Linux-only")
def test_rss_high_water_in_a_subprocess() -> None:
    r = peak_rss(allocate, 64 * 2**20, timeout=60)
    assert r.method == "rss-subprocess"
    assert 60 * 2**20 <= r.peak < 100 * 2**20
    assert r.details["hwm"] >= r.peak


def test_rss_reports_a_failing_function() -> None:
    with pytest.raises(InputError, match="subprocess"):
        peak_rss(allocate, "not a size", timeout=60)


def test_artifact_size(tmp_path: Path) -> None:
    f = tmp_path / "model.bin"
    f.write_bytes(b"x" * 1234)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "w.bin").write_bytes(b"y" * 100)
    assert artifact_size(f) == 1234
    assert artifact_size(tmp_path) == 1334
    with pytest.raises(InputError, match="does not exist"):
        artifact_size(tmp_path / "missing.onnx")


def test_bad_repeat() -> None:
    with pytest.raises(ConfigError, match="repeat"):
        peak_memory(np.ones, 10, repeat=0)
