"""fcnn.data: toy sets (scikit-learn-exact where promised), the playground's sets, digits,
MNIST-format IDX files with MD5 checks and downloads, CSV files, splits and scaling.

scikit-learn is a test dependency: the exactness tests import it directly, so a missing
install fails the run rather than skipping. The MNIST tests read small IDX files made in
a temporary folder (the ``fake_mnist`` fixture of conftest.py, whose MD5s stand in for
the published ones), so they pass on a fresh clone; downloads are tested against a local
HTTP server on 127.0.0.1. The same facts about the real MNIST files are checked by
``benchmarks/check_shared_data.py``.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn import datasets as skdatasets

import fcnn
from fcnn import data
from fcnn.data import (
    DATASETS,
    MNIST_FILES,
    REGRESSION,
    CSVData,
    DownloadError,
    Standardizer,
    check_dataset,
    one_hot,
    read_idx,
    train_test_split,
    train_val_test_split,
)
from idx_support import FakeMnist

# =========================================================================== toy sets


def test_planar_is_the_course_data_exactly():
    X, y = data.planar()
    assert X.shape == (400, 2) and X.dtype == np.float64
    assert y.shape == (400,) and y.dtype == np.int64
    np.testing.assert_array_equal(
        X[:3],
        [
            [1.204442292254319, 3.5761141481288448],
            [0.15870990398255372, -1.4821709003683443],
            [0.09524719604502052, -1.2799553276531797],
        ],
    )
    np.testing.assert_array_equal(
        X[-2:], [[0.3243868928570292, -2.116324663250665], [0.7307808250007513, 3.0683292081876545]]
    )
    np.testing.assert_allclose(X.sum(axis=0), [-17.338363670404394, 27.426346947846046], rtol=1e-13)
    np.testing.assert_allclose((X**2).sum(), 3156.783789349409, rtol=1e-13)
    np.testing.assert_array_equal(y, np.repeat([0, 1], 200))


def test_planar_other_arguments_unchanged():
    X, y = data.planar(6, 0.5, 7)
    np.testing.assert_array_equal(
        X[[0, 5]],
        [
            [-5.5733049874160534e-01, -4.9429967193323349e-01],
            [1.6815700579262605e00, 3.3464240294357350e00],
        ],
    )
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="even integer"):
        data.planar(5)
    with pytest.raises(ValueError, match="non-negative"):
        data.planar(noise=-1)


@pytest.fixture
def global_numpy_state() -> Iterator[None]:
    """Lets a test replay the course's ``np.random.seed`` calls, then restores the state."""
    saved = np.random.get_state()  # noqa: NPY002  (the course's global seeding)
    yield
    np.random.set_state(saved)  # noqa: NPY002  (the course's global seeding)


def _same(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> None:
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].dtype == np.float64 and a[1].dtype == np.int64


@pytest.mark.usefixtures("global_numpy_state")
def test_initialization_notebook_circles_exact():
    # The "Initialization" notebook: train then test set from the global state.
    np.random.seed(1)  # noqa: NPY002  (the course's global seeding)
    train = skdatasets.make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)  # noqa: NPY002  (the course's global seeding)
    test = skdatasets.make_circles(n_samples=100, noise=0.05)
    _same(data.circles(300, noise=0.05, seed=1), train)
    _same(data.circles(100, noise=0.05, seed=2), test)
    _same(data.circles(300, noise=0.05, random_state=np.random.RandomState(1)), train)
    _same(data.circles(100, 0.05, 0.8, random_state=np.random.RandomState(2)), test)


@pytest.mark.usefixtures("global_numpy_state")
def test_optimization_notebook_moons_exact():
    np.random.seed(3)  # noqa: NPY002  (the course's global seeding)
    expected = skdatasets.make_moons(n_samples=300, noise=0.2)
    _same(data.moons(300, noise=0.2, seed=3), expected)
    _same(data.moons(300, 0.2, random_state=np.random.RandomState(3)), expected)


def test_shared_random_state_continues_like_sklearn():
    ours, theirs = np.random.RandomState(11), np.random.RandomState(11)
    for n in (50, 51):
        _same(
            data.circles(n, noise=0.1, random_state=ours),
            skdatasets.make_circles(n, noise=0.1, random_state=theirs),
        )
        _same(
            data.moons(n, noise=0.1, random_state=ours),
            skdatasets.make_moons(n, noise=0.1, random_state=theirs),
        )


@pytest.mark.parametrize("n", [2, 3, 100, 301])
@pytest.mark.parametrize("noise", [None, 0.0, 0.3])
@pytest.mark.parametrize("shuffle", [True, False])
def test_circles_and_moons_match_sklearn(n, noise, shuffle):
    for seed in (0, 5):
        _same(
            data.circles(n, noise, 0.5, seed, shuffle=shuffle),
            skdatasets.make_circles(n, shuffle=shuffle, noise=noise, factor=0.5, random_state=seed),
        )
        _same(
            data.moons(n, noise, seed, shuffle=shuffle),
            skdatasets.make_moons(n, shuffle=shuffle, noise=noise, random_state=seed),
        )


