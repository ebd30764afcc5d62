"""The streaming statistics pass gives the in-memory Standardizer and the class labels."""

from __future__ import annotations

import numpy as np
import pytest

from fcnn.data import apply_preprocess
from fcnn.data.stream import IterableSource, PreparedSource, stream_statistics
from fcnn.data.transform import Standardizer


def _chunks(X, y, size):
    return [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]


def test_streamed_standardizer_equals_the_in_memory_one():
    rng = np.random.default_rng(1)
    # A large mean beside a small spread: where a running sum of squares would cancel.
    X = np.column_stack(
        [rng.normal(1e4, 1e-2, 5000), rng.normal(size=5000) * 300, np.full(5000, 7.25)]
    )
    y = rng.integers(0, 4, 5000)
    source = IterableSource(_chunks(X, y, 333), dtype=np.float64)
    stats = stream_statistics(source, classes=True, batch_size=700)
    assert stats.n_rows == 5000
    np.testing.assert_allclose(stats.mean, np.mean(X, axis=0), rtol=1e-13)
    np.testing.assert_allclose(stats.var, np.var(X, axis=0), rtol=1e-9)
    np.testing.assert_array_equal(stats.classes, [0, 1, 2, 3])
    streamed, whole = stats.standardizer(), Standardizer().fit(X)
    np.testing.assert_allclose(streamed.mean, whole.mean, rtol=1e-13)
    np.testing.assert_allclose(streamed.scale, whole.scale, rtol=1e-9)
    assert streamed.scale[2] == 1.0 and streamed.mean[2] == 7.25  # constant, as in memory
    record = stats.preprocess()
    assert record["kind"] == "standardize"
    np.testing.assert_allclose(apply_preprocess(record, X), whole.transform(X), atol=1e-7)


def test_overflowing_column_is_named():
    X = np.array([[1.0, 1e300], [2.0, -1e300]])
    source = IterableSource([(X, np.zeros(2))], feature_names=["a", "b"], dtype=np.float64)
    with pytest.raises(ValueError, match=r"column 'b' holds values up to 1e\+300"):
        stream_statistics(source).standardizer()


def test_a_prepared_source_is_standardised_as_it_is_read():
    rng = np.random.default_rng(2)
    X, y = rng.normal(3, 5, size=(500, 4)), rng.integers(0, 2, 500)
    source = IterableSource(_chunks(X, y, 64), dtype=np.float64)
    record = stream_statistics(source).preprocess()
    prepared = PreparedSource(source, record)
    got = np.concatenate([x for x, _ in prepared.batches(0, 100, shuffle=False)])
    np.testing.assert_allclose(got, Standardizer().fit(X).transform(X), atol=1e-12)
    assert prepared.fingerprint()["preprocess"] == record
