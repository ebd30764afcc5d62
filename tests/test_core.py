"""Behaviour of Parameter, Module, Sequential and the layers: registration, state, dtype,
modes, repr, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import fcnn
from fcnn.core import Module, Parameter, ShapeError


class TwoLayer(Module):
    """A user-written module, PyTorch style, to check attribute registration."""

    def __init__(self):
        super().__init__()
        self.fc1 = fcnn.Linear(3, 4, seed=0)
        self.fc2 = fcnn.Linear(4, 2, seed=1)
        self.scale = Parameter(np.ones(2))

    def forward(self, x):
        return self.fc2(self.fc1(x)) * self.scale.data


def test_parameter_keeps_float_dtype_and_defaults_to_float32():
    assert Parameter(np.ones(2)).dtype == np.float64
    assert Parameter([1, 2]).dtype == np.float32
    assert Parameter(np.ones(2), dtype="float32").dtype == np.float32
    p = Parameter(np.ones((2, 3)))
    assert p.grad.shape == (2, 3) and not p.grad.any()
    with pytest.raises(TypeError, match="float32 or float64"):
        Parameter(np.ones(2), dtype=np.float16)


def test_attributes_register_in_assignment_order():
    m = TwoLayer()
    assert [n for n, _ in m.named_parameters()] == [
        "scale",
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert [n for n, _ in m.named_children()] == ["fc1", "fc2"]
    assert m.num_parameters() == 2 + 12 + 4 + 8 + 2
    m.fc2 = None  # unassigning a submodule unregisters it
    assert [n for n, _ in m.named_children()] == ["fc1"]


def test_forgetting_super_init_is_explained():
    class Broken(Module):
        def __init__(self):
            self.fc = fcnn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_parameter_slot_only_takes_parameters():
    lin = fcnn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"Linear\.weight is a Parameter"):
        lin.weight = np.zeros((2, 2))


def test_backward_accumulates_and_zero_grad_clears():
    lin = fcnn.Linear(3, 2, dtype=np.float64, seed=0)
    x = np.random.default_rng(0).standard_normal((4, 3))
    g = np.ones((4, 2))
    lin(x)
    lin.backward(g)
    once = lin.weight.grad.copy()
    lin.backward(g)
    np.testing.assert_allclose(lin.weight.grad, 2 * once)
    lin.zero_grad()
    assert not lin.weight.grad.any() and not lin.bias.grad.any()


def test_zero_grad_is_lazy_but_never_visible():
    """zero_grad only marks the gradient; whoever reads it sees zeros, and the next
    backward writes into the same array (no new allocation)."""
    lin = fcnn.Linear(3, 2, dtype=np.float64, seed=0)
    x = np.random.default_rng(0).standard_normal((4, 3))
    lin(x)
    lin.backward(np.ones((4, 2)))
    array = lin.weight.grad
    lin.zero_grad()
    assert lin.weight.grad is array and not array.any()  # reading fills the zeros
    lin.zero_grad()
    lin.backward(np.ones((4, 2)))
    assert lin.weight.grad is array
    np.testing.assert_allclose(array, np.ones((4, 2)).T @ x)
    lin.weight.grad = np.full((2, 3), 5.0)  # assigning a gradient replaces it, not lazily
    lin.backward(np.ones((4, 2)))
    np.testing.assert_allclose(lin.weight.grad, 5.0 + np.ones((4, 2)).T @ x)


def test_sequential_backward_to_parameters_skips_only_the_input_gradient():
    model = fcnn.mlp([3, 5, 2], activation="tanh", seed=1, dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((6, 3))
    g = np.random.default_rng(2).standard_normal((6, 2))
    model(x)
    calls = []
    first = model[0]
    original = first.backward
    first.backward = lambda grad: calls.append("backward") or original(grad)
    model.zero_grad()
    model.backward_to_parameters(g)
    assert calls == []  # the first Linear never computed dL/dx
    assert fcnn.Sequential().backward_to_parameters(g) is None  # empty: nothing to do


def _layer_by_layer(model, x, g):
    """Forward and backward through ``model``'s layers one call at a time (no in-place)."""
    for layer in model:
        x = layer.forward(x)
    out = x.copy()
    for layer in reversed(list(model)):
        g = layer.backward(g)
    return out, g, [p.grad.copy() for p in model.parameters()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sequential_runs_relu_in_place_bit_identically(dtype, monkeypatch):
    from fcnn.activations import ReLU

    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 4)).astype(dtype)
    g = rng.standard_normal((7, 3)).astype(dtype)
    x_before, g_before = x.copy(), g.copy()
    model = fcnn.mlp([4, 6, 5, 3], activation="relu", seed=2, dtype=dtype)
    expected_out, expected_dx, expected_grads = _layer_by_layer(model, x, g)

    calls = []
    for name in ("_forward_owned", "_backward_owned"):
        original = getattr(ReLU, name)
        spy = lambda self, a, original=original, name=name: calls.append(name) or original(self, a)  # noqa: E731
        monkeypatch.setattr(ReLU, name, spy)
    model.zero_grad()
    out = model(x)
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_array_equal(model.backward(g), expected_dx)
    for p, expected in zip(model.parameters(), expected_grads, strict=True):
        np.testing.assert_array_equal(p.grad, expected)
    # Both ReLUs follow a Linear, so both worked in place, and the caller's arrays are intact.
    assert calls.count("_forward_owned") == 2 and calls.count("_backward_owned") == 2
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(g, g_before)


