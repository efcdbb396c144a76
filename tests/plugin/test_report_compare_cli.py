"""`modelgate compare` on bad input: one line naming the file and the problem, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_modelgate.cli import main

GOOD_RESULT = {"nodeid": "t.py::a", "kind": "metric", "name": "acc", "value": 0.9,
               "verdict": "passed"}


def _write(path: Path, doc: Any) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema_version": 2, "run": {"seed": 0}, "results": [GOOD_RESULT]}
    doc.update(changes)
    return doc


@pytest.mark.parametrize(("doc", "problem"), [
    (_doc(results=[{k: v for k, v in GOOD_RESULT.items() if k != "kind"}]),
     "results[0]: missing 'kind'"),
    (_doc(results="oops"), "'results' must be a list of result objects, got str"),
    (_doc(results=["oops"]), "results[0] must be an object, got str"),
    (_doc(run=[]), "'run' must be an object, got list"),
    (_doc(schema_version="2"), "schema_version must be an integer, got '2'"),
    (_doc(schema_version=99), "schema_version 99 is newer than this modelgate understands"),
    (_doc(results=[{**GOOD_RESULT, "verdict": "great"}]), "results[0]: verdict must be one of"),
    (_doc(results=[{**GOOD_RESULT, "ci": "oops"}]), "results[0]: 'ci' must be"),
    (_doc(results=[{**GOOD_RESULT, "outcome": 3}]), "results[0]: outcome must be one of"),
    (_doc(run={"seed": 0, "inconclusive": "maybe"}), "run: inconclusive must be"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a modelgate report"),
], ids=["no-kind", "results-str", "result-str", "run-list", "schema-str", "schema-future",
        "bad-verdict", "bad-ci", "bad-outcome", "bad-policy", "not-json", "json-list"])
def test_bad_reports_are_one_line_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: Any, problem: str
) -> None:
    good = _write(tmp_path / "good.json", _doc())
    bad = _write(tmp_path / "bad.json", doc)
    assert main(["compare", str(good), str(bad), "--strict"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err
    assert err.startswith(f"modelgate compare: error: report {bad}: ")
    assert problem in err


def test_unreadable_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: cannot read it (No such file or directory)" in capsys.readouterr().err
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"schema_version": 2, "name": "caf\xe9"}')
    assert main(["compare", str(latin)]) == 2
    assert "latin.json: not UTF-8 text" in capsys.readouterr().err
    assert main(["compare", str(tmp_path)]) == 2
    assert "cannot read it" in capsys.readouterr().err


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path / "good.json", _doc())
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    for target in (tmp_path, blocker / "cmp.md"):
        assert main(["compare", str(good), "-o", str(target)]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err
        assert err.startswith(f"modelgate compare: error: -o {target}: cannot write it")


def test_error_is_exit_2_and_blocking_is_exit_1_from_the_console(tmp_path: Path) -> None:
    failing = _write(tmp_path / "failing.json",
                     _doc(results=[{**GOOD_RESULT, "verdict": "failed"}]))
    bad = _write(tmp_path / "bad.json", _doc(results="oops"))

    def run(*paths: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest_modelgate.cli", "compare",
                               *map(str, paths), "--strict"],
                              capture_output=True, text=True, cwd=tmp_path)

    assert run(failing).returncode == 1
    res = run(failing, bad)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
