"""class_weight in fit, the CLI and fcnn.sklearn.MLPClassifier: scikit-learn's meaning,
PyTorch's weighted mean (Σ w[yᵢ]·ℓᵢ / Σ w[yᵢ]), checked against the loss and the steps
worked out by hand in NumPy; sample weights multiply; bad weights refused in one line;
balanced weights raise the minority class's recall."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app
from fcnn.losses.weights import class_weights
from fcnn.sklearn import MLPClassifier

runner = CliRunner()


def imbalanced(n=240, classes=3, seed=0):
    """Rows of ``classes`` overlapping blobs, class c about 1/2^c as frequent as class 0."""
    rng = np.random.default_rng(seed)
    share = 0.5 ** np.arange(classes)
    y = rng.choice(classes, size=n, p=share / share.sum())
    X = rng.normal(size=(n, 3)) + 1.5 * np.eye(classes, 3)[y]
    return X, y


def rare_positives(n=400, seed=4):
    """Two overlapping blobs, about 9 % of the rows in class 1."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(np.int64)
    return rng.normal(size=(n, 2)) + 1.5 * y[:, None], y


def recall(truth, predicted, label=1):
    return float(np.mean(predicted[truth == label] == label))


# --------------------------------------------------------------------------- the weights


def test_balanced_is_scikit_learns_formula():
    _, y = imbalanced()
    ours = class_weights("fit", "balanced", range(3), y)
    np.testing.assert_allclose(ours, compute_class_weight("balanced", classes=np.arange(3), y=y))
    assert ours @ np.bincount(y) == pytest.approx(len(y))  # the rows' weights sum to N
    np.testing.assert_array_equal(class_weights("fit", {2: 4.0}, range(3), y), [1, 1, 4])


# --------------------------------------------------------------------------- fit, by hand


def _softmax_steps(X, y, weights, W, b, lr, steps):
    """Full-batch SGD on Σ w[yᵢ]·(-log p[i, yᵢ]) / Σ w[yᵢ], in NumPy: (losses, W, b)."""
    wy = weights[y]
    onehot = np.eye(W.shape[0])[y]
    losses = []
    for _ in range(steps):
        z = X @ W.T + b
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        losses.append(float(wy @ -log_p[np.arange(len(y)), y] / wy.sum()))
        dz = (np.exp(log_p) - onehot) * (wy / wy.sum())[:, None]
        W, b = W - lr * dz.T @ X, b - lr * dz.sum(axis=0)
    return losses, W, b


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 2.0, 2: 5.0}])
def test_cross_entropy_steps_are_the_hand_weighted_ones(class_weight):
    X, y = imbalanced()
    model = fcnn.mlp([3, 3], dtype="float64", seed=0)
    W0, b0 = (p.data.copy() for p in model.parameters())
    history = fcnn.fit(
        model, X, y, class_weight=class_weight, optimizer=fcnn.optim.SGD(model.parameters(), 0.5),
        epochs=4, batch_size=len(X), verbose=0,
    )  # fmt: skip
    weights = class_weights("fit", class_weight, range(3), y)
    losses, W, b = _softmax_steps(X, y, weights, W0, b0, 0.5, 4)
    # history["loss"] is the weighted objective (each epoch: one step, its loss before it).
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-12)
    np.testing.assert_allclose(model[0].weight.data, W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model[0].bias.data, b, rtol=1e-12, atol=1e-14)


def test_binary_rows_weigh_their_class_by_hand():
    X, y3 = imbalanced(classes=2)
    y = (y3 == 1).astype(np.int64)  # the minority is class 1
    model = fcnn.mlp([3, 1], dtype="float64", seed=1)
    W0, b0 = (p.data.copy() for p in model.parameters())
    optimizer = fcnn.optim.SGD(model.parameters(), 1.0)
    history = fcnn.fit(
        model, X, y, class_weight={1: 4.0}, optimizer=optimizer, epochs=3, batch_size=len(X),
        verbose=0,
    )  # fmt: skip
    w = np.where(y == 1, 4.0, 1.0)
    W, b, losses = W0, b0, []
    for _ in range(3):
        z = (X @ W.T + b)[:, 0]
        s = 1 / (1 + np.exp(-z))
        losses.append(float(w @ -(y * np.log(s) + (1 - y) * np.log(1 - s)) / w.sum()))
        dz = (s - y) * w / w.sum()
        W, b = W - dz @ X, b - dz.sum()
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-12)
    np.testing.assert_allclose(model[0].weight.data[0], W[0], rtol=1e-12)