def test_sequential_keeps_arrays_intact_for_hooked_layers():
    # diagnose's probe watches layers with hooks and reads their input after the pass:
    # a hooked layer gets its own copy of the computation, not the in-place one.
    model = fcnn.mlp([3, 5, 2], activation="relu", seed=0, dtype=np.float64)
    relu = model[1]
    seen = []
    relu.register_forward_hook(lambda module, args, output: seen.append((args[0].copy(), args[0])))
    model(np.random.default_rng(0).standard_normal((8, 3)))
    ((before, after),) = seen
    assert (before < 0).any()  # there was something for an in-place ReLU to overwrite
    np.testing.assert_array_equal(after, before)
    # A ReLU whose input came from the caller (first layer) never overwrites it.
    x = -np.ones((2, 3))
    fcnn.Sequential(fcnn.ReLU(), fcnn.Linear(3, 1))(x)
    np.testing.assert_array_equal(x, -np.ones((2, 3)))


def test_state_dict_names_match_pytorch():
    model = fcnn.mlp([3, 4, 2], activation="relu", batchnorm=True, seed=0)
    twin = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2)
    )
    assert list(model.state_dict()) == list(twin.state_dict())


def test_state_dict_is_a_copy():
    lin = fcnn.Linear(2, 2)
    state = lin.state_dict()
    state["weight"][...] = 7
    assert not (lin.weight.data == 7).any()


