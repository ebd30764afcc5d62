"""Registry cases for the layers of fcnn/layers.py."""

from __future__ import annotations

import torch

import fcnn
from support import ModuleCase, normal


class TorchMaxout(torch.nn.Module):
    """Maxout in torch terms: Linear to out*pieces, view, max over pieces."""

    def __init__(self, m: fcnn.Maxout):
        super().__init__()
        self.out, self.pieces = m.out_features, m.pieces
        rows = m.out_features * m.pieces
        self.weight = torch.nn.Parameter(torch.empty(rows, m.in_features))
        self.bias = torch.nn.Parameter(torch.empty(rows)) if m.bias is not None else None

    def forward(self, x):
        z = torch.nn.functional.linear(x, self.weight, self.bias)
        return z.view(x.shape[0], self.out, self.pieces).max(dim=2).values


class TorchFixedMask(torch.nn.Module):
    """Dropout with the mask fcnn drew (read at forward time), to compare the arithmetic."""

    def __init__(self, m: fcnn.Dropout):
        super().__init__()
        self.m = m

    def forward(self, x):
        if self.m._mask is None:
            return x
        return x * torch.from_numpy(self.m._mask).to(x.dtype)


def _bn(**kw):
    return lambda dtype: fcnn.BatchNorm1d(4, dtype=dtype, **kw)


def _bn_twin(**kw):
    return lambda m: torch.nn.BatchNorm1d(4, **kw)


def _bn_randomised(make):
    """BatchNorm with non-trivial γ, β and running statistics, so every term is exercised."""

    def build(dtype):
        m = make(dtype)
        rng = __import__("numpy").random.default_rng(7)
        if m.affine:
            m.weight.data[...] = rng.uniform(0.5, 1.5, 4)
            m.bias.data[...] = rng.standard_normal(4)
        if m.track_running_stats:
            m.running_mean[...] = rng.standard_normal(4)
            m.running_var[...] = rng.uniform(0.5, 2.0, 4)
        return m

    return build


CASES = [
    ModuleCase(
        "Linear",
        "Linear",
        lambda d: fcnn.Linear(3, 4, dtype=d, seed=0),
        lambda m: torch.nn.Linear(3, 4),
        normal(5, 3),
    ),
    ModuleCase(
        "Linear-nobias",
        "Linear",
        lambda d: fcnn.Linear(3, 2, bias=False, dtype=d, seed=1),
        lambda m: torch.nn.Linear(3, 2, bias=False),
        normal(5, 3),
    ),
    ModuleCase(
        "Sequential",
        "Sequential",
        lambda d: fcnn.Sequential(fcnn.Linear(3, 5, seed=2), fcnn.Linear(5, 2, seed=3)).to(d),
        lambda m: torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Linear(5, 2)),
        normal(6, 3),
    ),
    ModuleCase(
        "Flatten",
        "Flatten",
        lambda d: fcnn.Flatten(dtype=d),
        lambda m: torch.nn.Flatten(),
        normal(4, 2, 3),
    ),
    ModuleCase(
        "Maxout",
        "Maxout",
        lambda d: fcnn.Maxout(3, 4, pieces=3, dtype=d, seed=4),
        TorchMaxout,
        normal(6, 3),
    ),
    ModuleCase(
        "Dropout-train",
        "Dropout",
        lambda d: fcnn.Dropout(0.4, dtype=d, seed=5),
        TorchFixedMask,
        normal(6, 5),
        copy_state=False,
    ),
    ModuleCase(
        "Dropout-eval",
        "Dropout",
        lambda d: fcnn.Dropout(0.4, dtype=d, seed=5),
        lambda m: torch.nn.Dropout(0.4),
        normal(6, 5),
        training=False,
    ),
    ModuleCase("BatchNorm1d-train", "BatchNorm1d", _bn_randomised(_bn()), _bn_twin(), normal(8, 4)),
    ModuleCase(
        "BatchNorm1d-eval",
        "BatchNorm1d",
        _bn_randomised(_bn()),
        _bn_twin(),
        normal(8, 4),
        training=False,
    ),
    ModuleCase(
        "BatchNorm1d-noaffine",
        "BatchNorm1d",
        _bn_randomised(_bn(affine=False)),
        _bn_twin(affine=False),
        normal(8, 4),
    ),
    ModuleCase(
        "BatchNorm1d-nostats-eval",
        "BatchNorm1d",
        _bn_randomised(_bn(track_running_stats=False)),
        _bn_twin(track_running_stats=False),
        normal(8, 4),
        training=False,
    ),
    ModuleCase(
        "BatchNorm1d-cumulative",
        "BatchNorm1d",
        _bn_randomised(_bn(momentum=None)),
        _bn_twin(momentum=None),
        normal(8, 4),
    ),
]
