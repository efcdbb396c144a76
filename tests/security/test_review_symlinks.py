"""Review finding 3: directory scans follow symlinks (Hugging Face snapshot directories are made of
them), scan each real file once, and report a broken link or a link loop instead of skipping it."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from security_corpus import call_p4

from pytest_modelgate.cli import main
from pytest_modelgate.exceptions import InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.security import scan, write_lock

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """model/ holds a benign pickle and a link to a sibling directory holding a malicious one."""
    (tmp_path / "evilsrc").mkdir()
    (tmp_path / "evilsrc" / "weights.pkl").write_bytes(call_p4("os", "system"))
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.pkl").write_bytes(pickle.dumps({"a": 1}, protocol=4))
    (model / "weights").symlink_to("../evilsrc", target_is_directory=True)
    return model


def test_scan_follows_a_symlinked_subdirectory(linked: Path) -> None:
    r = scan(linked)
    assert not r.safe
    assert any(f.global_ == "os.system" for f in r.findings)
    assert str(linked / "weights" / "weights.pkl") in r.files


def test_cli_scan_of_a_symlinked_subdirectory_exits_1(linked: Path, capsys) -> None:
    assert main(["scan", str(linked)]) == 1
    out = capsys.readouterr().out
    assert "weights.pkl: UNSAFE" in out
    assert out.splitlines()[-1] == "modelgate scan: 2 files scanned, 1 unsafe"


def test_artifact_gate_fails_on_a_symlinked_subdirectory(linked: Path) -> None:
    r = Gate(GateContext(nodeid="t::t", seed=0)).artifact(linked)
    assert r.verdict == "failed"
    assert "os.system" in r.message


def test_hash_covers_files_behind_a_symlinked_subdirectory(linked: Path) -> None:
    text = write_lock([linked])
    assert "weights/weights.pkl" in text


def test_each_real_file_is_scanned_once(tmp_path: Path) -> None:
    """A snapshot links to blobs inside the same tree: the blob is one file, scanned once."""
    root = tmp_path / "repo"
    (root / "blobs").mkdir(parents=True)
    (root / "blobs" / "abc").write_bytes(pickle.dumps([1, 2], protocol=4))
    (root / "snap").mkdir()
    (root / "snap" / "model.pkl").symlink_to("../blobs/abc")
    (root / "again").symlink_to("snap", target_is_directory=True)
    r = scan(root)
    assert r.safe, r.report()
    assert len(r.files) == 1


def test_a_link_loop_finishes_and_is_reported(tmp_path: Path) -> None:
    d = tmp_path / "m"
    (d / "sub").mkdir(parents=True)
    (d / "a.pkl").write_bytes(pickle.dumps(1, protocol=4))
    (d / "sub" / "up").symlink_to("..", target_is_directory=True)
    r = scan(d)
    assert not r.safe
    assert any(f.technique == "symlink-loop" for f in r.findings), r.report()
    assert main(["scan", str(d)]) == 1


def test_a_broken_link_is_reported(tmp_path: Path, capsys) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "a.pkl").write_bytes(pickle.dumps(1, protocol=4))
    (d / "weights.pkl").symlink_to("gone.pkl")
    r = scan(d)
    assert not r.safe
    assert [f.technique for f in r.findings] == ["broken-link"]
    assert "weights.pkl" in r.findings[0].file
    assert main(["scan", str(d)]) == 1
    assert "weights.pkl: UNSAFE" in capsys.readouterr().out
    assert Gate(GateContext(nodeid="t::t", seed=0)).artifact(d).verdict == "failed"
    with pytest.raises(InputError, match="broken symbolic link"):
        write_lock([d])


def test_a_directory_holding_only_a_broken_link_is_unsafe_not_empty(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "weights.pkl").symlink_to("gone.pkl")
    assert not scan(d).safe
