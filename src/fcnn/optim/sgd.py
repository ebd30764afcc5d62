"""Stochastic gradient descent, with optional (Nesterov) momentum: PyTorch's ``SGD``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from ..core import Parameter
from ..i18n import N_, Message
from .optimizer import AT_LEAST_ZERO, ZERO_TO_ONE, Optimizer, hyperparameters

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    With ``g`` the gradient (``-g`` when maximizing) plus ``weight_decay·θ``::

        b ← momentum·b + (1 - dampening)·g          (b₁ = g)
        θ ← θ - lr·b,   or with Nesterov   θ ← θ - lr·(g + momentum·b)

    This is PyTorch's formulation (Sutskever et al., 2013, "On the importance of
    initialization and momentum in deep learning"), in which ``lr`` multiplies the buffer
    rather than the gradient (Polyak, 1964). Without momentum, ``θ ← θ - lr·g``.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        ``model.parameters()``, or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
    momentum : float, default 0
        μ, the share of the previous buffer kept; 0 is plain gradient descent.
    dampening : float, default 0
        τ: the gradient enters the buffer scaled by ``1 - τ``.
    weight_decay : float, default 0
        L2 penalty coefficient, added to the gradient.
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening = 0``.
    maximize : bool, default False
        Ascend the objective instead of descending it.
    """

    _reals: ClassVar[dict[str, dict[str, Any]]] = {
        **Optimizer._reals,
        "momentum": AT_LEAST_ZERO,
        "dampening": ZERO_TO_ONE,
    }
    _flags = ("nesterov", "maximize")
    _counts_steps = False  # PyTorch's SGD keeps no step count

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0,  # μ
        dampening: float = 0,  # τ
        weight_decay: float = 0,  # λ
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, hyperparameters(locals()))

    def _check_more(self, group: dict[str, Any], where: str) -> None:
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            template = N_(
                "{where}: nesterov=True requires momentum > 0 and dampening = 0, got "
                "momentum={momentum!r}, dampening={dampening!r}"
            )
            said = {"momentum": group["momentum"], "dampening": group["dampening"]}
            raise ValueError(Message("checks", template, where=where, **said))

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _settings(self, group: dict[str, Any]) -> tuple:
        lr, dampening = float(group["lr"]), float(group["dampening"])
        momentum, nesterov = float(group["momentum"]), bool(group["nesterov"])
        return -lr, momentum, 1.0 - dampening, dampening != 0, nesterov

    @staticmethod
    def _update(settings, t, tmp, theta, g, buf=None) -> None:
        minus_lr, momentum, one_minus_dampening, dampened, nesterov = settings
        update = g
        if buf is not None:
            if t == 1:
                np.copyto(buf, g)  # b₁ = g
            else:
                np.multiply(buf, momentum, out=buf)  # b ← μ·b
                if dampened:
                    np.multiply(g, one_minus_dampening, out=tmp)
                    np.add(buf, tmp, out=buf)  #      + (1 - τ)·g
                else:
                    np.add(buf, g, out=buf)  #        + g
            update = buf
            if nesterov:
                np.multiply(buf, momentum, out=tmp)
                np.add(tmp, g, out=tmp)  # g + μ·b
                update = tmp
        np.multiply(update, minus_lr, out=tmp)
        np.add(theta, tmp, out=theta)  # θ ← θ - lr·update
