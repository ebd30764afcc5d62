"""``fit(..., dask=client)`` on a real ``distributed.LocalCluster`` (2 worker processes of
one thread): the same weights as one process, a worker killed mid-epoch, a driver
stopped and resumed from its run directory, errors on workers in one line, what is
refused, and no worker left running after the cluster is closed."""

from __future__ import annotations

import logging
import signal

import numpy as np
import pytest

import fcnn
from dask_support import local_cluster
from fcnn.data.stream import NpySource
from fcnn.train.callbacks import Callback
from fcnn.train.data_parallel import DataParallelError


@pytest.fixture(scope="module")
def client():
    import distributed  # no skip: a missing Dask fails this test (CI installs fcnn[dask])
    import psutil

    with local_cluster(silence_logs=logging.CRITICAL) as cluster:
        with distributed.Client(cluster) as connected:
            processes = set()

            def watch():  # every worker process this cluster ever had
                for pid in connected.run(lambda: __import__("os").getpid()).values():
                    worker = psutil.Process(pid)
                    processes.add(worker)  # (the nannies live in this process)

            watch()
            connected.watch = watch
            yield connected
            watch()
    _, alive = psutil.wait_procs(list(processes), timeout=10)
    left = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    for p in left:  # not to leave them running after a failure
        p.kill()
    assert not left, f"still running after the cluster closed: {left}"


def _data(n=300, features=6):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, features))
    return X, (X[:, 0] - X[:, 1] + 0.3 * X[:, 2] > 0).astype(np.int64)


def _net(features=6, max_norm=None):
    return fcnn.Sequential(
        fcnn.Linear(features, 16, seed=1, dtype="float64", max_norm=max_norm),
        fcnn.ReLU(),
        fcnn.Linear(16, 2, seed=2, dtype="float64"),
    )


def _gap(a, b):
    return max(
        float(np.abs(p.data - q.data).max())
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def _fit(model, X, y=None, **options):
    settings = {"epochs": 3, "batch_size": 64, "seed": 5, "verbose": 0, **options}
    return fcnn.fit(model, X, y, **settings)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_arrays_train_to_the_single_process_weights(client, optimizer):
    X, y = _data()
    alone, spread = _net(max_norm=2.0), _net(max_norm=2.0)
    one = _fit(alone, X, y, optimizer=optimizer, lr=0.05, validation_data=(X[:50], y[:50]))
    two = _fit(
        spread, X, y, optimizer=optimizer, lr=0.05, validation_data=(X[:50], y[:50]), dask=client
    )
    assert _gap(alone, spread) < 1e-10
    np.testing.assert_allclose(two["loss"], one["loss"], rtol=1e-12)
    assert two["accuracy"] == one["accuracy"] and two["val_loss"] == pytest.approx(one["val_loss"])


def test_a_source_trains_to_the_single_process_weights(client, tmp_path):
    # Chunks of half a batch, not shuffled: global batch j is chunks 2j and 2j + 1 in
    # both, one read by each worker.
    X, y = _data(320)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    source = NpySource(tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=32, dtype="float64")
    alone, spread = _net(), _net()
    _fit(alone, source, optimizer="sgd", lr=0.1, shuffle=False)
    _fit(spread, source, optimizer="sgd", lr=0.1, shuffle=False, dask=client)
    assert _gap(alone, spread) < 1e-10
    shuffled = _net()  # shuffled: other batches, but it trains and is reproducible
    again = _net()
    first = _fit(shuffled, source, optimizer="sgd", lr=0.1, dask=client)
    second = _fit(again, source, optimizer="sgd", lr=0.1, dask=client)
    assert _gap(shuffled, again) < 1e-12 and first["loss"][-1] < first["loss"][0]
    np.testing.assert_allclose(second["loss"], first["loss"], rtol=1e-12)


class _KillAt(Callback):
    """SIGKILL the worker holding shard 0 at one global step (after its gradient came)."""

    def __init__(self, client, step):
        self.client, self.at = client, step

    def on_batch_end(self, state, loss):
        if state.global_step == self.at:
            import psutil

            pids = self.client.run(lambda: __import__("os").getpid())
            psutil.Process(pids[sorted(pids)[0]]).send_signal(signal.SIGKILL)


def test_a_worker_killed_mid_epoch_changes_nothing(client):
    X, y = _data(400)
    steady, hit = _net(), _net()
    _fit(steady, X, y, dask=client, epochs=2)
    client.watch()
    _fit(hit, X, y, dask=client, epochs=2, callbacks=[_KillAt(client, 3)])
    assert _gap(steady, hit) < 1e-12


class _StopAt(Callback):
    def __init__(self, epoch):
        self.at = epoch

    def on_epoch_begin(self, state):
        if state.epoch == self.at:
            raise KeyboardInterrupt  # the driver stopped between epochs


def test_a_stopped_driver_resumes_from_its_run_directory(client, tmp_path):
    X, y = _data()
    whole, resumed = _net(), _net()
    _fit(whole, X, y, dask=client, epochs=4)
    with pytest.raises(KeyboardInterrupt):
        _fit(resumed, X, y, dask=client, epochs=4, run_dir=tmp_path, callbacks=[_StopAt(2)])
    again = _net()
    history = _fit(again, X, y, dask=client, epochs=4, run_dir=tmp_path, resume=True)
    # (the same numbers, up to BLAS's rounding, which can depend on where an array lies)
    assert len(history["loss"]) == 4 and _gap(whole, again) < 1e-12


def test_an_error_on_a_worker_surfaces_in_one_line(client, tmp_path):
    X, y = _data(1200)
    y[1100] = 7  # a label the 2-output network cannot have, far beyond the first batch
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    source = NpySource(tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=100, dtype="float64")
    with pytest.raises(DataParallelError) as caught:
        _fit(_net(), source, shuffle=False, dask=client, epochs=1)
    message = str(caught.value)
    assert "\n" not in message and "on worker tcp://" in message and "shard 1" in message


def test_what_data_parallel_training_refuses(client):
    X, y = _data()
    with pytest.raises(ValueError, match="BatchNorm1d would normalise"):
        fcnn.fit(
            fcnn.Sequential(fcnn.Linear(6, 4), fcnn.BatchNorm1d(4), fcnn.Linear(4, 2)),
            X, y, dask=client, verbose=0,
        )  # fmt: skip
    with pytest.raises(ValueError, match="weighted mean loss"):
        _fit(_net(), X, y, dask=client, class_weight="balanced")
    with pytest.raises(TypeError, match=r"expects a distributed\.Client, got str"):
        _fit(_net(), X, y, dask="tcp://nowhere:8786")
