"""fcnn.sklearn: scikit-learn's own estimator checks, the ecosystem (Pipeline, GridSearchCV,
cross_val_score), the errors bad input gets, and every parameter doing what it says.

The estimator checks run on small networks (16 hidden units, 50 epochs, learning rate
0.01) so that the whole suite takes seconds; scikit-learn's own MLP is checked with
``max_iter=100``. Each estimator is checked in float64 and in float32 (the default):

- In float32 two checks, ``check_sample_weight_equivalence_on_{dense,sparse}_data``, are
  expected to fail (EXPECTED_FAILED_CHECKS, with the reason): they compare predictions to
  ``rtol=1e-7``, below float32's resolution. The test asserts that they do fail, and
  ``test_sample_weight_equivalence_float32`` checks the same property to float32's
  precision. In float64 they pass.
- scikit-learn itself marks one check not applicable: the multi-label
  ``decision_function`` format check, as these estimators have no ``decision_function``
  (like scikit-learn's MLP). NOT_APPLICABLE lists it; any other skip fails.
- ``check_array_api_input`` needs ``SCIPY_ARRAY_API=1`` set before SciPy is imported,
  which this process cannot do, so it runs in a subprocess with that variable set.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path
from unittest import SkipTest

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_sample_weight_equivalence_on_dense_data,
    parametrize_with_checks,
)

import fcnn
from fcnn.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 50, "learning_rate_init": 0.01}
QUICK = {"learning_rate_init": 0.01, "batch_size": 64, "random_state": 0}  # few epochs suffice


def check_instances():
    """The estimators scikit-learn's checks run on (also rebuilt in the subprocess)."""
    return [
        MLPClassifier(**SMALL, dtype="float64"),
        MLPRegressor(**SMALL, dtype="float64"),
        MLPClassifier(**SMALL),
        MLPRegressor(**SMALL),
    ]


FLOAT32_ROUNDING = (
    "compares fitting with integer sample weights to fitting on repeated rows to "
    "rtol=1e-7; in float32 the two sums differ by rounding (~1e-7 relative), which "
    "training carries into the predictions. Passes in float64; "
    "test_sample_weight_equivalence_float32 checks it to float32's precision."
)
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": FLOAT32_ROUNDING,
    "check_sample_weight_equivalence_on_sparse_data": FLOAT32_ROUNDING,
}
NOT_APPLICABLE = {
    # scikit-learn raises SkipTest itself: the check is for estimators with that method.
    "check_classifiers_multilabel_output_format_decision_function": (
        "does not have a decision_function method"
    ),
}
NEEDS_ARRAY_API_ENV = "SCIPY_ARRAY_API is not set"


def expected_failed_checks(estimator) -> dict[str, str]:
    """scikit-learn's ``expected_failed_checks`` callback: the checks expected to fail."""
    return EXPECTED_FAILED_CHECKS if np.dtype(estimator.dtype) == np.float32 else {}


def _check_name(check) -> str:
    return getattr(check, "func", check).__name__


# The subprocess that runs the array-API check with SCIPY_ARRAY_API=1 (see the module doc).
_ARRAY_API_SCRIPT = """
import sys, warnings
from unittest import SkipTest
sys.path.insert(0, {tests!r})
warnings.simplefilter("ignore")
from sklearn.utils.estimator_checks import check_array_api_input
from test_sklearn import check_instances
for index, estimator in enumerate(check_instances()):
    try:
        check_array_api_input(type(estimator).__name__, estimator, array_namespace="numpy",
                              expect_only_array_outputs=False)
        print(index, "passed")
    except SkipTest as err:
        print(index, "skipped", err)
    except Exception as err:
        print(index, "failed", type(err).__name__, str(err).replace("\\n", " ")[:300])
"""