def test_course_extra_datasets_match_sklearn():
    # planar_utils.load_extra_datasets, with N = 200.
    n = 200
    _same(
        data.noisy_circles(seed=4),
        skdatasets.make_circles(n_samples=n, factor=0.5, noise=0.3, random_state=4),
    )
    _same(data.noisy_moons(seed=4), skdatasets.make_moons(n_samples=n, noise=0.2, random_state=4))
    _same(
        data.blobs(),
        skdatasets.make_blobs(n_samples=n, random_state=5, n_features=2, centers=6),
    )
    _same(
        data.gaussian_quantiles(seed=9),
        skdatasets.make_gaussian_quantiles(
            mean=None, cov=0.5, n_samples=n, n_features=2, n_classes=2, random_state=9
        ),
    )
    _same(
        data.gaussian_quantiles(101, cov=2.0, classes=3, seed=1),
        skdatasets.make_gaussian_quantiles(cov=2.0, n_samples=101, n_classes=3, random_state=1),
    )
    _same(
        data.blobs(103, noise=0.5, centers=4, seed=2),
        skdatasets.make_blobs(n_samples=103, centers=4, cluster_std=0.5, random_state=2),
    )


def test_package_does_not_import_sklearn_or_touch_global_state():
    code = (
        "import sys, numpy as np\n"
        "np.random.seed(0); before = np.random.get_state()[1].copy()\n"
        "import fcnn.data as d\n"
        "d.circles(50, 0.1, seed=1); d.moons(50, 0.1); d.blobs(); d.gaussian_quantiles()\n"
        "d.no_structure(); d.xor(); d.spirals(); d.playground('spiral'); d.digits()\n"
        "assert (np.random.get_state()[1] == before).all(), 'global state moved'\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


CLASSIFICATION_SETS = sorted(set(DATASETS) - REGRESSION)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_registered_set_shape_dtype_and_reproducibility(name):
    make = DATASETS[name]
    X, y = make(n=60, seed=3)
    assert X.shape == (60, 2) and X.dtype == np.float64 and np.isfinite(X).all()
    assert y.shape == (60,)
    if name in REGRESSION:
        assert y.dtype == np.float64
    else:
        assert y.dtype == np.int64 and y.min() == 0 and len(np.unique(y)) >= 2
    again = make(n=60, seed=3)
    np.testing.assert_array_equal(X, again[0])
    np.testing.assert_array_equal(y, again[1])
    other = make(n=60, seed=4)
    assert not np.array_equal(X, other[0])
    np.testing.assert_array_equal(data.load(name, n=60, seed=3)[0], X)


@pytest.mark.parametrize("name", [n for n in sorted(DATASETS) if n not in ("planar",)])
def test_unseeded_sets_follow_the_library_default_generator(name):
    fcnn.seed(21)
    first = DATASETS[name](n=40, seed=None)
    fcnn.seed(21)
    second = DATASETS[name](n=40, seed=None)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_registry_and_load():
    assert {"planar", "circles", "moons", "noisy_circles", "noisy_moons", "blobs"} <= set(DATASETS)
    assert {"gaussian_quantiles", "no_structure", "xor", "spirals"} <= set(DATASETS)
    for name in ("circle", "xor", "gauss", "spiral", "plane", "multi_gauss"):
        assert f"playground_{name}" in DATASETS
    assert REGRESSION == {"playground_plane", "playground_multi_gauss"}
    assert DATASETS["playground_spiral"].__name__ == "playground_spiral"
    _same(data.load("moons", n=300, noise=0.2, seed=3), data.moons(300, 0.2, 3))
    with pytest.raises(ValueError, match=r"load\(name='nope'\): unknown data set; expected one of"):
        data.load("nope")


def test_circles_geometry_and_noise():
    X, y = data.circles(200, noise=None, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    assert np.bincount(y).tolist() == [100, 100]
    Xn, yn = data.circles(200, noise=0.1, factor=0.3, seed=0)
    np.testing.assert_array_equal(yn, y)  # same shuffle, then noise
    assert 0.05 < (Xn - X).std() < 0.15
    X, y = data.circles(7, shuffle=False, seed=0)
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 1]


def test_moons_geometry_and_noise():
    X, y = data.moons(101, seed=0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)
    assert np.bincount(y).tolist() == [50, 51]
    Xn, _ = data.moons(101, noise=0.2, seed=0)
    assert 0.1 < (Xn - X).std() < 0.3


def test_blobs_gaussian_quantiles_no_structure():
    X, y = data.blobs(600, noise=0.5, seed=1)
    assert np.bincount(y).tolist() == [100] * 6
    spread = np.mean([X[y == k].std(axis=0) for k in range(6)])
    assert 0.4 < spread < 0.6
    assert np.abs(X).max() < 10 + 5 * 0.5
    X, y = data.gaussian_quantiles(300, seed=2)
    distance = np.hypot(X[:, 0], X[:, 1])
    assert distance[y == 0].max() <= distance[y == 1].min()
    assert np.bincount(y).tolist() == [150, 150]
    X, y = data.no_structure(500, seed=3)
    assert X.min() >= 0 and X.max() < 1 and set(np.unique(y)) == {0, 1}


def test_xor_and_spirals():
    X, y = data.xor(400, noise=0, seed=5)
    np.testing.assert_array_equal(y, (X[:, 0] > 0) != (X[:, 1] > 0))
    assert np.abs(X).max() <= 1
    Xn, yn = data.xor(400, noise=0.2, seed=5)
    np.testing.assert_array_equal(yn, y)  # labels from the clean points
    assert 0.15 < (Xn - X).std() < 0.25
    X, y = data.spirals(301, noise=0, seed=0, classes=3)
    assert np.bincount(y).tolist() == [101, 100, 100]
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1 + 1e-12
    Xn, _ = data.spirals(301, noise=0.1, seed=0, classes=3)
    assert 0.07 < (Xn - X).std() < 0.13


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.circles(1), r"circles\(n=1\): n must be an integer >= 2"),
        (lambda: data.circles(10, noise=-0.1), r"circles\(noise=-0.1\)"),
        (lambda: data.circles(10, factor=1.0), r"factor must be in \[0, 1\)"),
        (lambda: data.moons(10.0), r"moons\(n=10.0\)"),
        (lambda: data.moons(10, seed=1, random_state=1), "not both"),
        (lambda: data.moons(10, seed=-1), "non-negative integer"),
        (lambda: data.blobs(10, centers=0), "centers must be"),
        (lambda: data.blobs(10, box=(1, 1)), "low < high"),
        (lambda: data.gaussian_quantiles(1, classes=2), "n must be an integer >= 2"),
        (lambda: data.spirals(10, classes=1), "classes must be an integer >= 2"),
        (lambda: data.xor(10, noise=float("nan")), r"xor\(noise=nan\)"),
        (lambda: data.xor(10, seed=1, rng=np.random.default_rng()), "not both"),
        (lambda: data.playground("moon"), r"playground\(name='moon'\): expected one of circle"),
        (lambda: data.playground("xor", noise=60), r"noise must be a number in \[0, 50\]"),
    ],
)
def test_toy_arguments_are_checked(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# =========================================================================== playground


def test_playground_classification_sets():
    for name in ("circle", "xor", "gauss", "spiral"):
        X, y = data.playground(name, seed=0)
        assert X.shape == (500, 2) and y.dtype == np.int64
        assert np.bincount(y).tolist() == [250, 250] or name in ("circle", "xor")
        assert not np.all(np.diff(y) >= 0), "the points are shuffled"
    # circle: without noise, class 1 is exactly the inner disc of radius 2.5
    X, y = data.playground("circle", seed=1)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, radius < 2.5)
    assert radius[y == 0].min() >= 3.5 and radius.max() <= 5
    Xn, yn = data.playground("circle", noise=50, seed=1)
    assert (yn != (np.hypot(Xn[:, 0], Xn[:, 1]) < 2.5)).any(), "noise moves labels"
    # xor: off the axes by the 0.3 padding, label = sign(x·y) >= 0
    X, y = data.playground("xor", seed=2)
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3
    np.testing.assert_array_equal(y, X[:, 0] * X[:, 1] >= 0)
    # gauss: centres (2, 2) for class 1, (-2, -2) for class 0; variance 0.5 .. 4
    X, y = data.playground("gauss", n=4000, seed=3)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(X[y == 1].var(axis=0), [0.5, 0.5], rtol=0.15)
    X, y = data.playground("gauss", n=4000, noise=50, seed=3)
    np.testing.assert_allclose(X[y == 0].var(axis=0), [4, 4], rtol=0.15)
    # spiral: without noise every point lies on its arm, radius < 5
    X, y = data.playground("spiral", n=200, seed=4)
    assert np.hypot(X[:, 0], X[:, 1]).max() < 5
    Xn, _ = data.playground("spiral", n=200, noise=30, seed=4)
    assert not np.allclose(np.sort(np.hypot(*X.T)), np.sort(np.hypot(*Xn.T)))


