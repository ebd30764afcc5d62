"""Check fcnn's MNIST reading on the real MNIST and Fashion-MNIST files.

    python benchmarks/check_shared_data.py [--data ../shared/data] [--no-reproduce]
                                           [--out benchmarks/shared_data.md]

Run it from the repository root with fcnn importable (``pip install -e .`` or
``PYTHONPATH=src``). ``--data`` is the folder holding ``mnist/`` and ``fashion-mnist/``
with the eight original ``*-ubyte.gz`` files (default: ``$FCNN_SHARED_DATA``, else
``../shared/data`` beside the repository). Each check prints one line; the report is
written as Markdown to ``--out`` (committed as ``benchmarks/shared_data.md``). The exit
status is 1 when a check failed. It takes seconds, most of them the quick MNIST reproduction
(``--no-reproduce`` leaves it out).

The test suite runs on a fresh clone without this folder: it reads small IDX files that
its fixture writes (tests/idx_support.py). What only the real files can show is checked
here: their published MD5s, their first labels and pixel means, and a network trained
on them.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shlex
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from table import table

from fcnn import data
from fcnn.data import MNIST_FILES, read_idx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("FCNN_SHARED_DATA") or ROOT.parent / "shared" / "data")
FOLDERS = {"mnist": "mnist", "fashion": "fashion-mnist"}


def _equal(name: str, got, expected) -> None:
    if got != expected:
        raise AssertionError(f"{name}: got {got}, expected {expected}")


def files_present_with_published_md5(root: Path, _scratch: Path) -> str:
    for kind, folder in FOLDERS.items():
        for name, md5 in MNIST_FILES[kind].items():
            data.verify_md5(root / folder / name, md5)  # raises, naming the file
    return "all 8 files present; every MD5 is the published one (fcnn.data.MNIST_FILES)"


def mnist_arrays(root: Path, _scratch: Path) -> str:
    X_train, y_train, X_test, y_test = data.mnist(root)
    _equal("shapes", (X_train.shape, X_test.shape), ((60000, 784), (10000, 784)))
    _equal("dtypes", (X_train.dtype, y_train.dtype), (np.uint8, np.int64))
    _equal("first train labels", y_train[:10].tolist(), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    _equal("first test labels", y_test[:10].tolist(), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    _equal("test digits 0-2", np.bincount(y_test).tolist()[:3], [980, 1135, 1032])
    mean = X_train.mean() / 255
    if abs(mean - 0.1307) >= 1e-4:  # the well-known normalisation mean
        raise AssertionError(f"pixel mean {mean:.5f}, expected 0.1307")
    return f"60 000 + 10 000 images; first labels 5 0 4 1 9 …; pixel mean {mean:.4f}"


def fashion_arrays(root: Path, _scratch: Path) -> str:
    X_train, y_train, X_test, y_test = data.mnist(root / "fashion-mnist", "fashion", flatten=False)
    _equal("shapes", (X_train.shape, X_test.shape), ((60000, 28, 28), (10000, 28, 28)))
    _equal("first train labels", y_train[:10].tolist(), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    _equal("first test labels", y_test[:10].tolist(), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
    _equal("train classes", np.bincount(y_train).tolist(), [6000] * 10)
    mean = X_train.mean() / 255
    if abs(mean - 0.2860) >= 1e-3:
        raise AssertionError(f"pixel mean {mean:.4f}, expected 0.2860")
    return f"60 000 + 10 000 images of 28 x 28, 6 000 per class; pixel mean {mean:.4f}"


def gzip_and_raw_agree(root: Path, scratch: Path) -> str:
    source = root / "mnist" / "t10k-images-idx3-ubyte.gz"
    images = read_idx(source)
    _equal("t10k images", (images.shape, images.dtype), ((10000, 28, 28), np.uint8))
    raw = scratch / "t10k-images-idx3-ubyte"
    raw.write_bytes(gzip.decompress(source.read_bytes()))
    _equal("magic number", raw.read_bytes()[:4], struct.pack(">I", 2051))
    if not np.array_equal(read_idx(raw), images):
        raise AssertionError("the raw file reads differently from the gzip one")
    labels = read_idx(root / "mnist" / "t10k-labels-idx1-ubyte.gz")
    _equal("t10k labels", (labels.shape, labels.dtype), ((10000,), np.uint8))
    return "t10k images read alike from .gz and from the raw file (magic 2051)"


def cache_and_download(root: Path, scratch: Path) -> str:
    reference = data.mnist(root)
    linked = scratch / "linked" / "mnist"
    linked.mkdir(parents=True)
    for name in MNIST_FILES["mnist"]:
        (linked / name).symlink_to(root / "mnist" / name)
    found = data.mnist(cache_dir=linked.parent)
    # A download from a mirror (a file:// URL here) is verified before it enters the cache.
    mirror = (root / "mnist").resolve().as_uri() + "/"
    fetched = data.mnist(download=True, cache_dir=scratch / "cache", mirrors=[mirror])
    for arrays in (found, fetched):
        for ours, expected in zip(arrays, reference, strict=True):
            if not np.array_equal(ours, expected):
                raise AssertionError("the cache gave other arrays than the data folder")
    return "found in the cache, and downloaded from a file:// mirror, MD5-verified"


def mnist_quick_reproduction(root: Path, scratch: Path) -> str:
    from fcnn.reproduce import REPRODUCTIONS, write

    result = REPRODUCTIONS["mnist"](data_dir=str(root), quick=True)
    error, accuracy = (row["value"] for row in result.rows)
    if not (error < 10 and accuracy > 85):  # 6 000 images, 2 epochs: a working network
        raise AssertionError(f"test error {error:.2f} %, accuracy {accuracy:.2f} %")
    page = write(result, scratch / "mnist").read_text(encoding="utf-8")
    for text in ("**Quick run**", "1.6 %", "98.40 %", "![mnist](mnist.png)"):
        if text not in page:
            raise AssertionError(f"the page lacks {text!r}")
    return f"quick run (6 000 images, 2 epochs): {error:.2f} % error, {accuracy:.2f} % accuracy"


def run(root: Path, reproduce: bool) -> list[tuple[str, bool, str]]:
    checks: list[Callable[[Path, Path], str]] = [
        files_present_with_published_md5,
        mnist_arrays,
        fashion_arrays,
        gzip_and_raw_agree,
        cache_and_download,
    ]
    if reproduce:
        checks.append(mnist_quick_reproduction)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for check in checks:
            place = Path(scratch) / check.__name__  # each check's own temporary folder
            place.mkdir()
            try:
                fact, ok = check(root, place), True
            except (AssertionError, OSError, ValueError) as error:
                fact, ok = str(error), False
            print(f"{'ok  ' if ok else 'FAIL'} {check.__name__}: {fact}", flush=True)
            rows.append((check.__name__.replace("_", " "), ok, fact))
            shutil.rmtree(place, ignore_errors=True)  # the downloaded copies: 55 MB
    return rows


def markdown(rows: list[tuple[str, bool, str]], command: str, seconds: float) -> str:
    lines = ["# fcnn on the real MNIST and Fashion-MNIST files", ""]
    found = [(name, "yes" if ok else "**no**", fact) for name, ok, fact in rows]
    lines += table(["check", "passed", "what it found"], found)
    failed = sum(not ok for _, ok, _ in rows)
    lines += ["", "Every check passed." if not failed else f"**{failed} check(s) failed.**"]
    lines += ["", f"Made with `{command}` on {time.strftime('%Y-%m-%d')} in {seconds:.0f} s."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "shared_data.md")
    parser.add_argument("--no-reproduce", dest="reproduce", action="store_false")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: no data folder at {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    start = time.perf_counter()
    rows = run(args.data.resolve(), args.reproduce)
    words = ["python", "benchmarks/check_shared_data.py"]
    words += [] if args.data == DEFAULT_DATA else ["--data", str(args.data)]
    words += [] if args.reproduce else ["--no-reproduce"]
    page = markdown(rows, shlex.join(words), time.perf_counter() - start)
    args.out.write_text(page, encoding="utf-8")
    print(f"report: {args.out}")
    return 0 if all(ok for _, ok, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
