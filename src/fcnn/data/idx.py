"""The IDX file format of MNIST and Fashion-MNIST: a reader, for gzip-compressed or raw files.

Layout (LeCun's MNIST page): a 4-byte magic number, two zero bytes, a type code
(``0x08`` unsigned byte, ``0x09`` signed byte, ``0x0B`` int16, ``0x0C`` int32,
``0x0D`` float32, ``0x0E`` float64) and the number of dimensions; then one big-endian
uint32 per dimension; then the values, big-endian, in row-major order. MNIST's image
files have magic 2051 (``0x00000803``: unsigned bytes, 3 dimensions N, 28, 28) and its
label files 2049 (``0x00000801``: unsigned bytes, one dimension N).
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..i18n import N_, Message

__all__ = ["IDX_TYPES", "read_idx"]

#: IDX type code -> NumPy dtype (big-endian, as stored).
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"
_DEFLATE_MAX_RATIO = 1032  # the most bytes one byte of deflate data expands into


def _read_exactly(stream, buffer: memoryview) -> int:
    """Fill ``buffer`` from ``stream``; return how many bytes arrived (fewer at end of file)."""
    filled = 0
    while filled < len(buffer):
        got = stream.readinto(buffer[filled:])
        if not got:
            break
        filled += got
    return filled


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed (detected from its first bytes) or raw.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ndarray
        Shape given by the file's dimensions (e.g. ``(60000, 28, 28)`` for MNIST's
        training images, ``(60000,)`` for its labels), in native byte order: uint8 for
        MNIST's files.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        When the file is not IDX: bad magic bytes, an unknown type code, a header cut
        short, dimensions larger than the file can hold (checked before anything is
        allocated), fewer data bytes than the dimensions need, bytes left over after
        them, or a damaged gzip stream. The message names the file.
    """
    path = Path(path)
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
    opener = gzip.open if compressed else open
    # What the data can hold at most, to check the header's dimensions against before
    # anything is allocated: a raw file holds its own size; deflate packs at most 1032
    # bytes into one, so a gzip file holds at most 1032 times its size.
    limit = path.stat().st_size * (_DEFLATE_MAX_RATIO if compressed else 1)
    try:
        with opener(path, "rb") as stream:
            return _parse(path, stream, limit)
    except (OSError, EOFError, zlib.error) as error:
        if isinstance(error, FileNotFoundError) or not compressed:
            raise
        template = N_("{path}: damaged gzip data ({error})")
        raise ValueError(Message("data", template, path=path, error=error)) from None


def _parse(path: Path, stream, limit: int) -> np.ndarray:
    magic = stream.read(4)
    if len(magic) < 4:
        template = N_("{path}: not an IDX file: only {count} byte(s), no 4-byte magic")
        raise ValueError(Message("data", template, path=path, count=len(magic)))
    if magic[:2] != b"\x00\x00":
        template = N_(
            "{path}: not an IDX file: magic number 0x{magic} "
            "(expected two zero bytes, a type code and a dimension count, e.g. 0x00000803)"
        )
        raise ValueError(Message("data", template, path=path, magic=magic.hex()))
    code, ndim = magic[2], magic[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        template = N_("{path}: IDX type code 0x{code:02X} unknown (expected one of {known})")
        raise ValueError(Message("data", template, path=path, code=code, known=known))
    if ndim == 0:
        raise ValueError(Message("data", N_("{path}: IDX header has 0 dimensions"), path=path))
    header = stream.read(4 * ndim)
    if len(header) < 4 * ndim:
        template = N_(
            "{path}: IDX header cut short: {ndim} dimensions need {need} bytes, got {got}"
        )
        fields = {"ndim": ndim, "need": 4 * ndim, "got": len(header)}
        raise ValueError(Message("data", template, path=path, **fields))
    shape = struct.unpack(f">{ndim}I", header)
    dtype = IDX_TYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    if expected > limit:
        dims = " x ".join(map(str, shape))
        template = N_(
            "{path}: IDX header claims dimensions {dims}, {expected:,} bytes of "
            "{dtype}, more than the file's {size:,} bytes can hold: "
            "the file is damaged or not IDX"
        )
        fields = {"dims": dims, "expected": expected, "dtype": dtype.name}
        raise ValueError(Message("data", template, path=path, size=path.stat().st_size, **fields))
    data = np.empty(math.prod(shape), dtype=dtype)
    got = _read_exactly(stream, memoryview(data).cast("B"))
    if got < expected:
        dims = " x ".join(map(str, shape))
        template = N_(
            "{path}: IDX data truncated: dimensions {dims} need {expected} bytes of "
            "{dtype}, the file holds {got}"
        )
        fields = {"dims": dims, "expected": expected, "dtype": dtype.name, "got": got}
        raise ValueError(Message("data", template, path=path, **fields))
    extra = len(stream.read(1 << 16))
    if extra:
        template = N_(
            "{path}: {extra} byte(s) after the {expected} data bytes that dimensions "
            "{shape} call for"
        )
        extra = f">={extra}" if extra == 1 << 16 else extra  # read no further to count them
        fields = {"extra": extra, "expected": expected, "shape": shape}
        raise ValueError(Message("data", template, path=path, **fields))
    return data.reshape(shape).astype(dtype.newbyteorder("="), copy=False)
