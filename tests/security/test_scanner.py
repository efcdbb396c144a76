"""The static scanner against its corpus: every malicious sample flagged with the right reason,
no benign artifact flagged, nothing ever unpickled, and bounds on bombs and nesting."""

from __future__ import annotations

import gzip
import io
import pickle
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_corpus import (
    BENIGN_ESTIMATORS,
    benign_joblib,
    benign_pickle,
    bombs,
    call_p4,
    joblib_array_stream,
    make_zip,
    malicious,
    sg,
    su,
    torch_like,
)

from pytest_modelgate.security import Finding, ScanResult, scan, scan_bytes
from pytest_modelgate.security._allowlist_data import CURATED_GLOBALS
from pytest_modelgate.security.policy import DENIED_GLOBALS, DENIED_MODULES, Policy

MALICIOUS = malicious()
_EXT = {"ext_bin": ".bin", "ext_model": ".model"}


@pytest.mark.parametrize("sample", MALICIOUS, ids=[s.name for s in MALICIOUS])
def test_every_malicious_sample_is_flagged(sample, tmp_path: Path, no_unpickling) -> None:
    path = tmp_path / (sample.name + _EXT.get(sample.name, ".pkl"))
    path.write_bytes(sample.data)
    before = set(sys.modules)
    result = scan(path)
    assert not result.safe, f"{sample.name} ({sample.technique}) was reported safe"
    reasons = [(f.global_ or "") + " " + f.why + " " + f.opcode for f in result.findings]
    assert any(sample.expect in r for r in reasons), (sample.name, reasons)
    assert no_unpickling == []  # nothing was unpickled, executed or spawned
    named = {f.global_.split(".")[0] for f in result.findings if f.global_}
    new = {m.split(".")[0] for m in set(sys.modules) - before}
    assert not named & new  # and nothing named inside the artifact was imported


def test_corpus_covers_every_research_technique() -> None:
    techniques = {s.technique for s in MALICIOUS}
    wanted = {"plain", "inst", "obj", "newobj", "nested-pickle", "memo", "build-setattr",
              "dotted", "import-chain", "computed-global", "marshal", "universal-resolver",
              "gadget", "extension-code", "zip", "zip-flag", "zip-crc", "zip-name",
              "zip-member", "zip-nested", "broken", "npy", "npz", "extension", "injected",
              "stacked", "trailing", "joblib", "joblib-alt", "compressed", "7z", "skops", "tar",
              "polyglot", "persistent-id"}
    assert wanted <= techniques
    assert len(MALICIOUS) >= 100


@pytest.mark.parametrize(("name", "data", "limits"), bombs(), ids=[b[0] for b in bombs()])
def test_bombs_hit_a_bound_and_are_unsafe(name: str, data: bytes, limits: dict[str, int]) -> None:
    result = scan_bytes(data, name=name, **limits)
    assert not result.safe
    assert any(f.technique in ("bomb", "nesting") for f in result.findings), result.report()


def test_benign_corpus_has_no_false_positive(benign_files: list[Path], no_unpickling) -> None:
    unsafe = {}
    for p in benign_files:
        result = scan(p)
        if not result.safe:
            unsafe[p.name] = [f.describe() for f in result.findings[:3]]
    assert unsafe == {}
    assert no_unpickling == []
    names = {p.name for p in benign_files}
    for est in ("RandomForestClassifier", "HistGradientBoostingClassifier", "MLPClassifier",
                "Pipeline", "KMeans", "SVC"):
        for suffix in (".p2.pkl", ".p3.pkl", ".p4.pkl", ".p5.pkl", ".joblib", ".skops"):
            assert f"{est}{suffix}" in names
    assert len(BENIGN_ESTIMATORS) >= 40


def test_benign_formats_are_recognised(benign_files: list[Path]) -> None:
    by_name = {p.name: scan(p) for p in benign_files if p.name.startswith(("Random", "arrays",
                                                                          "x.", "onnx"))}
    assert by_name["RandomForestClassifier.joblib"].formats == ("joblib",)
    assert by_name["RandomForestClassifier.joblib.gzip"].formats == ("gzip", "joblib")
    assert by_name["RandomForestClassifier.joblib.lzma"].formats == ("lzma", "joblib")
    assert by_name["RandomForestClassifier.skops"].formats[:2] == ("zip", "skops")
    assert by_name["arrays.npz"].formats == ("zip", "npy")
    assert by_name["x.npy"].formats == ("npy",)
    assert by_name["onnx_like.onnx"].formats == ("onnx",)
    rf = by_name["RandomForestClassifier.p4.pkl"]
    assert "sklearn.tree._tree:Tree" in dict(rf.globals)


def test_truncating_a_benign_pickle_anywhere_is_never_safe() -> None:
    data = benign_pickle(4)
    for cut in range(1, len(data)):
        assert not scan_bytes(data[:cut]).safe, cut