def test_load_state_dict_strict_checks_keys_and_shapes():
    a = fcnn.Linear(3, 2, seed=0)
    b = fcnn.Linear(3, 2, seed=1)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a.weight.data, b.weight.data)

    with pytest.raises(KeyError, match=r"missing keys \['bias'\]"):
        b.load_state_dict({"weight": a.weight.data})
    with pytest.raises(KeyError, match=r"unexpected keys \['extra'\]"):
        b.load_state_dict({**a.state_dict(), "extra": np.zeros(1)})
    result = b.load_state_dict({"weight": a.weight.data, "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]

    before = b.state_dict()
    bad = {"weight": np.zeros((3, 2)), "bias": np.zeros(2)}  # weight transposed
    with pytest.raises(ValueError, match=r"weight has shape \(3, 2\) .* but \(2, 3\)"):
        b.load_state_dict(bad)
    for key, value in b.state_dict().items():  # nothing was half-loaded
        np.testing.assert_array_equal(value, before[key])
    with pytest.raises(TypeError, match="mapping"):
        b.load_state_dict([1, 2])


def test_train_eval_recurse_and_return_self():
    model = fcnn.mlp([2, 3, 1], dropout=0.5, batchnorm=True)
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(TypeError):
        model.train("yes")


def test_to_converts_parameters_grads_and_float_buffers_in_place():
    model = fcnn.mlp([2, 3, 1], batchnorm=True, seed=0)
    assert model.dtype == np.float32
    assert model.to(np.float64) is model
    bn = model[1]
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    assert all(p.data.dtype == p.grad.dtype == np.float64 for p in model.parameters())
    assert all(m.dtype == np.float64 for m in model.modules())
    assert model(np.ones((4, 2), dtype=np.float32)).dtype == np.float64
    with pytest.raises(TypeError, match=r"to\(dtype='int32'\): dtype must be float32 or float64"):
        model.to("int32")


def test_parameter_free_modules_follow_a_float_inputs_dtype():
    model = fcnn.Sequential(
        fcnn.Linear(3, 4, dtype=np.float64, seed=0), fcnn.Tanh(), fcnn.Dropout(0.5)
    )
    assert model[1].dtype == np.float32  # its default; it still computes in float64 below
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    y = model(x)
    assert y.dtype == np.float64
    expected = np.tanh(x.astype(np.float64) @ model[0].weight.data.T + model[0].bias.data)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 2 * expected[kept], rtol=1e-15)
    assert model.backward(np.ones_like(y)).dtype == np.float64
    assert fcnn.ReLU()(np.array([[1, -2]])).dtype == np.float32  # integers: the module's dtype
    assert fcnn.Flatten()(np.zeros((2, 2, 2), dtype=np.uint8)).dtype == np.float32


def test_every_module_takes_dtype():
    for name in fcnn.MODULES:
        if name == "Sequential":
            continue
        spec = {"type": name, **_small_args(name)}
        m = fcnn.from_spec(spec, dtype=np.float64)
        assert m.dtype == np.float64, name
        assert all(p.data.dtype == np.float64 for p in m.parameters()), name


def _small_args(name):
    return {
        "Linear": {"in_features": 2, "out_features": 3},
        "Maxout": {"in_features": 2, "out_features": 3},
        "BatchNorm1d": {"num_features": 2},
        "PReLU": {"num_parameters": 2},
    }.get(name, {})


def test_sequential_indexing_iteration_and_repr():
    model = fcnn.Sequential(
        fcnn.Linear(2, 4), fcnn.Sequential(fcnn.Linear(4, 4)), fcnn.Linear(4, 1)
    )
    assert len(model) == 3 and isinstance(model[-1], fcnn.Linear)
    assert [type(m).__name__ for m in model] == ["Linear", "Sequential", "Linear"]
    head = model[:2]
    assert isinstance(head, fcnn.Sequential) and head[0] is model[0]
    with pytest.raises(IndexError, match="index 3 out of range for 3 layers"):
        model[3]
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=4, bias=True)\n"
        "  )\n"
        "  (2): Linear(in_features=4, out_features=1, bias=True)\n"
        ")"
    )
    assert [n for n, _ in model.named_parameters()][:4] == [
        "0.weight",
        "0.bias",
        "1.0.weight",
        "1.0.bias",
    ]
    model.append(fcnn.Flatten())
    assert len(model) == 4
    with pytest.raises(TypeError, match="layer 1 is a int"):
        fcnn.Sequential(fcnn.Linear(1, 1), 3)


