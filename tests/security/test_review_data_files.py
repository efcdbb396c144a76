"""Review findings S3 and C1: data files in a model directory (safetensors, JSON, text) are
data, not "UNSAFE" pickles; a pickle under a data file's name is still scanned as a pickle
(content decides, never the name); unknown binary files fail closed in plain words;
`modelgate hash` names a device as what it is."""

from __future__ import annotations

import json
import os
import pickle
import struct
from pathlib import Path

import pytest

from pytest_modelgate.exceptions import InputError
from pytest_modelgate.security import scan, scan_bytes, write_lock
from pytest_modelgate.security.cli import cli_scan

_EVIL0 = b"cposix\nsystem\n(S'id'\ntR."  # protocol 0: plain ASCII text
_OPCODE_WORDS = ("opcode", "memo key", "STOP", "MARK", "0x")


def safetensors(tensors: dict[str, object], data: bytes, *, pad: int = 0) -> bytes:
    header = json.dumps(tensors).encode() + b" " * pad
    return struct.pack("<Q", len(header)) + header + data


_GOOD = {"__metadata__": {"format": "pt"},
         "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
         "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]}}


def hf_dir(d: Path) -> Path:
    d.mkdir()
    (d / "config.json").write_text('{"architectures": ["BertModel"], "hidden_size": 8}\n')
    (d / "README.md").write_text("hello\n\n# Model card\n")
    (d / "tokenizer.json").write_text(json.dumps({"model": {"vocab": {"[PAD]": 0, "a": 1}}}))
    (d / "vocab.txt").write_text("[PAD]\n[UNK]\ncat\nîle\n")
    (d / "model.safetensors").write_bytes(safetensors(_GOOD, bytes(22), pad=5))
    return d


def test_a_hugging_face_model_directory_is_data_and_safe(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    d = hf_dir(tmp_path / "hf")
    result = scan(d)
    assert result.safe, [f.describe() for f in result.findings]
    assert set(result.formats) == {"json", "text", "safetensors"}
    assert cli_scan([str(d)]) == 0
    out = capsys.readouterr().out
    assert out.count("SAFE") == 5
    assert "UNSAFE" not in out
    assert "data, nothing executable" in out


@pytest.mark.parametrize(("tensors", "data", "reason"), [
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}}, bytes(12), "need 8"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(4), "past the end"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(9), "belong to no"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12), "overlaps"),
    ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8), "belong to no"),
    ({"a": {"dtype": "PICKLE", "shape": [1], "data_offsets": [0, 8]}}, bytes(8), "unknown dtype"),
    ({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}, b"", "shape"),
    ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, bytes(4), "data_offsets"),
    ({"a": {"dtype": "F32", "shape": [1]}}, bytes(4), "exactly dtype"),
    ({"__metadata__": {"x": 1}}, b"", "__metadata__"),
    ([1, 2], b"", "not a JSON object"),
])
def test_a_malformed_safetensors_file_is_a_plain_finding(tensors: object, data: bytes,
                                                         reason: str) -> None:
    header = json.dumps(tensors).encode()
    if isinstance(tensors, list):  # starts with "[": make the sniffed "{" a JSON error instead
        header = b"{" + header
        reason = "not valid JSON"
    r = scan_bytes(struct.pack("<Q", len(header)) + header + data, name="model.safetensors")
    assert not r.safe
    (f,) = r.findings
    assert f.technique == "safetensors-header"
    assert "malformed safetensors file" in f.why
    assert reason in f.why, f.why
    assert not any(w in f.why for w in _OPCODE_WORDS)


def test_duplicate_safetensors_keys_are_a_finding() -> None:
    header = b'{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, ' \
             b'"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}'
    r = scan_bytes(struct.pack("<Q", len(header)) + header + b"\0", name="m.safetensors")
    assert [f.technique for f in r.findings] == ["safetensors-header"]
    assert "twice" in r.findings[0].why


@pytest.mark.parametrize("name", ["config.json", "README.md", "vocab.txt", "model.safetensors",
                                  "tokenizer.json"])
@pytest.mark.parametrize("payload", [
    _EVIL0, _EVIL0 + b"\ntrailing words after the pickle\n",
    pickle.dumps({"a": 1}, protocol=0)[:-1] + b"cposix\nsystem\n(S'id'\ntR.",
    b"\x80\x02" + _EVIL0, b"\x80\x04\x95" + bytes(8) + b"\x8c\x05posix\x8c\x06system\x93."])
def test_a_pickle_under_a_data_file_name_is_still_scanned_as_a_pickle(
        tmp_path: Path, name: str, payload: bytes) -> None:
    p = tmp_path / name
    p.write_bytes(payload)
    r = scan(p)
    assert not r.safe
    assert any(f.global_ == "posix.system" and f.severity == "critical" for f in r.findings), \
        [f.describe() for f in r.findings]


def test_an_unknown_binary_file_fails_closed_in_plain_words() -> None:
    r = scan_bytes(b"\x00\x01\x02GARBAGE\xff\xfe" * 10, name="weights.bin")
    assert not r.safe
    (f,) = r.findings
    assert f.technique == "unknown-format"
    assert f.why.startswith("not a recognised model format")
    assert "cannot be verified" in f.why
    assert not any(w in f.why for w in _OPCODE_WORDS), f.why


def test_text_that_only_looks_like_opcodes_is_data() -> None:
    """A README starting with 'c' or 'i' reads as GLOBAL/INST of a module no interpreter has:
    pickle.load would fail before importing anything."""
    for text in (b"cats are nice\nand so are dogs\n", b"install\nrun the thing\n",
                 b"(hello)\n", "ünïcode text\n".encode()):
        r = scan_bytes(text, name="README.md")
        assert r.safe, (text, [f.describe() for f in r.findings])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_hash_of_a_device_says_not_a_regular_file() -> None:
    with pytest.raises(InputError, match="not a regular file") as info:
        write_lock(["/dev/zero"])
    assert "does not exist" not in str(info.value)
