"""Floor 1: reading a safetensors file with at most one copy of its tensors in memory.

``safetensors.numpy.load_file`` maps the file and returns a new array for every tensor:
at the peak the file's pages and all its tensors are resident, and loading a model
copies them once more into its parameters (~4× the file in all). :class:`TensorFile`
lets safetensors check the header against the file (offsets, sizes, dtypes), then reads
each tensor's bytes with ``readinto`` straight into the array that keeps it: a model's
``Parameter``, or one new array. Refused before anything is allocated: anything that is
not a regular file (:func:`fcnn.files.check_regular_file`) and a sparse file whose
header claims far more bytes than the disk holds (a few KiB that claim 2 GiB).
"""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import safe_open

from .files import ModelFileError, check_regular_file
from .i18n import N_, Message

__all__ = ["TensorFile"]

# safetensors' dtype codes that NumPy reads; the file is little-endian.
DTYPES = {
    "BOOL": np.dtype("?"),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"),
    "F16": np.dtype("<f2"),
    "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"),
    "F32": np.dtype("<f4"),
    "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"),
    "F64": np.dtype("<f8"),
}

# A sparse file is refused when its tensors claim more than this many bytes and the disk
# holds less than half of them: a file fcnn (or safetensors) wrote has no holes, while
# small files are cheap to read whatever they claim.
_SPARSE_FLOOR = 64 * 2**20


class TensorFile:
    """An open safetensors file: ``metadata``, ``tensors`` (name → (dtype code, shape)),
    and each tensor read on request. Use it in a ``with`` block.

    Raises FileNotFoundError / IsADirectoryError as ``open`` does, and ModelFileError
    for anything else that is wrong with the file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        check_regular_file(self.path)
        try:
            with safe_open(self.path, framework="numpy") as handle:
                self.metadata: dict[str, str] = dict(handle.metadata() or {})
                self.tensors: dict[str, tuple[str, tuple[int, ...]]] = {}
                for key in handle.keys():
                    part = handle.get_slice(key)
                    self.tensors[key] = (part.get_dtype(), tuple(part.get_shape()))
        except Exception as err:  # safetensors raises several types for bad headers
            template = N_("is not a readable safetensors file: {error}")
            raise self.error(Message("files", template, error=err)) from None
        self._file = open(self.path, "rb")
        try:
            self._offsets = self._read_offsets()
        except BaseException:
            self._file.close()
            raise

    def error(self, problem: str | Message) -> ModelFileError:
        return ModelFileError(self.path, problem)

    def _read_offsets(self) -> dict[str, tuple[int, int]]:
        """Where each tensor's bytes start and how many there are, from the header that
        safetensors has just checked (read again here, from the handle kept open)."""
        info = os.fstat(self._file.fileno())
        try:
            (length,) = struct.unpack("<Q", self._file.read(8))
            header = json.loads(self._file.read(length))
            offsets = {}
            for key, (code, shape) in self.tensors.items():
                entry = header[key]
                begin, end = (int(x) for x in entry["data_offsets"])
                if entry["dtype"] != code or tuple(entry["shape"]) != shape:
                    raise ValueError(Message("files", N_("{key} changed"), key=key))
                offsets[key] = (8 + length + begin, end - begin)
        except (ValueError, KeyError, TypeError, struct.error) as err:
            template = N_("changed while it was being read ({error})")
            raise self.error(Message("files", template, error=err)) from None
        claimed = sum(size for _, size in offsets.values())
        stored = getattr(info, "st_blocks", None)
        if stored is not None and claimed > _SPARSE_FLOOR and stored * 512 < claimed // 2:
            template = N_(
                "is a sparse file: its header claims {claimed:,} bytes of tensors but the "
                "disk holds {stored:,}; no model file fcnn writes has holes"
            )
            raise self.error(Message("files", template, claimed=claimed, stored=stored * 512))
        return offsets

    def read_into(self, key: str, out: np.ndarray) -> np.ndarray:
        """Read tensor ``key`` into ``out`` (same shape; cast to its dtype), in place."""
        code, shape = self.tensors[key]
        self._check_dtype(key, code)
        if out.shape != shape:
            template = N_("has {key} of shape {shape}, expected {expected}")
            raise self.error(Message("files", template, key=key, shape=shape, expected=out.shape))
        dtype = DTYPES[code]
        direct = (
            out.dtype == dtype
            and out.flags.c_contiguous
            and out.flags.writeable
            and (dtype.byteorder != "<" or sys.byteorder == "little")
        )
        target = out if direct else np.empty(shape, dtype)
        self._fill(key, memoryview(target).cast("B") if target.size else memoryview(b""))
        if not direct:
            with np.errstate(over="ignore"):  # a float64 too big for float32 becomes inf,
                out[...] = target  # which the caller's check of finite values names
        return out

    def read(self, key: str) -> np.ndarray:
        """Tensor ``key`` as a new array of the dtype it has in the file."""
        code, shape = self.tensors[key]
        self._check_dtype(key, code)
        return self.read_into(key, np.empty(shape, DTYPES[code]))

    def _check_dtype(self, key: str, code: str) -> None:
        if code not in DTYPES:
            template = N_("has {key} of dtype {code}, which NumPy cannot read")
            raise self.error(Message("files", template, key=key, code=code))

    def _fill(self, key: str, buffer: memoryview) -> None:
        start, size = self._offsets[key]
        if buffer.nbytes != size:
            template = N_("has {key} taking {size} bytes, its shape needs {needed}")
            raise self.error(Message("files", template, key=key, size=size, needed=buffer.nbytes))
        self._file.seek(start)
        done = 0
        while done < size:
            count = self._file.readinto(buffer[done:])
            if not count:
                template = N_("ends inside {key}: it was cut short while being read")
                raise self.error(Message("files", template, key=key))
            done += count

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> TensorFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
