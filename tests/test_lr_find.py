"""The learning-rate finder: the sweep, the copy it runs on, the suggestion, the figure and
``fcnn lr-find``.

The suggestion is proven by what it is for: training with it. Documented results (the
arguments below are those of the course's chapter 7, "Finding a learning rate"):

- planar (the course's 400 points), the 2-4-1 tanh network (seed 0) and SGD: a sweep of
  300 steps (a network this small learns slowly: 100 steps barely move its loss), then
  ``fit`` at the suggestion for 100 epochs of batches of 32: >= 85 % accuracy (87.7 %);
- digits (scikit-learn's, pixels / 16, 25 % held out), a 64-32-10 ReLU network and Adam:
  the default sweep, then ``fit`` for 10 epochs: >= 90 % test accuracy (94.4 %).
"""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app
from fcnn.data import digits, planar, train_test_split
from fcnn.optim import OPTIMIZERS
from fcnn.train.lr_find import RULE, LRFinderResult

runner = CliRunner()


def small_problem(seed=0):
    X, y = planar()
    return fcnn.mlp([2, 4, 1], "tanh", seed=seed), X, y


# --------------------------------------------------------------------------- the sweep


def test_the_rates_grow_exponentially_from_start_to_end():
    model, X, y = small_problem()
    result = fcnn.lr_find(
        model, X, y, optimizer="sgd", start_lr=1e-4, end_lr=1.0, steps=9, diverge_factor=None
    )
    assert isinstance(result, LRFinderResult)
    np.testing.assert_allclose(result.lrs, np.logspace(-4, 0, 9), rtol=1e-12)
    assert result.lrs[0] == 1e-4 and result.lrs[-1] == 1.0
    assert len(result.losses) == len(result.smoothed) == 9 and result.stop_reason is None
    assert result.rule == RULE == "a tenth of the rate at the lowest smoothed loss"


def test_the_smoothed_loss_is_the_bias_corrected_moving_average():
    model, X, y = small_problem()
    result = fcnn.lr_find(model, X, y, steps=30, smoothing=0.7, seed=3)
    average = 0.0
    for i, value in enumerate(result.losses):
        average = 0.7 * average + 0.3 * value
        assert result.smoothed[i] == pytest.approx(average / (1 - 0.7 ** (i + 1)), rel=1e-12)


def test_each_step_is_a_training_step_at_its_rate():
    # Full batches in order: the sweep's second loss is the loss after one fit step at
    # start_lr, its third after a second step at the next rate.
    model, X, y = small_problem()
    model.to(np.float64)
    result = fcnn.lr_find(
        model,
        X,
        y,
        optimizer="sgd",
        start_lr=0.1,
        end_lr=0.4,
        steps=3,
        batch_size=400,
        shuffle=False,
    )
    twin = copy.deepcopy(model)
    opt = fcnn.optim.SGD(twin.parameters())
    for i, lr in enumerate(result.lrs):
        assert result.losses[i] == fcnn.evaluate(twin, X, y)["loss"]
        opt.param_groups[0]["lr"] = lr
        fcnn.fit(twin, X, y, optimizer=opt, epochs=1, batch_size=400, shuffle=False, verbose=0)


def test_batches_are_drawn_as_fit_draws_them():
    # The same seed gives the same shuffles: a sweep of two batches at (almost) zero
    # rates sees the losses of fit's first two batches.
    model, X, y = small_problem()
    result = fcnn.lr_find(model, X, y, start_lr=1e-30, end_lr=1e-29, steps=2, seed=5)
    seen = []

    class Losses(fcnn.Callback):
        def on_batch_end(self, state, loss):
            seen.append(loss)

    twin = copy.deepcopy(model)
    fcnn.fit(twin, X, y, lr=0.0, epochs=1, seed=5, verbose=0, callbacks=[Losses()])
    np.testing.assert_allclose(result.losses, seen[:2], rtol=1e-6)


# --------------------------------------------------------------------------- the copy


def snapshot(model, optimizer):
    """Everything the sweep must leave as it was, as bytes."""
    state = {f"model:{k}": v.tobytes() for k, v in model.state_dict().items()}
    state.update({f"grad:{i}": p.grad.tobytes() for i, p in enumerate(model.parameters())})
    state["training"] = model.training
    for i, m in enumerate(model.modules()):
        if isinstance(m, fcnn.Dropout):
            state[f"rng:{i}"] = repr(m.rng.bit_generator.state)
    saved = optimizer.state_dict()
    for i, entry in saved["state"].items():
        for key, value in entry.items():
            state[f"opt:{i}:{key}"] = value.tobytes() if isinstance(value, np.ndarray) else value
    state["groups"] = repr(saved["param_groups"])
    state["params"] = [id(p) for g in optimizer.param_groups for p in g["params"]]
    return state


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_model_and_optimizer_given_are_untouched_bit_for_bit(name):
    X, y = planar()
    model = fcnn.mlp([2, 8, 8, 2], "relu", batchnorm=True, dropout=0.2, seed=1)
    optimizer = OPTIMIZERS[name](model.parameters(), lr=0.01)
    fcnn.fit(model, X, y, optimizer=optimizer, epochs=1, seed=0, verbose=0)  # state to keep
    model.eval()
    before = snapshot(model, optimizer)
    result = fcnn.lr_find(model, X, y, optimizer=optimizer, steps=40, seed=0)
    assert snapshot(model, optimizer) == before
    assert len(result.lrs) >= 2


