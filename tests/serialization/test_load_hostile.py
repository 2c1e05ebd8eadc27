"""ng.load on hostile and broken files: one exception type (LoadError, a ValueError) naming the file,
memory bounded by the file (zip bombs and huge declared shapes refused before any allocation),
only what ng.save writes accepted; fuzzed with hypothesis. Also save's temporary files and modes."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netgrad as ng
from netgrad.serialization import MAX_DEPTH, LoadError

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _npy(arr: np.ndarray) -> bytes:
    b = io.BytesIO()
    np.save(b, arr, allow_pickle=True)
    return b.getvalue()


def _meta(root, fmt=1) -> bytes:
    return _npy(np.frombuffer(json.dumps({"format": fmt, "root": root}).encode(), dtype=np.uint8))


def _write(path, members: dict[str, bytes], method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _npy_header(descr: str, shape, fortran=False) -> bytes:
    h = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}).encode("latin1")
    h += b" " * (63 - (len(h) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h


def _load_error(path, *fragments):
    with pytest.raises(LoadError) as info:
        ng.load(path)
    msg = str(info.value)
    assert os.fspath(path) in msg, msg
    for f in fragments:
        assert f in msg, msg
    assert "allow_pickle" not in msg
    return msg


def test_load_error_is_a_value_error():
    assert issubclass(LoadError, ValueError)
    assert ng.serialization.LoadError is LoadError


def test_random_bytes_is_not_a_netgrad_file(tmp_path):
    p = tmp_path / "model.pt"
    p.write_bytes(np.random.default_rng(0).bytes(5000))
    _load_error(p, "not a netgrad file")
    (tmp_path / "empty").write_bytes(b"")
    _load_error(tmp_path / "empty", "not a netgrad file")


def test_foreign_npz_and_plain_zip(tmp_path):
    np.savez(tmp_path / "plain.npz", x=np.ones(3))
    _load_error(tmp_path / "plain.npz", "not written by netgrad.save")
    _write(tmp_path / "z.zip", {"readme.txt": b"hello"})
    _load_error(tmp_path / "z.zip", "__netgrad__")


def _zip64(path, entries):
    """Write a zip by hand: entries are (name, method, data as stored, crc32, inflated size); every
    entry has zip64 sizes, as NumPy's savez writes them."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, usize in entries:
        n = name.encode()
        extra = struct.pack("<HHQQ", 1, 16, usize, len(data))
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, method, 0, 0, crc, 0xFFFFFFFF,
                           0xFFFFFFFF, len(n), len(extra)) + n + extra + data
        cextra = struct.pack("<HHQQQ", 1, 24, usize, len(data), offset)
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 45, 45, 0, method, 0, 0, crc,
                               0xFFFFFFFF, 0xFFFFFFFF, len(n), len(cextra), 0, 0, 0, 0, 0xFFFFFFFF)
        central += n + cextra
    cd_at = len(out)
    out += central
    z64_at = len(out)
    k = len(entries)
    out += struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, k, k, len(central), cd_at)
    out += struct.pack("<4sIQI", b"PK\x06\x07", 0, z64_at, 1)
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(path, "wb") as f:
        f.write(out)
    return path