def test_playground_regression_sets():
    X, y = data.playground("plane", n=300, seed=0)
    assert y.dtype == np.float64 and np.abs(X).max() <= 6
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10)
    _, yn = data.playground("plane", n=300, noise=25, seed=0)
    assert not np.allclose(yn, y)
    X, y = data.playground("multi_gauss", n=300, seed=0)
    assert y.dtype == np.float64 and np.abs(y).max() <= 1
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (px, py), target in zip(X[:20], y[:20], strict=True):
        best = 0.0
        for cx, cy, sign in bumps:
            value = sign * min(max(1 - np.hypot(px - cx, py - cy) / 2, 0), 1)
            if abs(value) > abs(best):
                best = value
        assert target == pytest.approx(best)
    near = np.hypot(X[:, 0] - 4, X[:, 1] + 2.5) < 0.3
    assert (y[near] < -0.8).all()


# =========================================================================== digits


def test_digits_is_sklearns():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert X.min() == 0 and X.max() == 16
    X_sk, y_sk = skdatasets.load_digits(return_X_y=True)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)
    images, _ = data.digits(flatten=False)
    np.testing.assert_array_equal(images, skdatasets.load_digits().images)


def test_digits_without_sklearn_says_how_to_install():
    code = (
        "import importlib.util, fcnn.data as d\n"
        "real = importlib.util.find_spec\n"
        "def find(name, *args):\n"
        "    return None if name == 'sklearn' else real(name, *args)\n"
        "importlib.util.find_spec = find\n"
        "try:\n    d.digits()\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert 'pip install "fcnn[sklearn]"' in out.stdout


# =========================================================================== IDX and MNIST


def _flat(fake: FakeMnist, kind: str = "mnist") -> list[np.ndarray]:
    """The look-alike's four arrays as ``data.mnist`` returns them by default (flattened)."""
    return [a.reshape(len(a), -1) if a.ndim == 3 else a for a in fake.arrays[kind]]


def test_mnist_from_a_data_folder(fake_mnist):
    # The data folder holds mnist/ and fashion-mnist/; the subfolder is found by kind.
    arrays = data.mnist(fake_mnist.root)
    X_train, y_train, X_test, y_test = arrays
    assert X_train.shape == (600, 784) and X_train.dtype == np.uint8
    assert X_test.shape == (200, 784) and X_test.dtype == np.uint8
    assert y_train.shape == (600,) and y_train.dtype == np.int64
    assert y_test.shape == (200,) and y_test.dtype == np.int64
    for ours, written in zip(arrays, _flat(fake_mnist), strict=True):
        np.testing.assert_array_equal(ours, written)
    # ... and a folder holding the four files directly is read the same.
    np.testing.assert_array_equal(data.mnist(fake_mnist.folder())[3], y_test)


def test_fashion_mnist_unflattened_from_its_own_folder(fake_mnist):
    arrays = data.mnist(fake_mnist.folder("fashion"), kind="fashion", flatten=False)
    X_train, y_train, X_test, _ = arrays
    assert X_train.shape == (600, 28, 28) and X_test.shape == (200, 28, 28)
    for ours, written in zip(arrays, fake_mnist.arrays["fashion"], strict=True):
        np.testing.assert_array_equal(ours, written)
    assert np.bincount(y_train).tolist() == [60] * 10
    np.testing.assert_array_equal(data.mnist(fake_mnist.root, "fashion-mnist")[1], y_train)
    with pytest.raises(ValueError, match=r"mnist\(kind='kmnist'\)"):
        data.mnist(fake_mnist.root, kind="kmnist")


def test_read_idx_gzip_and_raw_agree(tmp_path, fake_mnist):
    source = fake_mnist.folder() / "t10k-images-idx3-ubyte.gz"
    images = read_idx(source)
    assert images.shape == (200, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, fake_mnist.arrays["mnist"][2])
    raw = tmp_path / "t10k-images-idx3-ubyte"
    raw.write_bytes(gzip.decompress(source.read_bytes()))
    assert raw.read_bytes()[:4] == struct.pack(">I", 2051)
    np.testing.assert_array_equal(read_idx(raw), images)
    labels_file = fake_mnist.folder() / "t10k-labels-idx1-ubyte.gz"
    assert gzip.decompress(labels_file.read_bytes())[:4] == struct.pack(">I", 2049)
    labels = read_idx(labels_file)
    assert labels.shape == (200,) and labels.dtype == np.uint8


def _idx(code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


def test_read_idx_other_types(tmp_path):
    values = np.array([[1, -2, 300], [-400, 5, 6]], dtype=">i2")
    path = tmp_path / "shorts.idx"
    path.write_bytes(_idx(0x0B, (2, 3), values.tobytes()))
    out = read_idx(path)
    assert out.dtype == np.int16 and out.dtype.isnative
    np.testing.assert_array_equal(out, values)
    floats = np.array([0.5, -1.25], dtype=">f8")
    path.write_bytes(gzip.compress(_idx(0x0E, (2,), floats.tobytes())))
    np.testing.assert_array_equal(read_idx(path), [0.5, -1.25])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x00", "only 2 byte"),
        (b"PK\x03\x04rest", r"not an IDX file: magic number 0x504b0304"),
        (bytes([0, 0, 0x07, 1]) + b"\x00\x00\x00\x01\x00", "type code 0x07 unknown"),
        (bytes([0, 0, 0x08, 0]), "0 dimensions"),
        (bytes([0, 0, 0x08, 3]) + b"\x00\x00\x00\x02", "header cut short: 3 dimensions need 12"),
        (_idx(0x08, (2, 3), b"\x01" * 5), r"truncated: dimensions 2 x 3 need 6 bytes .* holds 5"),
        (_idx(0x08, (2,), b"\x01\x02\x03"), r"1 byte\(s\) after the 2 data bytes"),
    ],
)
def test_read_idx_rejects_malformed_files(tmp_path, content, message):
    for compress in (False, True):
        path = tmp_path / ("bad.gz" if compress else "bad")
        path.write_bytes(gzip.compress(content) if compress else content)
        with pytest.raises(ValueError, match=message) as info:
            read_idx(path)
        assert str(path) in str(info.value)


