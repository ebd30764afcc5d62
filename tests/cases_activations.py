"""Registry cases for the activations of fcnn.activations.

Inputs are drawn with scale 3 so that every case sees values on both sides of its kink
(0 for the ReLU family, the threshold for Softplus) and in the saturated tails.
"""

from __future__ import annotations

import numpy as np
import torch

from fcnn import activations as A
from support import ModuleCase, normal

WIDE = normal(6, 5, scale=3)


def _prelu_per_feature(dtype):
    """PReLU with one slope per feature, set to distinct values of both signs and > 1."""
    m = A.PReLU(5, init=0.1, dtype=dtype)
    m.weight.data[...] = [-0.5, 0.1, 0.3, 1.5, 0.02]
    return m


def _case(id, make, torch_make, make_input=WIDE):
    cls = type(make(np.float64)).__name__
    return ModuleCase(id, cls, make, torch_make, make_input)


CASES = [
    _case("Identity", lambda d: A.Identity(dtype=d), lambda m: torch.nn.Identity()),
    _case("Sigmoid", lambda d: A.Sigmoid(dtype=d), lambda m: torch.nn.Sigmoid()),
    _case("Tanh", lambda d: A.Tanh(dtype=d), lambda m: torch.nn.Tanh()),
    _case("ReLU", lambda d: A.ReLU(dtype=d), lambda m: torch.nn.ReLU()),
    _case("LeakyReLU", lambda d: A.LeakyReLU(dtype=d), lambda m: torch.nn.LeakyReLU()),
    _case("LeakyReLU-0.2", lambda d: A.LeakyReLU(0.2, dtype=d), lambda m: torch.nn.LeakyReLU(0.2)),
    _case("LeakyReLU-steep", lambda d: A.LeakyReLU(negative_slope=2.5, dtype=d),
          lambda m: torch.nn.LeakyReLU(2.5)),
    _case("LeakyReLU-negative", lambda d: A.LeakyReLU(negative_slope=-0.3, dtype=d),
          lambda m: torch.nn.LeakyReLU(-0.3)),
    _case("PReLU", lambda d: A.PReLU(dtype=d), lambda m: torch.nn.PReLU()),
    _case("PReLU-init", lambda d: A.PReLU(init=-0.4, dtype=d),
          lambda m: torch.nn.PReLU(init=-0.4)),
    _case("PReLU-per-feature", _prelu_per_feature, lambda m: torch.nn.PReLU(5)),
    _case("ELU", lambda d: A.ELU(dtype=d), lambda m: torch.nn.ELU()),
    _case("ELU-alpha", lambda d: A.ELU(alpha=0.5, dtype=d), lambda m: torch.nn.ELU(alpha=0.5)),
    _case("ELU-alpha-negative", lambda d: A.ELU(alpha=-1.5, dtype=d),
          lambda m: torch.nn.ELU(alpha=-1.5)),
    _case("SELU", lambda d: A.SELU(dtype=d), lambda m: torch.nn.SELU()),
    _case("GELU", lambda d: A.GELU(dtype=d), lambda m: torch.nn.GELU()),
    _case("GELU-tanh", lambda d: A.GELU("tanh", dtype=d),
          lambda m: torch.nn.GELU(approximate="tanh")),
    _case("SiLU", lambda d: A.SiLU(dtype=d), lambda m: torch.nn.SiLU()),
    _case("Softplus", lambda d: A.Softplus(dtype=d), lambda m: torch.nn.Softplus()),
    # beta·x > 4 for x > 2: about a quarter of the inputs take the linear branch.
    _case("Softplus-beta-threshold", lambda d: A.Softplus(beta=2.0, threshold=4.0, dtype=d),
          lambda m: torch.nn.Softplus(beta=2.0, threshold=4.0)),
    _case("Softmax", lambda d: A.Softmax(dtype=d), lambda m: torch.nn.Softmax(dim=1)),
    _case("Softmax-dim0", lambda d: A.Softmax(dim=0, dtype=d), lambda m: torch.nn.Softmax(dim=0)),
    _case("Softmax-dim-1", lambda d: A.Softmax(dim=-1, dtype=d),
          lambda m: torch.nn.Softmax(dim=-1)),
    _case("LogSoftmax", lambda d: A.LogSoftmax(dtype=d), lambda m: torch.nn.LogSoftmax(dim=1)),
    _case("LogSoftmax-dim0", lambda d: A.LogSoftmax(dim=0, dtype=d),
          lambda m: torch.nn.LogSoftmax(dim=0)),
]  # fmt: skip
