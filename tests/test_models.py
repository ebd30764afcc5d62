"""The mlp builder, the demo command, and gradcheck's own power to catch a wrong backward."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app


def layer_types(model):
    return [type(m).__name__ for m in model]


def test_mlp_structure_for_every_option():
    assert layer_types(fcnn.mlp([2, 4, 1], activation="tanh", output="sigmoid")) == [
        "Linear",
        "Tanh",
        "Linear",
        "Sigmoid",
    ]
    model = fcnn.mlp([784, 256, 128, 10], batchnorm=True, dropout=0.2)
    assert layer_types(model) == [
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Dropout",
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Dropout",
        "Linear",
    ]
    assert layer_types(fcnn.mlp([2, 3, 3, 1], activation="maxout", pieces=3)) == [
        "Maxout",
        "Maxout",
        "Linear",
    ]
    assert fcnn.mlp([2, 3, 3, 1], activation="maxout", pieces=3)[0].pieces == 3
    assert layer_types(fcnn.mlp([5, 2])) == ["Linear"]
    leaky = fcnn.mlp([2, 4, 1], activation="leaky_relu")
    assert isinstance(leaky[1], fcnn.LeakyReLU)


@pytest.mark.parametrize(
    "init, std",
    [
        ("normal", lambda fan_in, fan_out: 0.01),
        ("xavier_normal", lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
        ("xavier_uniform", lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
        ("kaiming_normal", lambda fan_in, fan_out: np.sqrt(2 / fan_in)),
        ("kaiming_uniform", lambda fan_in, fan_out: np.sqrt(2 / fan_in)),
        ("default", lambda fan_in, fan_out: 1 / np.sqrt(3 * fan_in)),
    ],
)
def test_mlp_initialisers_give_the_right_scale(init, std):
    model = fcnn.mlp([400, 300, 200], init=init, seed=0, dtype=np.float64)
    for layer in (model[0], model[2]):
        expected = std(layer.in_features, layer.out_features)
        assert layer.weight.data.std() == pytest.approx(expected, rel=0.03)
        if init == "default":
            assert layer.bias.data.any()
        else:
            assert not layer.bias.data.any()


def test_mlp_init_scale_and_zeros():
    model = fcnn.mlp([2, 50, 1], init="normal", init_scale=10.0, seed=0)
    assert model[0].weight.data.std() == pytest.approx(10.0, rel=0.25)
    assert not fcnn.mlp([2, 3, 1], init="zeros")[0].weight.data.any()


def test_mlp_is_reproducible_and_round_trips_through_its_spec(tmp_path):
    a = fcnn.mlp([3, 5, 2], activation="elu", batchnorm=True, dropout=0.1, seed=4)
    b = fcnn.mlp([3, 5, 2], activation="elu", batchnorm=True, dropout=0.1, seed=4)
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)
    rebuilt = fcnn.from_spec(a.spec())
    assert rebuilt.spec() == a.spec() and repr(rebuilt) == repr(a)
    fcnn.save(a, tmp_path / "m.safetensors")
    loaded = fcnn.load(tmp_path / "m.safetensors")
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_array_equal(loaded.eval()(x), a.eval()(x))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sizes": [2]}, r"expected at least two positive integers"),
        ({"sizes": [2, 0, 1]}, r"mlp\(sizes=\[2, 0, 1\]\)"),
        ({"sizes": "2-4-1"}, r"expected at least two positive integers"),
        ({"activation": "swish"}, r"unknown activation 'swish'"),
        ({"output": "argmax"}, r"unknown activation 'argmax'"),
        (
            {"init": "orthogonal"},
            r"mlp\(init='orthogonal'\): init must be one of 'default', 'xavier",
        ),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"batchnorm": "yes"}, r"batchnorm='yes'"),
        ({"init_scale": -1}, r"init_scale=-1"),
    ],
)
def test_mlp_rejects_bad_arguments(kwargs, message):
    args = {"sizes": [2, 4, 1], **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        fcnn.mlp(**args)


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(fcnn.Module):
        """y = x², with a deliberately wrong derivative (x instead of 2x)."""

        def forward(self, x):
            self._x = np.asarray(x)
            return self._x**2

        def backward(self, grad_output):
            return grad_output * self._x

    class RightSquare(WrongSquare):
        def backward(self, grad_output):
            return grad_output * 2 * self._x

    x = np.random.default_rng(0).standard_normal((4, 3))
    assert fcnn.gradcheck(WrongSquare(), x)["input"] > 0.1
    assert fcnn.gradcheck(RightSquare(), x)["input"] < 1e-8


def test_gradcheck_catches_a_wrong_parameter_gradient():
    class HalfGradLinear(fcnn.Linear):
        def backward(self, grad_output):
            grad_input = super().backward(grad_output)
            self.weight.grad *= 0.5
            return grad_input

    x = np.random.default_rng(0).standard_normal((4, 3))
    errors = fcnn.gradcheck(HalfGradLinear(3, 2, seed=0), x)
    assert errors["input"] < 1e-8 and errors["bias"] < 1e-8 and errors["weight"] > 0.1


def test_gradcheck_leaves_the_callers_module_alone():
    layer = fcnn.Linear(3, 2, seed=0)
    before = layer.weight.data.copy()
    fcnn.gradcheck(layer, np.ones((2, 3)))
    assert layer.weight.data.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, before)
    assert not layer.weight.grad.any()


def test_demo_trains_the_planar_network():
    result = CliRunner().invoke(app, ["demo", "--iterations", "3000"])
    assert result.exit_code == 0, result.output
    assert "2-4-1 tanh/sigmoid" in result.output
    accuracy = float(result.output.split("│")[-3].strip().rstrip("%"))
    assert accuracy > 85


def test_cli_help_and_version():
    runner = CliRunner()
    assert "demo" in runner.invoke(app, ["--help"]).output
    assert fcnn.__version__ in runner.invoke(app, ["--version"]).output