@pytest.fixture(scope="module")
def array_api_results() -> dict[int, str]:
    env = {**os.environ, "SCIPY_ARRAY_API": "1", "OPENBLAS_NUM_THREADS": "1"}
    script = _ARRAY_API_SCRIPT.format(tests=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = {}
    for line in done.stdout.splitlines():
        index, _, rest = line.partition(" ")
        results[int(index)] = rest
    return results


@parametrize_with_checks(check_instances())
def test_sklearn_estimator_checks(estimator, check, array_api_results):
    name = _check_name(check)
    expected = expected_failed_checks(estimator)
    try:
        if name in expected:
            # Declared to fail, with its reason: it must fail, and as an assertion.
            with pytest.raises(AssertionError):
                check(estimator)
            return
        check(estimator)
    except SkipTest as err:
        if NEEDS_ARRAY_API_ENV in str(err):
            index = next(
                i
                for i, e in enumerate(check_instances())
                if type(e) is type(estimator) and e.dtype == estimator.dtype
            )
            assert array_api_results[index] == "passed", array_api_results[index]
            return
        reason = NOT_APPLICABLE.get(name)
        assert reason is not None and reason in str(err), (
            f"scikit-learn skipped {name}: {err}; only checks it marks not applicable may "
            f"skip (NOT_APPLICABLE)"
        )


def test_sample_weight_equivalence_float32():
    """What the check expected to fail in float32 tests, to float32's precision: integer
    weights are the same as repeated rows, zero weights the same as removed rows."""
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    weights = rng.randint(0, 5, size=15)
    for estimator, target in ((MLPClassifier(**SMALL), y), (MLPRegressor(**SMALL), y * 0.5)):
        weighted = clone(estimator).set_params(random_state=0)
        repeated = clone(estimator).set_params(random_state=0)
        weighted.fit(X, target, sample_weight=weights)
        repeated.fit(X.repeat(weights, axis=0), target.repeat(weights))
        method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
        np.testing.assert_allclose(
            getattr(weighted, method)(X), getattr(repeated, method)(X), rtol=2e-4, atol=1e-6
        )
    # ... and the check itself, in float64, with the default (float32) estimator's settings.
    check_sample_weight_equivalence_on_dense_data(
        "MLPClassifier", MLPClassifier(**SMALL, dtype="float64")
    )


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


def _regression(n=200, n_targets=1, seed=0):
    X, y = make_regression(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_targets=n_targets,
        noise=1.0,
        random_state=seed,
    )
    return X, y / y.std()


# --------------------------------------------------------------------------- ecosystem


def test_pipeline_grid_search_and_cross_val_score(digits):
    X, y = digits
    fast = {"learning_rate_init": 0.01, "batch_size": 64, "random_state": 0}
    pipe = make_pipeline(StandardScaler(), MLPClassifier((32,), max_iter=30, **fast))
    assert pipe.fit(X, y).score(X, y) > 0.95
    grid = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(max_iter=15, **fast))]),
        {"mlp__hidden_layer_sizes": [(8,), (32,)], "mlp__activation": ["relu", "tanh"]},
        cv=3,
    )
    grid.fit(X, y)
    assert set(grid.best_params_) == {"mlp__hidden_layer_sizes", "mlp__activation"}
    assert grid.best_score_ > 0.8
    assert grid.predict(X).shape == (len(X),)
    Xr, yr = _regression()
    scores = cross_val_score(MLPRegressor((32,), max_iter=100, **fast), Xr, yr, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9


def test_clone_get_params_and_set_params():
    clf = MLPClassifier((8, 4), activation="gelu", optimizer="sgd", momentum=0.5, dropout=0.1)
    params = clf.get_params()
    assert params["hidden_layer_sizes"] == (8, 4) and params["activation"] == "gelu"
    assert params["dtype"] == "float32" and params["loss"] is None
    copy = clone(clf)
    assert copy.get_params() == params and copy is not clf
    clf.set_params(alpha=0.5, max_iter=3)
    assert clf.alpha == 0.5 and clf.max_iter == 3
    assert "MLPClassifier(" in repr(clf) and "gelu" in repr(clf)


# --------------------------------------------------------------------------- bad input


def _bad_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = np.arange(30) % 3
    with_nan, with_inf = X.copy(), X.copy()
    with_nan[3, 1], with_inf[3, 1] = np.nan, np.inf
    strings = X.astype(object)
    strings[0, 0] = "a"
    return {
        "nan": lambda e: e.fit(with_nan, y),
        "inf": lambda e: e.fit(with_inf, y),
        "strings": lambda e: e.fit(strings, y),
        "1-D X": lambda e: e.fit(X[:, 0], y),
        "empty": lambda e: e.fit(X[:0], y[:0]),
        "rows differ": lambda e: e.fit(X, y[:-1]),
        "nan in y": lambda e: e.fit(X, np.where(y == 0, np.nan, y)),
        "features at predict": lambda e: e.fit(X, y).predict(X[:, :3]),
        "nan at predict": lambda e: e.fit(X, y).predict(with_nan),
        "unfitted": lambda e: e.predict(X),
        "continuous y": lambda e: e.fit(X, X[:, 0]),
        "sample_weight shape": lambda e: e.fit(X, y, sample_weight=np.ones(29)),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input_gets_scikit_learns_own_error(case):
    """The same exception and message as scikit-learn's MLPClassifier (its validation)."""
    act = _bad_inputs()[case]
    errors = []
    for cls in (SklearnMLPClassifier, MLPClassifier):
        with pytest.raises((ValueError, NotFittedError)) as info:
            act(cls(max_iter=3))
        errors.append(info.value)
    theirs, ours = errors
    assert type(ours) is type(theirs)
    first_line = str(theirs).splitlines()[0][:60]
    if case != "continuous y":  # scikit-learn's MLP prints the labels; ours names the type
        assert first_line in str(ours)
    else:
        assert "Unknown label type" in str(ours)


def test_single_class_is_refused_like_logistic_regression():
    X = np.random.default_rng(0).normal(size=(10, 3))
    y = np.ones(10)
    with pytest.raises(ValueError, match="class") as theirs:
        LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"at least 2 classes.*1 class") as ours:
        MLPClassifier().fit(X, y)
    assert type(ours.value) is type(theirs.value)
    with pytest.raises(ValueError, match="non-zero sample weight"):
        MLPClassifier().fit(X, np.arange(10) % 2, sample_weight=np.arange(10) % 2)


def test_bad_parameters_are_named_at_fit():
    X, y = make_classification(40, 4, random_state=0)
    bad = [
        ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes"),
        ({"activation": "swish"}, "activation='swish'"),
        ({"optimizer": "lbfgs"}, "optimizer='lbfgs'"),
        ({"learning_rate_init": 0}, "learning_rate_init"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_iter": 0}, "max_iter"),
        ({"dropout": 1.0}, "dropout"),
        ({"init": "he"}, "init='he'"),
        ({"dtype": "float16"}, "dtype"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
        ({"loss": "mse"}, "loss='mse'"),
        ({"output": "softmax"}, "output='softmax'"),
        ({"loss": "bce"}, "binary or multi-label"),
        ({"optimizer_params": {"nonsense": 1}}, "nonsense"),
    ]
    three = np.arange(40) % 3  # 'bce' needs binary targets: give it three classes
    for params, message in bad:
        target = three if params.get("loss") == "bce" else y
        with pytest.raises(ValueError, match=message):
            MLPClassifier(**{"max_iter": 2, **params}).fit(X, target)
    with pytest.raises(ValueError, match="loss='cross_entropy'"):
        MLPRegressor(loss="cross_entropy").fit(X, y.astype(float))
    with pytest.raises(ValueError, match="output='relu6'"):
        MLPRegressor(output="relu6").fit(X, y.astype(float))
    with pytest.raises(ValueError, match="multi-label"):
        Y = make_multilabel_classification(40, 4, n_classes=3, random_state=0)[1]
        MLPClassifier(loss="cross_entropy").fit(X, Y)


def test_losses_are_taken_by_their_declared_kind_not_their_name():
    class SmoothedCrossEntropy(fcnn.CrossEntropyLoss):
        """A user's subclass: a classifier loss by what it declares (class targets, logits)."""

    X, y = make_classification(60, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    clf = MLPClassifier((4,), loss=SmoothedCrossEntropy(label_smoothing=0.1), max_iter=2).fit(X, y)
    assert isinstance(clf._loss_fn, SmoothedCrossEntropy) and clf.n_outputs_ == 3
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match=r"loss=MSELoss\(\)"):
        MLPClassifier(loss=fcnn.MSELoss()).fit(X, y)
    with pytest.raises(ValueError, match=r"loss=CrossEntropyLoss\(\)"):
        MLPRegressor(loss=fcnn.CrossEntropyLoss()).fit(X, y.astype(float))
    # A parameter of the wrong type is a TypeError as well (and a ValueError, as scikit-learn's).
    with pytest.raises(TypeError, match=r"MLPClassifier\(max_iter='10'\): max_iter must be"):
        MLPClassifier(max_iter="10").fit(X, y)


# --------------------------------------------------------------------------- behaviour


def test_classifier_attributes_and_probabilities(digits):
    X, y = digits
    clf = MLPClassifier((32,), max_iter=40, **QUICK).fit(X, y)
    assert np.array_equal(clf.classes_, np.arange(10))
    assert clf.n_features_in_ == 64 and clf.n_outputs_ == 10
    assert isinstance(clf.model_, fcnn.Sequential) and not clf.model_.training
    assert clf.model_.dtype == np.float32
    assert len(clf.loss_curve_) == clf.n_iter_ and clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_) and clf.validation_scores_ is None
    assert clf.t_ == clf.n_iter_ * len(X)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64 and proba.shape == (len(X), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
    assert np.array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.97


def test_string_labels_and_binary_targets():
    X, y = make_classification(200, 5, random_state=1)
    labels = np.where(y == 1, "spam", "ham")
    clf = MLPClassifier((16,), max_iter=60, **QUICK).fit(X, labels)
    assert list(clf.classes_) == ["ham", "spam"]
    assert clf.n_outputs_ == 1  # one sigmoid output, BCE with logits
    assert type(clf._loss_fn).__name__ == "BCEWithLogitsLoss"
    assert set(clf.predict(X)) <= {"ham", "spam"} and clf.score(X, labels) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_losses_and_output_activations():
    X, y = make_classification(150, 6, n_informative=4, n_classes=3, random_state=2)
    for loss, output, last in (
        ("nll", None, "LogSoftmax"),
        ("log_loss", None, "Linear"),
        (fcnn.CrossEntropyLoss(label_smoothing=0.1), None, "Linear"),
    ):
        clf = MLPClassifier((16,), loss=loss, output=output, max_iter=60, **QUICK)
        clf.fit(X, y)
        assert type(list(clf.model_)[-1]).__name__ == last
        assert clf.score(X, y) > 0.8
        np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    binary = (y == 0).astype(int)
    clf = MLPClassifier((16,), loss="bce", max_iter=60, **QUICK).fit(X, binary)
    assert type(list(clf.model_)[-1]).__name__ == "Sigmoid" and clf.score(X, binary) > 0.8
    clf = MLPClassifier((16,), loss="cross_entropy", max_iter=60, random_state=0).fit(X, binary)
    assert clf.n_outputs_ == 2
    given = fcnn.CrossEntropyLoss(label_smoothing=0.1)
    MLPClassifier((4,), loss=given, max_iter=2).fit(X, y)
    assert not hasattr(given, "_exp")  # the parameter is copied, never trained with

    Xr, yr = _regression()
    for loss, output in (("huber", None), ("absolute_error", None), ("mse", "softplus")):
        target = np.abs(yr) if output == "softplus" else yr
        reg = MLPRegressor((32,), loss=loss, output=output, max_iter=150, **QUICK)
        assert reg.fit(Xr, target).score(Xr, target) > 0.8, loss


def test_multilabel_classification():
    X, Y = make_multilabel_classification(300, 10, n_classes=4, random_state=0)
    clf = MLPClassifier((32,), max_iter=100, **QUICK).fit(X, Y)
    assert np.array_equal(clf.classes_, np.arange(4)) and clf.n_outputs_ == 4
    assert type(clf._loss_fn).__name__ == "BCEWithLogitsLoss"
    pred = clf.predict(X)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and proba.min() >= 0 and proba.max() <= 1
    assert np.array_equal(pred, (proba > 0.5).astype(int))
    assert clf.score(X, Y) > 0.5  # subset accuracy: every label right
    assert (pred == Y).mean() > 0.85  # per-label accuracy
    # partial_fit needs no classes= for indicator targets
    stream = MLPClassifier((8,), random_state=0)
    for batch in np.array_split(np.arange(300), 3):
        stream.partial_fit(X[batch], Y[batch])
    assert stream.predict(X).shape == Y.shape


def test_multi_output_regression_keeps_y_shape():
    X, Y = _regression(n=200, n_targets=3)
    reg = MLPRegressor((64,), max_iter=200, **QUICK).fit(X, Y)
    assert reg.n_outputs_ == 3 and reg.predict(X).shape == (200, 3)
    assert reg.predict(X).dtype == np.float64 and reg.score(X, Y) > 0.95
    column = MLPRegressor((8,), max_iter=5, random_state=0).fit(X, Y[:, :1])
    assert column.predict(X).shape == (200, 1)
    flat = MLPRegressor((8,), max_iter=5, random_state=0).fit(X, Y[:, 0])
    assert flat.predict(X).shape == (200,)


def test_sample_weight_shifts_the_decision():
    X, y = make_classification(300, 4, n_informative=2, flip_y=0.3, random_state=3)
    plain = MLPClassifier((16,), max_iter=80, **QUICK).fit(X, y)
    weights = np.where(y == 1, 10.0, 1.0)
    weighted = MLPClassifier((16,), max_iter=80, **QUICK).fit(X, y, sample_weight=weights)
    assert weighted.predict(X).mean() > plain.predict(X).mean() + 0.05
    # Zero weights are the same as removing the rows.
    keep = np.arange(300) % 3 != 0
    zeroed = MLPRegressor((8,), max_iter=30, random_state=0, dtype="float64", batch_size=300)
    zeroed.fit(X, y * 1.0, sample_weight=keep.astype(float))
    full = MLPRegressor((8,), max_iter=30, random_state=0, dtype="float64", batch_size=200)
    full.fit(X[keep], y[keep] * 1.0)
    np.testing.assert_allclose(zeroed.predict(X), full.predict(X), rtol=1e-7, atol=1e-9)
    # Weights of one are the unweighted fit, exactly.
    ones = MLPRegressor((8,), max_iter=10, random_state=0).fit(X, y * 1.0, np.ones(300))
    none = MLPRegressor((8,), max_iter=10, random_state=0).fit(X, y * 1.0)
    assert np.array_equal(ones.predict(X), none.predict(X))


def test_partial_fit_streams_and_checks_its_input(digits):
    X, y = digits
    clf = MLPClassifier((32,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X[:50], y[:50])
    scores = []
    for epoch in range(8):
        for batch in np.array_split(np.arange(len(X)), 6):
            clf.partial_fit(X[batch], y[batch], classes=np.arange(10) if epoch == 0 else None)
        scores.append(clf.score(X, y))
    assert scores[-1] > 0.9 and scores[-1] > scores[0]
    assert clf.n_iter_ == 48 and len(clf.loss_curve_) == 48
    with pytest.raises(ValueError, match="X has 63 features"):
        clf.partial_fit(X[:10, :63], y[:10])
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X[:10], y[:10] + 10)
    with pytest.raises(ValueError, match="classes="):
        clf.partial_fit(X[:10], y[:10], classes=np.arange(11))
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X[:10], y[:10], classes=np.arange(10))
    reg = MLPRegressor((8,), random_state=0)
    Xr, yr = _regression()
    for _ in range(3):
        reg.partial_fit(Xr, yr)
    assert reg.n_iter_ == 3


def test_early_stopping_restores_the_best_weights(digits):
    X, y = digits
    clf = MLPClassifier(
        (32,),
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200 and len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_) and clf.best_loss_ is None
    assert clf.best_validation_score_ >= clf.validation_scores_[-1]
    with pytest.raises(ValueError, match="validation set is too small"):
        clone(clf).fit(X[:5], y[:5])
    reg = MLPRegressor((16,), early_stopping=True, max_iter=300, random_state=0)
    Xr, yr = _regression()
    reg.fit(Xr, yr)
    assert reg.best_validation_score_ > 0.9 and reg.validation_scores_ is not None


@pytest.mark.parametrize(
    "params",
    [
        {"activation": "maxout", "pieces": 3},
        {"activation": "gelu", "batchnorm": True, "dropout": 0.1},
        {"activation": "logistic", "init": "xavier_uniform"},
        {"activation": "prelu", "optimizer": "adamw", "weight_decay": 0.01},
        {"activation": "selu", "optimizer": "sgd", "learning_rate_init": 0.1},
        {"activation": "tanh", "optimizer": "rmsprop", "optimizer_params": {"centered": True}},
        {"activation": "silu", "optimizer": "adagrad", "learning_rate_init": 0.1},
        {"hidden_layer_sizes": (), "batch_size": 32},
        {"hidden_layer_sizes": 24, "shuffle": False, "alpha": 0.0},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_every_option_trains(params, digits):
    X, y = digits
    clf = MLPClassifier(max_iter=25, **{"hidden_layer_sizes": (32,), **QUICK, **params})
    assert clf.fit(X, y).score(X, y) > 0.85
    layers = [type(m).__name__ for m in clf.model_]
    if params.get("activation") == "maxout":
        assert layers[0] == "Maxout" and clf.model_[0].pieces == 3
    if params.get("batchnorm"):
        assert "BatchNorm1d" in layers and "Dropout" in layers and "GELU" in layers
    if params.get("activation") == "logistic":
        assert "Sigmoid" in layers


def test_optimizer_settings_reach_the_optimizer():
    X, y = make_classification(60, 4, random_state=0)
    clf = MLPClassifier((4,), optimizer="sgd", momentum=0.8, nesterovs_momentum=False, max_iter=1)
    group = clf.fit(X, y)._optimizer.param_groups[0]
    assert group["momentum"] == 0.8 and group["nesterov"] is False and group["lr"] == 0.001
    clf = MLPClassifier((4,), beta_1=0.8, beta_2=0.99, epsilon=1e-6, max_iter=1).fit(X, y)
    group = clf._optimizer.param_groups[0]
    # scikit-learn's ε sits before the bias correction: fcnn's eps carries it per step.
    t = clf._adam_steps
    assert group["betas"] == (0.8, 0.99) and t > 0
    assert group["eps"] * (1 - 0.99**t) ** 0.5 == pytest.approx(1e-6, rel=1e-14)
    group = MLPClassifier((4,), optimizer="adamw", max_iter=1).fit(X, y)._optimizer.param_groups[0]
    assert group["weight_decay"] == 0.01  # AdamW's own default


def test_alpha_penalises_the_weights():
    X, y = make_classification(200, 10, random_state=0)
    loose = MLPClassifier((32,), alpha=0.0, max_iter=60, **QUICK).fit(X, y)
    tight = MLPClassifier((32,), alpha=5.0, max_iter=60, **QUICK).fit(X, y)

    def norm(clf):
        return sum(float(np.sum(m.weight.data**2)) for m in clf.model_ if hasattr(m, "in_features"))

    assert norm(tight) < 0.5 * norm(loose)


def test_reproducible_with_random_state_and_fcnn_seed():
    X, y = make_classification(100, 5, random_state=0)
    a = MLPClassifier((8,), max_iter=10, random_state=3).fit(X, y).predict_proba(X)
    b = MLPClassifier((8,), max_iter=10, random_state=3).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)
    rs = MLPClassifier((8,), max_iter=10, random_state=np.random.RandomState(3)).fit(X, y)
    assert rs.predict_proba(X).shape == a.shape
    fcnn.seed(11)
    c = MLPClassifier((8,), max_iter=10).fit(X, y).predict_proba(X)
    fcnn.seed(11)
    d = MLPClassifier((8,), max_iter=10).fit(X, y).predict_proba(X)
    assert np.array_equal(c, d) and not np.array_equal(a, c)


def _parity_data(name):
    from sklearn.datasets import make_moons

    if name == "moons":
        return make_moons(300, noise=0.3, random_state=0)
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return X[:400] / 16.0, y[:400]
    if name == "labels":
        return make_multilabel_classification(300, 6, n_classes=3, random_state=0)
    X, y = make_regression(300, 5, n_targets=2, noise=5.0, random_state=0)
    return X, y / 50.0


@pytest.mark.parametrize(
    "data, params",
    [
        ("moons", {}),  # binary: one logistic output
        ("digits", {"hidden_layer_sizes": (20, 10)}),  # 10 classes, softmax
        ("moons", {"solver": "sgd", "learning_rate_init": 0.05}),  # Nesterov momentum
        ("digits", {"activation": "logistic", "early_stopping": True}),  # split, √(2/…)
        ("moons", {"activation": "tanh", "early_stopping": True, "batch_size": 64}),
        ("labels", {}),  # multi-label: scikit-learn sums the BCE over labels
        ("regression", {}),  # ½·MSE
        ("regression", {"solver": "sgd", "early_stopping": True}),  # R² on held-out rows
    ],
    ids=[
        "binary-adam",
        "multiclass-adam",
        "binary-sgd",
        "logistic-early",
        "tanh-early",
        "multilabel",
        "regression-adam",
        "regression-sgd-early",
    ],
)
def test_same_random_state_same_fit_as_scikit_learn(data, params):
    # In float64, fcnn's estimators draw scikit-learn's initial weights and batch order
    # from the same random_state and minimise the same objective: the same loss curve,
    # the same stopping epoch and the same predictions, up to rounding.
    from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

    X, y = _parity_data(data)
    settings = {"hidden_layer_sizes": (16,), "max_iter": 40, "random_state": 5, **params}
    solver = settings.pop("solver", "adam")
    theirs, ours = (
        (SklearnMLPRegressor, MLPRegressor)
        if data == "regression"
        else (SklearnMLPClassifier, MLPClassifier)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = theirs(solver=solver, **settings).fit(X, y)
        ours = ours(optimizer=solver, dtype="float64", **settings).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    if settings.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    if data == "regression":
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-5)
    else:
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    assert_same_network(ours, theirs)


def assert_same_network(ours, theirs, atol=1e-6):
    """fcnn's estimator holds scikit-learn's MLP's weights and biases, to ``atol``."""
    linears = [m for m in ours.model_.modules() if isinstance(m, fcnn.Linear)]
    for layer, coef, intercept in zip(linears, theirs.coefs_, theirs.intercepts_, strict=True):
        np.testing.assert_allclose(layer.weight.data, coef.T, atol=atol)
        np.testing.assert_allclose(layer.bias.data, intercept, atol=atol)


def test_feature_names_sparse_input_and_dtype():
    X, y = make_classification(120, 4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MLPClassifier((8,), max_iter=20, random_state=0).fit(frame, y)
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["b", "a", "c", "d"]])
    dense = MLPClassifier((8,), max_iter=20, random_state=0, dtype="float64").fit(X, y)
    sparse = MLPClassifier((8,), max_iter=20, random_state=0, dtype="float64")
    sparse.fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X))
    assert dense.model_.dtype == np.float64