def test_read_idx_damaged_gzip(tmp_path):
    blob = gzip.compress(_idx(0x08, (1000,), bytes(range(250)) * 4))
    path = tmp_path / "cut.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match="damaged gzip data"):
        read_idx(path)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing.gz")


def _link_mnist(folder: Path, fake: FakeMnist) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES["mnist"]:
        (folder / name).symlink_to(fake.folder() / name)


def test_md5_mismatch_is_refused(tmp_path, fake_mnist):
    folder = tmp_path / "copy"
    _link_mnist(folder, fake_mnist)
    name = "t10k-labels-idx1-ubyte.gz"
    (folder / name).unlink()
    damaged = bytearray((fake_mnist.folder() / name).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (folder / name).write_bytes(bytes(damaged))
    actual = data.md5sum(folder / name)
    expected = MNIST_FILES["mnist"][name]
    with pytest.raises(ValueError, match="md5 mismatch") as info:
        data.mnist(folder, cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert name in message and expected in message and actual in message
    assert actual != expected
    data.verify_md5(fake_mnist.folder() / name, expected)  # the intact file passes
    with pytest.raises(ValueError, match=f"expected {expected}, got {actual}"):
        data.verify_md5(folder / name, expected.upper())


def test_missing_files_without_download(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"train-images-idx3-ubyte.gz not found.*download=True"
    ):
        data.mnist(tmp_path / "nothing", cache_dir=tmp_path / "cache")


def test_cache_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("FCNN_CACHE", str(tmp_path / "env"))
    assert data.cache_dir() == tmp_path / "env"
    assert data.cache_dir(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv("FCNN_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.cache_dir() == tmp_path / "home" / ".cache" / "fcnn"


def test_files_are_found_in_the_cache(tmp_path, monkeypatch, fake_mnist):
    _link_mnist(tmp_path / "cache" / "mnist", fake_mnist)
    monkeypatch.setenv("FCNN_CACHE", str(tmp_path / "cache"))
    X_train, *_ = data.mnist()
    np.testing.assert_array_equal(X_train, _flat(fake_mnist)[0])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_into_the_cache(tmp_path, fake_mnist):
    cache = tmp_path / "cache"
    mnist_arrays = _flat(fake_mnist)
    with _serve(fake_mnist.folder()) as url:
        arrays = data.mnist(download=True, cache_dir=cache, mirrors=[url], timeout=10)
    for ours, reference in zip(arrays, mnist_arrays, strict=True):
        np.testing.assert_array_equal(ours, reference)
    assert _files(cache / "mnist") == sorted(MNIST_FILES["mnist"])  # no temporary files left
    for name, md5 in MNIST_FILES["mnist"].items():
        assert data.md5sum(cache / "mnist" / name) == md5
    # Later calls read the cache; the mirror (now gone) is not needed.
    again = data.mnist(download=True, cache_dir=cache, mirrors=[url], timeout=2)
    np.testing.assert_array_equal(again[3], mnist_arrays[3])


def test_download_of_a_wrong_file_is_refused_and_removed(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    for name in MNIST_FILES["mnist"]:
        (served / name).write_bytes(b"not the file you are looking for")
    cache = tmp_path / "cache"
    name = "t10k-labels-idx1-ubyte.gz"
    expected = MNIST_FILES["mnist"][name]
    with _serve(served) as url:
        with pytest.raises(DownloadError, match="every mirror failed") as info:
            data.fetch(name, expected, [url], cache, timeout=10)
        message = str(info.value)
        assert f"md5 mismatch for {name}: expected {expected}, got " in message
        assert f"{url}{name}" in message
        assert _files(cache) == []
        with pytest.raises(DownloadError, match="md5 mismatch"):
            data.mnist(download=True, cache_dir=cache, mirrors=[url], timeout=10)
    assert _files(cache / "mnist") == []


def test_download_falls_through_a_404_mirror(tmp_path, fake_mnist):
    empty = tmp_path / "empty"
    empty.mkdir()
    name = "t10k-labels-idx1-ubyte.gz"
    md5 = MNIST_FILES["mnist"][name]
    with _serve(empty) as missing, _serve(fake_mnist.folder()) as good:
        path = data.fetch(name, md5, [missing, good], tmp_path / "cache", timeout=10)
        assert path == tmp_path / "cache" / name and data.md5sum(path) == md5
        with pytest.raises(DownloadError, match="404") as info:
            data.fetch(name, md5, [missing, missing.rstrip("/")], tmp_path / "other", timeout=10)
    assert str(info.value).count("404") == 2
    assert _files(tmp_path / "other") == []


def test_download_falls_through_an_unreachable_mirror(tmp_path, fake_mnist):
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    name = "t10k-labels-idx1-ubyte.gz"
    with _serve(fake_mnist.folder()) as good:
        data.fetch(name, MNIST_FILES["mnist"][name], [dead, good], tmp_path, timeout=5)
    assert _files(tmp_path) == [name]
    with pytest.raises(ValueError, match="no mirrors"):
        data.fetch(name, MNIST_FILES["mnist"][name], [], tmp_path)


def test_package_never_names_the_shared_folder():
    package = Path(data.__file__).parent
    for source in package.glob("*.py"):
        text = source.read_text()
        assert "/work/shared" not in text and "../shared" not in text, source
        assert "FCNN_SHARED_DATA" not in text, source


# =========================================================================== CSV


def _write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_integer_labels(tmp_path):
    path = _write(tmp_path, "a,b,label\n1,2.5,0\n3,4,1\n\n-5,6e-1,2\n")
    table = data.csv(path)
    assert isinstance(table, CSVData)
    np.testing.assert_array_equal(table.X, [[1, 2.5], [3, 4], [-5, 0.6]])
    assert table.X.dtype == np.float64 and table.y.dtype == np.int64
    assert table.y.tolist() == [0, 1, 2]
    assert table.feature_names == ("a", "b") and table.target_name == "label"
    assert table.classes is None and table.task == "classification"
    X, y = table
    assert X is table.X and y is table.y
    assert repr(table) == "CSVData(X=(3, 2) float64, y=(3,) int64, target='label')"


def test_csv_text_labels_map_to_sorted_classes(tmp_path):
    path = _write(tmp_path, "species;petal;sepal\nvirginica;1;2\nsetosa; 3 ;4\nversicolor;5;6\n")
    table = data.csv(path, target="species", delimiter=";")
    assert table.classes == ("setosa", "versicolor", "virginica")
    assert table.y.tolist() == [2, 0, 1]
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4], [5, 6]])
    assert table.feature_names == ("petal", "sepal")
    assert "classes=('setosa', 'versicolor', 'virginica')" in repr(table)


def test_csv_regression_target_and_indices(tmp_path):
    path = _write(tmp_path, "\ufeffx,price,z\n1,10.5,3\n2,11,4\n")  # with a byte-order mark
    table = data.csv(path, target=1)
    assert table.y.dtype == np.float64 and table.y.tolist() == [10.5, 11.0]
    assert table.task == "regression" and table.feature_names == ("x", "z")
    assert data.csv(path, target=-2).target_name == "price"
    assert data.csv(path).target_name == "z"


def test_csv_without_header_and_with_quotes(tmp_path):
    path = _write(tmp_path, '1\t2\t"yes"\n3\t4\t"no"\n', "t.tsv")
    table = data.csv(path, header=False, delimiter="\t")
    assert table.feature_names == ("column 1", "column 2") and table.target_name == "column 3"
    assert table.classes == ("no", "yes") and table.y.tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"line 1, column 3 \('column 3'\): 'yes' is not a num"):
        data.csv(path, target=0, header=False, delimiter="\t")


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("a,b,y\n1,2,0\n3,abc,1\n", {}, r"line 3, column 2 \('b'\): 'abc' is not a number"),
        ("a,b,y\n1,2,0\n3,,1\n", {}, r"line 3, column 2 \('b'\): empty cell"),
        ("a,b,y\n1,nan,0\n", {}, r"line 2, column 2 \('b'\): 'nan' is not a finite number"),
        ("a,b,y\n1,2,0\n\n-inf,2,0\n", {}, r"line 4, column 1 \('a'\): '-inf' is not a finite"),
        ("a,b,y\n1,2,0\n1,2\n", {}, r"line 3: 2 cells, expected 3 as in the header"),
        ("1,2,0\n1,2,3,4\n", {"header": False}, r"line 2: 4 cells, expected 3 as in line 1"),
        ("a,b,y\n1,2,0\n", {"target": "label"}, r"target='label': no such column; the col"),
        ("a,b,y\n1,2,0\n", {"target": 3}, r"target=3: no such column; the file has 3 columns"),
        ("a,b,y\n1,2,0\n", {"target": -4}, r"target=-4: no such column"),
        ("1,2,0\n", {"target": "y", "header": False}, "is a column name but header=False"),
        ("", {}, "empty file"),
        ("\n\n", {}, "empty file"),
        ("a,b,y\n", {}, r"no data rows after the header \(line 1\)"),
        ("a\n1\n", {}, "1 column; need at least one feature column"),
        ("a,y\n1,0\n2,cat\n", {}, r"mixes numbers \(line 2: '0'\) and text \(line 3: 'cat'\)"),
        ("a,y\n1,0\n2,\n", {}, r"line 3, column 2 \('y'\): empty cell"),
        ("a,y\n1,0.5\n2,nan\n", {}, r"line 3, column 2 \('y'\): 'nan' is not a finite number"),
        ('a,y\n1,"0\n', {}, "malformed CSV"),
    ],
)
def test_csv_bad_data_is_named(tmp_path, text, kwargs, message):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as info:
        data.csv(path, **kwargs)
    assert str(path) in str(info.value)


