"""Progress of long gates: the throttle (fake clock) and real pytest runs where a registered drift
test makes every column "take" half a second of a fake clock (no real sleeps)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import pytest_modelgate.drift  # noqa: F401  loaded before the in-process runs, which register into it
from pytest_modelgate.gates import GateContext, _progress


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_progress, "_now", fake)
    return fake


def test_throttle_is_silent_for_fast_loops(clock: FakeClock) -> None:
    lines: list[tuple[str, bool]] = []
    tick = _progress.Throttle("drift", "columns", lambda text, final: lines.append((text, final)))
    for i in range(1, 11):
        clock.t += 0.19
        tick(i, 10)
    assert lines == []


def test_throttle_starts_after_two_seconds_then_every_interval(clock: FakeClock) -> None:
    lines: list[tuple[str, bool]] = []
    tick = _progress.Throttle("drift", "columns", lambda text, final: lines.append((text, final)),
                              every=3.0)
    for i in range(1, 21):
        clock.t += 0.5
        tick(i, 20)
    assert lines == [("drift: 4/20 columns (2 s)", False), ("drift: 10/20 columns (5 s)", False),
                     ("drift: 16/20 columns (8 s)", False), ("drift: 20/20 columns (10 s)", True)]


def test_context_without_writer_gives_no_callback() -> None:
    assert GateContext().progress("drift", "columns") is None
    seen: list[str] = []
    ctx = GateContext(progress_writer=lambda text, final: seen.append(text))
    assert isinstance(ctx.progress("drift", "columns"), _progress.Throttle)


CONFTEST = '''
import numpy as np
import pytest

from pytest_modelgate.gates import _progress


class Clock:
    t = 0.0


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch):
    Clock.t = 0.0
    monkeypatch.setattr(_progress, "_now", lambda: Clock.t)


def pytest_modelgate_register_drift_tests(register):
    def slow_mean(reference, current):
        Clock.t += 0.5  # every column "takes" half a second
        return abs(float(np.mean(current)) - float(np.mean(reference)))
    register("slow_mean", slow_mean, p_value=False, threshold=10.0)
'''

SUITE = '''
import numpy as np

rng = np.random.default_rng(0)
ref, cur = rng.normal(size=(100, 50)), rng.normal(size=(100, 50))


def test_slow(gate):
    gate.drift(ref, cur, method="slow_mean", n_jobs=1)


def test_fast(gate):  # 3 columns: 1.5 s, under the 2 s after which progress shows
    gate.drift(ref[:, :3], cur[:, :3], method="slow_mean", n_jobs=1)
'''


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_gates=SUITE)
    return pytester


def test_progress_is_shown_for_a_slow_gate(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--modelgate", "-k", "slow")
    result.assert_outcomes(passed=1)
    # 50 columns at 0.5 s: first line after 2 s, then every 10 s in a log, then the last count
    result.stdout.fnmatch_lines([
        "modelgate: drift: 4/50 columns (2 s)",
        "modelgate: drift: 24/50 columns (12 s)",
        "modelgate: drift: 44/50 columns (22 s)",
        "modelgate: drift: 50/50 columns (25 s)",
    ])
    assert "Captured stdout" not in result.stdout.str()


def test_no_progress_for_fast_gates(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--modelgate", "-k", "fast")
    result.assert_outcomes(passed=1)
    assert "modelgate: drift:" not in result.stdout.str()


def test_no_progress_with_quiet(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--modelgate", "-q")
    result.assert_outcomes(passed=2)
    assert "modelgate: drift:" not in result.stdout.str()


def test_progress_with_capture_off(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--modelgate", "-s", "-k", "slow")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["modelgate: drift: 50/50 columns (25 s)"])


def test_no_progress_from_xdist_workers(suite: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    result = suite.runpytest_subprocess("--modelgate", "-n", "2")
    result.assert_outcomes(passed=2)
    assert "modelgate: drift:" not in result.stdout.str()


class FakeReporter:
    def __init__(self, isatty: bool) -> None:
        self.isatty = isatty
        self.out: list[str] = []

    def write_line(self, line: str) -> None:
        self.out.append(f"{line}\n")

    def ensure_newline(self) -> None:
        self.out.append("<newline?>")

    def rewrite(self, line: str, erase: bool = False) -> None:
        self.out.append(f"\r{line}")

    def write(self, text: str, **markup: bool) -> None:
        self.out.append(text)


class FakeConfig:
    def __init__(self, reporter: FakeReporter) -> None:
        self.reporter = reporter
        self.pluginmanager = self

    def get_plugin(self, name: str) -> object:
        return self.reporter if name == "terminalreporter" else None


@pytest.mark.parametrize("isatty", [True, False])
def test_terminal_writer_rewrites_in_place_on_a_terminal(isatty: bool) -> None:
    from pytest_modelgate._terminal_progress import TerminalProgress

    reporter = FakeReporter(isatty)
    writer = TerminalProgress(FakeConfig(reporter))
    writer("drift: 1/2 columns (2 s)", False)
    writer("drift: 2/2 columns (3 s)", True)
    if isatty:
        assert writer.every == 0.5
        # below pytest's line, rewritten in place, erased, back to column 1 of pytest's line
        assert reporter.out == ["\n", "\rmodelgate: drift: 1/2 columns (2 s)",
                                "\rmodelgate: drift: 2/2 columns (3 s)", "\r\x1b[K\x1b[A\x1b[1G"]
    else:
        assert writer.every == 10.0
        assert reporter.out == ["modelgate: drift: 1/2 columns (2 s)\n",
                                "modelgate: drift: 2/2 columns (3 s)\n"]


# -- engines call progress(done, total): the last call is (total, total) ---------------------


def _ticks() -> tuple[list[tuple[int, int]], Callable[[int, int], None]]:
    seen: list[tuple[int, int]] = []
    return seen, lambda done, total: seen.append((done, total))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_drift_reports_every_column(n_jobs: int) -> None:
    import numpy as np

    from pytest_modelgate.drift import detect

    rng = np.random.default_rng(0)
    seen, tick = _ticks()
    detect(rng.normal(size=(200, 6)), rng.normal(size=(200, 6)), n_jobs=n_jobs,
           progress=tick)
    assert seen == [(i, 6) for i in range(1, 7)]


def test_metric_bootstrap_reports_resamples() -> None:
    import numpy as np

    from pytest_modelgate import metrics

    rng = np.random.default_rng(0)
    y, score = rng.integers(0, 2, 200), rng.random(200)
    seen, tick = _ticks()
    r = metrics.evaluate("average_precision", y, score, confidence=0.9, n_resamples=30,
                         progress=tick)
    assert r.method == "bootstrap"
    assert seen == [(i, 30) for i in range(1, 31)]


def test_robustness_search_reports_examples() -> None:
    import numpy as np

    from pytest_modelgate.security.robustness import search_counterexample

    class Model:
        def predict(self, X: object) -> object:
            return (np.asarray(X)[:, 0] > 0).astype(int)

    X = np.random.default_rng(0).normal(size=(50, 2))
    seen, tick = _ticks()
    search_counterexample(Model(), X, prop="invariance", irrelevant=[1], n_examples=20,
                          progress=tick)
    assert seen[-1] == (20, 20)
    assert all(done < 20 for done, _ in seen[:-1])


def test_latency_session_reports_samples() -> None:
    from pytest_modelgate.latency._harness import Session

    session = Session([(sum, ([1, 2, 3],), {})], warmup=1, warmup_time=0.0, max_time=0.2)
    seen, tick = _ticks()
    session.progress = tick
    session.run(200, 0.0, 0.2)
    assert seen[-1] == (session.samples, session.samples)
    assert all(done < total == 200 for done, total in seen[:-1])


# -- review2 #12a: on a terminal the progress line is cleared and pytest's line restored ------

TTY_CONFTEST = CONFTEST + '''

class Yes:  # pytest's reporter.isatty is a bool that can also be called
    def __bool__(self):
        return True

    def __call__(self):
        return True


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    config.pluginmanager.get_plugin("terminalreporter").isatty = Yes()  # a terminal: in place
'''


def _screen(raw: str) -> list[str]:
    """What a terminal shows for `raw`: \\r, \\n, cursor up (ESC[A), column (ESC[nG) and
    erase to the end of the line (ESC[K); other escape sequences (colours) are dropped."""
    rows: list[list[str]] = [[]]
    row = col = 0
    i = 0
    while i < len(raw):
        m = re.match(r"\x1b\[(\d*)([A-Za-z])", raw[i:])
        if m:
            n, code = int(m.group(1) or 1), m.group(2)
            if code == "A":
                row = max(0, row - n)
            elif code == "G":
                col = n - 1
            elif code == "K":
                del rows[row][col:]
            i += m.end()
            continue
        ch = raw[i]
        i += 1
        if ch == "\r":
            col = 0
        elif ch == "\n":
            row += 1
            col = 0
            if row == len(rows):
                rows.append([])
        else:
            line = rows[row]
            line.extend(" " * (col - len(line)))
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    return ["".join(r).rstrip() for r in rows]


def test_progress_on_a_terminal_leaves_the_file_line_intact(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(TTY_CONFTEST)
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest_subprocess("--modelgate", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    raw = (pytester.path / "stdout").read_bytes().decode()  # with its \r (outlines split them)
    screen = _screen(raw)
    assert [line for line in screen if line.startswith("test_gates.py ")] == \
        [f"{'test_gates.py ..':<73}[100%]"]  # as pytest lays it out without progress
    assert not [line for line in screen if "modelgate: drift" in line]
    assert "modelgate: drift: 4/50 columns (2 s)" in result.stdout.str()  # it was shown
