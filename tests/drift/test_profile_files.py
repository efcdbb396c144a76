"""Profile files: binary (.npz) and JSON round trips, safety of loading, determinism, datetimes."""

from __future__ import annotations

import io
import json
import math
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profile_errors import one_line_error

from pytest_modelgate.drift import Profile, _profile_npz, _schema, detect, merge_profiles, profile
from pytest_modelgate.exceptions import InputError

pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")

FORMATS = ("npz", "json")

# written by pytest-modelgate before binary profiles (x: numeric, c: categorical, t: datetime)
OLD_JSON = (
    '{"format":"pytest-modelgate-profile","version":1,"n_rows":6,"is_frame":true,'
    '"exact_max":100000,"n_quantiles":4097,"meta":{},"columns":[{"name":"x","kind":"numeric",'
    '"n":6,"n_missing":1,"n_inf":1,"n_values":4,"dtype":"float64","mean":1.0625,'
    '"std":1.6044372066241794,"rank_error":0.0,"values":"eJxjYACBL/vBFMMDewjN4AChOBwAQg4DWw=="},'
    '{"name":"c","kind":"categorical","n":6,"n_missing":1,"n_inf":0,"n_values":5,"dtype":"str",'
    '"categories":["a","b"],"counts":[3,2]},{"name":"t","kind":"datetime","n":6,"n_missing":0,'
    '"n_inf":0,"n_values":0,"dtype":"datetime64[us]"}]}'
)


def _bits(a: np.ndarray | None) -> Any:
    return None if a is None else (a.dtype.str, a.shape, a.tobytes())


def assert_same_profile(a: Profile, b: Profile) -> None:
    """Equal in everything a profile stores: exact and sketch arrays bit for bit."""
    assert (a.n_rows, a.is_frame, a.exact_max, a.n_quantiles, a.sketch, a.kll_k) == (
        b.n_rows, b.is_frame, b.exact_max, b.n_quantiles, b.sketch, b.kll_k)
    assert dict(a.meta) == dict(b.meta)
    assert dict(a.extra) == dict(b.extra)
    assert a.schema == b.schema
    assert list(a.columns) == list(b.columns)
    for name in a.columns:
        s, t = a.columns[name], b.columns[name]
        assert (s.kind, s.n, s.n_missing, s.n_inf, s.n_values, s.dtype, s.rank_error) == (
            t.kind, t.n, t.n_missing, t.n_inf, t.n_values, t.dtype, t.rank_error), name
        for field in ("values", "quantiles", "probs"):
            assert _bits(getattr(s, field)) == _bits(getattr(t, field)), (name, field)
        assert s.categories == t.categories
        assert [type(c) for c in s.categories] == [type(c) for c in t.categories]
        assert _bits(s.counts) == _bits(t.counts)
        assert dict(s.extra) == dict(t.extra)
        for x, y in zip(s.moments(), t.moments(), strict=True):
            assert (math.isnan(x) and math.isnan(y)) or x == y


def _round_trip(prof: Profile, tmp: Path, fmt: str) -> Profile:
    path = prof.save(tmp / f"p.{fmt}")
    head = path.read_bytes()[:4]
    assert head == b"PK\x03\x04" if fmt == "npz" else head[:1] == b"{"
    return Profile.load(path)


def _mixed(n: int, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[:3] = [np.nan, np.inf, -np.inf]
    t = pd.Timestamp("2024-03-01", tz="America/New_York") + pd.to_timedelta(
        rng.integers(0, 10_000, n), unit="min")
    return pd.DataFrame({
        "x": x,
        "k": rng.integers(0, 7, n),
        "c": rng.choice(["a", "b", "ü"], n),
        "cat": pd.Categorical(rng.choice(["lo", "hi"], n)),
        "t": pd.Series(t).where(rng.random(n) > 0.05),
        "nan": np.full(n, np.nan),
        "none": pd.Series([None] * n, dtype=object),
    })


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_is_exact_for_every_column_kind(tmp_path: Path, fmt: str) -> None:
    prof = profile(_mixed(3000, 1), categorical=["none"])
    loaded = _round_trip(prof, tmp_path, fmt)
    assert_same_profile(prof, loaded)
    assert loaded.columns["x"].values.flags.writeable  # type: ignore[union-attr]
    assert loaded.columns["t"].n_missing > 0
    assert "range_ns" in loaded.columns["t"].extra
    assert loaded.columns["nan"].n_values == 0
    assert loaded.columns["none"].categories == ()


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_sketches_and_profiles_without_columns(tmp_path: Path, fmt: str) -> None:
    rng = np.random.default_rng(2)
    grid = profile(pd.DataFrame({"x": rng.normal(size=5000), "y": np.arange(5000.0)}),
                   exact_max=1000, n_quantiles=257)
    assert not grid.exact
    assert_same_profile(grid, _round_trip(grid, tmp_path, fmt))
    merged = merge_profiles([grid, grid])  # a merged grid states a larger error
    assert_same_profile(merged, _round_trip(merged, tmp_path, fmt))
    empty = profile(pd.DataFrame(index=range(4)))
    assert_same_profile(empty, _round_trip(empty, tmp_path, fmt))


def test_round_trip_of_a_kll_sketch(tmp_path: Path) -> None:
    pytest.importorskip("datasketches", reason="needs the kll extra")
    prof = profile(np.random.default_rng(3).normal(size=3000), exact_max=100, sketch="kll",
                   kll_k=200)
    for fmt in FORMATS:
        loaded = _round_trip(prof, tmp_path, fmt)
        assert_same_profile(prof, loaded)
        assert loaded.columns[0].extra["kll"] == prof.columns[0].extra["kll"]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # moments of 1e308
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64),
                       max_size=1500),
       labels=st.lists(st.one_of(st.none(), st.text(max_size=4), st.integers(-3, 3),
                                 st.booleans()), min_size=1, max_size=60))
