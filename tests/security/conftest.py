"""Fixtures for the security tests: the corpus on disk and an audit hook proving nothing loads."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

_STATE = threading.local()
_WATCHED = frozenset({"pickle.find_class", "os.system", "os.exec", "os.posix_spawn",
                      "os.spawn", "subprocess.Popen", "socket.connect", "webbrowser.open",
                      "os.remove", "shutil.rmtree", "ctypes.dlopen"})
_EVENTS: list[tuple[str, tuple[object, ...]]] = []


def _hook(event: str, args: tuple[object, ...]) -> None:
    if getattr(_STATE, "watching", False) and event in _WATCHED:
        _EVENTS.append((event, args))


sys.addaudithook(_hook)


@pytest.fixture
def no_unpickling() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Record pickle.find_class, process, network and file-removal audit events while the test
    body runs (module imports by the scanner itself, e.g. stdlib codecs, are not events here)."""
    _EVENTS.clear()
    _STATE.watching = True
    try:
        yield _EVENTS
    finally:
        _STATE.watching = False


@pytest.fixture(scope="session")
def benign_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The benign corpus, written once per session."""
    import warnings

    pytest.importorskip("skops", reason="skops not installed: pip install 'pytest-modelgate[skops]'")

    from security_corpus import benign_files as build
    from security_corpus import benign_objects

    root = tmp_path_factory.mktemp("benign")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        files = build(benign_objects())
    paths = []
    for name, data in files:
        p = root / name
        p.write_bytes(data)
        paths.append(p)
    return paths
