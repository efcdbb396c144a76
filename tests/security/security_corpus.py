"""The scanner's corpus: malicious samples built from raw opcodes (never loaded, harmless
payloads) for every technique in the research note, and benign artifacts built by saving real
models. Files are generated into a temporary directory; nothing binary is committed.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAYLOAD = "echo modelgate-corpus"  # never run: nothing here is ever unpickled


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    technique: str
    expect: str = ""  # a substring one finding's global or why must contain


# -- opcode builders ---------------------------------------------------------------------------


def su(s: str) -> bytes:
    """SHORT_BINUNICODE (or BINUNICODE when long)."""
    b = s.encode()
    return (b"\x8c" + bytes([len(b)]) + b) if len(b) < 256 else b"X" + struct.pack("<I", len(b)) + b


def sg(module: str, name: str) -> bytes:
    """STACK_GLOBAL of two constant strings."""
    return su(module) + su(name) + b"\x93"


def g(module: str, name: str) -> bytes:
    """GLOBAL (protocol 0 text form)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def s0(s: str) -> bytes:
    """Protocol 0 STRING."""
    return b"S'" + s.encode() + b"'\n"


def call_p0(module: str, name: str, arg: str = PAYLOAD) -> bytes:
    return g(module, name) + b"(" + s0(arg) + b"tR."


def call_p2(module: str, name: str, arg: str = PAYLOAD) -> bytes:
    return b"\x80\x02" + g(module, name) + su(arg) + b"\x85R."


def call_p4(module: str, name: str, arg: str = PAYLOAD) -> bytes:
    return b"\x80\x04\x95" + struct.pack("<Q", 0) + sg(module, name) + b"\x94" + su(arg) + \
        b"\x85R\x94."


def call_p5(module: str, name: str, arg: str = PAYLOAD) -> bytes:
    body = sg(module, name) + b"\x94" + su(arg) + b"\x94\x85\x94R\x94."
    return b"\x80\x05\x95" + struct.pack("<Q", len(body)) + body


def benign_pickle(protocol: int = 4) -> bytes:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.arange(20, dtype=float).reshape(10, 2)
    y = np.array([0, 1] * 5)
    return pickle.dumps(LogisticRegression().fit(X, y), protocol=protocol)


def benign_joblib(compress: Any = 0) -> bytes:
    import joblib
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0, 1] * 10)
    buf = io.BytesIO()
    joblib.dump(DecisionTreeClassifier(max_depth=3).fit(X, y), buf, compress=compress)
    return buf.getvalue()


# -- zip builders --------------------------------------------------------------------------------


def make_zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are one of the samples
        with zipfile.ZipFile(buf, "w", compression=method) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buf.getvalue()


def patch_zip(data: bytes, *, flag: int = 0, crc_xor: int = 0, local_name: bytes | None = None
              ) -> bytes:
    """Tamper with the first member's headers the way published bypasses do."""
    out = bytearray(data)
    lh = out.index(b"PK\x03\x04")
    ch = out.index(b"PK\x01\x02")
    if flag:
        struct.pack_into("<H", out, lh + 6, struct.unpack_from("<H", out, lh + 6)[0] | flag)
        struct.pack_into("<H", out, ch + 8, struct.unpack_from("<H", out, ch + 8)[0] | flag)
    if crc_xor:
        for off in (lh + 14, ch + 16):
            struct.pack_into("<I", out, off, struct.unpack_from("<I", out, off)[0] ^ crc_xor)
    if local_name is not None:
        nlen = struct.unpack_from("<H", out, lh + 26)[0]
        assert len(local_name) == nlen
        out[lh + 30:lh + 30 + nlen] = local_name
    return bytes(out)


def torch_like(payload: bytes, *, member: str = "archive/data.pkl") -> bytes:
    return make_zip([(member, payload), ("archive/version", b"3\n"),
                     ("archive/data/0", b"\x00" * 64)])


# -- joblib with arrays ------------------------------------------------------------------------


