"""Small MNIST-format files made in a temporary folder, so the suite needs no real MNIST.

The files follow the IDX layout of LeCun's MNIST page, written here independently of
``fcnn.data.idx`` (a test must not borrow the format from the code it checks): two zero
bytes, a type code, the number of dimensions, one big-endian uint32 per dimension, then
the values big-endian in row-major order, gzip-compressed under MNIST's file names.

The pictures are learnable on purpose: class ``k`` is a bright bar (rows for MNIST,
columns for Fashion-MNIST) over dim noise, so a network reaches high accuracy in a
couple of epochs and the reproduction's "a working network" check means something.

The checks on the real MNIST (its published MD5s, its first labels, its pixel mean, a
quick reproduction on it) are in ``benchmarks/check_shared_data.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The IDX type codes, from the format's description.
IDX_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}

#: MNIST's four file names, in the order fcnn's table lists them.
NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
#: The subfolder each kind lives in, as in a data folder or fcnn's cache.
FOLDERS = {"mnist": "mnist", "fashion": "fashion-mnist"}


def idx_bytes(array: np.ndarray) -> bytes:
    """``array`` as an IDX file: header, big-endian dimensions, big-endian values."""
    array = np.asarray(array)
    code = IDX_CODES[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def pictures(labels: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """28x28 uint8 images: noise 0..59, and a bar of 255 whose place is the label."""
    images = rng.integers(0, 60, (len(labels), 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        band = slice(4 + 2 * label, 6 + 2 * label)
        if kind == "mnist":
            images[i, band, :] = 255
        else:
            images[i, :, band] = 255
    return images


@dataclass
class FakeMnist:
    """A data folder holding ``mnist/`` and ``fashion-mnist/`` with made-up files.

    ``arrays[kind]`` are the four arrays as ``fcnn.data.mnist`` returns them unflattened
    (uint8 images, int64 labels); ``md5[kind]`` maps each file name to its MD5, the table
    to put in place of the published one while a test reads these files.
    """

    root: Path
    arrays: dict[str, tuple[np.ndarray, ...]]
    md5: dict[str, dict[str, str]]

    def folder(self, kind: str = "mnist") -> Path:
        return self.root / FOLDERS[kind]


def write_fake_mnist(root: Path, n_train: int = 600, n_test: int = 200) -> FakeMnist:
    """Write both kinds under ``root`` (``root/mnist``, ``root/fashion-mnist``)."""
    arrays, digests = {}, {}
    for seed, kind in enumerate(FOLDERS):
        rng = np.random.default_rng(seed)
        folder = root / FOLDERS[kind]
        folder.mkdir(parents=True, exist_ok=True)
        y_train = np.arange(n_train) % 10
        y_test = rng.permutation(np.arange(n_test) % 10)
        rng.shuffle(y_train)
        parts = (pictures(y_train, kind, rng), y_train, pictures(y_test, kind, rng), y_test)
        digests[kind] = {}
        for name, part in zip(NAMES, parts, strict=True):
            stored = part if part.ndim == 3 else part.astype(np.uint8)
            # mtime=0: the same arrays give the same bytes, so the same MD5, every run.
            (folder / name).write_bytes(gzip.compress(idx_bytes(stored), mtime=0))
            digests[kind][name] = md5(folder / name)
        arrays[kind] = tuple(p.astype(np.int64) if p.ndim == 1 else p for p in parts)
    return FakeMnist(root, arrays, digests)
