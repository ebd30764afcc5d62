"""Adagrad: PyTorch's ``Adagrad``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from ..core import Parameter
from .optimizer import AT_LEAST_ZERO, Optimizer, hyperparameters

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011, "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization").

    With ``g`` the gradient (``-g`` when maximizing) plus ``weight_decay·θ``, at step ``t``::

        clr = lr / (1 + (t - 1)·lr_decay)
        s ← s + g²                          (s₀ = initial_accumulator_value)
        θ ← θ - clr · g / (√s + eps)

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-2
    lr_decay : float, default 0
        How fast the step size ``clr`` decays with the step count.
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
        A parameter group may set its own; PyTorch 2.13 ignores a group's value and
        uses the constructor's for every group, fcnn uses the group's.
    eps : float, default 1e-10
    maximize : bool, default False
    """

    _reals: ClassVar[dict[str, dict[str, Any]]] = {
        **Optimizer._reals,
        "lr_decay": AT_LEAST_ZERO,
        "initial_accumulator_value": AT_LEAST_ZERO,
        "eps": AT_LEAST_ZERO,
    }

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,  # λ
        initial_accumulator_value: float = 0,  # s₀
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, hyperparameters(locals()))

    def _init_group_state(self, group: dict[str, Any]) -> None:
        # As in PyTorch, the accumulator exists from construction (state_dict shows it).
        for p in group["params"]:
            self.state[p] = {}
            self._add_missing_state(p, group, self.state[p])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("sum",)

    def _fill(self, group: dict[str, Any]) -> float:
        return float(group["initial_accumulator_value"])

    def _settings(self, group: dict[str, Any]) -> tuple:
        per_step = (float(group["lr"]), float(group["lr_decay"]))  # for clr
        return float(group["eps"]), per_step

    @staticmethod
    def _update(settings, t, tmp, theta, g, s) -> None:
        eps, (lr, lr_decay) = settings
        clr = lr / (1.0 + (t - 1) * lr_decay)  # lr / (1 + (t - 1)·lr_decay)
        np.multiply(g, g, out=tmp)
        np.add(s, tmp, out=s)  # s ← s + g²
        np.sqrt(s, out=tmp)
        np.add(tmp, eps, out=tmp)  # √s + eps
        np.divide(g, tmp, out=tmp)
        np.multiply(tmp, -clr, out=tmp)
        np.add(theta, tmp, out=theta)  # θ ← θ - clr · g / (√s + eps)