def test_any_values_and_labels_survive_both_formats(tmp_path: Path, values: list[float],
                                                    labels: list[Any]) -> None:
    n = max(len(values), 1)
    x = np.array(values + [np.nan] * (n - len(values)), dtype=np.float64)
    c = pd.Series([labels[i % len(labels)] for i in range(n)], dtype=object)
    c = c.map(lambda v: v if v is None else str(v))  # one label type per column
    prof = profile(pd.DataFrame({"x": x, "c": c}))
    for fmt in FORMATS:
        assert_same_profile(prof, _round_trip(prof, tmp_path, fmt))
    assert_same_profile(prof, Profile.from_bytes(prof.to_bytes()))


def test_the_layout_is_a_plain_npz_of_typed_pools(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    values = rng.lognormal(size=20_000)
    values[5] = -0.0
    prof = profile(pd.DataFrame({"x": values, "c": rng.choice(["a", "b"], 20_000)}))
    path = prof.save(tmp_path / "p.npz")
    with np.load(path, allow_pickle=False) as z:  # a plain .npz, readable without us
        header = json.loads(z["header"].tobytes())
        planes, counts = z["f8"], z["i8"]
    assert header["shuffle"] == 8
    assert header["columns"][0]["values"] == {"pool": "f8", "start": 0, "stop": 20_000}
    assert header["columns"][1]["counts"] == {"pool": "i8", "start": 0, "stop": 2}
    assert planes.shape == (8, 20_000)
    np.testing.assert_array_equal(np.ascontiguousarray(planes.T).view("<f8").ravel(),
                                  prof.columns["x"].values)
    np.testing.assert_array_equal(counts, prof.columns["c"].counts)
    assert _bits(Profile.load(path).columns["x"].values) == _bits(prof.columns["x"].values)
    with np.load(io.BytesIO(prof.to_bytes()), allow_pickle=False) as z:  # uncompressed: plain
        np.testing.assert_array_equal(z["f8"], prof.columns["x"].values)


def test_detect_on_a_loaded_binary_profile_equals_memory_and_raw_data(tmp_path: Path) -> None:
    ref, cur = _mixed(4000, 5), _mixed(3000, 6)
    cur["x"] += 0.2
    prof = profile(ref)
    loaded = Profile.load(prof.save(tmp_path / "ref.npz"))
    a = detect(ref, cur).to_dict()
    b = detect(prof, cur).to_dict()
    c = detect(loaded, cur).to_dict()
    assert b == c
    assert a["columns"] == c["columns"]
    assert a["drifted"] == c["drifted"]


def test_old_json_profiles_still_load(tmp_path: Path) -> None:
    path = tmp_path / "old.profile"  # the format is told by the bytes, not the name
    path.write_text(OLD_JSON)
    prof = Profile.load(path)
    np.testing.assert_array_equal(prof.columns["x"].values, [-1.25, 0.5, 2.0, 3.0])
    assert prof.columns["c"].categories == ("a", "b")
    assert prof.columns["t"].kind == "datetime"
    assert "range_ns" not in prof.columns["t"].extra
    # and it converts: loaded JSON saved binary loads back the same
    assert_same_profile(prof, Profile.load(prof.save(tmp_path / "new.npz")))


def test_the_suffix_chooses_the_format_and_the_bytes_the_loader(tmp_path: Path) -> None:
    prof = profile(_mixed(500, 7))
    for name, magic in [("a.json", b"{"), ("b.JSON", b"{"), ("c.npz", b"PK"),
                        ("d.profile", b"PK"), ("e", b"PK")]:
        path = prof.save(tmp_path / name)
        assert path.read_bytes().startswith(magic), name
        moved = tmp_path / f"moved-{name}.json"
        path.rename(moved)  # a binary profile named .json still loads
        assert_same_profile(prof, Profile.load(moved))


def test_same_profile_same_bytes(tmp_path: Path) -> None:
    prof = profile(_mixed(2000, 8))
    a = prof.save(tmp_path / "a.npz").read_bytes()
    b = profile(_mixed(2000, 8)).save(tmp_path / "b.npz").read_bytes()
    c = Profile.load(tmp_path / "a.npz").save(tmp_path / "c.npz").read_bytes()
    assert a == b == c
    assert prof.to_bytes() == Profile.from_bytes(prof.to_bytes()).to_bytes()
    with zipfile.ZipFile(tmp_path / "a.npz") as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    j1 = prof.save(tmp_path / "a.json").read_bytes()
    j2 = Profile.load(tmp_path / "a.npz").save(tmp_path / "b.json").read_bytes()
    assert j1 == j2


def test_binary_files_are_smaller_and_uncompressed_bytes_are_plain(tmp_path: Path) -> None:
    prof = profile(np.random.default_rng(9).normal(size=(20_000, 3)))
    npz = prof.save(tmp_path / "p.npz").stat().st_size
    js = prof.save(tmp_path / "p.json").stat().st_size
    assert npz < 0.8 * js
    with zipfile.ZipFile(io.BytesIO(prof.to_bytes())) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}


