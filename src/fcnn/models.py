"""Floor 2: ``mlp``, the one-line builder for the common fully-connected network.

It only assembles floor-2 pieces (``Linear``, ``BatchNorm1d``, activations,
``Dropout``, ``Maxout``) into a ``Sequential``; the result is an ordinary model
whose ``spec()`` lists every layer, so nothing about the builder needs to be
remembered to save or rebuild it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import checks
from . import init as initializers
from .activations import get_activation
from .constraints import check_max_norm
from .core import Module, get_rng, resolve_dtype
from .i18n import N_, Message
from .layers import BatchNorm1d, Dropout, Linear, Maxout, Sequential

__all__ = ["INIT_NAMES", "mlp"]

INIT_NAMES = ("default", *initializers.INITIALIZERS)


def _init_weights(layer: Linear | Maxout, init: str, init_scale: float | None, rng) -> None:
    """Re-initialise a layer's weight by name; biases become zero (the course's convention).

    ``default`` keeps PyTorch's Linear initialisation (weight and bias both uniform).
    ``init_scale`` is the std of ``normal``, the bound of ``uniform`` and the gain of the
    Xavier initialisers; Kaiming uses the ReLU gain √2 (He et al. 2015).
    """
    if init == "default":
        return
    weight = layer.weight
    if init == "normal":
        initializers.normal_(weight, 0.0, 0.01 if init_scale is None else init_scale, rng=rng)
    elif init == "uniform":
        bound = 0.05 if init_scale is None else init_scale
        initializers.uniform_(weight, -bound, bound, rng=rng)
    elif init in ("xavier_uniform", "xavier_normal"):
        initializers.INITIALIZERS[init](weight, 1.0 if init_scale is None else init_scale, rng=rng)
    elif init in ("kaiming_uniform", "kaiming_normal"):
        initializers.INITIALIZERS[init](weight, nonlinearity="relu", rng=rng)
    elif init == "zeros":
        initializers.zeros_(weight)
    if layer.bias is not None:
        initializers.zeros_(layer.bias)


def mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    output: str | None = None,
    *,
    batchnorm: bool = False,
    dropout: float = 0.0,
    init: str = "default",
    init_scale: float | None = None,
    pieces: int = 2,
    max_norm: float | None = None,
    dtype: Any = None,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Sequential:
    """Build a fully-connected network ``sizes[0] → sizes[1] → … → sizes[-1]``.

    Each hidden layer is ``Linear → [BatchNorm1d] → activation → [Dropout]``; the last
    is ``Linear → [output]``. With ``activation="maxout"`` each hidden ``Linear`` +
    activation pair is a ``Maxout`` layer of ``pieces`` pieces.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths including input and output, e.g. ``[2, 4, 1]``.
    activation : str
        Hidden activation, a name from ``fcnn.activations.ACTIVATIONS`` or ``"maxout"``.
    output : str, optional
        Output activation (``"sigmoid"``, ``"softmax"``, ...); None leaves raw outputs
        (logits), which is what the fused losses want.
    batchnorm : bool
        Insert ``BatchNorm1d`` after every hidden linear map.
    dropout : float in [0, 1)
        Dropout probability after every hidden activation (0 adds none).
    init : str
        ``"default"`` (PyTorch's Linear init) or one of ``xavier_uniform``,
        ``xavier_normal``, ``kaiming_uniform``, ``kaiming_normal``, ``normal``,
        ``uniform``, ``zeros``; biases are zero for all but ``default``.
    init_scale : float, optional
        std for ``normal`` (default 0.01, the course's ``randn·0.01``), bound for
        ``uniform`` (default 0.05), gain for the Xavier initialisers (default 1).
    pieces : int
        Pieces per Maxout unit.
    max_norm : float > 0, optional
        The max-norm constraint (Srivastava et al. 2014) on every HIDDEN ``Linear`` or
        ``Maxout``: each hidden unit's incoming weights are kept at L2 norm
        ``<= max_norm`` (``Linear``'s ``max_norm``). The output layer is left free, as in
        the paper, which constrains the hidden units; ``model[-1].max_norm = c`` (before
        building the training step) constrains it too.
    dtype, rng, seed
        Parameter dtype (float32 default) and the generator for all initial weights.

    Examples
    --------
    >>> model = mlp([2, 4, 1], activation="tanh", output="sigmoid", seed=1)
    """
    sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else sizes
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes)
    ):
        template = N_(
            "mlp(sizes={sizes!r}): expected at least two positive integers "
            "(input width, ..., output width), e.g. [2, 4, 1]"
        )
        raise ValueError(Message("checks", template, sizes=sizes))
    checks.choice("mlp", "init", init, INIT_NAMES)
    batchnorm = checks.flag("mlp", "batchnorm", batchnorm)
    dropout = checks.real("mlp", "dropout", dropout, low=0, high=1, high_open=True)
    if init_scale is not None:
        init_scale = checks.real("mlp", "init_scale", init_scale, low=0)
    max_norm = check_max_norm("mlp", max_norm)
    dtype = resolve_dtype(dtype)
    generator = get_rng(rng, seed, where="mlp")
    if activation != "maxout":
        get_activation(activation)  # validate the name before building anything
    if output is not None:
        get_activation(output)

    layers: list[Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
        if activation == "maxout":
            unit = Maxout(fan_in, fan_out, pieces, max_norm=max_norm, dtype=dtype, rng=generator)
            _init_weights(unit, init, init_scale, generator)
            layers.append(unit)
            if batchnorm:
                layers.append(BatchNorm1d(fan_out, dtype=dtype))
        else:
            linear = Linear(fan_in, fan_out, max_norm=max_norm, dtype=dtype, rng=generator)
            _init_weights(linear, init, init_scale, generator)
            layers.append(linear)
            if batchnorm:
                layers.append(BatchNorm1d(fan_out, dtype=dtype))
            layers.append(get_activation(activation, dtype=dtype))
        if dropout > 0:
            layers.append(Dropout(dropout, dtype=dtype, rng=generator))
    last = Linear(sizes[-2], sizes[-1], dtype=dtype, rng=generator)
    _init_weights(last, init, init_scale, generator)
    layers.append(last)
    if output is not None:
        layers.append(get_activation(output, dtype=dtype))
    return Sequential(*layers)
