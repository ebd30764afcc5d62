"""RMSprop, plain and centered, with optional momentum: PyTorch's ``RMSprop``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from ..core import Parameter
from .optimizer import AT_LEAST_ZERO, ZERO_TO_ONE, Optimizer, hyperparameters

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton, 2012, Coursera "Neural Networks for Machine Learning",
    lecture 6.5), optionally centered (Graves, 2013, "Generating Sequences With Recurrent
    Neural Networks").

    With ``g`` the gradient (``-g`` when maximizing) plus ``weight_decay·θ``::

        v ← α·v + (1 - α)·g²
        centered:  ḡ ← α·ḡ + (1 - α)·g,   d = √(v - ḡ²) + eps;   else d = √v + eps
        momentum:  b ← μ·b + g / d,  θ ← θ - lr·b;               else θ ← θ - lr·g / d

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-2
    alpha : float, default 0.99
        Smoothing constant of the squared-gradient average, in [0, 1].
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
        Normalise by an estimate of the gradient's variance instead of its raw second
        moment.
    maximize : bool, default False
    """

    _reals: ClassVar[dict[str, dict[str, Any]]] = {
        **Optimizer._reals,
        "eps": AT_LEAST_ZERO,
        "momentum": AT_LEAST_ZERO,
        "alpha": ZERO_TO_ONE,
    }
    _flags = ("centered", "maximize")

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,  # α
        eps: float = 1e-8,
        weight_decay: float = 0,  # λ
        momentum: float = 0,  # μ
        centered: bool = False,  # d from v - ḡ²
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, hyperparameters(locals()))

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("square_avg",)
        if group["centered"]:
            names += ("grad_avg",)
        if group["momentum"] > 0:
            names += ("momentum_buffer",)
        return names

    def _settings(self, group: dict[str, Any]) -> tuple:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        momentum, centered = float(group["momentum"]), bool(group["centered"])
        return 1.0 - alpha, alpha, eps, momentum, -lr, centered, momentum > 0

    @staticmethod
    def _update(settings, t, tmp, theta, g, v, *more) -> None:
        one_minus_alpha, alpha, eps, momentum, minus_lr, centered, with_momentum = settings
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, one_minus_alpha, out=tmp)
        np.multiply(v, alpha, out=v)
        np.add(v, tmp, out=v)  # v ← αv + (1 - α)g²
        if centered:
            g_avg = more[0]
            np.subtract(g, g_avg, out=tmp)
            np.multiply(tmp, one_minus_alpha, out=tmp)
            np.add(g_avg, tmp, out=g_avg)  # ḡ ← ḡ + (1 - α)(g - ḡ) = αḡ + (1 - α)g
            np.multiply(g_avg, g_avg, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)  # √(v - ḡ²)
        else:
            np.sqrt(v, out=tmp)  # √v
        np.add(tmp, eps, out=tmp)  # d = ... + eps
        np.divide(g, tmp, out=tmp)  # g / d
        if with_momentum:
            buf = more[-1]
            np.multiply(buf, momentum, out=buf)
            np.add(buf, tmp, out=buf)  # b ← μb + g / d
            np.multiply(buf, minus_lr, out=tmp)
        else:
            np.multiply(tmp, minus_lr, out=tmp)
        np.add(theta, tmp, out=theta)  # θ ← θ - lr·(b or g / d)