def test_csv_other_errors(tmp_path):
    path = _write(tmp_path, "a,a,y\n1,2,3\n")
    with pytest.raises(ValueError, match=r"target='a' names several columns \(1, 2\)"):
        data.csv(path, target="a")
    with pytest.raises(TypeError, match="expected a column name or an index"):
        data.csv(path, target=1.5)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("é,y\n1,2\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not utf-8-sig text"):
        data.csv(latin)
    assert data.csv(latin, encoding="latin-1").feature_names == ("é",)
    with pytest.raises(FileNotFoundError):
        data.csv(tmp_path / "missing.csv")


# =========================================================================== transforms


def test_train_test_split_sizes_and_disjointness():
    X = np.arange(50).reshape(25, 2)
    y = np.arange(25)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_test) == 5 and len(X_train) == 20
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay with their labels
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)
    assert sorted(np.r_[y_train, y_test].tolist()) == list(range(25))
    assert len(train_test_split(X, y, test_size=0.21, seed=0)[1]) == 6  # rounded up
    assert len(train_test_split(X, y, test_size=7, seed=0)[1]) == 7
    again = train_test_split(X, y, seed=0)
    np.testing.assert_array_equal(again[3], y_test)
    assert not np.array_equal(train_test_split(X, y, seed=1)[3], y_test)
    X_train, X_test = train_test_split(X, seed=0)
    assert X_train.shape == (20, 2) and X_test.shape == (5, 2)
    rng = np.random.default_rng(3)
    assert len(train_test_split(X, y, rng=rng)[0]) == 20