def test_warm_start_continues_and_verbose_prints():
    X, y = make_classification(200, 5, random_state=0)
    clf = MLPClassifier((16,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = clf.loss_curve_[-1]
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model and clf.loss_curve_[0] < first * 1.05
    printed = io.StringIO()
    with redirect_stdout(printed):
        MLPClassifier((4,), max_iter=2, verbose=1, random_state=0).fit(X, y)
    assert "Iteration 1, loss = " in printed.getvalue()


def test_convergence_warning_and_tol_stopping():
    X, y = make_classification(100, 5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning, match=r"maximum iterations \(3\)"):
            MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
        stopped = MLPClassifier((4,), tol=10.0, n_iter_no_change=2, max_iter=50).fit(X, y)
    # Epoch 1 improves on no loss at all; epochs 2, 3, 4 do not improve by tol: 3 > 2.
    assert stopped.n_iter_ == 4


def test_diverging_training_raises_a_clear_error():
    X, y = _regression()
    with pytest.raises(ValueError, match="training loss became"):
        MLPRegressor((16,), optimizer="sgd", learning_rate_init=10.0, max_iter=50).fit(X * 100, y)


def test_trained_network_is_an_ordinary_fcnn_model(tmp_path, digits):
    X, y = digits
    clf = MLPClassifier((16,), max_iter=10, random_state=0).fit(X, y)
    fcnn.save(clf.model_, tmp_path / "clf.safetensors")
    model = fcnn.load(tmp_path / "clf.safetensors").eval()
    np.testing.assert_allclose(model.predict(X), clf.model_.predict(X))


def test_importing_fcnn_imports_neither_sklearn_onnx_nor_torch():
    code = (
        "import sys, fcnn, fcnn.io, fcnn.interop, fcnn.cli; "
        "print(sorted(m for m in ('sklearn', 'onnx', 'onnxruntime', 'torch') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
