"""``partial_fit`` of fcnn's scikit-learn estimators, against scikit-learn's own MLP.

scikit-learn's semantics, which these tests hold fcnn to (float64, same ``random_state``):

- each call is one epoch over the given rows in mini-batches of ``batch_size``, shuffled
  by a RandomState made from ``random_state`` afresh at every call;
- the optimiser (and its state) carries over from call to call, and from a ``fit`` into
  the ``partial_fit`` calls after it; a later ``fit`` makes a new one, and keeps the
  weights only with ``warm_start=True``;
- the classifier needs ``classes=`` on its first call (the batch need not hold them all)
  and checks it, and each batch's labels, against ``classes_`` afterwards;
- ``early_stopping`` is refused; ``t_`` counts the rows seen and ``best_loss_`` the lowest
  epoch loss across calls.

fcnn's ``n_iter_`` counts the calls (scikit-learn's restarts at 1 on each), and a
multi-label classifier needs no ``classes=`` (its labels are the indicator's columns).
"""

from __future__ import annotations

import warnings

import dask.array as da
import numpy as np
import pytest
from dask_ml.wrappers import Incremental
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

from fcnn.sklearn import MLPClassifier, MLPRegressor
from test_sklearn import _parity_data, assert_same_network

SETTINGS = {"hidden_layer_sizes": (16,), "batch_size": 32, "random_state": 5}


def _pair(data, solver="adam", **params):
    """scikit-learn's estimator and fcnn's, with the same settings (fcnn's in float64)."""
    theirs, ours = (
        (SklearnMLPRegressor, MLPRegressor)
        if data == "regression"
        else (SklearnMLPClassifier, MLPClassifier)
    )
    settings = {**SETTINGS, **params}
    return theirs(solver=solver, **settings), ours(optimizer=solver, dtype="float64", **settings)


def _batches(y):
    """Row indices of uneven batches, twice over, then the rows of class 0 only (a batch
    without every label; in regression, the rows whose first target is below 1)."""
    n = len(y)
    chunks = np.array_split(np.arange(n), [n // 5, n // 2, 3 * n // 4])
    return [*chunks, *chunks[::-1], np.flatnonzero((y if y.ndim == 1 else y[:, 0]) < 1)]


@pytest.mark.parametrize(
    "data, solver",
    [
        ("moons", "adam"),
        ("moons", "sgd"),
        ("digits", "adam"),
        ("digits", "sgd"),
        ("regression", "adam"),
        ("regression", "sgd"),
    ],
    ids=["binary-adam", "binary-sgd", "multiclass-adam", "multiclass-sgd", "reg-adam", "reg-sgd"],
)
def test_partial_fit_sequence_gives_scikit_learns_weights(data, solver):
    X, y = _parity_data(data)
    theirs, ours = _pair(data, solver, learning_rate_init=0.01)
    classifier = data != "regression"
    for call, rows in enumerate(_batches(y)):
        kwargs = {"classes": np.unique(y)} if classifier and call == 0 else {}
        theirs.partial_fit(X[rows], y[rows], **kwargs)
        ours.partial_fit(X[rows], y[rows], **kwargs)
    assert_same_network(ours, theirs)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert ours.t_ == theirs.t_ and ours.n_iter_ == len(theirs.loss_curve_)
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-6)
    if classifier:
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)


@pytest.mark.parametrize("warm_start", [True, False])
def test_fit_partial_fit_and_a_later_fit_as_scikit_learn(warm_start):
    # fit, then partial_fit (continuing fit's optimiser), then fit again: with warm_start
    # from the weights reached (a new optimiser), without it from a new network.
    X, y = _parity_data("digits")
    theirs, ours = _pair("digits", max_iter=3, warm_start=warm_start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for estimator in (theirs, ours):
            estimator.fit(X[:200], y[:200])
            estimator.partial_fit(X[200:], y[200:])
            estimator.partial_fit(X[:100], y[:100], classes=np.arange(10))
        assert_same_network(ours, theirs)
        for estimator in (theirs, ours):
            estimator.fit(X, y)
    assert_same_network(ours, theirs)


def test_classes_are_checked_where_scikit_learn_checks_them():
    X, y = _parity_data("digits")
    cases = [  # (calls made before, the call that must fail, what fcnn says)
        ([], ((X[:40], y[:40]), {}), "classes must be passed on the first call"),
        ([], ((X[:40], y[:40]), {"classes": np.arange(5)}), r"labels \[5, 6.*not in classes"),
        ([(X[:40], y[:40])], ((X[:40], y[:40]), {"classes": np.arange(11)}), "not the same as"),
        ([(X[:40], y[:40])], ((X[:40], y[:40] + 1), {}), r"labels \[10\] that are not in"),
    ]
    for before, (args, kwargs), says in cases:
        theirs, ours = _pair("digits")
        for estimator in (theirs, ours):
            for batch in before:
                estimator.partial_fit(*batch, classes=np.arange(10))
        with pytest.raises(ValueError):
            theirs.partial_fit(*args, **kwargs)
        with pytest.raises(ValueError, match=says):
            ours.partial_fit(*args, **kwargs)
    for data in ("digits", "regression"):
        X, y = _parity_data(data)
        kwargs = {"classes": np.unique(y)} if data == "digits" else {}
        for estimator in _pair(data, early_stopping=True):
            with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
                estimator.partial_fit(X, y, **kwargs)


def test_dask_ml_incremental_feeds_the_chunks_to_partial_fit_in_order():
    X, y = _parity_data("digits")
    chunks = 4
    X_dask = da.from_array(X, chunks=(len(X) // chunks, X.shape[1]))
    y_dask = da.from_array(y, chunks=len(y) // chunks)
    estimator = MLPClassifier(dtype="float64", **SETTINGS)
    wrapped = Incremental(estimator, shuffle_blocks=False)
    wrapped.fit(X_dask, y_dask, classes=np.arange(10))
    by_hand = MLPClassifier(dtype="float64", **SETTINGS)
    for rows in np.array_split(np.arange(len(X)), chunks):
        by_hand.partial_fit(X[rows], y[rows], classes=np.arange(10))
    fitted = wrapped.estimator_
    assert fitted.n_iter_ == chunks and fitted.t_ == len(X)
    for ours, expected in zip(fitted.model_.parameters(), by_hand.model_.parameters(), strict=True):
        np.testing.assert_array_equal(ours.data, expected.data)
    np.testing.assert_array_equal(wrapped.predict(X_dask).compute(), by_hand.predict(X))
