"""The training loop: fit/evaluate, History, callbacks, the divergence guard, and
run directories that resume bit-identically and survive a kill mid-write."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import fcnn
from fcnn.train import DivergenceWarning, History, load_checkpoint


def planar():
    return fcnn.data.planar()


def test_fit_learns_the_planar_flower():
    X, y = planar()
    model = fcnn.mlp([2, 8, 1], activation="tanh", seed=0)
    history = fcnn.fit(
        model, X, y, optimizer="adam", lr=0.05, epochs=60, batch_size=64, seed=0, verbose=0
    )
    assert set(history.history) == {"loss", "accuracy", "lr", "time"}
    assert history.epoch == list(range(1, 61))
    assert history["loss"][-1] < 0.6 * history["loss"][0]
    assert fcnn.evaluate(model, X, y)["accuracy"] > 0.85
    assert history.stop_reason is None and not history.diverged


def test_loss_is_inferred_from_targets():
    X, y = planar()
    binary = fcnn.mlp([2, 4, 1], seed=0)
    multi = fcnn.mlp([2, 4, 2], seed=0)
    assert type(fcnn.train.resolve_loss(None, y, 1)).__name__ == "BCEWithLogitsLoss"
    assert type(fcnn.train.resolve_loss(None, y, 2)).__name__ == "CrossEntropyLoss"
    assert type(fcnn.train.resolve_loss(None, X[:, 0], 1)).__name__ == "MSELoss"
    for model in (binary, multi):
        history = fcnn.fit(model, X, y, epochs=2, verbose=0, seed=0)
        assert "accuracy" in history.history


def test_history_json_round_trip(tmp_path):
    X, y = planar()
    history = fcnn.fit(
        fcnn.mlp([2, 4, 2], seed=0),
        X,
        y,
        epochs=3,
        verbose=0,
        seed=0,
        validation_split=0.25,
        metrics=["accuracy", "f1"],
    )
    path = history.save(tmp_path / "history.json")
    loaded = History.load(path)
    assert loaded.history == history.history and loaded.epoch == history.epoch
    assert set(history.history) == {
        "loss",
        "accuracy",
        "f1",
        "val_loss",
        "val_accuracy",
        "val_f1",
        "lr",
        "time",
    }
    json.loads(path.read_text())  # plain JSON


def test_validation_split_is_random_and_seeded():
    X, y = planar()  # sorted by class: a tail split would hold one class only
    model = fcnn.mlp([2, 4, 2], seed=0)
    history = fcnn.fit(model, X, y, epochs=1, verbose=0, seed=3, validation_split=0.5)
    assert 0.2 < history["val_accuracy"][0] < 0.8 or history["val_loss"][0] < 1.0
    _, _, _, y_val = fcnn.train.loop._split_validation(X, y, None, 0.5, np.random.default_rng(3))
    assert 0 < y_val.mean() < 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, r"fit\(epochs=0\): epochs must be a positive integer"),
        ({"batch_size": 2.5}, r"batch_size=2.5"),
        (
            {"validation_split": 1.5},
            r"validation_split=1.5\): validation_split must be in \(0, 1\)",
        ),
        ({"validation_split": 0.2, "validation_data": ([[0, 0]], [0])}, "not both"),
        ({"optimizer": "adamax"}, r"optimizer='adamax': expected one of"),
        ({"metrics": ["auc"]}, r"unknown metric 'auc'"),
        ({"verbose": 3}, r"verbose=3"),
        ({"resume": True}, r"resume=True needs run_dir"),
        ({"loss": "hinge"}, r"hinge"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, message):
    X, y = planar()
    with pytest.raises((ValueError, TypeError), match=message):
        fcnn.fit(fcnn.mlp([2, 4, 2], seed=0), X, y, **{"verbose": 0, **kwargs})


def test_bad_data_is_named_by_row_and_column():
    X, y = planar()
    model = fcnn.mlp([2, 4, 2], seed=0)
    X_bad = X.copy()
    X_bad[17, 1] = np.nan
    with pytest.raises(ValueError, match=r"X\[17, 1\] is nan at row 17, column 1"):
        fcnn.fit(model, X_bad, y, verbose=0)
    y_bad = y.copy()
    y_bad[5] = 2
    with pytest.raises(ValueError, match=r"label 2 at row 5 is out of range .* 2 outputs"):
        fcnn.fit(model, X, y_bad, verbose=0)
    with pytest.raises(ValueError, match="X has 400 rows but y has 399"):
        fcnn.fit(model, X, y[:-1], verbose=0)
    with pytest.raises(ValueError, match="must be 2-D"):
        fcnn.fit(model, X[:, 0], y, verbose=0)
    with pytest.raises(ValueError, match="must be numeric"):
        fcnn.fit(model, X, y.astype(str), verbose=0)
    with pytest.raises(ValueError, match=r"binary targets must be in \[0, 1\], row 0"):
        fcnn.fit(fcnn.mlp([2, 4, 1], seed=0), X, y * 2.0 - 1, loss="bce_with_logits", verbose=0)


def test_divergence_guard_stops_explains_and_restores():
    X, y = planar()
    model = fcnn.mlp([2, 16, 1], seed=0)
    target = y * 100.0
    with pytest.warns(DivergenceWarning) as caught:
        history = fcnn.fit(
            model,
            X,
            target,
            loss="mse",
            optimizer="sgd",
            lr=5.0,
            epochs=5,
            batch_size=100,
            verbose=0,
            seed=0,
        )
    message = str(caught[0].message)
    assert history.diverged and history.stop_reason == message
    assert "at epoch 1, step" in message and "the learning rate 5 is likely too high" in message
    assert "restored" in message
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_nan_loss_named_with_epoch_and_step_and_last_good_weights():
    X, y = planar()
    model = fcnn.mlp([2, 8, 2], seed=0)

    class PoisonAtEpoch3(fcnn.Callback):
        def on_epoch_begin(self, state):
            if state.epoch == 2:
                self.good = state.model.state_dict()
                state.model[0].weight.data[0, 0] = np.nan

    poison = PoisonAtEpoch3()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fcnn.fit(model, X, y, epochs=5, verbose=0, seed=0, callbacks=[poison])
    assert any(issubclass(w.category, DivergenceWarning) for w in caught)
    assert history.stop_reason.startswith("loss became NaN at epoch 3, step 1;")
    assert "last good weights (end of epoch 2) restored" in history.stop_reason
    assert len(history) == 2
    assert np.isfinite(model[0].weight.data).all()


def test_divergence_guard_can_be_turned_off():
    X, y = planar()
    model = fcnn.mlp([2, 16, 1], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        with np.errstate(all="ignore"):
            history = fcnn.fit(
                model,
                X,
                y * 100.0,
                loss="mse",
                optimizer="sgd",
                lr=5.0,
                epochs=2,
                verbose=0,
                divergence_guard=False,
            )
    assert not history.diverged and len(history) == 2


def test_early_stopping_restores_the_best_weights():
    X, y = planar()
    model = fcnn.mlp([2, 4, 2], seed=0)
    snapshots = {}

    class Snapshot(fcnn.Callback):
        def on_epoch_end(self, state, logs):
            snapshots[state.epoch + 1] = state.model.state_dict()

    stopper = fcnn.EarlyStopping(monitor="val_loss", patience=2)
    # A learning rate so large the validation loss bounces: early stopping must fire.
    history = fcnn.fit(
        model,
        X,
        y,
        optimizer="sgd",
        lr=3.0,
        epochs=40,
        verbose=0,
        seed=0,
        validation_split=0.3,
        callbacks=[stopper, Snapshot()],
    )
    assert history.stop_reason.startswith("early stopping: val_loss has not improved for 3 epochs")
    best = int(np.argmin(history["val_loss"])) + 1
    assert stopper.best_epoch == best and len(history) == best + 3
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, snapshots[best][key])


def test_early_stopping_unknown_monitor_is_explained():
    X, y = planar()
    with pytest.raises(KeyError, match="monitors 'val_loss', which this run does not log"):
        fcnn.fit(
            fcnn.mlp([2, 4, 2], seed=0), X, y, epochs=2, verbose=0, callbacks=[fcnn.EarlyStopping()]
        )


def test_model_checkpoint_saves_best_only(tmp_path):
    X, y = planar()
    model = fcnn.mlp([2, 8, 2], seed=0)
    checkpoint = fcnn.ModelCheckpoint(
        tmp_path / "best-{epoch:02d}.safetensors", monitor="val_accuracy", save_best_only=True
    )
    history = fcnn.fit(
        model,
        X,
        y,
        lr=0.05,
        epochs=8,
        verbose=0,
        seed=0,
        validation_split=0.25,
        callbacks=[checkpoint],
    )
    accuracies = history["val_accuracy"]
    improved = [i + 1 for i, a in enumerate(accuracies) if a > max(accuracies[:i], default=-1)]
    assert [p.name for p in checkpoint.saved] == [f"best-{e:02d}.safetensors" for e in improved]
    reloaded = fcnn.load(checkpoint.saved[-1])
    assert reloaded.spec() == model.spec()


def test_lr_scheduler_callback_steps_per_epoch():
    X, y = planar()
    model = fcnn.mlp([2, 4, 2], seed=0)
    optimizer = fcnn.optim.SGD(model.parameters(), lr=0.1)
    scheduler = fcnn.optim.StepLR(optimizer, step_size=2, gamma=0.5)
    history = fcnn.fit(
        model,
        X,
        y,
        optimizer=optimizer,
        epochs=6,
        verbose=0,
        seed=0,
        callbacks=[fcnn.LRSchedulerCallback(scheduler)],
    )
    np.testing.assert_allclose(history["lr"], [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def _resumable_setup(seed=0):
    X, y = planar()
    model = fcnn.mlp([2, 16, 16, 2], activation="relu", batchnorm=True, dropout=0.2, seed=seed)
    optimizer = fcnn.optim.Adam(model.parameters(), lr=0.01)
    scheduler = fcnn.optim.ExponentialLR(optimizer, gamma=0.9)
    callbacks = [fcnn.LRSchedulerCallback(scheduler), fcnn.EarlyStopping(patience=50)]
    return X, y, model, optimizer, callbacks


class _Interrupt(fcnn.Callback):
    def __init__(self, at_epoch):
        self.at_epoch = at_epoch

    def on_epoch_begin(self, state):
        if state.epoch == self.at_epoch:
            raise KeyboardInterrupt


def test_resume_after_interruption_is_bit_identical(tmp_path):
    kwargs = {"epochs": 6, "batch_size": 50, "seed": 7, "verbose": 0, "validation_split": 0.2}
    X, y, model, optimizer, callbacks = _resumable_setup()
    full = fcnn.fit(model, X, y, optimizer=optimizer, callbacks=callbacks, **kwargs)
    expected = model.state_dict()

    run = tmp_path / "run"
    X, y, model, optimizer, callbacks = _resumable_setup()
    with pytest.raises(KeyboardInterrupt):
        fcnn.fit(
            model,
            X,
            y,
            optimizer=optimizer,
            callbacks=[*callbacks, _Interrupt(3)],
            run_dir=run,
            **kwargs,
        )
    assert load_checkpoint(run / "checkpoint.safetensors")["epoch"] == 3

    # A fresh process would rebuild everything from scratch: different initial weights
    # and generator states must not matter.
    X, y, model, optimizer, callbacks = _resumable_setup(seed=99)
    resumed = fcnn.fit(
        model,
        X,
        y,
        optimizer=optimizer,
        callbacks=[*callbacks, _Interrupt(-1)],
        run_dir=run,
        resume=True,
        **kwargs,
    )
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key], err_msg=key)
    assert resumed.epoch == full.epoch
    assert resumed["loss"] == full["loss"] and resumed["val_loss"] == full["val_loss"]
    assert (run / "model.safetensors").exists() and (run / "history.json").exists()


def test_model_and_history_are_written_as_epochs_finish(tmp_path):
    kwargs = {"epochs": 10, "batch_size": 50, "seed": 7, "verbose": 0, "validation_split": 0.2}
    X, y, model, optimizer, callbacks = _resumable_setup()
    callbacks.append(_Interrupt(4))
    with pytest.raises(KeyboardInterrupt):
        fcnn.fit(model, X, y, optimizer=optimizer, callbacks=callbacks, run_dir=tmp_path, **kwargs)
    # Not only at the end: an interrupted (or killed) run can be evaluated as it stands.
    saved = fcnn.load(tmp_path / "model.safetensors").state_dict()
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(saved[key], value, err_msg=key)
    assert fcnn.History.load(tmp_path / "history.json").epoch == [1, 2, 3, 4]


def test_resume_refuses_a_different_setup(tmp_path):
    X, y, model, optimizer, callbacks = _resumable_setup()
    common = {"verbose": 0, "run_dir": tmp_path, "validation_split": 0.2}
    fcnn.fit(
        model, X, y, optimizer=optimizer, callbacks=callbacks, epochs=1, batch_size=50, **common
    )
    X, y, model, optimizer, callbacks = _resumable_setup()
    with pytest.raises(ValueError, match=r"cannot resume .*: batch_size was 50, now 40"):
        fcnn.fit(
            model,
            X,
            y,
            optimizer=optimizer,
            callbacks=callbacks,
            epochs=2,
            batch_size=40,
            resume=True,
            **common,
        )
    other = fcnn.mlp([2, 8, 2], seed=0)
    with pytest.raises(ValueError, match="different architecture"):
        fcnn.fit(other, X, y, epochs=2, batch_size=50, resume=True, optimizer="adam", **common)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, fcnn, numpy as np
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 64)); y = rng.integers(0, 10, 256)
    model = fcnn.mlp([64, 512, 512, 10], seed=0)
    print("ready", flush=True)
    fcnn.fit(model, X, y, epochs=100000, batch_size=256, verbose=0, run_dir=sys.argv[1])
    """
)


