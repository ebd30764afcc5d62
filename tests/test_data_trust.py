"""Issue #14, the data layer and fit's input checks: no silent wrong result, and every
refusal names what is wrong and what to do instead.

Every file these tests read is built here, in ``tmp_path``.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
from fcnn import data
from fcnn.cli import app
from fcnn.core import ShapeError
from fcnn.data import images

runner = CliRunner()


def _table(tmp_path, name: str, header: str, *columns, delimiter: str = ","):
    path = tmp_path / name
    rows = zip(*columns, strict=True)
    lines = [header] + [delimiter.join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _features(n: int, seed: int = 0) -> np.ndarray:
    return np.round(np.random.default_rng(seed).normal(size=(n, 2)), 3)


def _prices(tmp_path, n: int = 400):
    X = _features(n)
    price = (300_000 + 50_000 * X[:, 0]).astype(np.int64) // 10 * 10
    return _table(tmp_path, "houses.csv", "rooms,area,price", X[:, 0], X[:, 1], price)


def _labels(tmp_path, n: int = 200, classes: int = 3, name: str = "points.csv"):
    X = _features(n)
    y = np.arange(n) % classes
    return _table(tmp_path, name, "x1,x2,label", X[:, 0], X[:, 1], y)


def _cli(*args):
    return runner.invoke(app, [str(a) for a in args])


# =========================================================================== the task


def test_prices_are_regression_not_a_huge_classifier(tmp_path):
    path = _prices(tmp_path)
    table = data.csv(path)
    assert table.y.dtype == np.int64 and table.task == "regression"
    dataset = data.load_source(data.make_source(str(path)))
    assert dataset.task == "regression" and dataset.n_outputs == 1
    assert dataset.y_train.dtype == np.float64
    assert str(dataset.task_reason).startswith("'price' holds 377 different integers, 105,050..")
    assert "too many to be class labels (max + 1 = 437,801 outputs > " in str(dataset.task_reason)


def test_ids_near_1e12_are_regression_and_cannot_be_forced_into_classes(tmp_path):
    X = _features(50)
    ids = 10**12 + np.arange(50)
    path = _table(tmp_path, "ids.csv", "a,b,id", X[:, 0], X[:, 1], ids)
    assert data.load_source(data.make_source(str(path))).task == "regression"
    with pytest.raises(ValueError, match=r"target column 'id': labels up to 1e\+12 .*regression"):
        data.load_source(data.make_source(str(path), task="classification"))


def test_few_integer_labels_are_classes(tmp_path):
    dataset = data.load_source(data.make_source(str(_labels(tmp_path))))
    assert dataset.task == "classification" and dataset.n_outputs == 3
    assert str(dataset.task_reason) == (
        "'label' holds 3 different integers, 0..2, in 200 rows: few enough to be class "
        "labels (max + 1 = 3 outputs <= max(10, √rows) = 14)"
    )


@pytest.mark.parametrize(
    ("y", "task"),
    [
        ([0, 1, 2], "classification"),  # a tiny table: up to 10 labels are classes
        (np.arange(100) % 10, "classification"),
        (np.arange(100) % 11, "regression"),  # 11 labels > max(10, √100)
        (np.arange(400) % 20, "classification"),  # 20 labels <= √400
        (np.arange(400) % 21, "regression"),
        (np.array([1, 2, 3] * 5), "classification"),  # 1-based labels: 4 outputs
        (np.array([-1, 1] * 5), "regression"),  # negative: not class indices
        (np.array([0.5, 1.0, 2.0]), "regression"),
    ],
)
def test_the_rule(y, task):
    assert data.infer_task(np.asarray(y), name="y")[0] == task


def test_text_labels_are_classes_and_cannot_be_regression():
    task, reason = data.infer_task(np.array([0, 1, 1]), ("no", "yes"), name="answer")
    assert task == "classification" and str(reason) == "'answer' holds 2 class names"
    with pytest.raises(ValueError, match=r"'answer' holds text .*regression needs numbers"):
        data.infer_task(np.array([0, 1]), ("no", "yes"), task="regression", name="answer")
    many = tuple(f"user{i:05d}" for i in range(data.MAX_CLASSES + 1))
    with pytest.raises(
        ValueError, match=r"'user': 1,001 different names .*1,000 classes.*right column"
    ):
        data.infer_task(np.arange(len(many)), many, name="user")


@pytest.mark.parametrize(
    ("y", "classes", "message"),
    [
        ([4, 4, 4], None, r"'y': every row holds 4, one class.*task='regression'"),
        ([0, 0], ("cat",), r"'y': every row holds 'cat', one class.*right column"),
    ],
)
def test_one_class_is_an_error_naming_the_column(y, classes, message):
    with pytest.raises(ValueError, match=message):
        data.infer_task(np.array(y), classes, name="y")


def test_the_task_can_be_asked_for(tmp_path):
    path = str(_labels(tmp_path, n=100, classes=11))  # 11 labels in 100 rows: inferred values
    assert data.load_source(data.make_source(path)).task == "regression"
    forced = data.load_source(data.make_source(path, task="classification"))
    assert forced.task == "classification" and forced.n_outputs == 11
    assert forced.y_train.dtype == np.int64
    as_values = data.load_source(data.make_source(str(_labels(tmp_path)), task="regression"))
    assert as_values.task == "regression" and as_values.y_train.dtype == np.float64
    with pytest.raises(ValueError, match=r"make_source\(task='clustering'\): task must be one of"):
        data.make_source(path, task="clustering")
    with pytest.raises(ValueError, match="--task applies to a CSV file, not to 'moons'"):
        data.make_source("moons", task="regression")
    with pytest.raises(ValueError, match=r"row 0 holds 0\.5, not a class label"):
        data.infer_task(np.array([0.5, 1.0]), task="classification", name="y")
    with pytest.raises(ValueError, match="label -1 is negative"):
        data.infer_task(np.array([-1, 1]), task="classification", name="y")


def test_train_says_which_task_and_why_in_its_first_line(tmp_path):
    common = ("--epochs", 1, "--hidden", "4", "--verbose", 1)
    result = _cli("train", _prices(tmp_path), *common, "--run-dir", tmp_path / "a")
    assert result.exit_code == 0, result.output
    first = " ".join(result.output.split())  # rich wraps the line at the terminal's width
    assert "task regression ('price' holds" in first
    assert "--task classification overrides)" in first
    assert first.index("task regression") < first.index("epoch 1/1")
    labels = _labels(tmp_path)
    forced = _cli("train", labels, "--task", "regression", *common, "--run-dir", tmp_path / "b")
    assert forced.exit_code == 0, forced.output
    assert "task regression (asked for" in " ".join(forced.output.split())
    assert fcnn.load(tmp_path / "b" / "model.safetensors")[-1].out_features == 1


def test_train_refuses_one_class_in_one_line(tmp_path):
    X = _features(30)
    path = _table(tmp_path, "one.csv", "a,b,ok", X[:, 0], X[:, 1], [1] * 30)
    result = _cli("train", path, "--run-dir", tmp_path / "run")
    assert result.exit_code != 0
    assert result.output.startswith("error: target column 'ok': every row holds 1, one class")
    assert "--task regression" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


# =========================================================================== delimiters


def test_a_tsv_file_is_read_with_tabs(tmp_path):
    X = _features(40)
    path = _table(
        tmp_path, "t.tsv", "a\tb\tlabel", X[:, 0], X[:, 1], np.arange(40) % 2, delimiter="\t"
    )
    table = data.csv(path)
    assert table.feature_names == ("a", "b") and table.X.shape == (40, 2)
    dataset = data.load_source(data.make_source(str(path)))
    assert dataset.n_features == 2 and dataset.task == "classification"
    X_new, names = data.csv_features(path, ["b", "a"])
    assert names == ("b", "a") and X_new.shape == (40, 2)


def test_the_delimiter_is_detected_from_the_header(tmp_path):
    semicolons = _table(tmp_path, "s.csv", "a;b;y", [1, 3], [2, 4], [0, 1], delimiter=";")
    assert data.detect_delimiter(semicolons) == ";"
    assert data.csv(semicolons).X.tolist() == [[1, 2], [3, 4]]
    # A header line decides even when the data rows also hold the other candidate.
    pipes = tmp_path / "p.csv"
    pipes.write_text('a|b|note\n1|2|"x,y"\n3|4|"z,w"\n')
    assert data.detect_delimiter(pipes) == "|"
    assert data.detect_delimiter(_labels(tmp_path)) == ","
    assert data.csv(semicolons, delimiter=";").y.tolist() == [0, 1]


# =========================================================================== values


def test_an_overflowing_feature_is_an_error_naming_its_column(tmp_path):
    X = _features(20)
    X[7, 1] = 1e300
    path = _table(tmp_path, "big.csv", "a,huge,y", X[:, 0], X[:, 1], np.arange(20) % 2)
    with pytest.raises(ValueError, match=r"column 'huge' holds values up to 1e\+300"):
        data.load_source(data.make_source(str(path)))  # whichever split the row is in
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="column 1 holds values up to 1e"):
            data.Standardizer().fit(X)


def test_float64_beyond_float32_says_so():
    model = fcnn.mlp([2, 3, 1], seed=0)
    X = np.array([[1.0, 2.0], [3.0, 5e38]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"X\[1, 1\] = 5e\+38 does not fit in float32"):
            fcnn.fit(model, X, np.zeros(2), epochs=1, verbose=0)
        with pytest.raises(ValueError, match="train a float64 model"):
            fcnn.evaluate(model, X, np.zeros(2))
    history = fcnn.fit(model.to("float64"), X, np.zeros(2), epochs=1, verbose=0)
    assert len(history) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda m, X: fcnn.fit(m, X, np.zeros(2), epochs=1, verbose=0),
        lambda m, X: fcnn.evaluate(m, X, np.zeros(2)),
        lambda m, X: m.predict(X),
        lambda m, X: m(X),
        lambda m, X: fcnn.fit(m, X.real, np.array([1j, 0]), epochs=1, verbose=0),
        lambda m, X: data.apply_preprocess({"kind": "scale", "factor": 0.5}, X),
        lambda m, X: data.apply_preprocess({"kind": "none"}, X),
        lambda m, X: data.Standardizer().fit(X),
    ],
)
def test_complex_input_is_an_error_not_a_warning(call):
    X = np.array([[1 + 2j, 0], [0, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="complex"):
            call(fcnn.mlp([2, 3, 1], seed=0), X)


# =========================================================================== empty batches


def test_fit_on_no_rows_is_an_error_and_writes_nothing(tmp_path):
    model = fcnn.mlp([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"fit: X has no rows \(shape \(0, 2\)\)"):
        fcnn.fit(model, np.zeros((0, 2)), np.zeros(0), verbose=0, run_dir=tmp_path / "run")
    assert not (tmp_path / "run" / "model.safetensors").exists()
    with pytest.raises(ValueError, match="evaluate: X has no rows"):
        fcnn.evaluate(model, np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="validation X has no rows"):
        fcnn.fit(model, np.ones((4, 2)), np.zeros(4), validation_data=(np.zeros((0, 2)), []))


def test_an_empty_batch_is_refused_everywhere():
    # One rule, as the layers always had it: an empty batch is a ShapeError (PyTorch
    # would return an empty output).
    model = fcnn.mlp([2, 3, 1], seed=0)
    for call in (
        lambda: model.predict(np.zeros((0, 2))),
        lambda: model(np.zeros((0, 2))),
        lambda: fcnn.Linear(2, 3)(np.zeros((0, 2))),
        lambda: fcnn.losses.MSELoss()(np.zeros((0, 1)), np.zeros((0, 1))),
        lambda: fcnn.losses.CrossEntropyLoss()(np.zeros((0, 3)), np.zeros(0, dtype=int)),
    ):
        with pytest.raises(ShapeError, match="empty batch"):
            call()


# =========================================================================== messages


def test_text_labels_with_bce_name_y():
    model = fcnn.mlp([2, 1], seed=0)
    with pytest.raises(ValueError, match=r"y must be numeric, got text \(<U3, e.g. 'cat'\)"):
        fcnn.fit(model, np.ones((2, 2)), ["cat", "dog"], loss="bce_with_logits", verbose=0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fcnn.fit(fcnn.mlp([2, 1]), np.ones((2, 2)), [0, 1], seed=-1), r"fit\(seed=-1\)"),
        (lambda: data.planar(seed=-1), r"planar\(seed=-1\): seed must be"),
        (lambda: data.planar(seed=2**32), r"planar\(seed=4294967296\): seed must be an integer in"),
        (lambda: data.moons(10, seed=-1), r"moons\(seed=-1\): seed must be a non-negative"),
        (
            lambda: data.gaussian_quantiles(10, random_state=-2),
            r"gaussian_quantiles\(random_state=-2\): random_state must be a non-negative",
        ),
        (lambda: data.xor(seed=-1), r"^xor\(seed=-1\): seed must be a non-negative integer$"),
        (lambda: data.make_source("moons", seed=-1), r"make_source\(seed=-1\)"),
        (lambda: data.make_source("moons", split_seed=-1), r"make_source\(split_seed=-1\)"),
    ],
)
def test_a_bad_seed_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _idx_header(shape) -> bytes:
    return bytes([0, 0, 0x08, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_refuses_a_huge_header_before_allocating(tmp_path, compress):
    body = _idx_header([2**32 - 1] * 3) + bytes(100)
    path = tmp_path / ("huge.idx.gz" if compress else "huge.idx")
    path.write_bytes(gzip.compress(body) if compress else body)
    with pytest.raises(ValueError, match=r"huge\.idx.*claims dimensions .* more than the file"):
        data.read_idx(path)
    small = tmp_path / "ok.idx"
    small.write_bytes(_idx_header([2, 3]) + bytes(range(6)))
    assert data.read_idx(small).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_mnist_on_fashion_files_says_it_is_the_other_data_set(tmp_path, monkeypatch):
    # Stand-ins for the four files, with "published" checksums set to theirs.
    published = {}
    for name in images.MNIST_FILES["fashion"]:
        body = gzip.compress(name.encode())
        (tmp_path / name).write_bytes(body)
        published[name] = hashlib.md5(body).hexdigest()
    monkeypatch.setitem(images.MNIST_FILES, "fashion", published)
    with pytest.raises(ValueError, match=r"is Fashion-MNIST's train-images.*not MNIST's.*"
                       "train fashion-mnist on it"):  # fmt: skip
        data.mnist(tmp_path, kind="mnist")
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"damaged")
    with pytest.raises(ValueError, match=r"md5 mismatch.*delete it and fetch it again"):
        data.mnist(tmp_path, kind="mnist")


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda: fcnn.mlp([2, 3, 1], seed=-1), "mlp"),
        (lambda: fcnn.init.kaiming_normal_(np.zeros((2, 2)), seed=-1), "kaiming_normal_"),
        (lambda: fcnn.gradcheck(fcnn.Tanh(), np.ones((2, 2)), seed=-1), "gradcheck"),
        (lambda: fcnn.diagnose.DiagnosticsCallback(seed=-1), "DiagnosticsCallback"),
        (
            lambda: fcnn.diagnose.diagnose(fcnn.mlp([2, 3, 1], seed=0), np.ones((4, 2)), seed=-1),
            "diagnose",
        ),
    ],
)
def test_a_negative_seed_is_refused_naming_the_call_and_seed(call, where):
    with pytest.raises(ValueError, match=rf"^{where}\(seed=-1\): seed must be a non-negative"):
        call()


@pytest.mark.parametrize(
    "y", [np.array(["a", "b"]), np.array([b"a", b"b"]), np.array([1, "x"], dtype=object)]
)
def test_text_targets_are_refused_for_every_loss(y):
    from fcnn.losses import prepare_targets

    for loss in ("bce_with_logits", "bce", "cross_entropy", "mse"):
        with pytest.raises(ValueError, match="must be numeric"):
            prepare_targets(fcnn.get_loss(loss), y, 1 if "bce" in loss else 2, np.float32)
