"""The code in docs/hooks.md runs as written: each ```python block is a conftest.py of a real
pytest run (the webhook example posts to a local HTTP server)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).parents[2] / "docs" / "hooks.md"

GATES = '''
from pytest_modelgate.results import GateResult, decide


def record(gate, name, value, **bounds):
    d = decide(value, None, **bounds)
    return gate.record(GateResult(nodeid="", kind="custom", name=name, value=value,
                                  threshold=bounds, margin=d.margin, verdict=d.verdict,
                                  message=d.reason))


def test_ok(gate):
    record(gate, "accuracy", 0.95, min=0.9)


def test_too_slow(gate):
    record(gate, "p95", 0.008, max=0.005)
'''


def _blocks() -> dict[str, str]:
    """The ```python blocks of docs/hooks.md, by the heading above each."""
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"^## (.+?)\n.*?```python\n(.*?)```", text, re.S | re.M):
        out[m.group(1)] = m.group(2)
    return out


def _block(word: str) -> str:
    found = [code for title, code in _blocks().items() if word in title]
    assert len(found) == 1, sorted(_blocks())
    return found[0]


def test_every_example_is_run_here() -> None:
    assert sorted(_blocks()) == sorted([
        "A result sink: post the gates that did not pass to a chat webhook",
        "A result sink: CSV"])


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP endpoint that records every JSON body posted to it."""
    posted: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posted.append({"type": self.headers["Content-Type"], "json": json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", posted
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_example_posts_the_gates_that_did_not_pass(
        pytester: pytest.Pytester, run_args: list[str],
        webhook: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, posted = webhook
    pytester.makeconftest(_block("webhook"))
    pytester.makepyfile(GATES)
    monkeypatch.setenv("MODELGATE_WEBHOOK_URL", url)
    pytester.runpytest_subprocess("--modelgate", *run_args).assert_outcomes(passed=1, failed=1)
    assert len(posted) == 1, posted
    assert posted[0]["type"] == "application/json"
    text = posted[0]["json"]["text"]
    assert text.startswith("1 model gate(s) did not pass:\n")
    assert "FAILED custom:p95 in test_webhook_example_posts_the_gates_that_did_not_pass.py::" \
           "test_too_slow: value 0.008 > max 0.005" in text
    assert "accuracy" not in text


def test_webhook_example_outage_and_all_passed(pytester: pytest.Pytester,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeconftest(_block("webhook"))
    pytester.makepyfile(GATES)
    monkeypatch.setenv("MODELGATE_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens-here")
    result = pytester.runpytest_subprocess("--modelgate")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*modelgate webhook: could not post to http://127.0.0.1:9/*"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    monkeypatch.delenv("MODELGATE_WEBHOOK_URL")
    pytester.runpytest_subprocess("--modelgate").assert_outcomes(passed=1, failed=1)


def test_csv_example_writes_one_row_per_gate(pytester: pytest.Pytester,
                                             run_args: list[str]) -> None:
    pytester.makeconftest(_block("CSV"))
    pytester.makepyfile(GATES)
    pytester.runpytest_subprocess("--modelgate", *run_args).assert_outcomes(passed=1, failed=1)
    rows = (pytester.path / "gate-results.csv").read_text().splitlines()
    assert sorted(r.split(",")[2] + ":" + r.split(",")[4] for r in rows) == [
        "accuracy:passed", "p95:failed"]
