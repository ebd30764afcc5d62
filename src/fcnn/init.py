"""Floor 1: weight initialisers with PyTorch's names and formulas.

Each function fills its argument in place (a ``Parameter`` or an ndarray) and
returns it. Random ones take ``rng=`` (a ``numpy.random.Generator``) or ``seed=``;
with neither they draw from the library default (``fcnn.seed``). Values are drawn
in float64 and then cast, so a float32 and a float64 tensor initialised from the
same seed hold the same numbers up to rounding.

References: Glorot & Bengio (2010) for Xavier; He et al. (2015) for Kaiming.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Parameter, get_rng
from .i18n import N_, Message

__all__ = [
    "INITIALIZERS",
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

Tensor = Any  # a Parameter or an ndarray


def _array(tensor: Tensor) -> np.ndarray:
    array = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(array, np.ndarray):
        template = N_("expected a Parameter or numpy array, got {type}")
        raise TypeError(Message("checks", template, type=type(tensor).__name__))
    return array


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear / identity / sigmoid: 1; tanh: 5/3; relu: √2;
    leaky_relu: √(2 / (1 + slope²)) with slope ``param`` (default 0.01); selu: 3/4.
    """
    linear = {"linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d"}
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            template = N_("calculate_gain: negative_slope {param!r} is not a number")
            raise ValueError(Message("checks", template, param=param))
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    known = sorted(linear | {"tanh", "relu", "leaky_relu", "selu"})
    template = N_("calculate_gain: unsupported nonlinearity {nonlinearity!r}; known: {known}")
    raise ValueError(Message("checks", template, nonlinearity=nonlinearity, known=known))


def _fans(array: np.ndarray) -> tuple[int, int]:
    """fan_in, fan_out of a weight of shape (out_features, in_features, ...)."""
    if array.ndim < 2:
        template = N_(
            "fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}"
        )
        raise ValueError(Message("checks", template, shape=array.shape))
    receptive = int(np.prod(array.shape[2:])) if array.ndim > 2 else 1
    return array.shape[1] * receptive, array.shape[0] * receptive


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    _array(tensor)[...] = values
    return tensor


# Random values are drawn (in float64) and copied in blocks of about 1 MiB: the same
# numbers as one draw of the whole shape (a Generator's stream does not care how it is
# cut), without a float64 copy of a large weight beside it.
_BLOCK_VALUES = 1 << 17


def _fill_drawn(tensor: Tensor, draw: Callable[[tuple[int, ...]], np.ndarray]) -> Tensor:
    array = _array(tensor)
    if array.ndim == 0 or array.size <= _BLOCK_VALUES:
        return _fill(tensor, draw(array.shape))
    row = array[0].size or 1
    rows = max(1, _BLOCK_VALUES // row)
    for start in range(0, array.shape[0], rows):
        block = array[start : start + rows]
        block[...] = draw(block.shape)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1.0)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def uniform_(
    tensor: Tensor,
    a: float = 0.0,
    b: float = 1.0,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Tensor:
    """Fill with U(a, b)."""
    if not a <= b:
        raise ValueError(Message("checks", N_("uniform_: a={a} must not exceed b={b}"), a=a, b=b))
    generator = get_rng(rng, seed, where="uniform_")
    return _fill_drawn(tensor, lambda shape: generator.uniform(a, b, shape))


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Tensor:
    """Fill with N(mean, std²)."""
    if std < 0:
        raise ValueError(Message("checks", N_("normal_: std={std} must be non-negative"), std=std))
    generator = get_rng(rng, seed, where="normal_")
    return _fill_drawn(tensor, lambda shape: generator.normal(mean, std, shape))


def xavier_uniform_(
    tensor: Tensor,
    gain: float = 1.0,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Tensor:
    """Glorot uniform: U(-a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(_array(tensor))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng=get_rng(rng, seed, where="xavier_uniform_"))


def xavier_normal_(
    tensor: Tensor,
    gain: float = 1.0,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Tensor:
    """Glorot normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(_array(tensor))
    return normal_(
        tensor,
        0.0,
        gain * math.sqrt(2.0 / (fan_in + fan_out)),
        rng=get_rng(rng, seed, where="xavier_normal_"),
    )


def _kaiming_std(array: np.ndarray, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        template = N_("kaiming: mode={mode!r}; expected 'fan_in' or 'fan_out'")
        raise ValueError(Message("checks", template, mode=mode))
    fan_in, fan_out = _fans(array)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Tensor:
    """He uniform: U(-b, b) with b = √3 · gain / √fan, gain = calculate_gain(nonlinearity, a)."""
    bound = math.sqrt(3.0) * _kaiming_std(_array(tensor), a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng=get_rng(rng, seed, where="kaiming_uniform_"))


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Tensor:
    """He normal: N(0, std²) with std = gain / √fan, gain = calculate_gain(nonlinearity, a)."""
    std = _kaiming_std(_array(tensor), a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, rng=get_rng(rng, seed, where="kaiming_normal_"))


# Names the builder, the CLI and the playground accept for ``init=``.
INITIALIZERS = {
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "kaiming_uniform": kaiming_uniform_,
    "kaiming_normal": kaiming_normal_,
    "uniform": uniform_,
    "normal": normal_,
    "zeros": zeros_,
}
