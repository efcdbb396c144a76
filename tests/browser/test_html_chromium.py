"""The HTML report in a real headless Chromium: it loads without console errors, every chart
renders with a size and its marks, and load + screenshot take under 2 s.

Chromium is driven through the DevTools protocol over `--remote-debugging-pipe` (fd 3/4, JSON
messages ending in NUL), stdlib only: no driver package, no network. `.ci/run` installs
Debian's `chromium`; without it these tests skip and say so.

Run as a script to take the docs screenshot:
`python tests/browser/test_html_chromium.py REPORT.json OUT.png [HEIGHT [CSS_SELECTOR]]`
(the shot starts at the top of the first element the selector matches, else the page's top).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--remote-debugging-pipe", "--hide-scrollbars")
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """`$CHROMIUM`, else Debian's /usr/bin/chromium or another Chromium on PATH."""
    env = os.environ.get("CHROMIUM")
    if env:
        return shutil.which(env) or env
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """A headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, width: int = 1200, height: int = 900) -> None:
        self._profile = tempfile.mkdtemp(prefix="modelgate-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()

        def child_fds() -> None:  # the protocol's fixed descriptors: commands 3, replies 4
            a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 100)
            b = fcntl.fcntl(res_w, fcntl.F_DUPFD, 100)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_ARGS, f"--user-data-dir={self._profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=child_fds)
        os.close(cmd_r)
        os.close(res_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(domain, session=True)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1, "mobile": False},
                  session=True)

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._res_r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._res_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)  # type: ignore[no-any-return]

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False,
             timeout: float = 20.0) -> dict[str, Any]:
        """Call `method` and return its result; events that arrive meanwhile are kept."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 20.0) -> dict[str, Any]:
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while True:
            ev = self._read(timeout)
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def open(self, path: Path) -> None:
        """Navigate to the file and wait for its load event (events of earlier pages dropped)."""
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                        session=True)
        return res["result"].get("value")

    def screenshot(self, height: int | None = None, fmt: str = "png", top: float = 0.0) -> bytes:
        """The page as PNG (or JPEG), the full length or `height` CSS pixels from `top`."""
        size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
        top = min(max(top, 0.0), size["height"] - 1)
        clip = {"x": 0, "y": top, "width": size["width"],
                "height": min(size["height"] - top, height or size["height"]), "scale": 1}
        params: dict[str, Any] = {"format": fmt, "clip": clip, "captureBeyondViewport": True}
        if fmt == "jpeg":
            params["quality"] = 80
        data = self.send("Page.captureScreenshot", params, session=True)
        return base64.b64decode(data["data"])

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen so far."""
        out = []
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(f"console.{p['type']}: {p.get('args')}")
            elif m == "Runtime.exceptionThrown":
                out.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._res_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)


# Every chart: its size and how many marks (lines, paths, rects, circles) it has.
CHART_STATS = """JSON.stringify(Array.from(document.querySelectorAll('svg')).map(s => {
  const r = s.getBoundingClientRect();
  return {w: r.width, h: r.height, marks: s.querySelectorAll('path,rect,circle,line').length,
          cls: s.getAttribute('class') || '', title: (s.querySelector('title') || {}).textContent};
}))"""


# Every table of the newer gates' views: its caption, body rows and laid-out size.
TABLE_STATS = """JSON.stringify(Array.from(document.querySelectorAll('table.checks')).map(t => {
  const r = t.getBoundingClientRect();
  return {caption: t.caption ? t.caption.textContent : '', rows: t.tBodies[0].rows.length,
          w: r.width, h: r.height};
}))"""
# Drawn dots (with a size on screen) of the fairness groups chart and the seed strip.
DOTS = """JSON.stringify(Object.fromEntries(['groups', 'strip'].map(k => [k,
  Array.from(document.querySelectorAll('svg.' + k + ' circle'))
    .filter(c => c.getBoundingClientRect().width > 4).length])))"""


def _report() -> dict[str, Any]:
    """A report with every chart kind, built by real gates (metric with slices and confusion
    matrix, drift with distributions, latency with several budgets; failing integrity,
    determinism, fairness and seed-variance gates) plus a hand-made calibration result in the
    shape the calibration gate stores."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
    from report_fixtures import sample_report  # type: ignore[import-not-found]

    return sample_report(new_gates=True)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def chromium() -> Any:
    exe = find_chromium()
    if exe is not None and not os.access(exe, os.X_OK):
        pytest.fail(f"$CHROMIUM={exe} is not an executable file; unset it or fix the path")
    if exe is None:
        pytest.skip("Chromium not installed: apt-get install -y --no-install-recommends "
                    "chromium (what .ci/run does), or set $CHROMIUM to a Chromium binary")
    browser = Chromium(exe)
    yield browser
    browser.close()