def test_truncating_joblib_array_bytes_is_never_safe() -> None:
    data = benign_joblib()
    assert scan_bytes(data).safe
    for cut in range(len(data) - 1, len(data) // 2, -7):
        assert not scan_bytes(data[:cut]).safe, cut


def test_findings_say_where_what_and_why() -> None:
    data = make_zip([("archive/data.pkl", call_p4("os", "system"))])
    result = scan_bytes(data, name="model.pt")
    f = next(f for f in result.findings if f.global_ == "os.system")
    assert isinstance(f, Finding)
    assert (f.file, f.member, f.opcode, f.severity) == ("model.pt", "archive/data.pkl",
                                                        "STACK_GLOBAL", "critical")
    assert f.offset == 23  # PROTO(2) + FRAME(9) + "os"(4) + "system"(8): the STACK_GLOBAL byte
    assert f.location == "model.pt:archive/data.pkl:23"
    assert "operating-system" in f.why
    d = result.to_dict()
    assert d["safe"] is False
    assert d["findings"][0]["location"].startswith("model.pt:")
    assert "UNSAFE" in result.report()
    with pytest.raises(AttributeError):
        f.severity = "medium"  # type: ignore[misc]


def test_stack_global_through_memo_resolves_exactly() -> None:
    # MEMOIZE indexes by the memo's size, not by how many MEMOIZE ops ran (bypass #1).
    ok = b"\x80\x04" + su("os") + b"\x94q\x05" + su("path") + b"\x94" + b"0h\x00h\x02\x93."
    findings = scan_bytes(ok).findings
    assert [f.global_ for f in findings] == ["os.path"]


def test_allowed_globals_through_memo_are_safe() -> None:
    data = pickle.dumps({"a": [1.5, "x"], "b": (None, True)}, protocol=4)
    assert scan_bytes(data).safe
    data = b"\x80\x04" + sg("collections", "OrderedDict") + b"\x94)R\x94h\x00)R."
    assert scan_bytes(data).safe  # GET of an allowed class, then REDUCE: still a named global


def test_user_allow_list_extends_and_module_wildcards() -> None:
    data = call_p4("mypkg.models", "Custom")
    assert not scan_bytes(data).safe
    assert scan_bytes(data, allow=["mypkg.models.Custom"]).safe
    assert scan_bytes(data, allow="mypkg.models:Custom").safe
    assert scan_bytes(data, allow=["mypkg.*"]).safe
    # a wildcard never covers an attribute walk, which can leave the package (mypkg.models.os)
    dotted = b"\x80\x04" + sg("mypkg.models", "os.system") + b"."
    assert not scan_bytes(dotted, allow=["mypkg.*"]).safe
    inner = b"\x80\x04" + sg("mypkg.models", "Outer.Inner") + b"."
    assert not scan_bytes(inner, allow=["mypkg.*"]).safe
    assert scan_bytes(inner, allow=["mypkg.models:Outer.Inner"]).safe
    assert not scan_bytes(b"\x80\x04" + sg("os", "system") + b".", allow=["mypkg.*"]).safe


def test_policy_never_allows_denied_modules_by_default() -> None:
    pol = Policy()
    vetted_builtins = {"bytearray", "bytes", "complex", "dict", "frozenset", "list", "object",
                       "range", "set", "slice", "tuple", "str", "int", "float", "bool"}
    for module, name in pol.allowed:
        root = module.split(".")[0]
        assert (module, name) not in DENIED_GLOBALS
        if root in DENIED_MODULES:
            # only vetted entries: pickle's own helpers, harmless builtin types, and the
            # hand-vetted reconstructors (torch.save, pure builtins), each with its reason
            assert ((module, name) in CURATED_GLOBALS
                    or module in ("copyreg", "_codecs", "joblib.numpy_pickle")
                    or (module, name) == ("functools", "partial")
                    or (module == "builtins" and name in vetted_builtins)), (module, name)


def test_joblib_raw_buffers_are_skipped_not_parsed() -> None:
    import joblib
    import numpy as np

    buf = io.BytesIO()
    # raw bytes that look like opcodes: 'c' GLOBAL 'os\nsystem\n' inside a uint8 array
    joblib.dump({"a": np.frombuffer(b"cos\nsystem\n(S'x'\ntR." * 10, dtype=np.uint8)}, buf)
    result = scan_bytes(buf.getvalue())
    # joblib.load skips these bytes; plain pickle.load hits the array's padding byte first
    assert result.formats == ("joblib",)
    assert result.safe, result.report()


def test_payload_hidden_in_joblib_padding_is_found_for_plain_pickle_load() -> None:
    hidden = b"0" + sg("os", "system") + su("x") + b"\x85R."
    data = joblib_array_stream(b".", padding=hidden.ljust(0x4E, b"\xff"))
    result = scan_bytes(data)
    f = next(f for f in result.findings if f.global_ == "os.system")
    assert "plain pickle.load" in f.why


def test_scanning_a_directory_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "a.pkl").write_bytes(pickle.dumps([1, 2]))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.pkl").write_bytes(call_p4("os", "system"))
    result = scan(tmp_path)
    assert isinstance(result, ScanResult)
    assert not result.safe
    assert len(result.files) == 2
    with pytest.raises(Exception, match="does not exist"):
        scan(tmp_path / "nope.pkl")