def test_stratified_splits_keep_class_shares():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100.0)[:, None]
    for seed in range(5):
        _, _, y_train, y_test = train_test_split(X, y, 0.3, seed, stratify=True)
        assert len(y_test) == 30
        for k, share in enumerate([18, 9, 3]):
            assert abs(np.sum(y_test == k) - share) <= 1
        assert not np.all(np.diff(y_test) >= 0), "parts are shuffled, not grouped by class"
        parts = train_val_test_split(X, y, 0.2, 0.2, seed=seed, stratify=True)
        X_train, X_val, X_test, y_train, y_val, y_test = parts
        assert (len(y_train), len(y_val), len(y_test)) == (60, 20, 20)
        for part in (y_val, y_test):
            for k, share in enumerate([12, 6, 2]):
                assert abs(np.sum(part == k) - share) <= 1
        np.testing.assert_array_equal(X_val[:, 0], np.arange(100.0)[X_val[:, 0].astype(int)])
        all_rows = np.r_[X_train[:, 0], X_val[:, 0], X_test[:, 0]]
        assert sorted(all_rows.tolist()) == list(range(100))


def test_train_val_test_split_plain():
    X = np.arange(30.0).reshape(10, 3)
    X_train, X_val, X_test = train_val_test_split(X, val_size=2, test_size=0.3, seed=4)
    assert (len(X_train), len(X_val), len(X_test)) == (5, 2, 3)
    rows = np.r_[X_train, X_val, X_test][:, 0]
    assert sorted(rows.tolist()) == list(range(0, 30, 3))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda X, y: train_test_split(X, y, test_size=0),
            ValueError,
            r"count must be in \[1, 9\]",
        ),
        (lambda X, y: train_test_split(X, y, test_size=1.0), ValueError, r"fraction .* \(0, 1\)"),
        (lambda X, y: train_test_split(X, y, test_size=10), ValueError, "count must be"),
        (lambda X, y: train_test_split(X, y, test_size="a"), TypeError, "a fraction in"),
        (lambda X, y: train_test_split(X, y, test_size=0.95), ValueError, "no training sample"),
        (lambda X, y: train_test_split(X, y[:9]), ValueError, "X has 10 samples but y has 9"),
        (lambda X, y: train_test_split(X[:1], y[:1]), ValueError, "at least 2 samples"),
        (lambda X, y: train_test_split(X, stratify=True), ValueError, "stratify=True needs y"),
        (lambda X, y: train_test_split(X, y, seed=-1), ValueError, "non-negative integer"),
        (
            lambda X, y: train_val_test_split(X, y, 0.5, 0.5),
            ValueError,
            "5 \\+ 5 samples leave no training sample of 10",
        ),
        (
            lambda X, y: train_test_split(X, one_hot(y), stratify=True),
            ValueError,
            "needs 1-D class labels",
        ),
    ],
)
def test_split_arguments_are_checked(call, error, message):
    X = np.zeros((10, 2))
    y = np.arange(10) % 2
    with pytest.raises(error, match=message):
        call(X, y)