def test_a_named_optimizer_is_built_on_the_copy():
    model, X, y = small_problem()
    before = {k: v.tobytes() for k, v in model.state_dict().items()}
    fcnn.lr_find(model, X, y, optimizer="sgd", steps=20)
    assert {k: v.tobytes() for k, v in model.state_dict().items()} == before


def test_every_parameter_group_takes_the_swept_rate():
    model, X, y = small_problem()
    first, second = model[0], model[2]

    def optimizer():
        groups = [{"params": first.parameters()}, {"params": second.parameters(), "lr": 50.0}]
        return fcnn.optim.SGD(groups, lr=0.1)

    full = {"batch_size": 400, "shuffle": False}
    # A step at 50, the second group's own rate, moves the loss a lot...
    sweep = {"start_lr": 49, "end_lr": 50, "steps": 2}
    moved = fcnn.lr_find(model, X, y, optimizer=optimizer(), **sweep, **full)
    assert abs(moved.losses[1] - moved.losses[0]) > 0.01
    # ... but in the sweep every group takes the swept rate: at <= 1e-6 nothing moves.
    given = optimizer()
    slow = fcnn.lr_find(model, X, y, optimizer=given, end_lr=1e-6, steps=5, **full)
    assert np.ptp(slow.losses) < 1e-5
    assert [g["lr"] for g in given.param_groups] == [0.1, 50.0]


# --------------------------------------------------------------------------- the suggestion


def test_planar_the_suggestion_trains_the_course_network():
    model, X, y = small_problem(seed=0)
    result = fcnn.lr_find(model, X, y, optimizer="sgd", steps=300, seed=0)
    assert result.suggestion is not None
    assert 0.05 < result.suggestion < 2  # the course trains it at 1.2, full batch
    fcnn.fit(model, X, y, optimizer="sgd", lr=result.suggestion, epochs=100, seed=0, verbose=0)
    assert fcnn.evaluate(model, X, y)["accuracy"] >= 0.85


def test_digits_the_suggestion_trains_a_small_mlp_with_adam():
    X, y = digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.25, seed=0)
    model = fcnn.mlp([64, 32, 10], "relu", seed=0)
    result = fcnn.lr_find(model, X_train, y_train, optimizer="adam", seed=0)
    assert 1e-3 < result.suggestion < 0.1
    fcnn.fit(model, X_train, y_train, lr=result.suggestion, epochs=10, seed=0, verbose=0)
    assert fcnn.evaluate(model, X_test, y_test)["accuracy"] >= 0.90


def test_the_suggestion_is_a_tenth_of_the_lowest_point():
    model, X, y = small_problem()
    result = fcnn.lr_find(model, X, y, optimizer="sgd", steps=300, seed=0)
    lowest = int(np.argmin(result.smoothed))
    assert result.suggestion == result.lrs[lowest] / 10
    assert result.suggestion_index == int(np.argmin(np.abs(result.lrs - result.suggestion)))
    assert str(result).startswith(f"suggested learning rate {result.suggestion:.3g} ({RULE})")


def test_no_suggestion_when_the_loss_never_falls():
    # A network already exact on its targets: the loss is 0 at every rate.
    model = fcnn.Linear(3, 1, seed=0)
    model.weight.data[:] = 0
    model.bias.data[:] = 0
    X = np.random.default_rng(0).normal(size=(50, 3))
    result = fcnn.lr_find(model, X, np.zeros(50), steps=10)
    assert result.suggestion is None and result.suggestion_index is None
    assert result.summary().startswith("no suggestion: the smoothed loss never fell")


# --------------------------------------------------------------------------- divergence


def test_a_diverging_loss_stops_the_sweep_early():
    model, X, y = small_problem()
    result = fcnn.lr_find(model, X, y, optimizer="sgd", start_lr=1e-3, end_lr=1e4, steps=200)
    assert len(result.lrs) < 200
    assert result.smoothed[-1] > 4 * result.smoothed.min()
    assert (result.smoothed[:-1] <= 4 * np.minimum.accumulate(result.smoothed)[:-1]).all()
    assert re.fullmatch(
        r"the smoothed loss \S+ exceeded 4 × its lowest \S+ at lr \S+", result.stop_reason
    )
    assert "stopped: the smoothed loss" in result.summary()


