"""Floor 1: the max-norm constraint, the projection a layer or an optimiser applies after
each update.

Srivastava et al. 2014, "Dropout: a simple way to prevent neural networks from
overfitting" (JMLR 15), Section 5.1: the incoming weight vector ``w`` of every hidden
unit is kept inside the ball ``‖w‖₂ ≤ c``; whenever an update takes it outside, it is
projected back onto the ball's surface, ``w ← c · w / ‖w‖₂``.

fcnn stores a weight as PyTorch does, ``(out_features, in_features)``, so a unit's
incoming weights are a ROW: the projection runs along ``axis=1``. This is Keras's
``MaxNorm(max_value=c, axis=0)`` on a Keras ``Dense`` kernel, which is stored the other
way round, ``(in, out)``; and it is ``torch.renorm(W, p=2, dim=0, maxnorm=c)`` on the
same ``(out, in)`` weight. Rows already inside the ball are left exactly as they are
(as ``torch.renorm`` does; Keras rescales every row by ``‖w‖ / (ε + ‖w‖)``, a change in
the seventh digit), and the factor is ``c / ‖w‖`` without an ε, which cannot be
needed: a row is only rescaled when ``‖w‖ > c > 0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import checks

__all__ = ["MaxNormWeight", "check_max_norm", "max_norm_"]


def check_max_norm(where: str, value: Any) -> float | None:
    """``value`` as the radius of a max-norm constraint: None (no constraint) or a float > 0."""
    if value is None:
        return None
    return checks.real(where, "max_norm", value, low=0, low_open=True)


def max_norm_(weight: np.ndarray, max_value: float) -> np.ndarray:
    """Rescale, in place, every row of the 2-D ``weight`` whose L2 norm exceeds
    ``max_value`` to norm ``max_value``; return ``weight``.

    The other rows are not touched (bit for bit). The norms are computed in the weight's
    own dtype, as the update that moved it was.
    """
    norms = np.sqrt(np.einsum("ij,ij->i", weight, weight))  # ‖wⱼ‖₂ of every row
    outside = norms > max_value
    if outside.any():
        # Each row times its factor: c / ‖w‖ outside the ball, exactly 1 inside (x · 1 is
        # x, bit for bit), one pass over the weight, faster than picking the rows out.
        factor = np.ones_like(norms)
        np.divide(max_value, norms, out=factor, where=outside)
        weight *= factor[:, None]
    return weight


class MaxNormWeight:
    """What a layer whose ``weight`` rows are its units' incoming weights (``Linear``,
    ``Maxout``) needs for a max-norm constraint, mixed in before ``Module``.

    ``max_norm`` is None (no constraint, the default) or the radius c > 0; it may be
    changed later (checked again). ``Module.apply_constraints`` projects the layer when
    it is set, and ``config()`` records it then (and only then: a spec without it is a
    layer without a constraint, as every file written before it existed).
    """

    _max_norm: float | None = None

    @property
    def max_norm(self) -> float | None:
        return self._max_norm

    @max_norm.setter
    def max_norm(self, value: float | None) -> None:
        object.__setattr__(self, "_max_norm", check_max_norm(type(self).__name__, value))

    @property
    def constrained(self) -> bool:
        return self._max_norm is not None

    def _constrain(self) -> None:
        if self._max_norm is not None:  # None after a step was built: nothing to keep
            max_norm_(self.weight.data, self._max_norm)  # type: ignore[attr-defined]

    def _with_max_norm(self, config: dict[str, Any]) -> dict[str, Any]:
        """``config`` with ``max_norm`` added when the layer has one."""
        return config if self._max_norm is None else {**config, "max_norm": self._max_norm}
