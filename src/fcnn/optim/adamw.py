"""AdamW: Adam with decoupled weight decay, PyTorch's ``AdamW``."""

from __future__ import annotations

from collections.abc import Iterable

from ..core import Parameter
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019, "Decoupled Weight Decay
    Regularization").

    The decay shrinks the weights directly, ``θ ← θ(1 - lr·weight_decay)``, before the
    Adam update, instead of entering the gradient (and so the moment estimates). The rest
    is :class:`Adam`'s rule. Note the default ``weight_decay=1e-2``, as in PyTorch.

    Parameters
    ----------
    params, lr, betas, eps, amsgrad, maximize
        As for :class:`Adam`.
    weight_decay : float, default 1e-2
    """

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