def test_report_renders_in_chromium(chromium: Chromium, tmp_path: Path) -> None:
    from pytest_modelgate.report import render_html_document

    page = tmp_path / "report.html"
    page.write_text(render_html_document(_report()), encoding="utf-8")
    times = []
    for _ in range(2):  # the better of two: a wall-clock bound on a shared CI machine
        start = time.perf_counter()
        chromium.open(page)
        shot = chromium.screenshot(fmt="jpeg")  # the whole page, not only the viewport
        times.append(time.perf_counter() - start)
        assert chromium.errors() == []
    assert shot.startswith(b"\xff\xd8")
    assert len(shot) > 10_000
    charts = json.loads(chromium.evaluate(CHART_STATS))
    kinds = {c["cls"].split()[-1] for c in charts}
    assert {"forest", "bars", "dist", "ecdf", "confusion", "reliability", "spark", "groups",
            "strip"} <= kinds, kinds
    empty = [c["title"] for c in charts if not (c["w"] > 20 and c["h"] > 20 and c["marks"] >= 3)]
    assert empty == []
    # the newer gates' views: integrity's check table (9 checks, each with its bar), the
    # determinism table (4 checks), one dot per group and per seed, all laid out and visible
    tables = json.loads(chromium.evaluate(TABLE_STATS))
    assert [t["rows"] for t in tables if t["caption"].startswith("the 9 checks")] == [9]
    assert any(t["caption"].startswith("predict() consistency checks") and t["rows"] == 4
               for t in tables)
    assert all(t["w"] > 200 and t["h"] > 40 for t in tables), tables
    dots = json.loads(chromium.evaluate(DOTS))
    assert dots == {"groups": 3, "strip": 6}, dots
    assert chromium.evaluate("document.querySelectorAll('article.card').length") == \
        len(_report()["results"])
    assert min(times) < 2.0, f"load + full-page screenshot took {times} s"


def test_hostile_names_do_not_run_in_chromium(chromium: Chromium, tmp_path: Path) -> None:
    """A gate name with a script tag stays text: no script runs, no element is injected."""
    from pytest_modelgate.report import render_html_document

    rep = _report()
    evil = "<script>console.error('xss')</script><img src=x onerror=console.error(1)>"
    rep["results"][0]["name"] = evil
    rep["results"][0]["message"] = evil
    page = tmp_path / "evil.html"
    page.write_text(render_html_document(rep), encoding="utf-8")
    chromium.events.clear()
    chromium.open(page)
    assert chromium.errors() == []
    assert chromium.evaluate("document.querySelectorAll('script,img').length") == 0
    assert evil in chromium.evaluate("document.body.innerText")


def main(argv: list[str]) -> int:
    """Screenshot a JSON report's HTML (the docs image) and print size and render time."""
    from pytest_modelgate.report import load_report, render_html_document

    exe = find_chromium()
    if exe is None:
        print("no chromium found", file=sys.stderr)
        return 2
    html = render_html_document(load_report(argv[0]))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        browser = Chromium(exe, width=1200)
        try:
            start = time.perf_counter()
            browser.open(page)
            full = browser.screenshot()
            elapsed = time.perf_counter() - start
            top = 0.0
            if len(argv) > 3:
                top = browser.evaluate(f"(e => e ? e.getBoundingClientRect().top + scrollY : 0)"
                                       f"(document.querySelector({json.dumps(argv[3])}))")
            Path(argv[1]).write_bytes(browser.screenshot(int(argv[2]) if len(argv) > 2 else None,
                                                         top=float(top or 0.0)))
            errors = browser.errors()
        finally:
            browser.close()
    print(f"html {len(html.encode())} bytes; load + full screenshot {elapsed:.3f}s "
          f"({len(full)} bytes png); console errors: {errors or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