def test_standardizer():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(5, 3, 200), np.full(200, 0.1), rng.normal(-2, 0.01, 200)]
    scaler = Standardizer()
    assert repr(scaler) == "Standardizer(unfitted)"
    Z = scaler.fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), [1, 0, 1], atol=1e-12)
    assert scaler.scale[1] == 1.0 and np.all(Z[:, 1] == 0)  # constant column: no NaN
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-12, atol=1e-12)
    state = json.loads(json.dumps(scaler.state_dict()))
    restored = Standardizer.from_state_dict(state)
    np.testing.assert_array_equal(restored.transform(X), Z)
    assert repr(restored) == "Standardizer(n_features=3)" and restored.n_features == 3
    assert scaler.transform(X.astype(np.float32)).dtype == np.float32
    assert Standardizer().fit(np.array([[1, 2], [3, 4]])).transform([[1, 2]]).dtype == np.float64
    assert Standardizer().fit([[7.0, 8.0]]).transform([[7.0, 9.0]]).tolist() == [[0.0, 1.0]]


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match=r"transform: not fitted; call fit\(X\) first"):
        Standardizer().transform(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="not fitted"):
        Standardizer().state_dict()
    scaler = Standardizer().fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match="X has 3 features, the Standardizer was fitted on 2"):
        scaler.transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"2-D \(N, features\), got shape \(4,\)"):
        scaler.fit(np.zeros(4))
    with pytest.raises(ValueError, match=r"X\[1, 0\] is nan"):
        scaler.fit([[0.0, 1.0], [np.nan, 2.0]])
    with pytest.raises(ValueError, match="has no rows"):
        scaler.fit(np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"expected keys \['mean', 'scale'\], got \['mean'\]"):
        Standardizer.from_state_dict({"mean": [0.0]})
    with pytest.raises(ValueError, match="equal-length"):
        Standardizer.from_state_dict({"mean": [0.0], "scale": [1.0, 2.0]})
    with pytest.raises(ValueError, match="scale finite and > 0"):
        Standardizer.from_state_dict({"mean": [0.0], "scale": [0.0]})