def test_dict_weights_are_the_losses_own_weight_per_mini_batch():
    """Mini-batches too: the same as CrossEntropyLoss(weight=w), PyTorch's Σ w[y] mean."""
    X, y = imbalanced()
    runs = []
    for kwargs in (
        {"class_weight": {1: 3.0, 2: 0.5}},
        {"loss": fcnn.CrossEntropyLoss([1, 3, 0.5])},
    ):
        model = fcnn.mlp([3, 8, 3], dtype="float64", seed=2)
        history = fcnn.fit(model, X, y, epochs=2, batch_size=16, seed=0, verbose=0, **kwargs)
        runs.append((history["loss"], model.state_dict()))
    assert runs[0][0] == runs[1][0]
    for key, value in runs[0][1].items():
        np.testing.assert_array_equal(value, runs[1][1][key])


def test_validation_and_evaluate_stay_unweighted():
    X, y = imbalanced()
    model = fcnn.mlp([3, 8, 3], dtype="float64", seed=3)
    history = fcnn.fit(
        model, X[:200], y[:200], class_weight="balanced", validation_data=(X[200:], y[200:]),
        epochs=3, verbose=0,
    )  # fmt: skip
    plain = fcnn.evaluate(model, X[200:], y[200:])
    assert history["val_loss"][-1] == pytest.approx(plain["loss"], rel=1e-12)
    assert history["val_accuracy"][-1] == plain["accuracy"]


@pytest.mark.parametrize(
    ("class_weight", "error", "message"),
    [
        ({5: 2.0}, ValueError, r"fit\(class_weight=\{5: 2.0\}\): class_weight must be keyed by "),
        ({1: -1.0}, ValueError, r"fit\(class_weight\[1\]=-1.0\): class_weight\[1\] must be > 0"),
        ({1: 0.0}, ValueError, r"class_weight\[1\] must be > 0"),
        ({1: float("inf")}, ValueError, r"class_weight\[1\] must be finite"),
        ({1: "2"}, TypeError, r"class_weight\[1\] must be a real number, got str"),
        ("even", ValueError, r"class_weight must be 'balanced' or a dict"),
        ([1, 2, 3], TypeError, r"must be 'balanced' or a dict \{class: weight\}, got list"),
    ],
)
def test_bad_weights_are_refused_in_one_line(class_weight, error, message):
    X, y = imbalanced()
    with pytest.raises(error, match=message):
        fcnn.fit(fcnn.mlp([3, 3]), X, y, class_weight=class_weight, epochs=1, verbose=0)


def test_what_class_weights_do_not_apply_to_is_refused():
    X, y = imbalanced()
    cases = [
        (fcnn.mlp([3, 1]), y * 0.5, {}, "must be None for MSELoss, which fits values"),
        (fcnn.mlp([3, 4]), y, {}, "class 3 has none, so its balanced weight would be infinite"),
        (fcnn.mlp([3, 3]), np.eye(3)[y], {"loss": "cross_entropy"}, "class-probability targets"),
        (fcnn.mlp([3, 3]), y, {"loss": fcnn.CrossEntropyLoss([1, 2, 3])}, "its own weight"),
        (fcnn.mlp([3, 2]), np.eye(2)[y % 2], {"loss": "bce_with_logits"}, "one output"),
    ]
    for model, target, kwargs, message in cases:
        with pytest.raises(ValueError, match=message) as caught:
            fcnn.fit(model, X, target, class_weight="balanced", epochs=1, verbose=0, **kwargs)
        assert "\n" not in str(caught.value)


def test_balanced_weights_raise_the_minority_recall():
    X, y = rare_positives()
    recalls = {}
    for class_weight in (None, "balanced"):
        model = fcnn.mlp([2, 8, 2], seed=0)
        fcnn.fit(model, X, y, class_weight=class_weight, epochs=20, seed=0, verbose=0)
        recalls[class_weight] = recall(y, model.predict(X).argmax(axis=1))
    assert recalls["balanced"] > recalls[None] + 0.3, recalls  # about 0.0 → 0.77


# --------------------------------------------------------------------------- the estimator

QUICK = {"hidden_layer_sizes": (8,), "max_iter": 15, "random_state": 0, "dtype": "float64"}


