"""Image data sets: scikit-learn's 8x8 digits, and MNIST / Fashion-MNIST from IDX files.

MNIST-format files are looked for in the folder a user names, then in the download
cache (``$FCNN_CACHE`` or ``~/.cache/fcnn``); ``download=True`` fetches the missing
ones from the mirrors below. Every file is checked against its published MD5 before
it is read.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..i18n import N_, Message
from .fetch import cache_dir as resolve_cache_dir
from .fetch import fetch, md5sum, verify_md5
from .idx import read_idx

__all__ = ["MIRRORS", "MNIST_FILES", "digits", "mnist"]

# --------------------------------------------------------------------------- digits


def digits(flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits (UCI optdigits test set).

    1797 images, 64 pixels each with values 0..16, ten classes. The data file that ships
    inside the scikit-learn package is read directly (scikit-learn itself is not
    imported), so the arrays equal ``sklearn.datasets.load_digits(return_X_y=True)``.

    Parameters
    ----------
    flatten : bool
        ``X`` of shape (1797, 64) when True, (1797, 8, 8) images when False.

    Returns
    -------
    X : ndarray, shape (1797, 64) or (1797, 8, 8), float64
    y : ndarray, shape (1797,), int64 labels 0..9

    Raises
    ------
    ImportError
        When scikit-learn is not installed (``pip install "fcnn[sklearn]"``).
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        template = N_(
            "digits() reads the data file that ships with scikit-learn, which is not "
            'installed: pip install "fcnn[sklearn]"'
        )
        raise ImportError(Message("data", template))
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        template = N_(
            "digits(): scikit-learn is installed but {path} is missing; reinstall scikit-learn"
        )
        raise FileNotFoundError(Message("data", template, path=path))
    with gzip.open(path, "rt") as stream:
        table = np.loadtxt(stream, delimiter=",", dtype=np.float64)
    if table.shape != (1797, 65):
        template = N_("{path}: expected 1797 rows of 64 pixels + 1 label, got {shape}")
        raise ValueError(Message("data", template, path=path, shape=table.shape))
    X, y = table[:, :64], table[:, 64].astype(np.int64)
    return (X if flatten else X.reshape(-1, 8, 8)), y


# --------------------------------------------------------------------------- MNIST

#: The published MD5 of every file, by kind.
MNIST_FILES: dict[str, dict[str, str]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}

#: Base URLs tried in order by ``mnist(download=True)``; pass ``mirrors=`` to override.
MIRRORS: dict[str, list[str]] = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ],
    "fashion": [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    ],
}

# The folder each kind lives in, under a user's root or the cache.
_FOLDERS = {"mnist": "mnist", "fashion": "fashion-mnist"}
_KIND_ALIASES = {"mnist": "mnist", "fashion": "fashion", "fashion-mnist": "fashion",
                 "fashion_mnist": "fashion"}  # fmt: skip


def _locate(
    filename: str, folders: Sequence[Path], download_to: Path | None, mirrors, md5: str, timeout
) -> Path:
    for folder in folders:
        if (folder / filename).is_file():
            return folder / filename
    if download_to is None:
        searched = ", ".join(str(folder) for folder in folders)
        template = N_(
            "{filename} not found (looked in {searched}); pass the folder that holds it, "
            "or download=True to fetch it into the cache"
        )
        raise FileNotFoundError(Message("data", template, filename=filename, searched=searched))
    return fetch(filename, md5, mirrors, download_to, timeout=timeout)


_NAMES = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
_CLI_NAMES = {"mnist": "mnist", "fashion": "fashion-mnist"}


def _verify(path: Path, key: str, filename: str) -> None:
    """The file's MD5 against the published one; a file of the other data set (MNIST's
    and Fashion-MNIST's files share their names) is named as such, since fetching it
    again, the advice for a damaged file, would not help."""
    actual = md5sum(path)
    if actual == MNIST_FILES[key][filename]:
        return
    for other, files in MNIST_FILES.items():
        if other != key and actual in files.values():
            template = N_(
                "{path} is {other}'s {filename}, not {wanted}'s: this folder holds the "
                "{other} data set; train {command} on it (mnist(kind={kind!r})) or point at "
                "a folder with {wanted}'s files"
            )
            fields = {"other": _NAMES[other], "wanted": _NAMES[key], "kind": other}
            fields.update(path=path, filename=filename, command=_CLI_NAMES[other])
            raise ValueError(Message("data", template, **fields))
    verify_md5(path, MNIST_FILES[key][filename])  # raises, with the damaged-file advice


def _check_split(split: str, images: np.ndarray, labels: np.ndarray) -> None:
    # The MD5 check already vouches for the published files; this guards the format.
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        template = N_("{split} images: expected uint8 (N, 28, 28), got {dtype} {shape}")
        fields = {"split": split, "dtype": images.dtype, "shape": images.shape}
        raise ValueError(Message("data", template, **fields))
    if labels.shape != images.shape[:1] or labels.dtype != np.uint8 or labels.max() > 9:
        template = N_("{split} labels: expected {n} uint8 labels 0..9, got {dtype} {shape}")
        fields = {"split": split, "n": len(images), "dtype": labels.dtype, "shape": labels.shape}
        raise ValueError(Message("data", template, **fields))


def mnist(
    root: str | os.PathLike | None = None,
    kind: str = "mnist",
    *,
    download: bool = False,
    cache_dir: str | os.PathLike | None = None,
    mirrors: Sequence[str] | None = None,
    flatten: bool = True,
    timeout: float = 60.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST or Fashion-MNIST: 60 000 training and 10 000 test images of 28x28 pixels.

    The four original gzip-compressed IDX files (``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
    ``t10k-labels-idx1-ubyte.gz``) are looked for in ``root``, then in
    ``root/mnist`` (or ``root/fashion-mnist``), then in the cache folder
    ``cache_dir/mnist`` (or ``cache_dir/fashion-mnist``). Every file's MD5 is checked
    against the published value (:data:`MNIST_FILES`) before it is read.

    Parameters
    ----------
    root : path, optional
        A folder holding the files (directly or in a ``mnist`` / ``fashion-mnist``
        subfolder). None: only the cache.
    kind : {"mnist", "fashion"}
        ``"fashion"`` (or ``"fashion-mnist"``) for Zalando's Fashion-MNIST.
    download : bool
        Fetch the missing files into the cache from ``mirrors``; each download is
        verified before it is renamed into place, a wrong one deleted.
    cache_dir : path, optional
        The cache; default ``$FCNN_CACHE``, else ``~/.cache/fcnn``.
    mirrors : list of str, optional
        Base URLs to try in order; default :data:`MIRRORS` ``[kind]``.
    flatten : bool
        Images as rows of 784 pixels (True) or as (28, 28) arrays (False).
    timeout : float
        Seconds to wait on a mirror before trying the next.

    Returns
    -------
    X_train : ndarray, shape (60000, 784) or (60000, 28, 28), uint8 pixels 0..255
    y_train : ndarray, shape (60000,), int64 labels 0..9
    X_test : ndarray, shape (10000, 784) or (10000, 28, 28), uint8
    y_test : ndarray, shape (10000,), int64

    Raises
    ------
    FileNotFoundError
        A file is missing and ``download`` is False.
    ValueError
        A file's MD5 is not the published one (the message names the file, the expected
        and the actual MD5), or its contents are not what MNIST's format promises.
    DownloadError
        ``download=True`` and no mirror delivered a file intact.
    """
    key = _KIND_ALIASES.get(kind) if isinstance(kind, str) else None
    if key is None:
        template = N_("mnist(kind={kind!r}): expected 'mnist' or 'fashion'")
        raise ValueError(Message("data", template, kind=kind))
    folder = _FOLDERS[key]
    cache = resolve_cache_dir(cache_dir) / folder
    folders = [] if root is None else [Path(root).expanduser(), Path(root).expanduser() / folder]
    folders.append(cache)
    mirrors = MIRRORS[key] if mirrors is None else list(mirrors)
    arrays = {}
    for filename, md5 in MNIST_FILES[key].items():
        path = _locate(filename, folders, cache if download else None, mirrors, md5, timeout)
        _verify(path, key, filename)
        arrays[filename] = read_idx(path)
    splits = []
    for split in ("train", "t10k"):
        images = arrays[f"{split}-images-idx3-ubyte.gz"]
        labels = arrays[f"{split}-labels-idx1-ubyte.gz"]
        _check_split(split, images, labels)
        splits.append(images.reshape(len(images), -1) if flatten else images)
        splits.append(labels.astype(np.int64))
    X_train, y_train, X_test, y_test = splits
    return X_train, y_train, X_test, y_test
