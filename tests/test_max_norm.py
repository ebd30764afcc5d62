"""The max-norm constraint (Srivastava et al. 2014): each unit's incoming weights, a ROW of
fcnn's ``(out, in)`` weight, kept at L2 norm <= c after every optimiser step.

Checked against ``torch.renorm(W, p=2, dim=0, maxnorm=c)`` (PyTorch's same projection on
the rows of an ``(out, in)`` weight) and against Keras's ``MaxNorm(c, axis=0)`` on the
transposed ``(in, out)`` kernel, written out by hand (Keras is not installed here); on a
layer, through ``TrainStep`` and ``fit``, in an optimiser's parameter group, in ``mlp``,
in the model files, on the command line and in the playground.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app
from fcnn.constraints import max_norm_
from fcnn.playground.session import Session
from fcnn.train.step import TrainStep

C = 1.5


def row_norms(weight: np.ndarray) -> np.ndarray:
    return np.linalg.norm(weight.astype(np.float64), axis=1)


def big_rows(dtype=np.float32, seed=0, shape=(12, 7)) -> np.ndarray:
    """Rows of norm 0.5 to 6: some inside a ball of radius C, most outside."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    w *= np.linspace(0.5, 6.0, shape[0])[:, None] / np.linalg.norm(w, axis=1, keepdims=True)
    return w.astype(dtype)


def keras_max_norm(kernel: np.ndarray, max_value: float) -> np.ndarray:
    """Keras's ``MaxNorm(max_value, axis=0)`` on an ``(in, out)`` kernel, as Keras writes
    it: ``w · clip(‖w‖, 0, c) / (ε + ‖w‖)`` with the norms over axis 0, ε = 1e-7."""
    norms = np.sqrt(np.sum(np.square(kernel), axis=0, keepdims=True))
    return kernel * (np.clip(norms, 0, max_value) / (1e-7 + norms))


# --------------------------------------------------------------------------- the projection


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_projection_is_torch_renorm_and_keras_max_norm(dtype):
    w = big_rows(dtype)
    expected = torch.renorm(torch.from_numpy(w.copy()), p=2, dim=0, maxnorm=C).numpy()
    keras = keras_max_norm(w.T.astype(np.float64), C).T  # Keras's kernel is (in, out)
    projected = max_norm_(w.copy(), C)
    assert projected.dtype == dtype
    # Both divide by ‖w‖ + 1e-7 where fcnn divides by ‖w‖ (and Keras rescales the rows
    # inside by ‖w‖ / (‖w‖ + 1e-7)): 1e-7 / ‖w‖ apart, ‖w‖ >= 0.5, plus float32's rounding.
    rtol = 5e-7 if dtype == np.float32 else 1e-7 / C
    np.testing.assert_allclose(projected, expected, rtol=rtol, atol=0)
    np.testing.assert_allclose(projected, keras, rtol=5e-7, atol=0)
    assert np.all(row_norms(projected) <= C * (1 + np.finfo(dtype).eps))


