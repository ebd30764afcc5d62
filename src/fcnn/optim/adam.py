"""Adam, and AMSGrad: PyTorch's ``Adam`` (AdamW, its decoupled-decay form, is in adamw.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from .. import checks
from ..core import Parameter
from ..i18n import N_, Message
from .optimizer import AT_LEAST_ZERO, Optimizer, hyperparameters

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015, "Adam: A Method for Stochastic Optimization").

    With ``g`` the gradient (``-g`` when maximizing; plus ``weight_decay·θ`` unless the
    decay is decoupled), at step ``t``::

        m ← β₁·m + (1 - β₁)·g              v ← β₂·v + (1 - β₂)·g²
        θ ← θ - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    ``eps`` is added after the bias correction of ``√v``, as in PyTorch. With
    ``amsgrad=True`` (Reddi et al., 2018, "On the Convergence of Adam and Beyond") the
    running maximum of ``v`` replaces ``v`` in the denominator.

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moment averages, each in [0, 1).
    eps : float, default 1e-8
    weight_decay : float, default 0
        L2 penalty added to the gradient (or, with ``decoupled_weight_decay``, AdamW's
        ``θ ← θ(1 - lr·weight_decay)``).
    amsgrad : bool, default False
    maximize : bool, default False
    decoupled_weight_decay : bool, default False
        True makes this optimiser :class:`AdamW`.
    """

    _reals: ClassVar[dict[str, dict[str, Any]]] = {**Optimizer._reals, "eps": AT_LEAST_ZERO}
    _flags = ("amsgrad", "maximize", "decoupled_weight_decay")

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),  # (β₁, β₂)
        eps: float = 1e-8,
        weight_decay: float = 0,  # λ
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        betas = tuple(betas) if isinstance(betas, list) else betas  # kept as PyTorch keeps it
        super().__init__(params, hyperparameters(locals()))

    def _check_more(self, group: dict[str, Any], where: str) -> None:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)):
            template = N_(
                "{where}(betas={betas!r}): betas must be a pair (beta1, beta2), got {type}"
            )
            said = {"betas": betas, "type": type(betas).__name__}
            raise TypeError(Message("checks", template, where=where, **said))
        if len(betas) != 2:
            template = N_("{where}(betas={betas!r}): betas must be a pair (beta1, beta2)")
            raise ValueError(Message("checks", template, where=where, betas=betas))
        for i, beta in enumerate(betas):
            checks.real(where, f"betas[{i}]", beta, low=0, high=1, high_open=True)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("exp_avg", "exp_avg_sq")  # m₀ = v₀ = 0
        return (*names, "max_exp_avg_sq") if group["amsgrad"] else names

    def _settings(self, group: dict[str, Any]) -> tuple:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        decoupled = bool(group["decoupled_weight_decay"])
        decay = lr * float(group["weight_decay"]) if decoupled else 0.0  # AdamW's lr·λ
        per_step = (lr, beta1, beta2, float(group["eps"]))  # for the bias corrections
        return 1.0 - beta1, 1.0 - beta2, beta2, 1.0 - decay, decay != 0, per_step

    @staticmethod
    def _update(settings, t, tmp, theta, g, m, v, v_max=None) -> None:
        one_minus_beta1, one_minus_beta2, beta2_, one_minus_decay, decoupled, per_step = settings
        if decoupled:
            np.multiply(theta, one_minus_decay, out=theta)  # AdamW: θ ← θ(1 - lr·λ)
        np.subtract(g, m, out=tmp)
        np.multiply(tmp, one_minus_beta1, out=tmp)
        np.add(m, tmp, out=m)  # m ← m + (1 - β₁)(g - m) = β₁m + (1 - β₁)g
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, one_minus_beta2, out=tmp)
        np.multiply(v, beta2_, out=v)
        np.add(v, tmp, out=v)  # v ← β₂v + (1 - β₂)g²
        if v_max is not None:
            np.maximum(v_max, v, out=v_max)  # AMSGrad: v̂ ← max(v̂, v)
            v = v_max
        lr, beta1, beta2, eps = per_step
        step_size = lr / (1.0 - beta1**t)  # lr / (1 - β₁ᵗ)
        bias_correction2_sqrt = (1.0 - beta2**t) ** 0.5  # √(1 - β₂ᵗ)
        # θ ← θ - step_size · m / (√v / √(1 - β₂ᵗ) + eps), PyTorch's formula, computed with
        # both sides of the fraction scaled by √(1 - β₂ᵗ): one division pass fewer.
        np.sqrt(v, out=tmp)
        np.add(tmp, eps * bias_correction2_sqrt, out=tmp)  # √v + eps·√(1 - β₂ᵗ)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, -step_size * bias_correction2_sqrt, out=tmp)
        np.add(theta, tmp, out=theta)
