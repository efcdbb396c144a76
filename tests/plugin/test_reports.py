"""Reports: JSON schema and metadata, Markdown, HTML, JUnit properties, hooks, compare CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

GATES = '''
import pytest
from pytest_modelgate.results import GateResult, decide


def record(gate, name, value, ci=None, **bounds):
    d = decide(value, ci, **bounds)
    return gate.record(GateResult(
        nodeid="", kind="custom", name=name, value=value, threshold=bounds, ci=ci,
        margin=d.margin, verdict=d.verdict, message=d.reason, details={"note": "x"},
    ))


def test_ok(gate):
    record(gate, "accuracy", VALUE, (VALUE - 0.01, VALUE + 0.01), min=0.9)


def test_latency_budget(gate):
    record(gate, "p95", 0.004, max=0.005)
'''


def _gates(value: float = 0.95) -> str:
    return GATES.replace("VALUE", repr(value))


def test_json_report_schema_and_metadata(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_gates())
    model = pytester.path / "model-v3.skops"
    model.write_bytes(b"not really a model")
    pytester.runpytest("--modelgate", f"--modelgate-model={model}").assert_outcomes(passed=2)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["schema_version"] == 2
    run = report["run"]
    assert run["seed"] == 0
    assert {"python", "pytest", "numpy", "scikit-learn"} <= set(run["versions"])
    meta = run["models"]["model"]
    assert meta["version"] == "model-v3"
    assert meta["sha256"] == __import__("hashlib").sha256(b"not really a model").hexdigest()
    assert report["summary"] == {"total": 2, "passed": 2, "failed": 0, "inconclusive": 0,
                                 "error": 0, "blocking": 0, "waived": 0}
    assert run["inconclusive"] == "fail"
    for res in report["results"]:
        assert {"nodeid", "kind", "name", "value", "threshold", "ci", "passed", "verdict",
                "outcome"} <= set(res)
        assert res["outcome"] == "passed"
        assert res["nodeid"].startswith("test_json_report_schema_and_metadata.py::")
    assert not [p for p in pytester.path.iterdir() if p.name.endswith(".tmp")]


def test_report_is_byte_stable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_gates())
    pytester.runpytest("--modelgate", "--modelgate-report=a.json")
    pytester.runpytest("--modelgate", "--modelgate-report=b.json")
    a = json.loads((pytester.path / "a.json").read_text())
    b = json.loads((pytester.path / "b.json").read_text())
    a["run"].pop("started"), b["run"].pop("started")
    assert a == b


def test_markdown_appends_to_github_step_summary(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(_gates(0.5))
    summary = pytester.path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    pytester.runpytest("--modelgate").assert_outcomes(passed=1, failed=1)
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert "## ❌ Model gates: 1/2 passed" in text
    assert "| test | gate | value | CI | threshold | margin | verdict |" in text
    assert "value 0.5 < min 0.9" in text


def test_markdown_and_html_files(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_gates())
    pytester.runpytest("--modelgate", "--modelgate-markdown=out/gates.md", "--modelgate-html=out/gates.html")
    assert "✅ Model gates: 2/2 passed" in (pytester.path / "out/gates.md").read_text()
    html = (pytester.path / "out/gates.html").read_text()
    assert html.startswith("<!doctype html>")
    assert "custom:accuracy" in html


def test_junit_properties(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makepyfile(_gates())
    pytester.runpytest_subprocess("--modelgate", "--junitxml=junit.xml", *run_args)
    root = ET.parse(pytester.path / "junit.xml").getroot()
    props = [p for p in root.iter("property") if p.get("name") == "modelgate_result"]
    assert len(props) == 2
    names = sorted(json.loads(p.get("value", ""))["name"] for p in props)
    assert names == ["accuracy", "p95"]


def test_result_and_amend_hooks(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makepyfile(_gates())
    pytester.makeconftest(
        """
        import csv

        def pytest_modelgate_result(result, config):
            with open("sink.csv", "a", newline="") as fh:
                csv.writer(fh).writerow([result.nodeid, result.name, result.value, result.verdict])

        def pytest_modelgate_amend_report(report, config):
            report["run"]["commit"] = "abc123"
        """
    )
    pytester.runpytest_subprocess("--modelgate", *run_args).assert_outcomes(passed=2)
    rows = (pytester.path / "sink.csv").read_text().splitlines()
    assert sorted(r.split(",")[1] for r in rows) == ["accuracy", "p95"]
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["run"]["commit"] == "abc123"


def test_compare_cli(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_gates(0.95))
    (pytester.path / "v1.skops").write_bytes(b"1")
    (pytester.path / "v2.skops").write_bytes(b"2")
    pytester.runpytest("--modelgate", "--modelgate-report=r1.json", "--modelgate-model=v1.skops")
    pytester.makepyfile(_gates(0.85))
    pytester.runpytest("--modelgate", "--modelgate-report=r2.json", "--modelgate-model=v2.skops")
    out = subprocess.run(
        [sys.executable, "-m", "pytest_modelgate.cli", "compare", "r1.json", "r2.json", "--markdown"],
        cwd=pytester.path, capture_output=True, text=True, check=True,
    ).stdout
    assert "| test | gate | v1 | v2 |" in out
    assert "| custom:accuracy | 0.95 ✓ | 0.85 ✗ |" in out
    assert "| total | 2/2 passed | 1/2 passed, 1 blocking |" in out
    bad = subprocess.run(
        [sys.executable, "-m", "pytest_modelgate.cli", "compare", "missing.json"],
        cwd=pytester.path, capture_output=True, text=True,
    )
    assert bad.returncode == 2
    assert "missing.json: cannot read it" in bad.stderr
