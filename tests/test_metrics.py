"""Metrics against scikit-learn's, on random labels and values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from fcnn import metrics


@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 300)
    y_pred = np.where(rng.random(300) < 0.6, y_true, rng.integers(0, 4, 300))
    return y_true, y_pred


def test_accuracy_and_confusion_matrix(labels):
    y_true, y_pred = labels
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )
    assert metrics.confusion_matrix([0, 1], [1, 1], num_classes=3).shape == (3, 3)


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
def test_precision_recall_f1(labels, average):
    y_true, y_pred = labels
    ours = metrics.precision_recall_f1(y_true, y_pred, average=average)
    theirs = skm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)[
        :3
    ]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_a_class_never_predicted_scores_zero_as_sklearn():
    y_true, y_pred = np.array([0, 1, 2, 2]), np.array([0, 1, 1, 1])
    p, r, f = metrics.precision_recall_f1(y_true, y_pred, average=None)
    sp, sr, sf, _ = skm.precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    np.testing.assert_allclose(p, sp)
    np.testing.assert_allclose(r, sr)
    np.testing.assert_allclose(f, sf)


def test_regression_metrics():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(100, 2))
    pred = y + rng.normal(scale=0.3, size=y.shape)
    assert metrics.r2_score(y, pred) == pytest.approx(skm.r2_score(y, pred))
    assert metrics.rmse(y, pred) == pytest.approx(np.sqrt(skm.mean_squared_error(y, pred)))
    assert metrics.mae(y, pred) == pytest.approx(skm.mean_absolute_error(y, pred))


def test_labels_from_output():
    np.testing.assert_array_equal(
        metrics.labels_from_output(np.array([[0.1, 2.0], [3.0, -1]])), [1, 0]
    )
    logits = np.array([[-0.2], [0.3]])
    np.testing.assert_array_equal(metrics.labels_from_output(logits), [0, 1])
    np.testing.assert_array_equal(metrics.labels_from_output(logits + 0.5, logits=False), [0, 1])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: metrics.accuracy([1, 2], [1]), r"y_true has shape \(2,\) but y_pred \(1,\)"),
        (lambda: metrics.rmse([], []), "no samples"),
        (lambda: metrics.confusion_matrix([-1], [0]), "non-negative"),
        (lambda: metrics.precision_recall_f1([0], [0], average="samples"), "average='samples'"),
        (lambda: metrics.labels_from_output(np.zeros(3)), r"expected \(N, C\) outputs"),
    ],
)
def test_metric_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