def test_shape_errors_name_layer_index_type_and_shapes():
    model = fcnn.Sequential(fcnn.Linear(2, 4), fcnn.Linear(5, 1))
    with pytest.raises(ShapeError) as err:
        model(np.ones((3, 2)))
    assert str(err.value) == (
        "Sequential layer 1 (Linear): Linear expects input of shape (N, 5), got shape (3, 4)"
    )
    with pytest.raises(ShapeError, match=r"single sample needs x.reshape\(1, -1\)"):
        model(np.ones(2))
    with pytest.raises(ShapeError, match="empty batch"):
        model(np.ones((0, 2)))
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: fcnn.Linear(0, 3),
            r"Linear\(in_features=0\): in_features must be a positive integer",
        ),
        (lambda: fcnn.Linear(2, 2.5), r"Linear\(out_features=2.5\)"),
        (lambda: fcnn.Linear(2, 2, bias="no"), r"Linear\(bias='no'\)"),
        (lambda: fcnn.Dropout(1.5), r"Dropout\(p=1.5\): p must be in \[0, 1\)"),
        (lambda: fcnn.Dropout(-0.1), r"Dropout\(p=-0.1\)"),
        (lambda: fcnn.BatchNorm1d(0), r"BatchNorm1d\(num_features=0\)"),
        (lambda: fcnn.BatchNorm1d(3, eps=0), r"BatchNorm1d\(eps=0(\.0)?\): eps must be > 0"),
        (
            lambda: fcnn.BatchNorm1d(3, momentum=2),
            r"BatchNorm1d\(momentum=2(\.0)?\): momentum must be in \[0, 1\]",
        ),
        (lambda: fcnn.BatchNorm1d(3, affine=1), r"affine must be True or False"),
        (lambda: fcnn.Maxout(2, 3, pieces=0), r"Maxout\(pieces=0\)"),
        (lambda: fcnn.Linear(2, 2, dtype="float16"), r"dtype must be float32 or float64"),
        (
            lambda: fcnn.Linear(2, 2, seed=-1),
            r"Linear\(seed=-1\): seed must be a non-negative integer",
        ),
        (
            lambda: fcnn.Linear(2, 2, rng=1),
            r"Linear\(rng=1\): rng must be a numpy.random.Generator",
        ),
        (lambda: fcnn.Linear(2, 2, rng=np.random.default_rng(), seed=1), r"either rng= or seed="),
    ],
)
def test_invalid_arguments_are_named(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_batchnorm_refuses_single_sample_in_training_only():
    bn = fcnn.BatchNorm1d(3)
    with pytest.raises(ShapeError, match="more than 1 sample"):
        bn(np.ones((1, 3)))
    bn.eval()
    assert bn(np.ones((1, 3))).shape == (1, 3)


def test_batchnorm_running_stats_converge_to_data_statistics():
    rng = np.random.default_rng(0)
    bn = fcnn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    data = rng.normal([3.0, -1.0], [2.0, 0.5], size=(50, 100, 2))
    for batch in data:
        bn(batch)
    np.testing.assert_allclose(bn.running_mean, data.reshape(-1, 2).mean(0), atol=1e-12)
    assert int(bn.num_batches_tracked) == 50


def test_dropout_statistics_and_eval_identity():
    drop = fcnn.Dropout(0.3, seed=0)
    x = np.ones((1000, 100), dtype=np.float32)
    y = drop(x)
    assert set(np.unique(y)) == {np.float32(0), np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation
    drop.eval()
    assert drop(x) is not None and np.array_equal(drop(x), x)
    # PyTorch's dropout takes the same two values.
    yt = torch.nn.functional.dropout(torch.ones(1000, 100), 0.3, training=True)
    assert set(np.unique(yt.numpy())) == set(np.unique(y))


def test_dropout_masks_are_reproducible_from_a_seed():
    a = fcnn.Dropout(0.5, seed=3)(np.ones((4, 4)))
    b = fcnn.Dropout(0.5, seed=3)(np.ones((4, 4)))
    np.testing.assert_array_equal(a, b)


def test_library_seed_makes_construction_reproducible():
    fcnn.seed(11)
    a = fcnn.Linear(3, 3).weight.data.copy()
    fcnn.seed(11)
    b = fcnn.Linear(3, 3).weight.data.copy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="non-negative integer"):
        fcnn.seed(-2)


def test_linear_default_init_matches_pytorch_distribution():
    fan_in = 400
    w = fcnn.Linear(fan_in, 300, seed=0).weight.data
    wt = torch.nn.Linear(fan_in, 300).weight.detach().numpy()
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(w).max() <= bound and np.abs(wt).max() <= bound
    assert abs(w.std() - wt.std()) < 0.02 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.02 * bound


def test_from_spec_refuses_unknown_and_malformed_specs():
    with pytest.raises(ValueError, match=r"unknown layer type 'Conv2d'; known types: .*Linear"):
        fcnn.from_spec({"type": "Conv2d"})
    with pytest.raises(ValueError, match="expected a dict with a string 'type'"):
        fcnn.from_spec(["Linear"])
    with pytest.raises(ValueError, match="bad arguments for Linear"):
        fcnn.from_spec({"type": "Linear", "in_features": 2, "out_features": 2, "evil": 1})
    with pytest.raises(ValueError, match=r"spec.layers\[1\]: unknown layer type 'os.system'"):
        fcnn.from_spec({"type": "Sequential", "layers": [{"type": "ReLU"}, {"type": "os.system"}]})


def test_unregistered_module_has_no_spec():
    with pytest.raises(TypeError, match="TwoLayer is not a registered fcnn module"):
        TwoLayer().spec()


def test_predict_batches_in_eval_mode_and_restores_mode():
    model = fcnn.mlp([2, 8, 3], dropout=0.5, batchnorm=True, seed=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((50, 2))
    full = model.eval()(x)
    model.train()
    np.testing.assert_allclose(model.predict(x, batch_size=7), full, rtol=1e-12)
    assert model.training