def test_killing_mid_write_never_corrupts_the_checkpoint(tmp_path):
    run = tmp_path / "run"
    rng = np.random.default_rng(0)
    epochs_seen = []
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(run)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        assert proc.stdout.readline().strip() == b"ready"
        deadline = time.time() + 20
        while not (run / "checkpoint.safetensors").exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(float(rng.uniform(0.1, 0.6)))  # land somewhere inside a write, or not
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        checkpoint = load_checkpoint(run / "checkpoint.safetensors")
        epochs_seen.append(checkpoint["epoch"])
        model = fcnn.from_spec(checkpoint["spec"])
        model.load_state_dict(checkpoint["model"])
        assert all(np.isfinite(p.data).all() for p in model.parameters())
    assert all(e >= 1 for e in epochs_seen)


def test_evaluate_reports_loss_and_metrics():
    X, y = planar()
    model = fcnn.mlp([2, 8, 2], seed=0)
    fcnn.fit(model, X, y, epochs=20, lr=0.05, verbose=0, seed=0)
    results = fcnn.evaluate(model, X, y, metrics=["accuracy", "f1"])
    assert set(results) == {"loss", "accuracy", "f1"}
    labels = model.predict(X).argmax(1)
    assert results["accuracy"] == pytest.approx(np.mean(labels == y))
    regression = fcnn.mlp([2, 8, 1], seed=0)
    out = fcnn.evaluate(regression, X, X[:, 0], metrics=["r2", "rmse", "mae"])
    assert set(out) == {"loss", "r2", "rmse", "mae"}
    assert out["rmse"] == pytest.approx(math.sqrt(out["loss"]), rel=1e-5)