def test_one_hot():
    out = one_hot([2, 0, 1, 2])
    assert out.dtype == np.float64 and out.shape == (4, 3)
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1, 2]])
    assert one_hot(np.array([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    assert one_hot([1.0, 0.0], dtype=np.float32).dtype == np.float32
    assert one_hot(np.array([], dtype=int), 3).shape == (0, 3)
    with pytest.raises(ValueError, match=r"y\[1\] = -1: class labels must be >= 0"):
        one_hot([0, -1])
    with pytest.raises(ValueError, match=r"y\[0\] = 3 is not below num_classes=3"):
        one_hot([3, 0], num_classes=3)
    with pytest.raises(ValueError, match="non-integer floats"):
        one_hot([0.5])
    with pytest.raises(ValueError, match="must be 1-D"):
        one_hot([[0, 1]])
    with pytest.raises(TypeError, match="expected integer class labels"):
        one_hot(["a"])
    with pytest.raises(ValueError, match="num_classes=0"):
        one_hot([0], num_classes=0)


def test_check_dataset():
    X, y = check_dataset([[1.0, 2.0], [3.0, 4.0]], [0, 1])
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)
    assert check_dataset(np.zeros((3, 1)))[1] is None
    check_dataset(np.zeros((2, 2)), one_hot([0, 1]))
    check_dataset(np.zeros((2, 2)), np.array([0.5, -3.0]))
    bad = np.zeros((4, 3))
    bad[2, 1] = np.inf
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"X\[2, 1\] is inf at row 2, column 1 \(0-based\); 2 non"):
        check_dataset(bad)
    with pytest.raises(ValueError, match=r"y\[1\] is nan at row 1"):
        check_dataset(np.zeros((2, 2)), [0.0, np.nan])
    with pytest.raises(ValueError, match=r"got shape \(3,\) \(one feature per sample: X.resh"):
        check_dataset(np.zeros(3))
    with pytest.raises(ValueError, match=r"X is empty: shape \(0, 2\)"):
        check_dataset(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        check_dataset(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match=r"y\[2\] = -1: class labels must be >= 0"):
        check_dataset(np.zeros((3, 2)), [0, 1, -1])
    with pytest.raises(ValueError, match=r"y must be 1-D \(N,\) or 2-D"):
        check_dataset(np.zeros((3, 2)), np.zeros((3, 1, 1)))
    with pytest.raises(TypeError, match="map class names to labels"):
        check_dataset(np.zeros((2, 2)), ["cat", "dog"])
    with pytest.raises(TypeError, match="X has dtype <U1; expected numbers"):
        check_dataset([["a"]])


def test_csv_feeds_the_transforms(tmp_path):
    rows = "\n".join(f"{i},{i * 2 % 7},{'ab'[i % 2]}" for i in range(20))
    table = data.csv(_write(tmp_path, "u,v,kind\n" + rows + "\n"))
    X, y = check_dataset(*table)
    X_train, X_test, y_train, _ = train_test_split(X, y, 0.25, seed=0, stratify=True)
    scaler = Standardizer().fit(X_train)
    assert scaler.transform(X_test).shape == (5, 2)
    assert one_hot(y_train, len(table.classes)).shape == (15, 2)


def test_fetch_takes_a_single_mirror_string(tmp_path, fake_mnist):
    name = "t10k-labels-idx1-ubyte.gz"
    with _serve(fake_mnist.folder()) as url:
        path = data.fetch(name, MNIST_FILES["mnist"][name], url.rstrip("/"), tmp_path)
    assert path.is_file() and not path.is_symlink()
    np.testing.assert_array_equal(read_idx(path), fake_mnist.arrays["mnist"][3])
