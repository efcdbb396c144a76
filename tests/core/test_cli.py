"""The `modelgate` console script: argument errors, profile, compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_modelgate.cli import main


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "required: command" in capsys.readouterr().err


def test_profile_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=500), "b": rng.choice(["x", "y"], 500)}).to_csv(
        tmp_path / "ref.csv", index=False)
    assert main(["profile", str(tmp_path / "ref.csv"), "-o", str(tmp_path / "ref.json")]) == 0
    assert "wrote profile of 2 columns" in capsys.readouterr().out
    data = json.loads((tmp_path / "ref.json").read_text())
    assert [c["name"] for c in data["columns"]] == ["a", "b"]
    assert main(["profile", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.json")]) == 2
    assert "not found" in capsys.readouterr().err


def test_profile_kll_sketch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
    np = pytest.importorskip("numpy")
    pytest.importorskip("datasketches", reason="pip install 'pytest-modelgate[kll]'")
    from pytest_modelgate.drift import Profile

    rng = np.random.default_rng(1)
    pd.DataFrame({"a": rng.normal(size=120_000)}).to_csv(tmp_path / "ref.csv", index=False)
    out = tmp_path / "ref.json"
    args = ["profile", str(tmp_path / "ref.csv"), "-o", str(out), "--sketch", "kll"]
    assert main([*args, "--kll-k", "400"]) == 0
    assert "1 sketched with kll (rank error <= 0.0068, 99% confidence)" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert (data["version"], data["sketch"], data["kll_k"]) == (2, "kll", 400)
    assert Profile.load(out).columns["a"].extra["kll_k"] == 400
    assert main([*args, "--kll-k", "4"]) == 2
    assert "kll_k must be an int in [8, 65535]" in capsys.readouterr().err
    assert main(["profile", str(tmp_path / "ref.csv"), "-o", str(out)]) == 0
    assert "1 sketched with grid (rank error <= 0.00024, deterministic)" in \
        capsys.readouterr().out


def test_profile_kll_without_the_extra(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "datasketches", None)  # as if not installed
    (tmp_path / "ref.csv").write_text("a\n1\n2\n")
    args = ["profile", str(tmp_path / "ref.csv"), "-o", str(tmp_path / "x.json")]
    assert main([*args, "--sketch", "kll"]) == 2
    assert "pip install 'pytest-modelgate[kll]'" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(SystemExit) as exc:
        main([*args, "--sketch", "tdigest"])
    assert exc.value.code == 2
    assert "invalid choice: 'tdigest'" in capsys.readouterr().err


def _report(path: Path, version: str, value: float, verdict: str) -> Path:
    path.write_text(json.dumps({
        "schema_version": 1,
        "run": {"models": {"model": {"version": version}}},
        "results": [{"nodeid": "t.py::a", "kind": "metric", "name": "acc", "value": value,
                     "verdict": verdict}],
    }))
    return path


def test_compare_strict_and_output_file(tmp_path: Path) -> None:
    a = _report(tmp_path / "a.json", "v1", 0.9, "passed")
    b = _report(tmp_path / "b.json", "v2", 0.8, "failed")
    out = tmp_path / "cmp.md"
    assert main(["compare", str(a), str(b), "--markdown", "-o", str(out)]) == 0
    text = out.read_text()
    assert "| t.py::a | metric:acc | 0.9 ✓ | 0.8 ✗ |" in text
    assert main(["compare", str(a), str(b), "--strict"]) == 1
    assert main(["compare", str(a), "--strict"]) == 0


def test_compare_rejects_foreign_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text('{"hello": 1}')
    assert main(["compare", str(tmp_path / "x.json")]) == 2
    assert "not a modelgate report" in capsys.readouterr().err


def test_scan_and_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pickle

    safe = tmp_path / "safe.pkl"
    safe.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}, protocol=4))
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x93\x94.")  # raw opcodes
    assert main(["scan", str(safe)]) == 0
    assert main(["scan", str(safe), str(evil)]) == 1
    assert "os.system" in capsys.readouterr().out
    assert main(["scan", str(tmp_path / "missing.pkl")]) == 2
    capsys.readouterr()
    assert main(["hash", str(safe)]) == 0
    lock = capsys.readouterr().out
    import hashlib

    assert hashlib.sha256(safe.read_bytes()).hexdigest() in lock


def _profile_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `modelgate profile ...`, expect exit 2 and return its one-line stderr."""
    assert main(["profile", *args]) == 2
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if line.strip()]
    assert len(err) == 1, captured.err
    assert err[0].startswith("modelgate profile: error: ")
    return err[0]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty (no header row)"),
    (b"a,b\n1,2\n3,4,5\n6,7\n", "cannot be read as CSV: Error tokenizing data. C error: Expected "
                                "2 fields in line 3, saw 3"),
    (b"a,b\n\xff\xfe,2\n1,2\n", "is not UTF-8 text (line 2, byte 4); save it as UTF-8"),
])
def test_profile_bad_csv_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            content: bytes, message: str) -> None:
    pytest.importorskip("pandas")
    data = tmp_path / "ref.csv"
    data.write_bytes(content)
    out = tmp_path / "ref.json"
    line = _profile_error(capsys, str(data), "-o", str(out))
    assert f"data file {str(data)!r}" in line
    assert message in line
    assert not out.exists()


def test_profile_truncated_parquet_is_one_line_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    whole = tmp_path / "whole.parquet"
    pd.DataFrame({"a": range(1000)}).to_parquet(whole)
    data = tmp_path / "ref.parquet"
    data.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    line = _profile_error(capsys, str(data), "-o", str(tmp_path / "ref.json"))
    assert f"data file {str(data)!r} cannot be read as Parquet" in line


@pytest.mark.parametrize("where", ["directory", "under_a_file"])
def test_profile_unwritable_output_is_one_line_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    pytest.importorskip("pandas")
    data = tmp_path / "ref.csv"
    data.write_text("a\n1\n2\n")
    (tmp_path / "afile").write_text("x")
    out = tmp_path if where == "directory" else tmp_path / "afile" / "ref.json"
    line = _profile_error(capsys, str(data), "-o", str(out))
    assert f"-o {str(out)!r}: cannot write the profile" in line
    assert (tmp_path / "afile").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "ref.csv"]