# -- refusing bad files -------------------------------------------------------------------------

_one_line_error = one_line_error


def _npz(path: Path, **members: Any) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in members.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=True)
            zf.writestr(f"{name}.npy", buf.getvalue())
    return path


class _Boom:
    """Unpickling this would create the file `target`."""

    target = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path(self.target),))


def test_pickled_object_arrays_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    boom = _Boom()
    boom.target = str(marker)
    pickle.dumps(boom)  # sanity: this object does pickle
    good = profile(np.arange(5.0)).save(tmp_path / "good.npz")
    with zipfile.ZipFile(good) as zf:
        header = zf.read("header.npy")
    objs = np.empty(2, dtype=object)
    objs[:] = [boom, boom]
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("header.npy", header)
        buf = io.BytesIO()
        np.lib.format.write_array(buf, objs, allow_pickle=True)
        zf.writestr("f8.npy", buf.getvalue())
    msg = _one_line_error(bad)
    assert "Python objects" in msg
    assert "modelgate profile" in msg
    assert not marker.exists()
    # an object header too
    msg = _one_line_error(_npz(tmp_path / "objhead.npz", header=objs))
    assert "Python objects" in msg
    assert not marker.exists()


def test_foreign_npz_and_bad_headers_are_named(tmp_path: Path) -> None:
    assert "without a pytest-modelgate profile header" in _one_line_error(
        _npz(tmp_path / "plain.npz", x=np.arange(3.0)))
    doc = profile(np.arange(5.0)).to_dict()

    def header(d: Any) -> np.ndarray:
        return np.frombuffer(json.dumps(d).encode(), dtype=np.uint8)

    assert "no container_version" in _one_line_error(
        _npz(tmp_path / "nov.npz", header=header(doc)))
    newer = dict(doc, container="npz", container_version=99)
    assert "newer than this pytest-modelgate" in _one_line_error(
        _npz(tmp_path / "new.npz", header=header(newer)))
    assert "corrupt profile header" in _one_line_error(
        _npz(tmp_path / "junk.npz", header=np.frombuffer(b"{nope", dtype=np.uint8)))
    assert "not a pytest-modelgate profile" in _one_line_error(_npz(
        tmp_path / "other.npz", header=header({"format": "x", "container_version": 1})))
    missing = dict(doc, container="npz", container_version=1)
    missing["columns"][0]["values"] = {"pool": "f8", "start": 0, "stop": 5}
    assert "f8.npy missing" in _one_line_error(
        _npz(tmp_path / "missing.npz", header=header(missing)))
    assert "holds <U3" in _one_line_error(_npz(
        tmp_path / "text.npz", header=header(missing), f8=np.array(["abc"])))
    assert "outside pool f8 (3 values)" in _one_line_error(_npz(
        tmp_path / "short.npz", header=header(missing), f8=np.arange(3.0)))
    missing["columns"][0]["values"] = {"pool": "i8", "start": 0, "stop": 5}
    assert "bad array reference" in _one_line_error(_npz(
        tmp_path / "wrongpool.npz", header=header(missing), i8=np.arange(5)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_and_damaged_files_are_one_line_errors(tmp_path: Path, fmt: str) -> None:
    good = profile(_mixed(3000, 10)).save(tmp_path / f"good.{fmt}").read_bytes()
    cuts = sorted({1, 3, 4, 30, 100, len(good) // 3, len(good) // 2, len(good) - 30,
                   len(good) - 1})
    for cut in cuts:
        bad = tmp_path / f"cut{cut}.{fmt}"
        bad.write_bytes(good[:cut])
        _one_line_error(bad)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF  # inside a member: the CRC (npz) or the JSON breaks
    (tmp_path / f"flip.{fmt}").write_bytes(bytes(flipped))
    with pytest.raises(InputError, match=r"damaged|corrupt|not a valid"):
        Profile.load(tmp_path / f"flip.{fmt}")


def test_empty_and_foreign_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "empty.npz").write_bytes(b"")
    assert "is empty" in _one_line_error(tmp_path / "empty.npz")
    (tmp_path / "x.npz").write_bytes(b"\x89PNG\r\n\x1a\n....")
    assert "neither a binary (.npz) nor a JSON profile" in _one_line_error(tmp_path / "x.npz")
    (tmp_path / "dir.npz").mkdir()
    assert "is a directory" in _one_line_error(tmp_path / "dir.npz")
    with pytest.raises(InputError, match="not a valid profile"):
        Profile.from_bytes(b"\x00\x01")


def test_a_failed_binary_write_leaves_the_old_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ref.npz"
    old = profile(np.arange(10.0)).save(path).read_bytes()

    def fail(self: Any, fh: Any, header: Any) -> None:
        fh.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_profile_npz.NpzWriter, "write", fail)
    with pytest.raises(OSError, match="No space"):
        profile(np.arange(20.0)).save(path)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["ref.npz"]