def test_zip_reader_reports_header_disagreements() -> None:
    from security_corpus import patch_zip

    clean = torch_like(pickle.dumps([1], protocol=2))
    assert scan_bytes(clean).safe
    techniques = {f.technique for f in scan_bytes(patch_zip(clean, crc_xor=1)).findings}
    assert "zip-crc" in techniques
    techniques = {f.technique for f in scan_bytes(patch_zip(clean, flag=1)).findings}
    assert "zip-flag-bits" in techniques


def test_gzip_pickle_and_zip_members_compressed_every_way() -> None:
    inner = pickle.dumps({"w": [1.0, 2.0]}, protocol=5)
    assert scan_bytes(gzip.compress(inner)).safe
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        assert scan_bytes(make_zip([("m/data.pkl", inner)], method)).safe


def test_opcode_table_matches_pickletools() -> None:
    import pickletools

    from pytest_modelgate.security.pickle_walk import _OPCODES

    assert set(_OPCODES) == {ord(op.code) for op in pickletools.opcodes}


_SEEDS = [benign_pickle(2), benign_pickle(5), benign_joblib(), benign_joblib(("gzip", 3)),
          torch_like(pickle.dumps({"w": [1.0]}, protocol=4)), call_p4("os", "system")]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=512))
def test_random_bytes_never_crash_the_scanner(data: bytes) -> None:
    result = scan_bytes(data)
    assert isinstance(result, ScanResult)
    if not data:
        assert not result.safe


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.sampled_from(range(len(_SEEDS))), edits=st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_mutated_artifacts_never_crash(seed: int, edits, cut) -> None:
    data = bytearray(_SEEDS[seed])
    for pos, value in edits:
        data[pos % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    result = scan_bytes(bytes(data))
    assert isinstance(result, ScanResult)
    for f in result.findings:
        assert f.severity in ("critical", "high", "medium")
        assert f.why


def test_allow_list_covers_freshly_derived_artifacts() -> None:
    """Re-derive from a sample of estimator families: every global they need is allowed."""
    import warnings

    from pytest_modelgate.security._allowlist_data import (
        ALLOWED_GLOBALS,
        CURATED_GLOBALS,
        SKOPS_ALLOWED_TYPES,
    )
    from pytest_modelgate.security.derive import _fit, derive, estimator_instances

    wanted = {"HistGradientBoostingRegressor", "MLPRegressor", "KNeighborsClassifier",
              "GaussianProcessClassifier", "SGDRegressor", "OneHotEncoder", "Isomap",
              "IsolationForest", "CalibratedClassifierCV", "SelectKBest"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objs = [(n, _fit(e)) for n, e in estimator_instances() if n in wanted]
        pickled, skopsed = derive(objs)
    assert len(objs) == len(wanted)
    need = {tuple(g.split(":", 1)) for g in pickled}
    # curated: scikit-learn 1.7-1.8 spell the Cython losses `_loss.Cy*` (scikit-learn#33770)
    assert need - ALLOWED_GLOBALS - set(CURATED_GLOBALS) == set()
    skops_need = {tuple(g.split(":", 1)) for g in skopsed}
    assert skops_need - (SKOPS_ALLOWED_TYPES | ALLOWED_GLOBALS) - set(CURATED_GLOBALS) == set()
    assert ("sklearn.tree._tree", "Tree") in need


def test_dataframe_fitted_models_are_in_the_benign_corpus(benign_files: list[Path]) -> None:
    names = {p.name for p in benign_files}
    for obj in ("hgb-categorical", "column-transformer", "target-encoder", "pandas-output"):
        assert f"{obj}.p5.pkl" in names
        assert f"{obj}.joblib" in names


def test_resource_bombs_in_the_opcode_stream_are_bounded() -> None:
    result = scan_bytes(b"\x80\x04" + b"(" * 150_000 + b".")
    assert not result.safe
    assert any(f.technique == "bomb" for f in result.findings)


def test_non_regular_files_fail_closed(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = scan(fifo)
    assert not result.safe
    assert result.findings[0].technique == "not-a-file"


@pytest.mark.parametrize("typestr", [
    "f8", "<f4", ">f2", "f16", "i1", "<i8", "u2", "|u1", "b1", "?", "c8", "<c16", "O", "O8",
    "|O", "U10", "<U1", "S5", "|S0", "V16", "M8", "<M8[ns]", "m8[s]", "<m8"])
def test_numpy_free_dtype_parser_equals_numpy(typestr: str) -> None:
    import numpy as np

    from pytest_modelgate.security.pickle_walk import simple_dtype

    got = simple_dtype(typestr)
    assert got is not None
    dt = np.dtype(typestr)
    assert got == (dt.itemsize, bool(dt.hasobject))


@pytest.mark.parametrize("typestr", ["f3", "i16", "zz", "f8,i4", "O4", "a", "<U", "M8[zz"])
def test_numpy_free_dtype_parser_defers_what_it_does_not_know(typestr: str) -> None:
    from pytest_modelgate.security.pickle_walk import simple_dtype

    got = simple_dtype(typestr)
    assert got is None or got == (0, False)
