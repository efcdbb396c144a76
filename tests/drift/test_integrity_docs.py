"""The schema-check failures quoted in docs/gates/integrity.md are the real output of the code:
the scenario they describe runs here and must print exactly the quoted lines."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pytest_modelgate.gates._recorder import Gate, GateContext, format_failures

pd = pytest.importorskip("pandas", reason="needs the pandas extra: pip install 'pytest-modelgate[pandas]'")

DOC = Path(__file__).parents[2] / "docs" / "gates" / "integrity.md"


def _quoted(after: str) -> list[str]:
    """The lines of the first ```text block after the paragraph `after`."""
    text = DOC.read_text(encoding="utf-8")
    m = re.search(re.escape(after) + r"\s*```text\n(.*?)```", text, re.S)
    assert m is not None, f"no ```text block after {after!r} in {DOC}"
    return m.group(1).strip("\n").splitlines()


def _todays_batch() -> tuple[object, object]:
    """Training data, and a batch where a pandas int column turned float through a missing
    value, a column goes missing more often, income arrives in thousands instead of units, and
    a country code the training data never had appears."""
    rng = np.random.default_rng(7)
    n_train, n_test = 2000, 500
    clicks = rng.poisson(3.0, n_train).astype(float)
    clicks[rng.choice(n_train, 60, replace=False)] = np.nan  # 3% null in the reference
    train = pd.DataFrame({
        "age": rng.integers(18, 80, n_train),
        "clicks": clicks,
        "income": np.round(rng.lognormal(10.5, 0.6, n_train), 1),
        "country": rng.choice(["DE", "FR", "IT", "NL"], n_train),
    })
    test = pd.DataFrame({
        "age": rng.integers(18, 80, n_test).astype(float),
        "clicks": rng.poisson(3.0, n_test).astype(float),
        "income": np.round(rng.lognormal(10.5, 0.6, n_test), 1) / 1000.0,
        "country": rng.choice(["DE", "FR", "IT", "NL"], n_test),
    })
    test.loc[3, "age"] = np.nan
    test.loc[rng.choice(n_test, 60, replace=False), "clicks"] = np.nan  # 12% null
    test.loc[rng.choice(n_test, 7, replace=False), "country"] = "ES"
    return train, test


def test_quoted_schema_failures_are_the_real_output() -> None:
    train, test = _todays_batch()
    results = Gate(GateContext(nodeid="docs")).integrity(train, test)
    failed = [r for r in results.values() if r.verdict != "passed"]
    printed = [line.removeprefix("  ") for line in format_failures(failed).splitlines()[1:]]
    assert printed == _quoted("Today's batch against the training data's schema:")
    assert not any("e+" in line for line in printed)