def test_rows_already_inside_are_untouched_bit_for_bit():
    w = big_rows()
    inside = row_norms(w) <= C
    assert 0 < inside.sum() < len(w)
    projected = max_norm_(w.copy(), C)
    np.testing.assert_array_equal(projected[inside], w[inside])
    np.testing.assert_allclose(row_norms(projected[~inside]), C, rtol=1e-6)
    # Directions are kept: a projection, not a clip of the entries.
    unit = w[~inside] / row_norms(w[~inside])[:, None]
    np.testing.assert_allclose(projected[~inside] / C, unit, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- the layers


def test_linear_and_maxout_take_max_norm_and_check_it():
    layer = fcnn.Linear(3, 4, max_norm=3, seed=0)
    assert layer.max_norm == 3.0 and isinstance(layer.max_norm, float)
    assert layer.constrained and not fcnn.Linear(3, 4).constrained
    assert repr(layer) == "Linear(in_features=3, out_features=4, bias=True, max_norm=3.0)"
    assert repr(fcnn.Linear(3, 4)) == "Linear(in_features=3, out_features=4, bias=True)"
    assert fcnn.Maxout(3, 2, max_norm=C).constrained
    with pytest.raises(ValueError, match=r"Linear\(max_norm=0\): max_norm must be > 0"):
        fcnn.Linear(3, 4, max_norm=0)
    with pytest.raises(TypeError, match=r"Maxout\(max_norm='3'\): max_norm must be a real"):
        fcnn.Maxout(3, 4, max_norm="3")
    with pytest.raises(ValueError, match=r"Linear\(max_norm=-1\)"):
        layer.max_norm = -1
    assert layer.max_norm == 3.0  # a refused value changes nothing


def test_apply_constraints_projects_every_constrained_layer_below():
    model = fcnn.Sequential(
        fcnn.Linear(7, 12, max_norm=C, seed=0),
        fcnn.ReLU(),
        fcnn.Maxout(12, 6, pieces=2, max_norm=C, seed=1),
        fcnn.Linear(6, 12, seed=2),
    )
    for i, layer in enumerate((model[0], model[2], model[3])):
        layer.weight.data[...] = big_rows(seed=i, shape=layer.weight.data.shape)
    free = model[3].weight.data.copy()
    biases = [p.data.copy() for name, p in model.named_parameters() if name.endswith("bias")]
    assert model.constrained_modules() == [model[0], model[2]]
    model.apply_constraints()
    for layer in (model[0], model[2]):  # Maxout: every piece's row
        assert np.all(row_norms(layer.weight.data) <= C * (1 + 1e-6))
    np.testing.assert_array_equal(model[3].weight.data, free)
    after = [p.data for name, p in model.named_parameters() if name.endswith("bias")]
    for before, now in zip(biases, after, strict=True):
        np.testing.assert_array_equal(now, before)
    fcnn.mlp([2, 4, 1]).apply_constraints()  # nothing constrained: a walk that does nothing


def twin_models(max_norm, seed=0):
    """A constrained mlp and an unconstrained one with the same initial weights."""
    kwargs = {"activation": "tanh", "dtype": np.float64, "seed": seed}
    constrained = fcnn.mlp([3, 8, 8, 2], max_norm=max_norm, **kwargs)
    free = fcnn.mlp([3, 8, 8, 2], **kwargs)
    return constrained, free


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * 2
    return X, np.stack([np.sin(X[:, 0]) * 3, X[:, 1] * X[:, 2]], axis=1)


def test_each_step_is_the_free_step_then_the_projection():
    constrained, free = twin_models(max_norm=0.5)  # the initial rows' norms are about 0.58
    X, Y = data()
    steps = [
        TrainStep(m, fcnn.MSELoss(), fcnn.optim.SGD(m.parameters(), lr=0.3))
        for m in (constrained, free)
    ]
    assert steps[1]._constrained == ()  # nothing to project: the step skips it
    projected = 0
    for i in range(0, 64, 16):
        free.load_state_dict(constrained.state_dict())  # both start from the same weights
        for step in steps:
            step(X[i : i + 16], Y[i : i + 16])
        for (name, p), (_, q) in zip(
            constrained.named_parameters(), free.named_parameters(), strict=True
        ):
            # The gradients are the unconstrained step's, bit for bit: only weights move.
            np.testing.assert_array_equal(p.grad, q.grad, err_msg=name)
            if name in ("0.weight", "2.weight"):  # the hidden layers' weights
                assert np.all(row_norms(p.data) <= 0.5 + 1e-12), name
                np.testing.assert_array_equal(p.data, max_norm_(q.data.copy(), 0.5))
                projected += int(np.sum(row_norms(q.data) > 0.5))
            else:  # the biases and the output layer: as the free step left them
                np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert projected > 0  # rows left the ball, and were brought back


def hand_projection(weight: np.ndarray, c: float) -> None:
    """The paper's projection written out: a row w with ‖w‖ > c becomes c·w/‖w‖."""
    for row in weight:
        norm = np.sqrt(np.sum(row * row))
        if norm > c:
            row *= c / norm


def test_fit_with_max_norm_is_training_then_projecting_by_hand():
    constrained, free = twin_models(max_norm=1.2, seed=3)
    X, Y = data(seed=1)
    common = {"loss": "mse", "epochs": 5, "batch_size": 16, "shuffle": False, "verbose": 0}
    fit_optimizer = fcnn.optim.SGD(constrained.parameters(), lr=0.2, momentum=0.9)
    fcnn.fit(constrained, X, Y, optimizer=fit_optimizer, **common)
    # The same run by hand: forward, loss, backward, the optimiser's step, the projection.
    loss = fcnn.MSELoss()
    optimizer = fcnn.optim.SGD(free.parameters(), lr=0.2, momentum=0.9)
    hidden = [free[0].weight.data, free[2].weight.data]
    for _ in range(5):
        for i in range(0, 64, 16):
            loss.forward(free.forward(X[i : i + 16]), Y[i : i + 16])
            optimizer.zero_grad()
            free.backward(loss.backward())
            optimizer.step()
            for weight in hidden:
                hand_projection(weight, 1.2)
    for (name, p), (_, q) in zip(
        constrained.named_parameters(), free.named_parameters(), strict=True
    ):
        # Equal but for the order in which a row's squares are summed (einsum / np.sum).
        np.testing.assert_allclose(p.data, q.data, rtol=1e-12, atol=1e-14, err_msg=name)
    assert np.any(np.isclose(row_norms(free[0].weight.data), 1.2))  # the constraint acted


def test_a_step_built_before_a_constraint_was_added_does_not_see_it():
    # Documented: the step finds its constrained layers once; a new step sees a new one.
    model = fcnn.mlp([3, 8, 2], activation="tanh", dtype=np.float64, seed=0)
    X, Y = data()
    step = TrainStep(model, fcnn.MSELoss(), fcnn.optim.SGD(model.parameters(), lr=2.0))
    model[0].max_norm = 0.1
    step(X, Y)
    assert np.any(row_norms(model[0].weight.data) > 0.1)
    step = TrainStep(model, fcnn.MSELoss(), step.optimizer)
    step(X, Y)
    assert np.all(row_norms(model[0].weight.data) <= 0.1 + 1e-12)
    model[0].max_norm = 0.05  # a new radius of a constrained layer: the next step uses it
    step(X, Y)
    assert np.all(row_norms(model[0].weight.data) <= 0.05 + 1e-12)
    model[0].max_norm = None  # and no radius: nothing to project
    step(X, Y)
    assert np.any(row_norms(model[0].weight.data) > 0.05)


# --------------------------------------------------------------------------- mlp and files


def test_mlp_constrains_the_hidden_layers_not_the_output():
    model = fcnn.mlp([4, 8, 8, 3], max_norm=3, dropout=0.5, seed=0)
    linears = [m for m in model if isinstance(m, fcnn.Linear)]
    assert [layer.max_norm for layer in linears] == [3.0, 3.0, None]
    maxout = fcnn.mlp([4, 8, 3], activation="maxout", max_norm=2.0, seed=0)
    assert maxout[0].max_norm == 2.0 and maxout[-1].max_norm is None
    assert all(layer.max_norm is None for layer in fcnn.mlp([4, 8, 3]) if hasattr(layer, "bias"))
    with pytest.raises(ValueError, match=r"mlp\(max_norm=0\): max_norm must be > 0"):
        fcnn.mlp([4, 8, 3], max_norm=0)
    with pytest.raises(TypeError, match=r"mlp\(max_norm=True\)"):
        fcnn.mlp([4, 8, 3], max_norm=True)


def test_max_norm_round_trips_through_the_spec_and_the_model_file(tmp_path):
    model = fcnn.mlp([50, 40, 30, 2], max_norm=3, seed=0)  # an int radius, saved as 3.0
    maxout = fcnn.mlp([5, 4, 2], activation="maxout", max_norm=0.5, seed=0)
    for i, original in enumerate((model, maxout)):
        spec = original.spec()
        assert spec["layers"][0]["max_norm"] in (3.0, 0.5)
        assert "max_norm" not in spec["layers"][-1]  # the output layer: no key at all
        assert fcnn.from_spec(json.loads(json.dumps(spec))).spec() == spec
        path = tmp_path / f"m{i}.safetensors"
        fcnn.save(original, path)
        loaded = fcnn.load(path)
        assert loaded.spec() == spec
        assert [m.max_norm for m in loaded.constrained_modules()] == [
            m.max_norm for m in original.constrained_modules()
        ]
        for p, q in zip(loaded.parameters(), original.parameters(), strict=True):
            np.testing.assert_array_equal(p.data, q.data)


def test_a_spec_without_max_norm_is_an_unconstrained_layer():
    # Every file written before max_norm existed: its specs have no such key.
    old = {"type": "Linear", "in_features": 3, "out_features": 2, "bias": True}
    layer = fcnn.from_spec(old)
    assert layer.max_norm is None and not layer.constrained and layer.spec() == old


# --------------------------------------------------------------------------- optimisers


def test_a_parameter_group_option_projects_that_groups_2d_parameters():
    layered, constrained = twin_models(max_norm=0.8, seed=5)  # constrained by the optimiser
    X, Y = data(seed=2)
    hidden = [*constrained[0].parameters(), *constrained[2].parameters()]
    rest = list(constrained[4].parameters())
    grouped = fcnn.optim.SGD([{"params": hidden, "max_norm": 0.8}, {"params": rest}], lr=0.5)
    assert grouped.param_groups[0]["max_norm"] == 0.8
    assert "max_norm" not in grouped.param_groups[1]
    steps = [
        TrainStep(constrained, fcnn.MSELoss(), grouped),
        TrainStep(layered, fcnn.MSELoss(), fcnn.optim.SGD(layered.parameters(), lr=0.5)),
    ]
    for i in range(0, 64, 16):
        for step in steps:
            step(X[i : i + 16], Y[i : i + 16])
    # The group's option and the layers' max_norm are the same projection, bit for bit.
    for p, q in zip(constrained.parameters(), layered.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert np.all(row_norms(constrained[0].weight.data) <= 0.8 + 1e-12)
    # It is kept in the optimiser's state dict, so a resumed run keeps it too.
    state = grouped.state_dict()
    assert state["param_groups"][0]["max_norm"] == 0.8
    again = fcnn.optim.SGD([{"params": hidden}, {"params": rest}], lr=0.5)
    again.load_state_dict(state)
    assert again.param_groups[0]["max_norm"] == 0.8


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, r"SGD\(max_norm=0\): max_norm must be > 0 \(in parameter group 0\)"),
        ("3", TypeError, r"SGD\(max_norm='3'\): max_norm must be a real number"),
    ],
)
def test_a_bad_group_max_norm_is_refused(value, error, message):
    with pytest.raises(error, match=message):
        fcnn.optim.SGD([{"params": fcnn.Linear(2, 2).parameters(), "max_norm": value}])


