"""Issue #10 item 2: the scan's memory is bounded by a constant whatever the file. Streaming
decompression already was; the pickle walker's value tracking must be too: a gzipped pickle of
~1.5M distinct short strings (a big vocabulary) used to peak at ~270 MiB. Measured in a fresh
interpreter (peak RSS delta around the scan)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Peak RSS of this process image: VmHWM (ru_maxrss would include the parent's peak, which Linux
# carries across exec, so a big pytest process would hide the scan's own memory).
_MEASURE = r"""
import gc, gzip, json, pickle, sys, time
from pytest_modelgate.security import scan, scan_bytes

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

path = sys.argv[1]
scan_bytes(pickle.dumps({"warm": [1.0]}))  # lazy imports are not the scan's memory
before = hwm()
t = time.perf_counter()
result = scan(path)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "peak_delta_mib": hwm() - before, "safe": result.safe,
                  "findings": [f.describe() for f in result.findings]}))
"""

_MAKE = r"""
import gzip, pickle, sys
protocol = int(sys.argv[2])
words = [f"w{i:x}" for i in range(1_500_000)]
data = pickle.dumps({"vocabulary_": dict.fromkeys(words[:4], 1), "tokens": words,
                     "more": [words[0], words[-1]]}, protocol=protocol)
open(sys.argv[1], "wb").write(gzip.compress(data, 1))
"""


def _run(script: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")
@pytest.mark.parametrize("protocol", [2, 4])
def test_a_pickle_of_many_distinct_strings_scans_in_bounded_memory(tmp_path: Path,
                                                                   protocol: int) -> None:
    """1.5M distinct memoized strings (BINPUT/LONG_BINPUT in protocol 2, MEMOIZE in 4), each
    fetched again later; the walker keeps only a bounded memo of what a check can consume."""
    path = tmp_path / "vocab.pkl.gz"
    _run(_MAKE, str(path), str(protocol))
    out = json.loads(_run(_MEASURE, str(path)))
    assert out["safe"], out["findings"]
    assert out["peak_delta_mib"] < 64, out


# -- the bounded memo keeps every check exact (small caps make the bounds bite quickly) ------

import io  # noqa: E402
import pickle  # noqa: E402
import struct  # noqa: E402

from pytest_modelgate.security import pickle_walk, scan_bytes  # noqa: E402

MEMOIZE, BINPUT, LONG_BINPUT = b"\x94", b"q", b"r"
BINGET, LONG_BINGET, POP = b"h", b"j", b"0"


def su(x: str) -> bytes:
    return b"\x8c" + bytes([len(x)]) + x.encode()


@pytest.fixture
def tiny_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_walk, "MEMO_KEEP", 4)
    monkeypatch.setattr(pickle_walk, "MEMO_PIN", 32)


def _filler(n: int, put: bytes = MEMOIZE) -> bytes:
    out = b""
    for i in range(n):
        arg = b"" if put == MEMOIZE else (bytes([i]) if put == BINPUT else struct.pack("<I", i))
        out += su(f"filler{i}") + put + arg + POP
    return out


@pytest.mark.parametrize("put", [MEMOIZE, BINPUT, LONG_BINPUT])
def test_memoized_stack_global_strings_beyond_the_kept_memo_are_still_caught(
        tiny_memo: None, put: bytes) -> None:
    """os/system memoized after the kept pools are full, fetched much later: UNSAFE."""
    n = 20

    def store(i: int, text: str) -> bytes:
        arg = b"" if put == MEMOIZE else (bytes([i]) if put == BINPUT else struct.pack("<I", i))
        return su(text) + put + arg + POP

    body = _filler(n, put) + store(n, "posix") + store(n + 1, "system") + _filler(3, put)[:0]
    body += su("x") + (MEMOIZE if put == MEMOIZE else put + (bytes([n + 2]) if put == BINPUT
                                                                   else struct.pack("<I", n + 2)))
    body += POP + BINGET + bytes([n]) + BINGET + bytes([n + 1]) + b"\x93" + su("id") + b"\x85R."
    r = scan_bytes(b"\x80\x04" + body)
    assert not r.safe
    assert {f.technique for f in r.findings} & {"computed-global", "denied-global"}, \
        [f.describe() for f in r.findings]


def test_a_memo_overwrite_never_leaves_a_stale_kept_value(tiny_memo: None) -> None:
    """Key 0 holds 'collections' (kept), then is overwritten with a string the memo does not
    keep: fetching it must not resolve to the stale 'collections'."""
    long_os = "os" + " " * 200  # too long to keep
    body = su("collections") + BINPUT + b"\x00" + POP
    body += b"X" + struct.pack("<I", len(long_os)) + long_os.encode() + BINPUT + b"\x00" + POP
    body += BINGET + b"\x00" + su("OrderedDict") + b"\x93" + b")R."
    r = scan_bytes(b"\x80\x04" + body)
    assert not r.safe
    assert not any(g.startswith("collections:") for g, _ in r.globals)


def test_a_fetched_stack_global_module_is_pinned_for_the_next_global(tiny_memo: None) -> None:
    """The pickler memoizes a module name once and fetches it for the next class of the same
    module: resolved exactly (SAFE) even when the kept pools are full."""
    data = pickle.dumps([f"w{i}" for i in range(50)] + [
        __import__("collections").OrderedDict(a=1), __import__("collections").Counter("ab")],
        protocol=4)
    r = scan_bytes(data)
    assert r.safe, [f.describe() for f in r.findings]


def test_real_models_after_a_big_vocabulary_stay_safe(tiny_memo: None) -> None:
    """Arrays (joblib wrappers, dtypes, structured dtypes), a fitted pipeline and stdlib
    containers pickled after more strings than the memo keeps: no false positive."""
    import collections

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    joblib = pytest.importorskip("joblib")
    X = np.random.default_rng(0).normal(size=(20, 3))
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, (X[:, 0] > 0))
    obj = {"vocab": [f"w{i}" for i in range(200)], "a": np.arange(3), "b": np.ones((2, 2), "f4"),
           "pipe": pipe, "od": collections.OrderedDict(a=1), "dd": collections.defaultdict(list),
           "rec": np.zeros(2, dtype=[("x", "f8"), ("y", "i4")]), "c": np.arange(4.0)}
    for protocol in (2, 4, 5):
        r = scan_bytes(pickle.dumps(obj, protocol=protocol))
        assert r.safe, (protocol, [f.describe() for f in r.findings])
    for compress in (0, 3):
        buf = io.BytesIO()
        joblib.dump(obj, buf, compress=compress)
        r = scan_bytes(buf.getvalue())
        assert r.safe, (compress, [f.describe() for f in r.findings])


def test_too_many_memoized_globals_fail_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Globals are always kept (BUILD on a memoized class is a gadget): beyond the bound the
    stream is a resource bomb, never silently forgotten."""
    monkeypatch.setattr(pickle_walk, "MEMO_GLOBALS", 4)
    body = b"".join(b"ccollections\nOrderedDict\n" + MEMOIZE + POP for _ in range(6))
    r = scan_bytes(b"\x80\x04" + body + b"N.")
    assert not r.safe
    assert any(f.technique == "bomb" for f in r.findings), [f.describe() for f in r.findings]