def test_progress_lines_and_silence(capsys):
    X, y = planar()
    fcnn.fit(fcnn.mlp([2, 4, 2], seed=0), X, y, epochs=2, verbose=2, seed=0)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("epoch 1/2  loss ") and "accuracy" in out[0]
    fcnn.fit(fcnn.mlp([2, 4, 2], seed=0), X, y, epochs=2, verbose=0, seed=0)
    assert capsys.readouterr().out == ""


def test_fit_with_diagnose_warns_about_saturation_and_stays_quiet_when_healthy():
    X, y = planar()
    saturating = fcnn.mlp(
        [2, *[32] * 6, 2], activation="sigmoid", init="normal", init_scale=1.0, seed=0
    )
    with pytest.warns(fcnn.DiagnosticWarning, match="sigmoid units are saturated"):
        fcnn.fit(saturating, X, y, epochs=2, verbose=0, seed=0, diagnose=True)
    healthy = fcnn.mlp([2, 16, 16, 2], activation="relu", init="kaiming_normal", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", fcnn.DiagnosticWarning)
        fcnn.fit(healthy, X / X.std(0), y, epochs=2, lr=0.01, verbose=0, seed=0, diagnose=True)


def _guard_over(losses):
    """Feed a DivergenceGuard a sequence of batch losses; return the stop reason."""
    model = fcnn.mlp([2, 2], seed=0)
    optimizer = fcnn.optim.SGD(model.parameters(), lr=0.1)
    state = fcnn.train.TrainState(
        model=model, optimizer=optimizer, loss=None, history=History(), epochs=1
    )
    guard = fcnn.DivergenceGuard()
    guard.on_epoch_begin(state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)
        for step, value in enumerate(losses):
            state.step = step
            guard.on_batch_end(state, value)
            if state.stop_training:
                break
    return state.stop_reason


def test_divergence_guard_ignores_a_tiny_batch_loss_followed_by_an_ordinary_one():
    # Easy data: one batch's loss falls to 1e-7; the next is ordinary, not an explosion.
    assert _guard_over([2.3, 0.5, 1e-7, 0.05, 0.3]) is None
    assert _guard_over([2.3, 0.5, 0.0, 0.05]) is None
    reason = _guard_over([2.3, 0.5, 1e-7, 500.0])
    assert reason.startswith("loss exploded to 500 (from 1e-07) at epoch 1, step 4")
    assert _guard_over([2.3, float("inf")]).startswith("loss became infinite at epoch 1, step 2")


def test_warnings_point_at_the_users_fit_call():
    X, y = planar()
    model = fcnn.mlp([2, 16, 1], seed=0)
    with pytest.warns(DivergenceWarning) as caught:
        fcnn.fit(model, X, y * 100.0, loss="mse", optimizer="sgd", lr=5.0, epochs=2, verbose=0)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("content", [b"not a checkpoint at all", "model"])
def test_a_file_that_is_not_a_checkpoint_raises_model_file_error(tmp_path, content):
    from fcnn.train.checkpoint import load_checkpoint

    path = tmp_path / "checkpoint.safetensors"
    if content == "model":  # a real fcnn model file, but no training checkpoint
        fcnn.save(fcnn.mlp([2, 3, 1], seed=0), path)
    else:
        path.write_bytes(content)
    with pytest.raises(fcnn.ModelFileError, match="checkpoint") as caught:
        load_checkpoint(path)
    assert caught.value.path == path
