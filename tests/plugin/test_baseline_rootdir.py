"""Where the baseline lives and which test an entry belongs to must not depend on the working
directory or on paths given to other options; a baseline that exists but misses a gate's entry is
said loudly (and fails under --modelgate-strict-baseline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TEST = '''
import numpy as np

rng = np.random.default_rng(0)
y_true = rng.integers(0, 2, 2000)
flip = rng.random(2000)

def test_model(gate):
    gate.metric("accuracy", y_true, np.where(flip < ACC, y_true, 1 - y_true), min=0.5,
                max_drop=0.02)
'''


def _verdict(report: Path) -> tuple[str, str]:
    result = json.loads(report.read_text())["results"][0]
    return result["verdict"], result["message"]


def test_an_outside_model_path_does_not_move_the_stored_node_ids(
        pytester: pytest.Pytester) -> None:
    pytester.mkpydir("tests")
    (pytester.path / "tests/test_m.py").write_text(TEST.replace("ACC", "0.95"))
    outside = pytester.path.parent / f"{pytester.path.name}-model.bin"
    outside.write_bytes(b"weights")
    pytester.runpytest("--modelgate", "--modelgate-update-baseline").assert_outcomes(passed=1)
    stored = json.loads((pytester.path / ".modelgate/baseline.json").read_text())["gates"]
    assert list(stored) == ["tests/test_m.py::test_model"]

    (pytester.path / "tests/test_m.py").write_text(TEST.replace("ACC", "0.6"))
    # "--modelgate-model PATH" (two words): pytest counts PATH when it picks the rootdir
    result = pytester.runpytest("--modelgate", "--modelgate-model", str(outside),
                                "--modelgate-report", "modelgate-report.json")
    result.assert_outcomes(failed=1)
    verdict, message = _verdict(pytester.path / "modelgate-report.json")
    assert verdict == "failed"
    assert "baseline 0.95" in message
    # the same with a test path on the command line
    result = pytester.runpytest("--modelgate", "tests/test_m.py", "--modelgate-model",
                                str(outside))
    result.assert_outcomes(failed=1)
    assert _verdict(pytester.path / "modelgate-report.json")[0] == "failed"


def test_relative_baseline_path_is_resolved_against_the_rootdir(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\n")
    pytester.mkpydir("tests")
    (pytester.path / "tests/test_m.py").write_text(TEST.replace("ACC", "0.95"))
    pytester.runpytest("--modelgate", "--modelgate-update-baseline").assert_outcomes(passed=1)
    assert (pytester.path / ".modelgate/baseline.json").is_file()

    (pytester.path / "tests/test_m.py").write_text(TEST.replace("ACC", "0.6"))
    monkeypatch.chdir(pytester.path / "tests")  # run from a subdirectory
    result = pytester.runpytest("--modelgate", f"--modelgate-report={pytester.path}/r.json")
    result.assert_outcomes(failed=1)
    assert _verdict(pytester.path / "r.json")[0] == "failed"
    assert not (pytester.path / "tests/.modelgate").exists()


def test_existing_baseline_without_the_entry_warns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_m=TEST.replace("ACC", "0.95"))
    (pytester.path / ".modelgate").mkdir()
    (pytester.path / ".modelgate/baseline.json").write_text(json.dumps(
        {"schema_version": 1, "gates": {"test_other.py::test_x": {
            "accuracy": {"kind": "metric", "value": 0.9}}}}))
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*BaselineWarning*no entry for metric 'accuracy' of test_m.py::test_model*"])
    verdict, message = _verdict(pytester.path / "modelgate-report.json")
    assert verdict == "passed"
    assert "has no entry for metric 'accuracy' of test_m.py::test_model: max_drop was not checked" in message


@pytest.mark.parametrize("how", ["cli", "env", "ini"])
def test_strict_baseline_fails_a_gate_without_an_entry(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    pytester.makepyfile(test_m=TEST.replace("ACC", "0.95"))
    args = ["--modelgate"]
    if how == "cli":
        args.append("--modelgate-strict-baseline")
    elif how == "env":
        monkeypatch.setenv("MODELGATE_STRICT_BASELINE", "1")
    else:
        pytester.makeini("[pytest]\nmodelgate_strict_baseline = true\n")
    # no baseline file at all: strict mode still wants one
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*strict*no stored baseline*metric 'accuracy'*"])
    # updating the baseline stores the missing entry instead of failing on it
    pytester.runpytest(*args, "--modelgate-update-baseline").assert_outcomes(passed=1)
    pytester.runpytest(*args).assert_outcomes(passed=1)
