"""Directories: nothing scanned is an error, never SAFE (library, gate, CLI), and
`modelgate scan DIR` prints one verdict line per file plus the summary; exit codes 1 = unsafe,
2 = usage error (missing path, nothing to scan)."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from security_corpus import call_p4

from pytest_modelgate.cli import main
from pytest_modelgate.exceptions import InputError
from pytest_modelgate.security import scan, write_lock


@pytest.fixture
def emptydir(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    (d / "sub").mkdir(parents=True)  # a subdirectory is still no file
    return d


@pytest.fixture
def modeldir(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    (d / "nested").mkdir(parents=True)
    (d / "a.pkl").write_bytes(pickle.dumps({"w": [1.0, 2.0]}, protocol=4))
    (d / "nested" / "b.pkl").write_bytes(call_p4("os", "system"))
    return d


def test_library_scan_of_an_empty_directory_is_an_error(emptydir: Path) -> None:
    with pytest.raises(InputError, match=r"no file to scan in .*empty"):
        scan(emptydir)


def test_hash_of_an_empty_directory_is_an_error(emptydir: Path) -> None:
    with pytest.raises(InputError, match="no file to hash"):
        write_lock([emptydir])


def test_cli_scan_prints_one_verdict_line_per_file(modeldir: Path, capsys) -> None:
    assert main(["scan", str(modeldir)]) == 1
    out = capsys.readouterr().out
    verdicts = [line for line in out.splitlines() if re.match(r"\S.*: (SAFE|UNSAFE) \(", line)]
    assert len(verdicts) == 2, out
    assert verdicts[0].startswith(str(modeldir / "a.pkl") + ": SAFE (")
    assert "0 findings" in verdicts[0]
    assert verdicts[1].startswith(str(modeldir / "nested" / "b.pkl") + ": UNSAFE (")
    assert re.search(r"\b1 finding\b", verdicts[1])
    assert out.splitlines()[-1] == "modelgate scan: 2 files scanned, 1 unsafe"


def test_cli_exit_codes(modeldir: Path, emptydir: Path, tmp_path: Path, capsys) -> None:
    assert main(["scan", str(modeldir / "a.pkl")]) == 0
    assert main(["scan", str(modeldir)]) == 1
    capsys.readouterr()
    assert main(["scan", str(emptydir)]) == 2
    captured = capsys.readouterr()
    assert f"no file to scan in {emptydir}" in captured.err
    assert "0 files scanned" in captured.out
    assert main(["scan", str(tmp_path / "missing.pkl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["scan", "--json", str(emptydir)]) == 2
    assert '"safe": false' in capsys.readouterr().out
    assert main(["hash", str(emptydir)]) == 2
    assert "no file to hash" in capsys.readouterr().err
    assert main(["hash", str(modeldir)]) == 0


def test_cli_time_limit_fails_closed(tmp_path: Path, capsys) -> None:
    path = tmp_path / "big.pkl"
    path.write_bytes(pickle.dumps([float(i) for i in range(50_000)], protocol=2))
    assert main(["scan", str(path)]) == 0
    assert main(["scan", "--max-seconds", "1e-9", str(path)]) == 1
    assert "scan timed out after 1e-9 s" in capsys.readouterr().out
    assert main(["scan", "--max-seconds", "0", str(path)]) == 2
    assert "max_seconds" in capsys.readouterr().err


def test_artifact_gate_on_an_empty_directory_errors(pytester: pytest.Pytester,
                                                    emptydir: Path) -> None:
    pytester.makepyfile(
        f'''
def test_ship(gate):
    gate.artifact({str(emptydir)!r})
'''
    )
    result = pytester.runpytest("--modelgate", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no file to scan in*empty*"])
    result.stdout.no_fnmatch_line("*1 passed*")


def test_artifact_gate_time_limit_fails_closed(tmp_path: Path) -> None:
    from pytest_modelgate.gates import Gate, GateContext

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps([float(i) for i in range(30_000)], protocol=2))
    gate = Gate(GateContext(nodeid="t::x"))
    assert gate.artifact(path).passed
    r = gate.artifact(path, max_seconds=1e-9)
    assert r.verdict == "failed"
    assert "scan timed out after 1e-9 s" in r.message
