"""Floor 1: writing files safely, and the error a bad model file raises.

- :func:`atomic_write_bytes` / :func:`atomic_write_text`: every file fcnn writes (model
  files, checkpoints, histories, ONNX files, sweep records, reports, figures) goes
  through a temporary file in the same folder and a rename, so a crash or a full disk
  never leaves a half-written file where a good one was.
- :class:`ModelFileError`: the one error a bad model or checkpoint file raises
  (``fcnn.ModelFileError``, also offered as ``fcnn.io.ModelFileError``).

Only the standard library is used: every floor may write a file.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path
from typing import Any

__all__ = ["ModelFileError", "atomic_write_bytes", "atomic_write_text"]


class ModelFileError(ValueError):
    """A file that is not a readable fcnn model: truncated, corrupted, foreign or inconsistent.

    The message names the path and the problem; ``path`` holds the path.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{os.fspath(path)} {problem}")

    def __reduce__(self) -> tuple[Any, ...]:  # copy, and crossing process boundaries (joblib)
        return (type(self), (self.path, self.problem))


# --------------------------------------------------------------------------- atomic writes


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes | bytearray | memoryview) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path`` as a ``Path``.

    The bytes go to a temporary file in the same folder, are flushed and fsync'ed, and
    the temporary file is then renamed over ``path`` (``os.replace``, atomic on POSIX and
    Windows). On any failure, interruption included, the temporary file is removed and
    a file already at ``path`` is left untouched. A new file gets the permissions the
    process umask gives; a symbolic link at ``path`` is replaced, not followed.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"atomic_write_bytes: data must be bytes, got {type(data).__name__}")
    path = Path(path)
    folder = path.parent
    while True:  # O_EXCL with a random name: never clobbers another writer's temp file
        temp = folder / f".{path.name[:120]}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(
                temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise FileNotFoundError(
                errno.ENOENT, f"cannot write {path.name}: no such folder", str(folder)
            ) from None
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`), encoded as given.

    Newlines are written as they are in ``text``, on every platform.
    """
    if not isinstance(text, str):
        raise TypeError(f"atomic_write_text: text must be a str, got {type(text).__name__}")
    return atomic_write_bytes(path, text.encode(encoding))


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX. Some platforms (Windows) cannot open a
    # folder; the rename is then as durable as the OS makes it.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