def joblib_array_stream(arrays_then: bytes, *, shape: int = 4, pad: int = 3,
                        array_bytes: bytes | None = None, padding: bytes | None = None) -> bytes:
    """A hand-built joblib stream: one float64 NumpyArrayWrapper, its raw bytes, then `arrays_then`
    (opcodes joblib.load executes after the array)."""
    dtype = (sg("numpy", "dtype") + su("f8") + b"\x89\x88\x87R"
             + b"(K\x03" + su("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb")
    state = (b"}(" + su("subclass") + sg("numpy", "ndarray") + su("shape") + b"K" + bytes([shape])
             + b"\x85" + su("order") + su("C") + su("dtype") + dtype + su("allow_mmap") + b"\x88"
             + su("numpy_array_alignment_bytes") + b"K\x10u")
    head = b"\x80\x04" + sg("joblib.numpy_pickle", "NumpyArrayWrapper") + b")\x81" + state + b"b"
    raw = array_bytes if array_bytes is not None else b"\x00" * (8 * shape)
    padding = b"\xff" * pad if padding is None else padding
    return head + bytes([len(padding)]) + padding + raw + arrays_then


def _npy(header: str, body: bytes) -> bytes:
    h = header.encode("latin-1")
    total = 10 + len(h) + 1
    h = h + b" " * ((64 - total % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + body


# -- the malicious corpus ----------------------------------------------------------------------


def malicious() -> list[Sample]:
    S = Sample
    out: list[Sample] = []
    add = out.append

    # A. plain dangerous calls, every protocol, every call opcode
    add(S("p0_os_system", call_p0("os", "system"), "plain", "os.system"))
    add(S("p0_posix_system", call_p0("posix", "system"), "plain", "posix.system"))
    add(S("p0_nt_system", call_p0("nt", "system"), "plain", "nt.system"))
    add(S("p1_subprocess", g("subprocess", "check_output") + b"(X" + struct.pack("<I", 4)
          + b"echo" + b"tR.", "plain", "subprocess"))
    add(S("p2_builtin_eval", call_p2("__builtin__", "eval", "1+1"), "plain", "builtins.eval"))
    add(S("p3_builtins_exec", b"\x80\x03" + g("builtins", "exec") + su("pass") + b"\x85R.",
          "plain", "builtins.exec"))
    add(S("p4_popen", call_p4("subprocess", "Popen"), "plain", "subprocess.Popen"))
    add(S("p5_framed_system", call_p5("os", "system"), "plain", "os.system"))
    add(S("inst_os_system", b"(" + s0(PAYLOAD) + b"ios\nsystem\n.", "inst", "os.system"))
    add(S("obj_os_system", b"(" + g("os", "system") + s0(PAYLOAD) + b"o.", "obj", "os.system"))
    add(S("newobj_popen", b"\x80\x02" + g("subprocess", "Popen") + su(PAYLOAD) + b"\x85\x81.",
          "newobj", "subprocess.Popen"))
    add(S("newobj_ex_popen", b"\x80\x04" + sg("subprocess", "Popen") + su(PAYLOAD)
          + b"\x85}\x92.", "newobj_ex", "subprocess.Popen"))
    add(S("nested_pickle_loads", b"\x80\x04" + sg("pickle", "loads") + b"C\x05" + b"N.xyz"
          + b"\x85R.", "nested-pickle", "pickle.loads"))
    add(S("nested_cpickle", b"\x80\x04" + sg("_pickle", "loads") + b"C\x02N.\x85R.",
          "nested-pickle", "_pickle.loads"))
    add(S("builtins_import", call_p4("builtins", "__import__", "os"), "plain", "__import__"))
    add(S("runpy", call_p4("runpy", "_run_code", "print(1)"), "plain", "runpy"))
    add(S("webbrowser", call_p4("webbrowser", "open", "http://example.invalid"), "plain",
          "webbrowser"))
    add(S("socket", call_p4("socket", "create_connection", "x"), "plain", "socket"))
    add(S("shutil_rmtree", call_p4("shutil", "rmtree", "/nonexistent"), "plain", "shutil"))
    add(S("builtins_open", call_p4("builtins", "open", "/etc/hostname"), "plain", "open"))
    add(S("getattr_chain", b"\x80\x04" + sg("builtins", "getattr") + sg("builtins", "__import__")
          + su("os") + b"\x85R" + su("system") + b"\x86R" + su(PAYLOAD) + b"\x85R.",
          "getattr", "getattr"))

    # B. deny-list gaps, gadgets, dotted names, memo tricks
    memo_confusion = (b"\x80\x04" + su("os") + b"\x94" + b"q\x05" + su("system") + b"\x94"
                      + b"0" + b"h\x00" + b"h\x02" + b"\x93" + su(PAYLOAD) + b"\x85R.")
    add(S("memo_confusion", memo_confusion, "memo", "os.system"))
    memo_put_get = (b"\x80\x04" + su("os") + b"p7\n0" + su("system") + b"p8\n0" + b"g7\ng8\n"
                    + b"\x93" + su(PAYLOAD) + b"\x85R.")
    add(S("memo_put_get_p0", memo_put_get, "memo", "os.system"))
    memo_after_pop = (b"\x80\x04" + su("nt") + su("os") + b"0" + b"q\x01" + su("system")
                      + b"q\x02" + b"0h\x01h\x02\x93" + su(PAYLOAD) + b"\x85R.")
    add(S("memo_put_after_pop", memo_after_pop, "memo", "system"))
    add(S("build_setattr", b"\x80\x04" + sg("sklearn.base", "BaseEstimator") + b"N}"
          + su("__reduce__") + sg("os", "system") + b"s\x86b.", "build-setattr", "os.system"))
    add(S("build_on_class", b"\x80\x04" + sg("collections", "OrderedDict") + b"N}"
          + su("x") + b"K\x01s\x86b.", "build-setattr", "OrderedDict"))
    add(S("dotted_logging_os", b"\x80\x04" + sg("logging", "os.system") + su(PAYLOAD)
          + b"\x85R.", "dotted", "logging.os.system"))
    add(S("dotted_numpy_prod", b"\x80\x04" + sg("numpy", "prod.__globals__") + b".", "dotted",
          "prod.__globals__"))
    add(S("builtins_dict_get", b"\x80\x04" + sg("builtins", "dict.get") + sg("builtins",
          "globals") + b")R" + su("__builtins__") + b"\x86R.", "dotted", "dict.get"))
    add(S("importlib_import", call_p4("importlib", "import_module", "os"), "import-chain",
          "importlib"))
    add(S("import_vars_getitem", b"\x80\x04" + sg("_operator", "getitem") + sg("builtins", "vars")
          + sg("builtins", "__import__") + su("os") + b"\x85R\x85R" + su("system") + b"\x86R"
          + su(PAYLOAD) + b"\x85R.", "import-chain", "getitem"))
    add(S("str_join_computed_global", b"\x80\x04" + sg("builtins", "str.join") + su("")
          + b"]" + su("o") + su("s") + b"\x86\x86R" + su("system") + b"\x93" + su(PAYLOAD)
          + b"\x85R.", "computed-global", "STACK_GLOBAL"))
    add(S("computed_global_allowed_parts", b"\x80\x04" + sg("numpy", "dtype") + su("f8")
          + b"\x85R" + su("system") + b"\x93.", "computed-global", ""))
    add(S("marshal_function", b"\x80\x04" + sg("types", "FunctionType") + sg("marshal", "loads")
          + b"C\x04abcd\x85R" + b"}\x86R)R.", "marshal", "marshal.loads"))
    add(S("pkgutil_resolve", call_p4("pkgutil", "resolve_name", "os:system"),
          "universal-resolver", "pkgutil"))
    for mod, name in [("pip", "main"), ("timeit", "timeit"), ("ensurepip", "_run_pip"),
                      ("cProfile", "run"), ("profile", "run"), ("trace", "Trace"),
                      ("doctest", "debug_script"), ("code", "InteractiveInterpreter.runcode"),
                      ("idlelib.pyshell", "ModifiedInterpreter"), ("lib2to3.pgen2.pgen",
                                                                   "generate_grammar"),
                      ("uuid", "_get_command_stdout"), ("imaplib", "IMAP4_stream"),
                      ("_osx_support", "_read_output"), ("_aix_support", "_read_cmd_output"),
                      ("_pyrepl.pager", "pipe_pager"), ("mailcap", "findmatch"),
                      ("numpy.testing._private.utils", "runstring"),
                      ("torch.utils.bottleneck.__main__", "run_cprofile"),
                      ("torch._inductor.codecache", "compile_file"),
                      ("torch.jit.unsupported_tensor_ops", "execWrapper"),
                      ("torch.serialization", "load"), ("pydoc", "pipepager"),
                      ("ctypes", "CDLL"), ("antigravity", "geohash"), ("this", "s"),
                      ("__main__", "exploit")]:
        add(S(f"gadget_{mod}_{name}".replace(".", "_"), call_p4(mod, name), "gadget", mod))
    add(S("ext1_code", b"\x80\x02\x82\x01" + su(PAYLOAD) + b"\x85R.", "extension-code", "EXT1"))
    add(S("reduce_computed_callable", b"\x80\x04" + sg("builtins", "object") + b")R)R.",
          "computed-call", "computed"))
    add(S("persistent_id_plain", b"\x80\x04" + su("x") + b"Q.", "persistent-id", "persistent"))

    # C. zip containers
    bad = call_p4("os", "system")
    add(S("zip_torch_like", torch_like(bad), "zip", "os.system"))
    add(S("zip_flag_bit", patch_zip(torch_like(bad), flag=0x1), "zip-flag", "os.system"))
    add(S("zip_flag_0x40", patch_zip(torch_like(bad), flag=0x40), "zip-flag", "flag bits"))
    add(S("zip_crc", patch_zip(torch_like(bad), crc_xor=0xFFFF), "zip-crc", "CRC"))
    add(S("zip_name_mismatch", patch_zip(torch_like(bad), local_name=b"archive/data.txt"),
          "zip-name", "os.system"))
    add(S("zip_odd_member_p0", make_zip([("weights", call_p0("os", "system"))]), "zip-member",
          "os.system"))
    add(S("zip_odd_member_p4", make_zip([("model/config.json", bad)]), "zip-member",
          "os.system"))
    add(S("zip_nested", make_zip([("inner.zip", torch_like(bad))]), "zip-nested", "os.system"))
    add(S("zip_deflated", make_zip([("a/data.pkl", bad)], zipfile.ZIP_DEFLATED), "zip",
          "os.system"))
    add(S("zip_bzip2", make_zip([("a/data.pkl", bad)], zipfile.ZIP_BZIP2), "zip", "os.system"))
    add(S("zip_lzma", make_zip([("a/data.pkl", bad)], zipfile.ZIP_LZMA), "zip", "os.system"))
    add(S("zip_broken_pickle", torch_like(bad[:-3] + b"\xff\xff"), "broken", "os.system"))
    add(S("zip_duplicate_names", make_zip([("a/data.pkl", benign_pickle()),
                                           ("a/data.pkl", bad)]), "zip-dup", "os.system"))
    add(S("zip_prepended_pickle", bad + make_zip([("a/x.npy", _npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 8))]),
        "polyglot", "os.system"))
    add(S("zip_python_code", make_zip([("archive/code/__torch__/m.py", b"import os\n")]),
          "archive-code", "source"))

    # D. npy / npz with object payloads
    obj_npy = _npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", bad)
    add(S("npy_object_payload", obj_npy, "npy", "os.system"))
    add(S("npz_object_member", make_zip([("x.npy", obj_npy)]), "npz", "os.system"))
    add(S("npy_structured_object", _npy("{'descr': [('a', '<f8'), ('b', '|O')], "
          "'fortran_order': False, 'shape': (1,), }", bad), "npy", "os.system"))
    add(S("npy_trailing_pickle", _npy("{'descr': '<f8', 'fortran_order': False, "
          "'shape': (1,), }", b"\x00" * 8 + bad), "npy-trailing", "after the array"))

    # E. extension tricks are irrelevant to content sniffing; kept as named files in the test.
    add(S("ext_bin", call_p2("os", "system"), "extension", "os.system"))
    add(S("ext_model", call_p0("subprocess", "call"), "extension", "subprocess"))

    # F. injected, stacked, truncated, invalid opcode, trailing data
    clean = benign_pickle(4)
    injected = clean[:2] + sg("os", "system") + su(PAYLOAD) + b"\x85R0" + clean[2:]
    add(S("injected_call_pop", injected, "injected", "os.system"))
    add(S("stacked_second_pickle", clean + bad, "stacked", "os.system"))
    add(S("nullifai_truncated", bad[:-1], "broken", "os.system"))
    add(S("nullifai_invalid_opcode", bad[:-1] + b"\xff\xfe", "broken", "os.system"))
    add(S("data_after_stop", clean + b"\x00\x01garbage", "trailing", "after the last"))
    add(S("truncated_benign", clean[: len(clean) // 2], "broken", "truncated"))
    add(S("bad_protocol", b"\x80\x09N.", "broken", "protocol"))

    # G. joblib with raw array bytes
    add(S("joblib_global_before_array", b"\x80\x04" + sg("os", "system") + b"0"
          + joblib_array_stream(b"."), "joblib", "os.system"))
    add(S("joblib_payload_after_array", joblib_array_stream(sg("os", "system") + su(PAYLOAD)
          + b"\x85R0."), "joblib", "os.system"))
    # joblib reads the padding-length byte and skips that many bytes; plain pickle.load reads
    # the same byte as an opcode (0x4e = NONE) and then runs the "padding".
    hidden = b"0" + sg("os", "system") + su(PAYLOAD) + b"\x85R."
    add(S("joblib_payload_in_padding", joblib_array_stream(
        b".", padding=hidden.ljust(0x4E, b"\xff")), "joblib-alt", "os.system"))
    add(S("joblib_zero_shape_then_payload", joblib_array_stream(
        sg("os", "system") + su(PAYLOAD) + b"\x85R0.", shape=0, padding=b""), "joblib",
        "os.system"))
    add(S("joblib_truncated_array", joblib_array_stream(b"", shape=200)[:200], "joblib",
          "truncated"))
    weird = joblib_array_stream(b".").replace(su("f8"), su("zz"))
    add(S("joblib_unknown_dtype", weird, "joblib", "cannot be verified"))

    # H. compressed joblib / pickles
    add(S("gzip_pickle", gzip.compress(bad), "compressed", "os.system"))
    add(S("bz2_pickle", bz2.compress(bad), "compressed", "os.system"))
    add(S("xz_pickle", lzma.compress(bad), "compressed", "os.system"))
    add(S("lzma_alone_pickle", lzma.compress(bad, format=lzma.FORMAT_ALONE), "compressed",
          "os.system"))
    add(S("zlib_pickle", zlib.compress(bad), "compressed", "os.system"))
    add(S("gzip_multimember", gzip.compress(clean) + gzip.compress(bad), "compressed",
          "os.system"))
    add(S("gzip_of_zip", gzip.compress(torch_like(bad)), "compressed", "os.system"))
    add(S("corrupt_gzip", gzip.compress(bad)[:-12], "compressed", "cannot be verified"))

    # I. containers we cannot open: fail closed
    add(S("sevenzip", b"7z\xbc\xaf\x27\x1c\x00\x04" + bad, "7z", "7z"))
    add(S("lz4_frame", b"\x04\x22\x4d\x18" + bad, "lz4", "lz4"))
    add(S("zstd_frame", b"\x28\xb5\x2f\xfd" + bad, "zstd", "zstd"))

    # J. skops schema tricks
    def skops(schema: str) -> bytes:
        return make_zip([("schema.json", schema.encode())])

    node = ('{"__class__": "%s", "__module__": "%s", "__loader__": "%s", "content": %s, '
            '"protocol": 2, "_skops_version": "0.16"}')
    add(S("skops_function_os", skops(node % ("system", "os", "FunctionNode", "{}")),
          "skops", "os.system"))
    add(S("skops_operator", skops(node % ("attrgetter", "operator", "OperatorFuncNode",
                                          '{"attrs": []}')), "skops", "operator"))
    add(S("skops_method", skops(node % ("StandardScaler", "sklearn.preprocessing._data",
                                        "MethodNode", '{"func": "__reduce__", "obj": {}}')),
          "skops", "MethodNode"))
    add(S("skops_unknown_type", skops(node % ("Popen", "subprocess", "ObjectNode", "{}")),
          "skops", "subprocess"))
    add(S("skops_unknown_loader", skops(node % ("X", "x", "EvalNode", "{}")), "skops",
          "unknown skops loader"))
    add(S("skops_bad_json", skops("{not json"), "skops", "JSON"))
    inner = node % ("system", "os", "FunctionNode", "{}")
    partial_content = '{"func": ' + inner + ', "args": {}, "kwds": {}}'
    add(S("skops_partial_of_system", skops(node % ("partial", "functools", "PartialNode",
                                                   partial_content)), "skops", "os.system"))

    # K. tar (legacy torch) and odd files
    tbuf = io.BytesIO()
    import tarfile

    with tarfile.open(fileobj=tbuf, mode="w") as tf:
        info = tarfile.TarInfo("pickle")
        info.size = len(bad)
        tf.addfile(info, io.BytesIO(bad))
    add(S("tar_pickle", tbuf.getvalue(), "tar", "os.system"))
    add(S("empty_file", b"", "empty", "empty"))
    add(S("not_a_model", b"\x00\x01\x02 hello", "unknown", "not a recognised"))
    return out


def bombs() -> list[tuple[str, bytes, dict[str, int]]]:
    """Samples that must hit a bound: (name, bytes, scan keyword limits)."""
    big = gzip.compress(b"\x00" * (8 << 20))
    nested = call_p4("os", "system")
    for _ in range(12):
        nested = make_zip([("n.zip", nested)])
    return [
        ("gzip_bomb", big, {"max_decompressed_bytes": 1 << 20}),
        ("zip_bomb", make_zip([("a/data.pkl", b"\x00" * (8 << 20))], zipfile.ZIP_DEFLATED),
         {"max_decompressed_bytes": 1 << 20}),
        ("deep_nesting", nested, {"max_depth": 8}),
    ]


# -- the benign corpus -------------------------------------------------------------------------

BENIGN_ESTIMATORS = (
    "LogisticRegression", "LinearRegression", "Ridge", "Lasso", "ElasticNet", "SGDClassifier",
    "LinearSVC", "SVC", "SVR", "KNeighborsClassifier", "KNeighborsRegressor", "GaussianNB",
    "DecisionTreeClassifier", "DecisionTreeRegressor", "RandomForestClassifier",
    "ExtraTreesRegressor", "GradientBoostingClassifier", "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor", "AdaBoostClassifier", "BaggingClassifier", "MLPClassifier",
    "KMeans", "MiniBatchKMeans", "DBSCAN", "PCA", "TruncatedSVD", "StandardScaler",
    "OneHotEncoder", "KBinsDiscretizer", "SimpleImputer", "IsolationForest",
    "GaussianProcessRegressor", "CalibratedClassifierCV", "Pipeline", "ColumnTransformer",
    "VotingClassifier", "StackingRegressor", "GridSearchCV", "TfidfVectorizer",
    "QuantileTransformer", "SplineTransformer", "LinearDiscriminantAnalysis", "Birch",
    "NearestNeighbors", "BayesianGaussianMixture",
)


def benign_objects() -> list[tuple[str, Any]]:
    """Fitted estimators of many families plus the extra object kinds real files carry."""
    from pytest_modelgate.security.derive import _fit, estimator_instances, extra_objects

    wanted = set(BENIGN_ESTIMATORS)
    objs: list[tuple[str, Any]] = []
    for name, est in estimator_instances():
        if name in wanted:
            if name == "TfidfVectorizer":
                objs.append((name, est.fit(["alpha beta gamma", "beta gamma delta", "gamma delta eps"])))
            else:
                objs.append((name, _fit(est)))
    objs += extra_objects()
    return objs


def benign_files(objs: list[tuple[str, Any]]) -> list[tuple[str, bytes]]:
    """(file name, bytes) for pickle p2-p5, joblib plain and every compressor, skops, npy/npz."""
    import joblib
    import numpy as np
    import skops.io as sio

    out: list[tuple[str, bytes]] = []
    for name, obj in objs:
        for proto in (2, 3, 4, 5):
            out.append((f"{name}.p{proto}.pkl", pickle.dumps(obj, protocol=proto)))
        buf = io.BytesIO()
        joblib.dump(obj, buf)
        out.append((f"{name}.joblib", buf.getvalue()))
        with contextlib.suppress(Exception):  # skops does not cover every object kind
            out.append((f"{name}.skops", sio.dumps(obj)))
    obj = dict(objs)["RandomForestClassifier"]
    for method in ("zlib", "gzip", "bz2", "xz", "lzma"):
        buf = io.BytesIO()
        joblib.dump(obj, buf, compress=(method, 3))
        out.append((f"RandomForestClassifier.joblib.{method}", buf.getvalue()))
    out.append(("RandomForestClassifier.pkl.gz", gzip.compress(pickle.dumps(obj, protocol=4))))
    out.append(("RandomForestClassifier.p0.pkl", pickle.dumps(obj, protocol=0)))
    out.append(("RandomForestClassifier.p1.pkl", pickle.dumps(obj, protocol=1)))
    out.append(("stacked.pkl", pickle.dumps(obj, protocol=4) + pickle.dumps([1, 2], protocol=2)))
    rng = np.random.default_rng(0)
    arrays = {"x": rng.normal(size=(50, 4)), "i": rng.integers(0, 99, size=300),
              "b": rng.random(7) > 0.5, "s": np.array(["ab", "c"]),
              "dt": np.array(["2024-01-01"], dtype="M8[D]"),
              "rec": np.zeros(3, dtype=[("a", "<f4"), ("b", "i8")])}
    for key, arr in arrays.items():
        buf = io.BytesIO()
        np.save(buf, arr)
        out.append((f"{key}.npy", buf.getvalue()))
    for compressed in (False, True):
        buf = io.BytesIO()
        (np.savez_compressed if compressed else np.savez)(buf, **arrays)
        out.append((f"arrays{'_c' if compressed else ''}.npz", buf.getvalue()))
    buf = io.BytesIO()
    joblib.dump(arrays, buf)
    out.append(("arrays.joblib", buf.getvalue()))
    buf = io.BytesIO()
    joblib.dump({"obj": np.array([{"a": 1}, [2]], dtype=object), "x": arrays["x"]}, buf)
    out.append(("object_array.joblib", buf.getvalue()))
    out.append(("onnx_like.onnx", _tiny_onnx()))
    return out


def _tiny_onnx() -> bytes:
    """A minimal well-formed ONNX ModelProto (ir_version, producer, an empty graph, opset)."""
    def field(num: int, wire: int, payload: bytes) -> bytes:
        return bytes([num << 3 | wire]) + payload

    graph = field(2, 2, bytes([4]) + b"test")  # GraphProto.name
    opset = field(2, 0, bytes([17]))
    return (field(1, 0, bytes([8])) + field(2, 2, bytes([9]) + b"modelgate")
            + field(7, 2, bytes([len(graph)]) + graph) + field(8, 2, bytes([len(opset)]) + opset))


Builder = Callable[[], list[Sample]]