def _bomb(path, size=2 << 30, named=True):
    """A ~2 MB archive whose deflated array member inflates to ``size`` bytes (an .npy of zeros).
    Built fast: deflate output after a full flush does not depend on what came before, so one
    compressed 16 MiB block of zeros is repeated."""
    meta = _meta({"t": "ndarray", "k": "a0"} if named else {"t": "int", "v": 7})
    header = _npy_header("|u1", (size,))
    chunk = bytes(16 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    n = size // len(chunk)
    crc = zlib.crc32(header)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    stream = head + block * n + b"\x03\x00"  # an empty final block ends the stream
    return _zip64(path, [("__netgrad__.npy", 0, meta, zlib.crc32(meta), len(meta)),
                         ("a0.npy", 8, stream, crc, len(header) + size)])


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    return _bomb(d / "bomb.ngz"), _bomb(d / "side.ngz", named=False)


_RSS = textwrap.dedent("""
    import resource, sys
    import netgrad as ng
    try:
        out = ng.load(sys.argv[1])
        print("loaded", repr(out)[:40])
    except ValueError as e:
        print(type(e).__name__, str(e)[:300])
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")


def _peak_rss_kb(path) -> tuple[str, int]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", _RSS, os.fspath(path)], capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    *lines, peak = r.stdout.strip().splitlines()
    return "\n".join(lines), int(peak)


def test_zip_bomb_refused_unread_with_memory_bounded(bombs, tmp_path):
    bomb, side = bombs
    assert os.path.getsize(bomb) < 4 << 20  # ~2 MB on disk, 2 GiB inflated
    with zipfile.ZipFile(bomb) as zf:  # a real bomb: a valid archive whose member inflates
        assert zf.getinfo("a0.npy").file_size > 2 << 30
        with zf.open("a0.npy") as f:
            assert f.read(6) == b"\x93NUMPY"
            assert f.read(1 << 20).count(0) > 1000000
    small = tmp_path / "small.ngz"
    ng.save({"w": ng.ones(10)}, small)
    out0, base = _peak_rss_kb(small)
    assert out0.startswith("loaded")
    out, peak = _peak_rss_kb(bomb)
    assert out.startswith("LoadError") and "compressed" in out and os.fspath(bomb) in out
    assert peak - base < 64 * 1024, (peak, base)  # KiB: far below the 2 GiB it inflates to
    # A bomb the metadata never names is never opened: the file loads, memory stays flat.
    out, peak = _peak_rss_kb(side)
    assert out == "loaded 7"
    assert peak - base < 64 * 1024, (peak, base)


def test_header_declaring_terabytes(tmp_path):
    p = _write(tmp_path / "huge.ngz", {"__netgrad__.npy": _meta({"t": "ndarray", "k": "a0"}),
                                       "a0.npy": _npy_header("<f4", ((7 << 40) // 4,)) + b"\0" * 64})
    _load_error(p, "a0", "7696581394432 bytes", "holds 64 bytes")
    # and within max_bytes: a legitimate file over the caller's limit
    ok = tmp_path / "ok.ngz"
    ng.save({"w": np.zeros(1000)}, ok)
    with pytest.raises(LoadError, match="8000 bytes.*more than the 100 allowed"):
        ng.load(ok, max_bytes=100)
    assert ng.load(ok)["w"].shape == (1000,)


def _local(name: str, data: bytes) -> bytes:
    n = name.encode()
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(data), len(data),
                       len(data), len(n), 0) + n + data


def _with_directory(blob: bytes, entries) -> bytes:
    """``blob`` (local headers and data) plus a directory of (name, offset, stored size) entries."""
    cd = bytearray()
    for name, offset, size in entries:
        n = name.encode()
        crc = zlib.crc32(blob[offset + 30 + len(n):offset + 30 + len(n) + size])
        cd += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, size, size,
                          len(n), 0, 0, 0, 0, 0, offset) + n
    return bytes(blob) + bytes(cd) + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries),
                                                 len(entries), len(cd), len(blob), 0)


def test_overlapping_members_refused(tmp_path):
    """Directory entries pointing into the same bytes would let a small file fill memory."""
    meta = _meta({"t": "list", "v": [{"t": "ndarray", "k": "a0"}, {"t": "ndarray", "k": "a1"}]})
    inner_rec = _local("a1.npy", _npy(np.zeros(500)))  # a1: a valid member ...
    outer = _npy(np.frombuffer(inner_rec, dtype=np.uint8))  # ... inside a0's own data
    blob = _local("__netgrad__.npy", meta)
    a0_at = len(blob)
    blob += _local("a0.npy", outer)
    a1_at = a0_at + 30 + len("a0.npy") + (len(outer) - len(inner_rec))
    p = tmp_path / "nested.ngz"
    p.write_bytes(_with_directory(blob, [("__netgrad__.npy", 0, len(meta)), ("a0.npy", a0_at, len(outer)),
                                         ("a1.npy", a1_at, len(inner_rec) - 36)]))
    with zipfile.ZipFile(p) as zf:  # a well-formed archive: each member alone is fine
        assert np.load(io.BytesIO(zf.read("a1.npy"))).shape == (500,)
    _load_error(p, "overlaps others")
    # the same local record listed under a second name
    blob = _local("__netgrad__.npy", meta) + _local("a0.npy", _npy(np.zeros(3)))
    p2 = tmp_path / "alias.ngz"
    p2.write_bytes(_with_directory(blob, [("__netgrad__.npy", 0, len(meta)),
                                          ("a0.npy", a0_at, len(_npy(np.zeros(3)))),
                                          ("a1.npy", a0_at, len(_npy(np.zeros(3))))]))
    _load_error(p2, "a1", "local header names another")


def test_raw_bytes_where_an_array_is_declared(tmp_path):
    p = _write(tmp_path / "raw.ngz", {"__netgrad__.npy": _meta({"t": "tensor", "k": "a0", "rg": False}),
                                      "a0.npy": b"just some raw bytes, no npy header"})
    _load_error(p, "a0", "not an .npy array")


def test_shape_and_size_mismatch(tmp_path):
    p = _write(tmp_path / "short.ngz", {"__netgrad__.npy": _meta({"t": "ndarray", "k": "a0"}),
                                        "a0.npy": _npy_header("<f8", (10,)) + b"\0" * 16})
    _load_error(p, "a0", "holds 16 bytes")


@pytest.mark.parametrize("root, fragment", [
    ({"t": "int", "v": "5"}, "int at the root holds str"),
    ({"t": "float", "v": 1}, "float at the root holds int"),
    ({"t": "bool", "v": 1}, "bool at the root"),
    ({"t": "str", "v": None}, "str at the root"),
    ({"t": "list", "v": [{"t": "int", "v": 1}, {"t": "int"}]}, "fields ['t'], expected ['t', 'v']"),
    ({"t": "list", "v": {"a": 1}}, "not a list"),
    ({"t": "dict", "v": [[{"t": "int", "v": 1}]]}, "not a [key, value] pair"),
    ({"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]}, "dict key of type list"),
    ({"t": "dict", "v": [[{"t": "tuple", "v": [{"t": "list", "v": []}]}, {"t": "none"}]]}, "dict key"),
    ({"t": "tensor", "k": "a0"}, "expected ['k', 'rg', 't']"),
    ({"t": "tensor", "k": 0, "rg": False}, "expected a0, a1"),
    ({"t": "tensor", "k": "../../etc/passwd", "rg": False}, "expected a0, a1"),
    ({"t": "tensor", "k": "a0", "rg": "yes"}, "requires_grad"),
    ({"t": "ndarray", "k": "a9"}, "does not hold"),
    ({"t": "list", "v": [{"t": "ndarray", "k": "a0"}, {"t": "ndarray", "k": "a0"}]}, "named twice"),
    ({"t": "pickle", "v": "cos\nsystem"}, "unknown entry type 'pickle'"),
    ({"t": 5}, "not {'t': ...}"),
    ([1, 2], "not {'t': ...}"),
    ("root", "not {'t': ...}"),
])
def test_crafted_metadata(tmp_path, root, fragment):
    p = _write(tmp_path / "m.ngz", {"__netgrad__.npy": _meta(root), "a0.npy": _npy(np.ones(2))})
    _load_error(p, fragment)


@pytest.mark.parametrize("doc, fragment", [
    (b"not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[" * 200000 + b"]" * 200000, "not valid JSON"),
    (b'{"format": 1}', "not {format, root}"),
    (b'{"format": "1", "root": {"t": "none"}}', "format is '1'"),
    (b'{"format": 99, "root": {"t": "none"}}', "format 99, newer"),
    (b'{"format": 1, "root": {"t": "int", "v": 1' + b"0" * 5000 + b"}}", "not valid JSON"),
])
def test_malformed_metadata_documents(tmp_path, doc, fragment):
    meta = _npy(np.frombuffer(doc, dtype=np.uint8))
    p = _write(tmp_path / "d.ngz", {"__netgrad__.npy": meta})
    _load_error(p, fragment)


def test_metadata_not_bytes(tmp_path):
    p = _write(tmp_path / "m.ngz", {"__netgrad__.npy": _npy(np.ones(3))})
    _load_error(p, "metadata is float64")


def test_nesting_limit_without_recursion_error(tmp_path):
    root = {"t": "none"}
    for _ in range(MAX_DEPTH + 5):
        root = {"t": "list", "v": [root]}
    p = _write(tmp_path / "deep.ngz", {"__netgrad__.npy": _meta(root)})
    _load_error(p, f"more than {MAX_DEPTH} containers deep")
    # save refuses what load would refuse, and writes what load accepts
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than"):
        ng.save(deep, tmp_path / "x.ngz")
    ok: list = []
    for _ in range(MAX_DEPTH - 1):
        ok = [ok]
    ng.save(ok, tmp_path / "ok.ngz")
    assert ng.load(tmp_path / "ok.ngz") == ok


@pytest.mark.parametrize("arr_bytes, fragment", [
    (_npy(np.array(["abc"])), "dtype <U3, which ng.save never writes"),
    (_npy(np.array([{"x": 1}], dtype=object)), "dtype object, which ng.save never writes"),
    (_npy(np.array(["2020-01-01"], dtype="datetime64[D]")), "which ng.save never writes"),
    (_npy(np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")])), "structured dtype"),
    (_npy(np.asfortranarray(np.ones((2, 3)))), "Fortran order"),
    (_npy_header("<f4", (2, -1)), "invalid shape"),
    (_npy_header("<f4", (2.5,)), "invalid shape"),
    (_npy_header("<f4", (0, 1 << 62)), "impossible shape"),
    (_npy_header("not-a-dtype", (1,)), "unknown dtype"),
    (b"\x93NUMPY\x01\x00\x10\x00{'descr': __import__('os')}", "unreadable .npy header"),
    (b"\x93NUMPY\x09\x00\x10\x00", "unknown .npy version"),
    (b"\x93NUMPY\x01\x00\xff\xff{", "oversized or truncated"),
    (_npy_header("|b1", (3,)) + b"\x00\x01\x07", "bytes other than 0 and 1"),
])
def test_arrays_save_never_writes(tmp_path, arr_bytes, fragment):
    p = _write(tmp_path / "a.ngz", {"__netgrad__.npy": _meta({"t": "tensor", "k": "a0", "rg": False}),
                                    "a0.npy": arr_bytes})
    _load_error(p, fragment)


def test_unnamed_members_are_never_read(tmp_path):
    # a pickled object the metadata never names: ignored, no code runs, the file loads
    p = _write(tmp_path / "extra.ngz", {"__netgrad__.npy": _meta({"t": "ndarray", "k": "a0"}),
                                        "a0.npy": _npy(np.arange(3)),
                                        "evil.npy": _npy(np.array([print], dtype=object))})
    np.testing.assert_array_equal(ng.load(p), np.arange(3))


def test_scalar_shapes(tmp_path):
    ng.save({"s": np.float32(2.5), "z": np.array(3.0)}, tmp_path / "s.ngz")
    back = ng.load(tmp_path / "s.ngz")
    assert isinstance(back["s"], np.float32) and back["s"] == 2.5
    assert back["z"].shape == () and back["z"] == 3.0
    p = _write(tmp_path / "bad.ngz", {"__netgrad__.npy": _meta({"t": "npscalar", "k": "a0"}),
                                      "a0.npy": _npy(np.ones(4))})
    _load_error(p, "shape (4,), not ()")


def test_truncated_at_every_cut(tmp_path):
    p = tmp_path / "full.ngz"
    ng.save({"w": ng.randn(8, 8), "meta": {"epoch": 3, "betas": (0.9, 0.99)}}, p)
    data = p.read_bytes()
    cut = tmp_path / "cut.ngz"
    for n in range(0, len(data), max(1, len(data) // 97)):
        cut.write_bytes(data[:n])
        _load_error(cut)


# ------------------------------------------------------------------------------------------ fuzzing
def _assert_loads_or_load_error(path):
    try:
        ng.load(path)
    except LoadError as e:
        assert os.fspath(path) in str(e) and "allow_pickle" not in str(e)


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("fuzz") / "valid.ngz"
    ng.save({"w": ng.randn(4, 3), "b": np.arange(5, dtype=np.int16), "m": ng.tensor([True, False]),
             "opt": {"lr": 0.1, "betas": (0.9, 0.999), "step": 7, "name": "adam", (1, "k"): None},
             "s": np.float64(1.5)}, p)
    return p.read_bytes()


@FUZZ
@given(data=st.binary(max_size=3000))
def test_fuzz_random_bytes(tmp_path, data):
    p = tmp_path / "r.ngz"
    p.write_bytes(data)
    _assert_loads_or_load_error(p)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255)), min_size=1, max_size=8))
def test_fuzz_corrupted_valid_file(tmp_path, valid_file, flips):
    data = bytearray(valid_file)
    for pos, val in flips:
        data[pos % len(data)] = val
    p = tmp_path / "c.ngz"
    p.write_bytes(bytes(data))
    _assert_loads_or_load_error(p)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.sampled_from(
        ["t", "v", "k", "rg", "a0", "a1", "none", "int", "float", "str", "bool", "tensor", "ndarray",
         "npscalar", "list", "tuple", "dict"]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["t", "v", "k", "rg", "x"]), kids, max_size=4),
    max_leaves=25)
_node = st.recursive(
    st.sampled_from([{"t": "none"}, {"t": "int", "v": 1}, {"t": "float", "v": 2.0}, {"t": "str", "v": "s"},
                     {"t": "bool", "v": True}, {"t": "tensor", "k": "a0", "rg": False},
                     {"t": "ndarray", "k": "a1"}, {"t": "npscalar", "k": "a2"}]) | _json,
    lambda kids: st.builds(lambda t, v: {"t": t, "v": v}, st.sampled_from(["list", "tuple"]),
                           st.lists(kids, max_size=3))
    | st.builds(lambda v: {"t": "dict", "v": v},
                st.lists(st.lists(kids, min_size=2, max_size=2), max_size=3)),
    max_leaves=12)


@FUZZ
@given(root=_node, fmt=st.sampled_from([1, 1, 1, 0, 2, "1", None]))
def test_fuzz_metadata(tmp_path, root, fmt):
    p = _write(tmp_path / "f.ngz", {"__netgrad__.npy": _meta(root, fmt), "a0.npy": _npy(np.ones(2)),
                                    "a1.npy": _npy(np.arange(3)), "a2.npy": _npy(np.array(1.5))})
    _assert_loads_or_load_error(p)


@FUZZ
@given(descr=st.sampled_from(["<f4", ">f8", "|b1", "<i8", "<c16", "|u1", "<U2", "|O", "|V4", "<m8"]),
       shape=st.lists(st.integers(-2, 5), max_size=3), extra=st.integers(-3, 3))
def test_fuzz_npy_headers(tmp_path, descr, shape, extra):
    n = int(np.prod([max(s, 0) for s in shape])) * np.dtype(descr).itemsize + extra
    p = _write(tmp_path / "h.ngz", {"__netgrad__.npy": _meta({"t": "ndarray", "k": "a0"}),
                                    "a0.npy": _npy_header(descr, shape) + b"\x01" * max(n, 0)})
    _assert_loads_or_load_error(p)


# ----------------------------------------------------------- save: temporary files, modes, kill -9
def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_saved_file_mode_matches_the_run_folder(tmp_path):
    from netgrad.train import save_checkpoint

    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what any other file of a run folder gets under this umask
    model = ng.nn.Linear(2, 1)
    save_checkpoint(tmp_path / "ckpt.ngz", model)
    ng.save({"a": 1}, tmp_path / "obj.ngz")
    want = os.stat(plain).st_mode & 0o777
    assert os.stat(tmp_path / "ckpt.ngz").st_mode & 0o777 == want
    assert os.stat(tmp_path / "obj.ngz").st_mode & 0o777 == want


def test_stale_temporary_files_cleaned_by_next_save(tmp_path):
    from netgrad.train import load_checkpoint, save_checkpoint

    model = ng.nn.Linear(2, 1)
    path = tmp_path / "ckpt.ngz"
    dead = tmp_path / f".tmp-ckpt.ngz-{_dead_pid()}-0123456789ab"
    dead.write_bytes(b"half a checkpoint")
    live = tmp_path / f".tmp-ckpt.ngz-{os.getppid()}-0123456789ab"  # a live process's save: kept
    live.write_bytes(b"in progress")
    other = tmp_path / f".tmp-other.ngz-{_dead_pid()}-0123456789ab"  # another file's: not ours to touch
    other.write_bytes(b"x")
    save_checkpoint(path, model, epoch=1)
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt.ngz", live.name, other.name])
    assert load_checkpoint(path, model)["epoch"] == 1


_KILLED_SAVER = textwrap.dedent("""
    import sys
    import numpy as np
    import netgrad as ng
    big = {"w": np.zeros((4096, 4096))}  # 128 MiB: each save takes a while
    print("ready", flush=True)
    while True:
        ng.save(big, sys.argv[1])
""")


def test_kill_9_during_save_leaves_old_file_and_next_save_cleans(tmp_path):
    path = tmp_path / "ckpt.ngz"
    ng.save({"epoch": 1}, path)
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_SAVER, os.fspath(path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        for _ in range(6000):  # until a temporary file exists (the save is under way)
            if any(n.startswith(".tmp-") for n in os.listdir(tmp_path)):
                break
            proc.poll()
            assert proc.returncode is None
            time.sleep(0.005)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    back = ng.load(path)  # the old file or a complete new one, never a torn one
    assert back == {"epoch": 1} or back["w"].shape == (4096, 4096)
    ng.save({"epoch": 2}, path)
    assert os.listdir(tmp_path) == ["ckpt.ngz"]
    assert ng.load(path) == {"epoch": 2}