# -- datetimes ---------------------------------------------------------------------------------

def test_datetime_columns_keep_counts_and_utc_range_through_merge_and_files(
        tmp_path: Path) -> None:
    t = pd.Series(pd.date_range("2024-01-01", periods=1000, freq="h", tz="Asia/Tokyo"))
    t[[3, 500]] = pd.NaT
    df = pd.DataFrame({"t": t, "x": np.arange(1000.0)})
    whole = profile(df)
    s = whole.columns["t"]
    utc = t.dt.tz_convert("UTC").dt.tz_localize(None).dropna().astype("datetime64[ns]")
    assert (s.n, s.n_missing, s.n_values) == (1000, 2, 998)
    assert s.extra["range_ns"] == (utc.min().value, utc.max().value)
    parts = [profile(df.iloc[i:i + 250]) for i in range(0, 1000, 250)]
    merged = merge_profiles(parts)
    assert_same_profile(replace_meta(merged), replace_meta(whole))
    pair = parts[0].merge(parts[3])
    assert pair.columns["t"].extra["range_ns"] == (utc.iloc[0].value, utc.iloc[-1].value)
    for fmt in FORMATS:
        loaded = _round_trip(whole, tmp_path, fmt)
        col = _schema.read_schema_section(loaded).columns["t"]  # type: ignore[union-attr]
        assert (col.min, col.max) == (float(utc.min().value), float(utc.max().value))
        assert _schema.infer_schema(loaded).columns["t"] == col


def replace_meta(p: Profile) -> Profile:
    from dataclasses import replace

    return replace(p, meta={})


@pytest.mark.parametrize("fmt", FORMATS)
def test_integrity_against_a_saved_profile_keeps_the_datetime_range(tmp_path: Path,
                                                                    fmt: str) -> None:
    from pytest_modelgate.gates._recorder import Gate, GateContext

    t = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(400), unit="h")
    train = pd.DataFrame({"t": t[:300], "x": np.arange(300.0)})
    path = profile(train).save(tmp_path / f"ref.{fmt}")
    gate = Gate(GateContext(nodeid="t::dt"))
    inside = pd.DataFrame({"t": t[10:100], "x": np.arange(90.0)})
    later = pd.DataFrame({"t": t[300:] + pd.Timedelta(days=3650), "x": np.arange(100.0)})
    assert gate.integrity(str(path), inside, checks=["range"])["range"].verdict == "passed"
    res = gate.integrity(str(path), later, checks=["range"])["range"]
    assert res.verdict == "failed"
    assert "column 't': 100 test rows (100%) outside" in res.message
    # the same verdict as against the raw training data
    raw = gate.integrity(train, later, checks=["range"])["range"]
    assert raw.verdict == "failed"
    # and the drift gate on that profile skips the datetime column as on raw data
    d_prof = gate.drift(str(path), later).details["columns"]["t"]
    d_raw = gate.drift(train, later).details["columns"]["t"]
    assert d_prof == d_raw