def test_a_non_finite_loss_stops_the_sweep_quietly():
    X = np.random.default_rng(0).normal(size=(64, 4))
    y = X.sum(axis=1)
    model = fcnn.mlp([4, 8, 1], "relu", seed=0, dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning reaches the user
        result = fcnn.lr_find(
            model, X, y, optimizer="sgd", start_lr=1e-2, end_lr=1e40, diverge_factor=None
        )
    assert len(result.lrs) < 100 and np.isfinite(result.losses).all()
    assert re.fullmatch(r"the loss became (inf|nan) at lr \S+", result.stop_reason)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"start_lr": 1.0, "end_lr": 1.0}, ValueError, "lr_find(end_lr=1.0): end_lr must be > 1"),
        (
            {"start_lr": 0.1, "end_lr": 0.01},
            ValueError,
            "lr_find(end_lr=0.01): end_lr must be > 0.1",
        ),
        ({"start_lr": 0}, ValueError, "lr_find(start_lr=0): start_lr must be > 0"),
        (
            {"start_lr": "1e-7"},
            TypeError,
            "lr_find(start_lr='1e-7'): start_lr must be a real number, got str",
        ),
        ({"steps": 1}, ValueError, "lr_find(steps=1): steps must be an integer >= 2"),
        (
            {"steps": 2.5},
            TypeError,
            "lr_find(steps=2.5): steps must be a positive integer, got float",
        ),
        (
            {"batch_size": 0},
            ValueError,
            "lr_find(batch_size=0): batch_size must be a positive integer",
        ),
        ({"smoothing": 1}, ValueError, "lr_find(smoothing=1): smoothing must be in [0, 1)"),
        (
            {"diverge_factor": 1},
            ValueError,
            "lr_find(diverge_factor=1): diverge_factor must be > 1",
        ),
        ({"seed": -1}, ValueError, "lr_find(seed=-1): seed must be a non-negative integer"),
        ({"optimizer": "lbfgs"}, ValueError, "optimizer='lbfgs': expected one of sgd"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(kwargs, error, message):
    model, X, y = small_problem()
    with pytest.raises(error, match="^" + re.escape(message)):
        fcnn.lr_find(model, X, y, **kwargs)


def test_an_optimizer_over_another_model_is_refused():
    model, X, y = small_problem()
    other = fcnn.optim.SGD(fcnn.mlp([2, 4, 1], seed=1).parameters())
    with pytest.raises(ValueError, match="the optimizer holds parameters that are not the model"):
        fcnn.lr_find(model, X, y, optimizer=other)
    with pytest.raises(TypeError, match="lr_find expects an fcnn Module, got list"):
        fcnn.lr_find([model], X, y)
    with pytest.raises(ValueError, match="X has 400 rows but y has 399"):
        fcnn.lr_find(model, X, y[:-1])


# --------------------------------------------------------------------------- the figure


def test_the_figure_draws_the_curve_and_marks_the_suggestion(tmp_path):
    model, X, y = small_problem()
    result = fcnn.lr_find(model, X, y, optimizer="sgd", start_lr=1e-3, end_lr=1e4, steps=200)
    fig = fcnn.plot.lr_find(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    raw, smoothed = ax.lines[0], ax.lines[1]
    np.testing.assert_array_equal(raw.get_xdata(), result.lrs)
    np.testing.assert_array_equal(smoothed.get_ydata(), result.smoothed)
    marker = ax.lines[-1]
    assert marker.get_xdata()[0] == result.suggestion
    assert RULE in marker.get_label()
    assert any("stopped early" in t.get_text() for t in fig.texts)
    path = fcnn.plot.save(fig, tmp_path / "lr.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(TypeError, match=r"plot\.lr_find expects what fcnn\.lr_find returns"):
        fcnn.plot.lr_find({"lrs": []})


# --------------------------------------------------------------------------- fcnn lr-find


def test_the_command_prints_the_suggestion_and_writes_the_figure(tmp_path):
    out = tmp_path / "lr.png"
    args = ["lr-find", "planar", "--hidden", "4", "--activation", "tanh", "--optimizer", "sgd"]
    result = runner.invoke(app, [*args, "--steps", "300", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.match(rf"suggested learning rate \S+ \({RULE}\); \d+ of 300 steps", lines[0])
    assert lines[1] == f"figure: {out}" and out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "1"], "error: --steps 1: must be an integer >= 2"),
        (["--start-lr", "0.1", "--end-lr", "0.01"], "error: --end-lr 0.01: must be > 0.1"),
        (["--start-lr", "0"], "error: --start-lr 0.0: must be > 0"),
        (["--momentum", "0.9"], "error: --momentum 0.9: the adam optimiser does not take it"),
        (["-o", "lr.jpg"], "error: --output 'lr.jpg': the file name must end in .png"),
    ],
)
def test_the_command_refuses_bad_options_in_one_line(args, message, tmp_path):
    result = runner.invoke(app, ["lr-find", "planar", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1
