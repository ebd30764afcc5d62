"""fit and evaluate on a BatchSource: the arrays' results without shuffling, the same
batches for the same seed, a bit-identical resume that refuses changed data, and no
reader thread left behind."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import fcnn
from fcnn.data.stream import IterableSource, ParquetSource
from fcnn.data.stream.prefetch import THREAD_NAME
from stream_support import table_data, write_parquet
from test_train import _Interrupt


def _model(seed=0):
    return fcnn.mlp([3, 12, 3], activation="tanh", seed=seed)


def _source(tmp_path, n=600, **options):
    X, y = table_data(n)
    source = ParquetSource(write_parquet(tmp_path / "d.parquet", X, y, 128), "target", **options)
    return X, y, source


def _weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _readers():
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_unshuffled_stream_trains_as_the_arrays_do(tmp_path):
    X, y, source = _source(tmp_path)
    kwargs = {"epochs": 3, "batch_size": 50, "shuffle": False, "verbose": 0, "optimizer": "sgd"}
    in_memory, streamed = _model(), _model()
    h1 = fcnn.fit(in_memory, X, y, **kwargs)
    h2 = fcnn.fit(streamed, source, **kwargs)
    for key, value in _weights(in_memory).items():
        np.testing.assert_array_equal(streamed.state_dict()[key], value, err_msg=key)
    assert h1["loss"] == h2["loss"] and h1["accuracy"] == h2["accuracy"]
    assert fcnn.evaluate(streamed, source) == fcnn.evaluate(streamed, X, y)
    assert not _readers()


def test_same_seed_same_training(tmp_path):
    _, _, source = _source(tmp_path, shuffle_buffer=200)
    runs = []
    for seed in (4, 4, 5):
        model = _model()
        fcnn.fit(model, source, epochs=2, batch_size=32, seed=seed, verbose=0)
        runs.append(_weights(model))
    assert all(np.array_equal(runs[0][k], runs[1][k]) for k in runs[0])
    assert not all(np.array_equal(runs[0][k], runs[2][k]) for k in runs[0])


def test_resume_is_bit_identical_and_refuses_changed_data(tmp_path):
    X, y, source = _source(tmp_path, shuffle_buffer=150)
    kwargs = {"epochs": 4, "batch_size": 40, "seed": 9, "verbose": 0, "validation_data": (X, y)}
    full = _model()
    expected_history = fcnn.fit(full, source, **kwargs)
    run = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        fcnn.fit(_model(), source, run_dir=run, callbacks=[_Interrupt(2)], **kwargs)
    resumed = _model(seed=99)
    history = fcnn.fit(resumed, source, run_dir=run, resume=True, **kwargs)
    for key, value in _weights(full).items():
        np.testing.assert_array_equal(resumed.state_dict()[key], value, err_msg=key)
    assert history["loss"] == expected_history["loss"]

    time.sleep(0.01)
    X[7, 0] += 1.0
    changed = ParquetSource(write_parquet(tmp_path / "d.parquet", X, y, 128), "target")
    with pytest.raises(ValueError, match=r"cannot resume .*: data_fingerprint was"):
        fcnn.fit(_model(), changed, run_dir=run, resume=True, **{**kwargs, "epochs": 6})


class _StopMidEpoch(fcnn.Callback):
    def on_batch_end(self, state, value):
        if state.step == 2:
            state.stop_training = True


def test_no_reader_thread_is_left_when_training_stops(tmp_path):
    _, _, source = _source(tmp_path, n=2000)
    model = _model()
    fcnn.fit(model, source, epochs=5, batch_size=16, verbose=0, callbacks=[_StopMidEpoch()])
    assert not _readers()

    def broken():
        yield np.zeros((4, 3)), np.zeros(4, dtype=np.int64)
        raise OSError("the network share went away")

    with pytest.raises(OSError, match="network share went away"):
        fcnn.fit(model, IterableSource(broken), epochs=1, batch_size=2, verbose=0)
    assert not _readers()


def test_validation_on_a_source_and_refusals(tmp_path):
    X, y, source = _source(tmp_path)
    history = fcnn.fit(_model(), source, epochs=1, verbose=0, validation_data=source)
    assert "val_loss" in history.history
    with pytest.raises(ValueError, match="y= is not used with a data source"):
        fcnn.fit(_model(), source, y, verbose=0)
    with pytest.raises(ValueError, match="validation_split needs rows in memory"):
        fcnn.fit(_model(), source, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="class_weight='balanced' needs the class counts"):
        fcnn.fit(_model(), source, class_weight="balanced", verbose=0)
    with pytest.raises(TypeError, match="fit: y is missing"):
        fcnn.fit(_model(), X)
