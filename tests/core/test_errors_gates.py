"""Bad input inside a gate: one clean message naming the argument, never a traceback of internals."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.gates import Gate

BAD_INPUT_SUITE = '''
import numpy as np


def test_nan_labels(gate):
    y = np.array([0.0, 1.0, np.nan, 1.0] * 10)
    gate.metric("accuracy", y, np.ones(40), min=0.5)


def test_bad_resamples(gate):
    y = np.array([0, 1] * 20)
    gate.metric("accuracy", y, y, min=0.5, confidence=0.95, n_resamples="many")
'''


def _failure_block(lines: list[str], test: str) -> list[str]:
    """The lines pytest prints for one failed test: after its `___ test ___` header, up to the
    next header or section separator."""
    start = next(i for i, line in enumerate(lines) if re.match(rf"^_+ {test} _+$", line))
    out = []
    for line in lines[start + 1:]:
        if re.match(r"^(_{3,}|={3,}) ", line):
            break
        out.append(line)
    return out


def test_input_error_in_a_gate_is_one_short_message(pytester: pytest.Pytester,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "240")
    pytester.makepyfile(BAD_INPUT_SUITE)
    result = pytester.runpytest("--modelgate", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    out = result.stdout.lines
    assert not any("INTERNALERROR" in line for line in out)
    block = _failure_block(out, "test_nan_labels")
    text = "\n".join(block)
    assert "y_true: contains NaN in 10 row(s) (first at row 2)" in text
    assert len(block) < 8, text
    assert "pytest_modelgate/" not in text  # no frames of the plugin's internals
    # the user's own line that called the gate
    assert "test_input_error_in_a_gate_is_one_short_message.py:6: in test_nan_labels" in text
    block = _failure_block(out, "test_bad_resamples")
    text = "\n".join(block)
    assert "gate.metric: n_resamples must be an integer in [10, 1000000]; got 'many'" in text
    assert len(block) < 8, text
    # the short summary names the error too
    result.stdout.fnmatch_lines(["FAILED *test_nan_labels* - *InputError: y_true: contains NaN*"])


def test_full_trace_still_available(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BAD_INPUT_SUITE)
    result = pytester.runpytest("--modelgate", "-p", "no:cacheprovider", "--tb=long",
                                "-k", "nan_labels")
    result.assert_outcomes(failed=1)
    assert "_inputs.py" in result.stdout.str()


@pytest.mark.parametrize("bad", ["many", 2.7, 0, -5, True])
@pytest.mark.parametrize("kind", ["metric", "compare"])
def test_n_resamples_must_be_an_integer(kind: str, bad: object) -> None:
    y = np.array([0, 1] * 20)
    gate = Gate()
    run = (lambda: gate.metric("accuracy", y, y, min=0.5, confidence=0.95, n_resamples=bad)) \
        if kind == "metric" else (lambda: gate.compare("accuracy", y, y, y, n_resamples=bad))
    with pytest.raises(ConfigError, match=re.escape(
            f"gate.{kind}: n_resamples must be an integer in [10, 1000000]; got {bad!r}")):
        run()


def test_classifier_drift_on_three_rows_is_an_input_error() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match=r"classifier drift needs at least 5 rows .* got 3 "
                                         r"reference and 3 current"):
        Gate().drift(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), method="classifier")


def test_classifier_drift_with_an_all_nan_column_names_it() -> None:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=200), "empty": [None] * 200})
    cur = pd.DataFrame({"x": rng.normal(size=200), "empty": [np.nan] * 200})
    with pytest.raises(InputError, match=r"column 'empty' has no values in reference or "
                                         r"current"):
        Gate().drift(ref, cur, method="classifier")


@pytest.mark.parametrize("where", ["y_true", "y_pred"])
@pytest.mark.parametrize("dtype", ["object", "string", "Int64"])
def test_pd_na_labels_name_the_row(where: str, dtype: str) -> None:
    pd = pytest.importorskip("pandas")
    labels = ["a", "b", pd.NA, "a"] if dtype != "Int64" else [0, 1, pd.NA, 0]
    bad = pd.Series(labels, dtype=dtype, index=[10, 11, 12, 13])
    good = pd.Series(["a", "b", "b", "a"] if dtype != "Int64" else [0, 1, 1, 0])
    y_true, y_pred = (bad, good) if where == "y_true" else (good, bad)
    with pytest.raises(InputError, match=re.escape(f"{where}: contains") + r" .* in 1 "
                       r"row\(s\) \(first at row 2, index 12\)"):
        Gate().metric("accuracy", y_true, y_pred, min=0.5)


@pytest.mark.parametrize("name", ["acc ", " acc", "acc\t", "", "  "])
def test_gate_names_with_surrounding_whitespace_are_refused(name: str) -> None:
    """Review C1: name="acc" and name="acc " were two gates that print identically."""
    y = np.array([0, 1] * 20)
    recorded: list[object] = []
    gate = Gate(sink=recorded.append)
    with pytest.raises(ConfigError, match=r"name.*(leading or trailing|non-empty)"):
        gate.metric("accuracy", y, y, min=0.5, name=name)
    with pytest.raises(ConfigError, match=r"name.*(leading or trailing|non-empty)"):
        gate.compare("accuracy", y, y, y, name=name)
    with pytest.raises(ConfigError, match=r"name.*(leading or trailing|non-empty)"):
        gate.drift(np.zeros((20, 1)), np.zeros((20, 1)), name=name)
    assert recorded == []
    gate.metric("accuracy", y, y, min=0.5, name="acc")  # a clean name is fine
