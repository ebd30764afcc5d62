"""Chapter 6's exercises: BatchNorm's forward pass in training mode, and the update of
its running variance; both checked against ``fcnn.BatchNorm1d``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers import BatchNorm1d
from .verdict import call, compare, exercise, function, translator

_ = translator("exercises")

EPS, MOMENTUM = 1e-5, 0.1


def _cases(seed: int):
    rng = np.random.default_rng(seed)
    for case, (n, features) in enumerate([(8, 3), (5, 6), (16, 2)], start=1):
        x = rng.normal(loc=2.0, scale=3.0, size=(n, features))
        gamma, beta = rng.normal(size=features), rng.normal(size=features)
        layer = BatchNorm1d(features, eps=EPS, momentum=MOMENTUM, dtype=np.float64)
        layer.weight.data[:], layer.bias.data[:] = gamma, beta
        layer.running_var[:] = rng.uniform(0.5, 2.0, size=features)
        yield case, x, gamma, beta, layer


@exercise("ch6.batchnorm_forward")
def batchnorm_forward(answer: Any) -> str:
    """``f(x, gamma, beta, eps)`` must return ``γ (x − μ) / √(σ² + eps) + β`` with the
    batch's mean and biased variance per feature (column)."""
    fn = function(answer)
    for case, x, gamma, beta, layer in _cases(61):
        layer.train()
        want = layer.forward(x)
        mu = x.mean(axis=0)
        compare(
            call(fn, case, x, gamma, beta, np.float64(EPS)),
            want,
            case,
            f"x {x.shape}, gamma {gamma.shape}",
            [
                (
                    gamma * (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + EPS) + beta,
                    _(
                        "normalise with the biased variance (divide by N), as "
                        "BatchNorm does in training"
                    ),
                ),
                ((x - mu) / np.sqrt(x.var(axis=0) + EPS), _("then scale and shift: y = γ x̂ + β")),
                (
                    gamma
                    * (x - x.mean(axis=1, keepdims=True))
                    / np.sqrt(x.var(axis=1, keepdims=True) + EPS)
                    + beta,
                    _("the statistics are per feature over the batch: axis 0, not per sample"),
                ),
                (
                    gamma * (x - mu) / (x.std(axis=0) + EPS) + beta,
                    _("eps goes under the square root: √(σ² + eps)"),
                ),
            ],
        )
    return _("Your forward pass is BatchNorm1d's in training mode on 3 hidden batches.")


@exercise("ch6.running_var")
def running_var(answer: Any) -> str:
    """``f(running_var, x, momentum)`` must return the running variance after one
    training batch: ``(1 − momentum)·running_var + momentum·var(x)``, var unbiased."""
    fn = function(answer)
    for case, x, _gamma, _beta, layer in _cases(62):
        before = layer.running_var.copy()
        layer.train()
        layer.forward(x)
        want = np.asarray(layer.running_var, dtype=np.float64)
        m = MOMENTUM
        compare(
            call(fn, case, before, x, np.float64(m)),
            want,
            case,
            f"running_var {before.shape}, x {x.shape}",
            [
                (
                    (1 - m) * before + m * x.var(axis=0),
                    _(
                        "the running variance is updated with the unbiased batch "
                        "variance (divide by N − 1)"
                    ),
                ),
                (
                    m * before + (1 - m) * x.var(axis=0, ddof=1),
                    _("momentum weighs the new batch: (1 − momentum)·old + momentum·new"),
                ),
                (x.var(axis=0, ddof=1), _("keep (1 − momentum) of the old estimate")),
            ],
        )
    return _("Your update is BatchNorm1d's: eval mode will use this running estimate.")