def test_a_list_longer_than_the_kept_items_is_marked_cut(tiny_memo: None) -> None:
    """A shape kept only in part would mislead the joblib array skip: the cut is marked, so a
    joblib wrapper whose shape is such a list is unverifiable, not mis-skipped."""
    items: list[object] = []
    pickle_walk._extend(items, range(pickle_walk.CAP_ITEMS + 10))
    assert len(items) == pickle_walk.CAP_ITEMS + 1
    assert items[-1] is pickle_walk._TRUNC
    pickle_walk._extend(items, range(5))
    assert len(items) == pickle_walk.CAP_ITEMS + 1


def test_the_whole_corpus_with_a_memo_that_keeps_almost_nothing(
        monkeypatch: pytest.MonkeyPatch, benign_files: list[Path]) -> None:
    """With the kept pools nearly empty, every malicious sample is still flagged (placeholders
    fail closed); with the real pool the benign corpus scans SAFE. (With a 2-key memo a benign
    scikit-learn 1.7.0 GradientBoosting pickle is flagged: it re-reads the memoized string
    '_loss' as a STACK_GLOBAL module long after storing it. That fails closed, and only happens
    past MEMO_KEEP general memo keys; see docs/gates/security.md.)"""
    from security_corpus import malicious

    from pytest_modelgate.security import scan

    for p in benign_files:
        r = scan(p)
        assert r.safe, (p.name, [f.describe() for f in r.findings][:3])
    monkeypatch.setattr(pickle_walk, "MEMO_KEEP", 2)
    for sample in malicious():
        assert not scan_bytes(sample.data, name=sample.name + ".pkl").safe, sample.name
