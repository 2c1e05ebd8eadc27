"""A bounded reader for the ``.npz`` files ``netgrad.save`` writes (used by ``ng.load``).

Nothing here trusts the file. The zip's end record and central directory are parsed by hand (so a
huge entry count is refused before any list is built), a member is located through its local
header (which must carry the same name) and must lie inside the file, the members read must not
add up to more than the file (no overlapping entries), and an ``.npy`` header (at most
``_MAX_HEADER`` bytes, parsed with ``ast.literal_eval``) must declare exactly what ``np.save``
writes for a C-ordered array of a numeric or boolean dtype, whose byte count equals the member's
stored size: so no read is larger than the file itself. Compressed members (``savez_compressed``,
zip bombs) are refused before a byte is inflated, since ``save`` never writes them; pickled
(object) arrays are refused too.
Every problem raises ``LoadError`` naming the file.
"""

from __future__ import annotations

import ast
import os
import struct
from typing import Any, BinaryIO

import numpy as np

_MAX_HEADER = 16384  # NumPy itself refuses .npy headers above 10000 bytes
_MAX_MEMBERS = 1_000_000
_MAGIC = b"\x93NUMPY"
_EOCD, _EOCD64, _LOC64 = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_CEN, _LOC = b"PK\x01\x02", b"PK\x03\x04"
_DTYPE_KINDS = "biufc"


class LoadError(ValueError):
    """``ng.load`` could not read a file: it names the file and what is wrong with it."""


class Member:
    """One stored member of the archive: where its bytes are."""

    __slots__ = ("name", "method", "flags", "size", "csize", "offset")

    def __init__(self, name: str, method: int, flags: int, size: int, csize: int, offset: int):
        self.name, self.method, self.flags = name, method, flags
        self.size, self.csize, self.offset = size, csize, offset