def test_estimator_class_weights_multiply_sample_weights():
    X, y = imbalanced()
    labels = np.array(["a", "b", "c"])[y]
    sample_weight = np.random.default_rng(0).integers(1, 4, len(y)).astype(float)
    cw = {"a": 0.5, "c": 3.0}
    per_class = np.array([0.5, 1.0, 3.0])[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = MLPClassifier(class_weight=cw, **QUICK).fit(X, labels, sample_weight=sample_weight)
        by_hand = MLPClassifier(**QUICK).fit(X, labels, sample_weight=sample_weight * per_class)
        alone = MLPClassifier(class_weight=cw, **QUICK).fit(X, labels)
        as_samples = MLPClassifier(**QUICK).fit(X, labels, sample_weight=per_class)
    assert both.loss_curve_ == by_hand.loss_curve_
    np.testing.assert_array_equal(both.predict_proba(X), by_hand.predict_proba(X))
    assert alone.loss_curve_ == as_samples.loss_curve_


def test_estimator_balanced_is_the_balanced_dict():
    X, y = imbalanced(classes=2)
    y = np.where(y == 1, 1, -1)  # labels that are not 0..C-1
    weights = compute_class_weight("balanced", classes=np.array([-1, 1]), y=y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        balanced = MLPClassifier(class_weight="balanced", **QUICK).fit(X, y)
        given = MLPClassifier(class_weight=dict(zip((-1, 1), weights, strict=True)), **QUICK).fit(
            X, y
        )
    assert balanced.loss_curve_ == given.loss_curve_


def test_estimator_balanced_raises_the_minority_recall():
    X, y = rare_positives()
    settings = {**QUICK, "max_iter": 60, "learning_rate_init": 0.01}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = MLPClassifier(**settings).fit(X, y).predict(X)
        balanced = MLPClassifier(class_weight="balanced", **settings).fit(X, y).predict(X)
    assert recall(y, balanced) > recall(y, plain) + 0.3  # about 0.46 → 0.89


def test_estimator_refusals():
    X, y = imbalanced()
    from fcnn.sklearn._params import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=r"MLPClassifier\(class_weight='auto'\)"):
        MLPClassifier(class_weight="auto").fit(X, y)
    with pytest.raises(ValueError, match=r"class_weight must be keyed by the classes 0, 1, 2"):
        MLPClassifier(class_weight={7: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="a dict for partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="None for multi-label targets"):
        MLPClassifier(class_weight={0: 2.0}).fit(X, np.eye(3)[y].astype(int))
    # scikit-learn's estimator checks (tests/test_sklearn.py) include its class-weight
    # check because the parameter is there.
    assert "class_weight" in MLPClassifier().get_params()


# --------------------------------------------------------------------------- the CLI


def _train(*args):
    result = runner.invoke(app, ["train", *map(str, args)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_cli_records_the_weights_and_resumes_with_them(tmp_path):
    common = ("moons", "--n", 200, "--hidden", 8, "--batch-size", 20, "--verbose", 0)
    _train(*common, "--class-weight", "0=1,1=4", "--epochs", 4, "--run-dir", tmp_path / "straight")
    _train(*common, "--class-weight", "0=1,1=4", "--epochs", 2, "--run-dir", tmp_path / "resumed")
    config = json.loads((tmp_path / "resumed" / "run.json").read_text())
    assert config["class_weight"] == {"0": 1.0, "1": 4.0}
    _train("--resume", tmp_path / "resumed", "--epochs", 4, "--verbose", 0)
    _train(*common, "--epochs", 4, "--run-dir", tmp_path / "plain")
    a, b, c = (
        fcnn.load(tmp_path / run / "model.safetensors").state_dict()
        for run in ("straight", "resumed", "plain")
    )
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert any(not np.array_equal(a[key], c[key]) for key in a)  # the weights mattered
    _train(*common, "--class-weight", "balanced", "--epochs", 1, "--run-dir", tmp_path / "bal")
    assert json.loads((tmp_path / "bal" / "run.json").read_text())["class_weight"] == "balanced"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("moons", "--class-weight", "0:1"), "expected balanced or CLASS=WEIGHT pairs"),
        (("moons", "--class-weight", "1=-2"), "--class-weight 1=-2: a weight must be a positive"),
        (("moons", "--class-weight", "0=1,0=2"), "class '0' is given twice"),
        (("moons", "--class-weight", "2=3"), "'2' is not a class of the data"),
    ],
)
def test_cli_refuses_bad_weights_before_making_a_run(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["train", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_cli_refuses_class_weights_for_regression(tmp_path):
    rows = "\n".join(f"{i},{i % 3},{i * 0.37:.2f}" for i in range(30))
    (tmp_path / "values.csv").write_text("a,b,y\n" + rows + "\n")
    result = runner.invoke(
        app, ["train", str(tmp_path / "values.csv"), "--class-weight", "balanced"]
    )
    assert result.exit_code != 0
    assert "--class-weight goes with classification" in result.output, result.output