def test_adam_with_a_group_max_norm_keeps_its_weights_inside():
    model = fcnn.mlp([3, 16, 2], dtype=np.float64, seed=0)
    optimizer = fcnn.optim.Adam([{"params": model.parameters(), "max_norm": 0.5}], lr=0.1)
    X, Y = data()
    step = TrainStep(model, fcnn.MSELoss(), optimizer)
    for _ in range(5):
        step(X, Y)
    for layer in (model[0], model[2]):  # every 2-D parameter of the group: both weights
        assert np.all(row_norms(layer.weight.data) <= 0.5 + 1e-12)


# --------------------------------------------------------------------------- the CLI


def cli(*args, ok=True):
    result = CliRunner().invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_train_max_norm_is_kept_in_run_json_and_the_model(tmp_path):
    run_dir = tmp_path / "run"
    quick = ("--n", 80, "--verbose", 0, "--epochs", 2, "--hidden", "8,8")
    cli("train", "moons", *quick, "--max-norm", 0.5, "--lr", 0.5, "--run-dir", run_dir)
    config = json.loads((run_dir / "run.json").read_text())
    assert config["network"]["max_norm"] == 0.5
    model = fcnn.load(run_dir / "model.safetensors")
    linears = [m for m in model if isinstance(m, fcnn.Linear)]
    assert [layer.max_norm for layer in linears] == [0.5, 0.5, None]
    for layer in linears[:2]:
        assert np.all(row_norms(layer.weight.data) <= 0.5 * (1 + 1e-6))
    cli("train", "--resume", run_dir, "--epochs", 3, "--verbose", 0)
    cli("evaluate", run_dir)


