"""Behaviour of fcnn/activations beyond the registry's gradient and parity checks:
stability at ±1e4, tail precision, derivatives at exactly 0, dtypes, argument checks,
the name registry, repr, and the forward/backward contract."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

import fcnn
from fcnn import activations as A
from fcnn.core import ShapeError
from support import to_torch

DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["float32", "float64"]
RTOL = {np.float32: 1e-6, np.float64: 1e-14}

# One instance of every class, plus the options that change the arithmetic.
FACTORIES = {
    "Identity": lambda d: A.Identity(dtype=d),
    "Sigmoid": lambda d: A.Sigmoid(dtype=d),
    "Tanh": lambda d: A.Tanh(dtype=d),
    "ReLU": lambda d: A.ReLU(dtype=d),
    "LeakyReLU": lambda d: A.LeakyReLU(dtype=d),
    "LeakyReLU-steep": lambda d: A.LeakyReLU(3.0, dtype=d),
    "PReLU": lambda d: A.PReLU(dtype=d),
    "PReLU-per-feature": lambda d: A.PReLU(2, init=-0.5, dtype=d),
    "ELU": lambda d: A.ELU(dtype=d),
    "ELU-alpha": lambda d: A.ELU(alpha=2.5, dtype=d),
    "SELU": lambda d: A.SELU(dtype=d),
    "GELU": lambda d: A.GELU(dtype=d),
    "GELU-tanh": lambda d: A.GELU("tanh", dtype=d),
    "SiLU": lambda d: A.SiLU(dtype=d),
    "Softplus": lambda d: A.Softplus(dtype=d),
    "Softplus-beta": lambda d: A.Softplus(beta=3.0, dtype=d),
    "Softplus-no-threshold": lambda d: A.Softplus(threshold=1e300, dtype=d),
    "Softmax": lambda d: A.Softmax(dtype=d),
    "Softmax-dim0": lambda d: A.Softmax(dim=0, dtype=d),
    "LogSoftmax": lambda d: A.LogSoftmax(dtype=d),
    "LogSoftmax-dim0": lambda d: A.LogSoftmax(dim=0, dtype=d),
}


def _run(module, x, grad=None):
    """Forward and backward with any overflow, division by zero or invalid operation raising."""
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = module(x)
        g = np.ones_like(y) if grad is None else np.asarray(grad, dtype=y.dtype)
        return y, module.backward(g)


def test_factories_cover_every_activation_class():
    built = {type(make(np.float64)).__name__ for make in FACTORIES.values()}
    assert built == {cls.__name__ for cls in A.ACTIVATIONS.values()}


# --------------------------------------------------------------------------- stability


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", FACTORIES)
def test_extreme_inputs_give_finite_values_and_gradients(name, dtype):
    x = np.array(
        [[1e4, -1e4], [-1e4, 1e4], [88.8, -88.8], [710.0, -710.0], [0.0, -0.0], [30.0, -30.0]],
        dtype=dtype,
    )
    y, grad = _run(FACTORIES[name](dtype), x)
    assert y.dtype == dtype and grad.dtype == dtype
    assert np.all(np.isfinite(y)), y
    assert np.all(np.isfinite(grad)), grad


S = A.SELU_SCALE
SA = A.SELU_SCALE * A.SELU_ALPHA
# (factory, f(1e4), f(-1e4), f'(1e4), f'(-1e4))
ELEMENTWISE_LIMITS = {
    "Sigmoid": (1.0, 0.0, 0.0, 0.0),
    "Tanh": (1.0, -1.0, 0.0, 0.0),
    "ReLU": (1e4, 0.0, 1.0, 0.0),
    "LeakyReLU": (1e4, -100.0, 1.0, 0.01),
    "LeakyReLU-steep": (1e4, -3e4, 1.0, 3.0),
    "PReLU": (1e4, -2500.0, 1.0, 0.25),
    "ELU": (1e4, -1.0, 1.0, 0.0),
    "ELU-alpha": (1e4, -2.5, 1.0, 0.0),
    "SELU": (S * 1e4, -SA, S, 0.0),
    "GELU": (1e4, 0.0, 1.0, 0.0),
    "GELU-tanh": (1e4, 0.0, 1.0, 0.0),
    "SiLU": (1e4, 0.0, 1.0, 0.0),
    "Softplus": (1e4, 0.0, 1.0, 0.0),
    "Softplus-beta": (1e4, 0.0, 1.0, 0.0),
    "Softplus-no-threshold": (1e4, 0.0, 1.0, 0.0),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", ELEMENTWISE_LIMITS)
def test_values_and_slopes_at_plus_minus_1e4(name, dtype):
    high, low, slope_high, slope_low = ELEMENTWISE_LIMITS[name]
    x = np.array([[1e4, -1e4]], dtype=dtype)
    y, grad = _run(FACTORIES[name](dtype), x)
    np.testing.assert_allclose(y, [[high, low]], rtol=RTOL[dtype], atol=0)
    np.testing.assert_allclose(grad, [[slope_high, slope_low]], rtol=RTOL[dtype], atol=0)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_softmax_and_log_softmax_at_plus_minus_1e4(dtype):
    x = np.array([[1e4, 0.0], [-1e4, 1e4]], dtype=dtype)
    y, grad = _run(A.Softmax(dtype=dtype), x, grad=[[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(y, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(grad, np.zeros((2, 2)))

    y, grad = _run(A.LogSoftmax(dtype=dtype), x, grad=[[1.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(y, [[0.0, -1e4], [-2e4, 0.0]])
    # dx = dy - softmax · Σ dy: the first row's softmax is [1, 0], the second's [0, 1].
    np.testing.assert_array_equal(grad, [[-1.0, 1.0], [1.0, -1.0]])

    y, _ = _run(A.LogSoftmax(dim=0, dtype=dtype), x.T)
    np.testing.assert_array_equal(y, [[0.0, -2e4], [-1e4, 0.0]])


# --------------------------------------------------------------------------- precision


def _phi(v: float) -> float:
    return 0.5 * math.erfc(-v / math.sqrt(2.0))


def test_gelu_exact_matches_erfc_to_float64_precision_into_the_lower_tail():
    x = np.linspace(-8.4, 10.0, 2001).reshape(1, -1)
    want = np.array([[v * _phi(v) for v in x[0]]])
    got = A.GELU(dtype=np.float64)(x)
    # Relative, element by element: Φ(-8.4) ≈ 2e-17 keeps its digits (1 + erf would not).
    np.testing.assert_allclose(got, want, rtol=5e-14, atol=0)
    m = A.GELU(dtype=np.float64)
    m(x)
    slope = np.array([[_phi(v) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in x[0]]])
    np.testing.assert_allclose(m.backward(np.ones_like(x)), slope, rtol=1e-13, atol=1e-15)


def test_gelu_exact_float32_is_accurate():
    x = np.linspace(-6.0, 6.0, 1201).reshape(1, -1)
    want = np.array([[v * _phi(v) for v in x[0]]])
    got = A.GELU(dtype=np.float32)(x.astype(np.float32))
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-9)


@pytest.mark.parametrize(
    "make, reference",
    [
        (lambda: A.Sigmoid(dtype=np.float64), lambda v: 1.0 / (1.0 + math.exp(-v))),
        (lambda: A.SiLU(dtype=np.float64), lambda v: v / (1.0 + math.exp(-v))),
        (lambda: A.Softplus(threshold=1e300, dtype=np.float64), lambda v: math.log1p(math.exp(v))),
        (lambda: A.Softplus(beta=0.5, dtype=np.float64), lambda v: math.log1p(math.exp(v / 2)) * 2),
    ],
    ids=["Sigmoid", "SiLU", "Softplus", "Softplus-beta"],
)
def test_lower_tails_keep_relative_precision(make, reference):
    # Values down to ~1e-300, each to ~1e-14 relative: no 1 - (1 - tiny) cancellation.
    x = np.concatenate([np.linspace(-690, -20, 68), np.linspace(-20, 30, 101)]).reshape(1, -1)
    want = np.array([[reference(v) for v in x[0]]])
    np.testing.assert_allclose(make()(x), want, rtol=1e-13, atol=0)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize(
    "name, twin",
    [
        ("ReLU", lambda: torch.nn.ReLU()),
        ("LeakyReLU", lambda: torch.nn.LeakyReLU()),
        ("LeakyReLU-steep", lambda: torch.nn.LeakyReLU(3.0)),
        ("PReLU", lambda: torch.nn.PReLU()),
        ("PReLU-per-feature", lambda: torch.nn.PReLU(2, init=-0.5)),
        ("ELU", lambda: torch.nn.ELU()),
        ("ELU-alpha", lambda: torch.nn.ELU(alpha=2.5)),
        ("SELU", lambda: torch.nn.SELU()),
        ("GELU", lambda: torch.nn.GELU()),
        ("GELU-tanh", lambda: torch.nn.GELU(approximate="tanh")),
        ("SiLU", lambda: torch.nn.SiLU()),
        ("Softplus", lambda: torch.nn.Softplus()),
    ],
)
def test_derivative_at_exactly_zero_matches_pytorch(name, twin, dtype):
    x = np.array([[0.0, -0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=dtype)
    upstream = np.array([[1.0, 2.0], [-3.0, 0.5], [0.25, -1.5]], dtype=dtype)
    module = FACTORIES[name](dtype)
    y, grad = _run(module, x, upstream)
    torch_module = twin().to(torch.float32 if dtype == np.float32 else torch.float64)
    xt = to_torch(x).requires_grad_(True)
    yt = torch_module(xt)
    yt.backward(to_torch(upstream))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=RTOL[dtype], atol=0)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=RTOL[dtype], atol=1e-7)
    if name.startswith("PReLU"):
        weight_grad = torch_module.weight.grad.numpy()
        np.testing.assert_allclose(module.weight.grad, weight_grad, rtol=RTOL[dtype])


def test_softplus_is_exactly_the_identity_past_the_threshold():
    module = A.Softplus(beta=2.0, threshold=3.0, dtype=np.float64)
    x = np.array([[1.4, 1.5, 1.5000001, 2.0, 7.0]])
    y, grad = _run(module, x)
    linear = 2.0 * x > 3.0
    np.testing.assert_array_equal(y[linear], x[linear])
    np.testing.assert_array_equal(grad[linear], 1.0)
    sigma = 1.0 / (1.0 + np.exp(-2.0 * x[~linear]))
    np.testing.assert_allclose(grad[~linear], sigma, rtol=1e-15)
    np.testing.assert_allclose(y[~linear], np.log1p(np.exp(2.0 * x[~linear])) / 2.0, rtol=1e-15)


@pytest.mark.parametrize("dim, axis", [(1, 1), (-1, 1), (0, 0)])
def test_softmax_normalises_along_dim(dim, axis):
    x = np.random.default_rng(0).standard_normal((4, 3)) * 10
    y = A.Softmax(dim=dim, dtype=np.float64)(x)
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-15)
    log_y = A.LogSoftmax(dim=dim, dtype=np.float64)(x)
    np.testing.assert_allclose(np.exp(log_y), y, rtol=1e-14)


# --------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("name", FACTORIES)
def test_float32_stays_float32(name):
    x = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32) * 3
    module = FACTORIES[name](np.float32)
    y, grad = _run(module, x)
    assert y.dtype == np.float32 and grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in module.parameters())
    # A float64 input: PReLU (which has a parameter) casts it to its own dtype; the
    # parameter-free activations follow the input's dtype, as PyTorch's do. The upstream
    # gradient is taken in the dtype the forward ran in.
    y = module(x.astype(np.float64))
    expected = np.float32 if list(module.parameters()) else np.float64
    assert y.dtype == expected
    assert module.backward(np.ones(y.shape, dtype=np.float32)).dtype == expected


@pytest.mark.parametrize("name", FACTORIES)
def test_float64_module_computes_in_float64(name):
    x = np.random.default_rng(0).standard_normal((5, 2))
    y, grad = _run(FACTORIES[name](np.float64), x)
    assert y.dtype == np.float64 and grad.dtype == np.float64
    # Integer input becomes the module's dtype.
    assert FACTORIES[name](np.float64)(np.array([[1, -2], [0, 3]])).dtype == np.float64


def test_identity_returns_its_input_unchanged():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    module = A.Identity()
    assert module(x) is x
    g = np.ones((2, 3), dtype=np.float32)
    assert module.backward(g) is g


# --------------------------------------------------------------------------- arguments

INVALID = [
    (lambda: A.LeakyReLU("0.1"), TypeError,
     "LeakyReLU(negative_slope='0.1'): negative_slope must be a real number, got str"),
    (lambda: A.LeakyReLU(True), TypeError, "LeakyReLU(negative_slope=True)"),
    (lambda: A.LeakyReLU(float("nan")), ValueError,
     "LeakyReLU(negative_slope=nan): negative_slope must be finite"),
    (lambda: A.PReLU(0), ValueError,
     "PReLU(num_parameters=0): num_parameters must be a positive integer"),
    (lambda: A.PReLU(2.0), TypeError,
     "PReLU(num_parameters=2.0): num_parameters must be a positive integer, got float"),
    (lambda: A.PReLU(init="a"), TypeError, "PReLU(init='a'): init must be a real number"),
    (lambda: A.PReLU(init=float("inf")), ValueError, "PReLU(init=inf): init must be finite"),
    (lambda: A.ELU(alpha=None), TypeError, "ELU(alpha=None): alpha must be a real number"),
    (lambda: A.ELU(alpha=float("-inf")), ValueError, "ELU(alpha=-inf): alpha must be finite"),
    (lambda: A.GELU("exact"), ValueError,
     "GELU(approximate='exact'): approximate must be one of 'none', 'tanh'"),
    (lambda: A.GELU(None), TypeError,
     "GELU(approximate=None): approximate must be one of 'none', 'tanh', got NoneType"),
    (lambda: A.Softplus(beta=0), ValueError, "Softplus(beta=0): beta must be > 0"),
    (lambda: A.Softplus(beta=-2.0), ValueError, "Softplus(beta=-2.0): beta must be > 0"),
    (lambda: A.Softplus(threshold="20"), TypeError,
     "Softplus(threshold='20'): threshold must be a real number"),
    (lambda: A.Softplus(threshold=float("nan")), ValueError,
     "Softplus(threshold=nan): threshold must be finite"),
    (lambda: A.Softmax(dim=2), ValueError, "Softmax(dim=2): dim must be 0 (across the batch)"),
    (lambda: A.Softmax(dim=None), ValueError, "PyTorch's dim=None picks dim=1 for 2-D input"),
    (lambda: A.LogSoftmax(dim=-2), ValueError, "LogSoftmax(dim=-2): dim must be 0"),
    (lambda: A.LogSoftmax(dim=1.0), TypeError, "LogSoftmax(dim=1.0): dim must be an integer"),
    (lambda: A.ReLU(dtype=np.float16), TypeError, "must be float32 or float64"),
]  # fmt: skip


@pytest.mark.parametrize("make, error, message", INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_arguments_are_rejected_with_a_clear_message(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_valid_unusual_arguments_are_accepted():
    # PyTorch takes any slope or alpha, numpy numbers included; so do we.
    assert A.LeakyReLU(np.float32(-2)).negative_slope == -2.0
    assert A.ELU(alpha=0).alpha == 0.0
    assert A.PReLU(np.int64(3)).num_parameters == 3
    assert A.Softplus(threshold=-5).threshold == -5.0


def test_prelu_with_one_slope_per_feature_checks_the_feature_count():
    module = A.PReLU(3)
    with pytest.raises(ShapeError, match=re.escape("PReLU expects input of shape (N, 3), got")):
        module(np.ones((2, 4)))
    assert A.PReLU(1)(np.ones((2, 4))).shape == (2, 4)  # a shared slope takes any width


@pytest.mark.parametrize("name", FACTORIES)
def test_one_dimensional_input_is_a_shape_error(name):
    with pytest.raises(ShapeError, match="expects input of shape"):
        FACTORIES[name](np.float64)(np.ones(2))


# --------------------------------------------------------------------------- forward/backward


@pytest.mark.parametrize("name", FACTORIES)
def test_backward_before_forward_and_with_a_wrong_shape(name):
    module = FACTORIES[name](np.float64)
    cls = type(module).__name__
    with pytest.raises(RuntimeError, match=re.escape(f"{cls}.backward() called before forward()")):
        module.backward(np.ones((3, 2)))
    module(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=re.escape("grad_output of shape (3, 2)")):
        module.backward(np.ones((3, 1)))


@pytest.mark.parametrize("name", FACTORIES)
def test_backward_can_be_repeated_and_uses_the_latest_forward(name):
    rng = np.random.default_rng(5)
    module = FACTORIES[name](np.float64)
    first_x, second_x = rng.standard_normal((4, 2)) * 3, rng.standard_normal((4, 2)) * 3
    g = rng.standard_normal((4, 2))
    module(first_x)
    first = module.backward(g)
    np.testing.assert_array_equal(module.backward(g), first)  # state survives a backward
    module(second_x)
    fresh = FACTORIES[name](np.float64)
    fresh(second_x)
    np.testing.assert_array_equal(module.backward(g), fresh.backward(g))


@pytest.mark.parametrize("num_parameters", [1, 3])
def test_prelu_gradient_accumulates_over_backward_calls(num_parameters):
    module = A.PReLU(num_parameters, dtype=np.float64)
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    module(x)
    module.backward(g)
    once = module.weight.grad.copy()
    per_entry = np.minimum(x, 0) * g  # dL/da = Σ dy·x over x ≤ 0
    expected = per_entry.sum(axis=0) if num_parameters == 3 else [per_entry.sum()]
    np.testing.assert_allclose(once, expected, rtol=1e-14)
    module.backward(g)
    np.testing.assert_allclose(module.weight.grad, 2 * once, rtol=1e-15)
    module.zero_grad()
    np.testing.assert_array_equal(module.weight.grad, 0.0)


def test_prelu_weight_has_pytorch_name_shape_and_init():
    module = A.PReLU(4, init=0.1, dtype=np.float64)
    assert [name for name, _ in module.named_parameters()] == ["weight"]
    np.testing.assert_array_equal(module.weight.data, np.full(4, 0.1))
    twin = torch.nn.PReLU(4, init=0.1, dtype=torch.float64)
    np.testing.assert_array_equal(module.weight.data, twin.weight.detach().numpy())


# --------------------------------------------------------------------------- registry

NAMES = {
    "identity": A.Identity, "linear": A.Identity, "sigmoid": A.Sigmoid, "tanh": A.Tanh,
    "relu": A.ReLU, "leaky_relu": A.LeakyReLU, "prelu": A.PReLU, "elu": A.ELU, "selu": A.SELU,
    "gelu": A.GELU, "silu": A.SiLU, "softplus": A.Softplus, "softmax": A.Softmax,
    "log_softmax": A.LogSoftmax,
}  # fmt: skip


def test_activation_names():
    assert A.ACTIVATIONS == NAMES


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_registered_name_builds_a_working_module(name):
    module = A.get_activation(name)
    assert type(module) is NAMES[name]
    assert fcnn.MODULES[type(module).__name__] is type(module)
    assert module(np.ones((2, 1))).shape == (2, 1)
    assert A.get_activation(name) is not module  # a fresh instance every time


def test_get_activation_passes_arguments_on():
    module = A.get_activation("leaky_relu", negative_slope=0.2, dtype=np.float64)
    assert isinstance(module, A.LeakyReLU)
    assert module.negative_slope == 0.2 and module.dtype == np.float64
    assert A.get_activation("softmax", dim=0).dim == 0
    with pytest.raises(TypeError):
        A.get_activation("relu", negative_slope=0.2)


def test_get_activation_rejects_unknown_names():
    with pytest.raises(ValueError) as info:
        A.get_activation("swish")
    message = str(info.value)
    assert message.startswith("unknown activation 'swish'; known: identity, linear, sigmoid")
    assert all(name in message for name in NAMES)
    with pytest.raises(ValueError, match="unknown activation 'ReLU'"):
        A.get_activation("ReLU")
    with pytest.raises(TypeError, match=re.escape("get_activation(name=None): name must be")):
        A.get_activation(None)


# --------------------------------------------------------------------------- description


REPRS = [
    (A.Identity(), "Identity()"),
    (A.ReLU(), "ReLU()"),
    (A.SELU(), "SELU()"),
    (A.LeakyReLU(negative_slope=0.2), "LeakyReLU(negative_slope=0.2)"),
    (A.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (A.PReLU(3, init=0.1), "PReLU(num_parameters=3, init=0.1)"),
    (A.ELU(alpha=2), "ELU(alpha=2.0)"),
    (A.GELU(), "GELU(approximate='none')"),
    (A.GELU("tanh"), "GELU(approximate='tanh')"),
    (A.Softplus(beta=2, threshold=10), "Softplus(beta=2.0, threshold=10.0)"),
    (A.Softmax(), "Softmax(dim=1)"),
    (A.LogSoftmax(dim=-1), "LogSoftmax(dim=-1)"),
]


@pytest.mark.parametrize("module, text", REPRS, ids=[text for _, text in REPRS])
def test_repr(module, text):
    assert repr(module) == text


def test_spec_and_rebuild_from_config():
    module = A.Softplus(beta=2.0, threshold=4.0)
    assert module.spec() == {"type": "Softplus", "beta": 2.0, "threshold": 4.0}
    for make in FACTORIES.values():
        original = make(np.float64)
        rebuilt = type(original)(**original.config())
        assert repr(rebuilt) == repr(original)