class NpzReader:
    """The members of a zip archive, read only on request and only within the file's bounds."""

    def __init__(self, f: BinaryIO, path: str):
        self.f, self.path = f, path
        f.seek(0, os.SEEK_END)
        self.file_size = f.tell()
        self.members = self._central_directory()
        self.stored_read = 0  # bytes of members read so far: together at most the file's size

    def fail(self, what: str) -> LoadError:
        return LoadError(f"load: {self.path}: {what}")

    def _read_at(self, offset: int, n: int, what: str) -> bytes:
        if offset < 0 or n < 0 or offset + n > self.file_size:
            raise self.fail(f"{what} lies outside the file (truncated or corrupt)")
        self.f.seek(offset)
        data = self.f.read(n)
        if len(data) != n:
            raise self.fail(f"{what} is truncated")
        return data

    def _central_directory(self) -> dict[str, Member]:
        # The end record is in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
        tail_len = min(self.file_size, 22 + 65535)
        tail = self._read_at(self.file_size - tail_len, tail_len, "the end of the file")
        pos = tail.rfind(_EOCD)
        if pos < 0 or len(tail) - pos < 22:
            raise self.fail("not a netgrad file (not a zip archive: no end-of-directory record; "
                            "ng.save writes .npz archives)")
        eocd_at = self.file_size - tail_len + pos
        _, disk, _, _, count, cd_size, cd_offset, _ = struct.unpack("<4sHHHHIIH", tail[pos:pos + 22])
        if disk != 0:
            raise self.fail("multi-part zip archives are not netgrad files")
        if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
            count, cd_size, cd_offset = self._zip64_end(eocd_at)
        if count > _MAX_MEMBERS:
            raise self.fail(f"the archive lists {count} members (more than {_MAX_MEMBERS})")
        if cd_size > count * (46 + 3 * 65535) or cd_size > self.file_size:
            raise self.fail("the zip directory's size is inconsistent (corrupt file)")
        cd = self._read_at(cd_offset, cd_size, "the zip directory")
        members: dict[str, Member] = {}
        p = 0
        for _ in range(count):
            if cd[p:p + 4] != _CEN or p + 46 > len(cd):
                raise self.fail("the zip directory is corrupt")
            (flags, method, csize, size, n_name, n_extra, n_comment,
             offset) = struct.unpack("<8xHH8xIIHHH8xI", cd[p:p + 46])
            name_b = cd[p + 46:p + 46 + n_name]
            extra = cd[p + 46 + n_name:p + 46 + n_name + n_extra]
            p += 46 + n_name + n_extra + n_comment
            if p > len(cd):
                raise self.fail("the zip directory is corrupt")
            size, csize, offset = _zip64_sizes(extra, size, csize, offset)
            try:
                name = name_b.decode("utf-8")
            except UnicodeDecodeError:
                raise self.fail("a member name is not UTF-8 (not a netgrad file)") from None
            if name in members:
                raise self.fail(f"the member {name!r} appears twice")
            members[name] = Member(name, method, flags, size, csize, offset)
        return members

    def _zip64_end(self, eocd_at: int) -> tuple[int, int, int]:
        loc = self._read_at(eocd_at - 20, 20, "the zip64 locator")
        if loc[:4] != _LOC64:
            raise self.fail("the zip directory is corrupt (zip64 locator missing)")
        (rec_at,) = struct.unpack("<Q", loc[8:16])
        rec = self._read_at(rec_at, 56, "the zip64 end record")
        if rec[:4] != _EOCD64:
            raise self.fail("the zip directory is corrupt (zip64 end record missing)")
        count, cd_size, cd_offset = struct.unpack("<Q Q Q", rec[32:56])
        return count, cd_size, cd_offset

    def _data_offset(self, m: Member) -> int:
        head = self._read_at(m.offset, 30, f"the member {m.name!r}")
        if head[:4] != _LOC:
            raise self.fail(f"the member {m.name!r} is corrupt (no local header)")
        n_name, n_extra = struct.unpack("<HH", head[26:30])
        if self._read_at(m.offset + 30, n_name, f"the member {m.name!r}") != m.name.encode("utf-8"):
            raise self.fail(f"the member {m.name!r} is corrupt (its local header names another)")
        return m.offset + 30 + n_name + n_extra

    def array(self, name: str, max_bytes: int) -> np.ndarray:
        """The array stored as ``name`` (+ ``.npy``), checked before its data are read."""
        m = self.members.get(name + ".npy")
        if m is None:
            raise self.fail(f"the metadata names an array {name!r} that the archive does not hold")
        if m.flags & 0x1:
            raise self.fail(f"the member {name!r} is encrypted")
        if m.method != 0:
            raise self.fail(f"the member {name!r} is compressed (zip method {m.method}); ng.save writes "
                            "uncompressed members only, so it is refused without inflating it")
        if m.size != m.csize:
            raise self.fail(f"the member {name!r} declares {m.size} bytes but stores {m.csize}")
        start = self._data_offset(m)
        if start + m.csize > self.file_size:
            raise self.fail(f"the member {name!r} extends past the end of the file (truncated?)")
        if self.stored_read + m.csize > self.file_size:
            raise self.fail(f"the member {name!r} overlaps others (the members read exceed the file)")
        self.stored_read += m.csize
        dtype, shape, header_len = self._npy_header(name, start, m.csize)
        nbytes = dtype.itemsize
        for n in shape:
            nbytes *= n
        if header_len + nbytes != m.csize:
            raise self.fail(f"the array {name!r} declares shape {shape} of {dtype} ({nbytes} bytes) but "
                            f"the member holds {m.csize - header_len} bytes of data")
        if nbytes > max_bytes:
            raise self.fail(f"the array {name!r} declares {nbytes} bytes (shape {shape}, dtype {dtype}), "
                            f"more than the {max_bytes} allowed")
        buf = np.empty(nbytes, dtype=np.uint8)
        if nbytes:
            self.f.seek(start + header_len)
            if self.f.readinto(memoryview(buf)) != nbytes:
                raise self.fail(f"the array {name!r} is truncated")
        if dtype.kind == "b" and nbytes and int(buf.max()) > 1:
            raise self.fail(f"the boolean array {name!r} holds bytes other than 0 and 1")
        return buf.view(dtype).reshape(shape)

    def _npy_header(self, name: str, start: int, size: int) -> tuple[np.dtype, tuple[int, ...], int]:
        head = self._read_at(start, min(size, 12), f"the array {name!r}")
        if len(head) < 10 or head[:6] != _MAGIC:
            raise self.fail(f"the member {name!r} is not an .npy array (raw bytes where an array is "
                            "declared)")
        major = head[6]
        if major == 1:
            (hlen,), pre = struct.unpack("<H", head[8:10]), 10
        elif major in (2, 3) and len(head) >= 12:
            (hlen,), pre = struct.unpack("<I", head[8:12]), 12
        else:
            raise self.fail(f"the array {name!r} has an unknown .npy version {major}")
        if hlen > _MAX_HEADER or pre + hlen > size:
            raise self.fail(f"the array {name!r} has an oversized or truncated .npy header")
        raw = self._read_at(start + pre, hlen, f"the header of {name!r}")
        try:
            header = ast.literal_eval(raw.decode("latin1" if major < 3 else "utf-8"))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeDecodeError):
            raise self.fail(f"the array {name!r} has an unreadable .npy header") from None
        if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
            raise self.fail(f"the array {name!r} has a malformed .npy header")
        descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
        if not isinstance(descr, str):
            raise self.fail(f"the array {name!r} has a structured dtype, which ng.save never writes "
                            "(booleans and numbers only)")
        try:
            if len(descr) > 8:
                raise ValueError(descr)
            dtype = np.dtype(descr)
        except (TypeError, ValueError):
            raise self.fail(f"the array {name!r} has an unknown dtype {descr[:20]!r}") from None
        if dtype.hasobject or dtype.kind not in _DTYPE_KINDS or dtype.names is not None \
                or dtype.subdtype is not None:
            raise self.fail(f"the array {name!r} has dtype {dtype}, which ng.save never writes "
                            "(booleans and numbers only)")
        if fortran is not False:
            raise self.fail(f"the array {name!r} is stored in Fortran order, which ng.save never writes")
        if not isinstance(shape, tuple) or len(shape) > 64 or not all(
                type(n) is int and n >= 0 for n in shape):
            raise self.fail(f"the array {name!r} has an invalid shape {shape!r}")
        bound = dtype.itemsize
        for n in shape:
            bound *= max(n, 1)
        if bound > 2 ** 62:
            raise self.fail(f"the array {name!r} has an impossible shape {shape}")
        return dtype, shape, pre + hlen


def _zip64_sizes(extra: bytes, size: int, csize: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset from the zip64 extra field where the 32-bit fields are saturated."""
    p = 0
    while p + 4 <= len(extra):
        tag, n = struct.unpack("<HH", extra[p:p + 4])
        body = extra[p + 4:p + 4 + n]
        if tag == 1:
            vals = [struct.unpack("<Q", body[i:i + 8])[0] for i in range(0, len(body) - 7, 8)]
            it = iter(vals)
            if size == 0xFFFFFFFF:
                size = next(it, size)
            if csize == 0xFFFFFFFF:
                csize = next(it, csize)
            if offset == 0xFFFFFFFF:
                offset = next(it, offset)
            break
        p += 4 + n
    return size, csize, offset


def open_npz(path: str) -> tuple[Any, NpzReader]:
    """Open ``path`` for reading as a netgrad archive (the caller closes the file)."""
    f = open(path, "rb")  # noqa: SIM115 - closed by the caller
    try:
        return f, NpzReader(f, path)
    except BaseException:
        f.close()
        raise