def test_a_run_from_before_max_norm_still_resumes(tmp_path):
    run_dir = tmp_path / "run"
    cli("train", "moons", "--n", 60, "--verbose", 0, "--epochs", 1, "--run-dir", run_dir)
    config = json.loads((run_dir / "run.json").read_text())
    assert config["network"]["max_norm"] is None
    del config["network"]["max_norm"]  # run.json as fcnn wrote it before --max-norm
    (run_dir / "run.json").write_text(json.dumps(config))
    cli("train", "--resume", run_dir, "--epochs", 2, "--verbose", 0)
    assert json.loads((run_dir / "history.json").read_text())["epoch"] == [1, 2]


@pytest.mark.parametrize(
    ("value", "message"), [(0, "--max-norm 0.0: must be > 0"), (-2, "--max-norm -2.0: must be > 0")]
)
def test_a_bad_max_norm_is_refused_before_a_run_directory_is_made(tmp_path, value, message):
    run_dir = tmp_path / "run"
    result = cli("train", "moons", "--n", 60, "--max-norm", value, "--run-dir", run_dir, ok=False)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {message}"
    assert not run_dir.exists()


# --------------------------------------------------------------------------- the playground


def hidden_and_output(session: Session):
    layers = [session.modules[i] for i in session.dense]
    return layers[:-1], layers[-1]


def test_the_playground_max_norm_constrains_the_hidden_layers_live():
    session = Session({"hidden": [6, 6], "lr": 3.0, "seed": 1})
    hidden, output = hidden_and_output(session)
    assert all(layer.max_norm is None for layer in (*hidden, output))
    assert session.apply_config({"max_norm": 0.3}) == "live"  # weights and state kept
    assert [layer.max_norm for layer in hidden] == [0.3, 0.3] and output.max_norm is None
    session.train()
    for layer in hidden:
        assert np.all(row_norms(layer.weight.data) <= 0.3 + 1e-12)
    assert session.apply_config({"max_norm": 0}) == "live"  # 0 turns it off
    assert all(layer.max_norm is None for layer in hidden)
    session.train()
    assert any(np.any(row_norms(layer.weight.data) > 0.3) for layer in hidden)
    # A new network (here: another activation) is built with the radius in force.
    session.apply_config({"max_norm": 2.0, "activation": "maxout"})
    hidden, output = hidden_and_output(session)
    assert [layer.max_norm for layer in hidden] == [2.0, 2.0] and output.max_norm is None
