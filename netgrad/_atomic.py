"""Atomic file writes shared by ``ng.save`` (``.ngz``) and the ``.safetensors`` writer.

The data goes to a temporary file ``.tmp-NAME-PID-RANDOM`` in the target's directory (created with
O_EXCL and the umask's mode), is flushed and fsync'd, then ``os.replace``'d over ``NAME``, so a
reader sees the old file or the new one, never half of one; the rename is made durable by an
fsync of the directory where the platform allows it.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "blob.bin")
>>> atomic_write(path, lambda f: f.write(b"abc"))
>>> open(path, "rb").read()
b'abc'
"""

from __future__ import annotations

import os
import secrets
from typing import IO, Any, Callable

__all__ = ["atomic_write"]


def atomic_write(path: str, write: Callable[[IO[bytes]], Any]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path`` and move it over ``path`` atomically;
    on any error (or interrupt) the temporary file is removed and the error re-raised."""
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    while True:  # O_EXCL with the umask's mode (mkstemp would make it 0600)
        tmp = os.path.join(directory, f".tmp-{base}-{os.getpid()}-{secrets.token_hex(6)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
