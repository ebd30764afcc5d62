"""The numerical gradient check every layer in fcnn is proven with, public so that learners
can run it on layers they write themselves.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import checks
from ..core import Module
from .words import N_, Message

__all__ = ["gradcheck", "relative_error"]


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max|a - b| / max(1e-8, max|a| + max|b|)``: scale-free, and robust where the
    gradient itself is near zero (an elementwise ratio would blow up there)."""
    a = np.asarray(analytic, dtype=np.float64)
    b = np.asarray(numeric, dtype=np.float64)
    if a.size == 0:
        return 0.0
    scale = max(1e-8, float(np.max(np.abs(a)) + np.max(np.abs(b))))
    return float(np.max(np.abs(a - b)) / scale)


def _numeric_gradient(fn: Callable[[], float], array: np.ndarray, eps: float) -> np.ndarray:
    """Central differences ``(f(v+ε) - f(v-ε)) / 2ε`` for every element of ``array``,
    perturbing it in place and restoring it."""
    grad = np.zeros_like(array, dtype=np.float64)
    flat = array.reshape(-1)  # a view: writes reach the array fn() reads
    grad_flat = grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = fn()
        flat[i] = original - eps
        minus = fn()
        flat[i] = original
        grad_flat[i] = (plus - minus) / (2 * eps)
    return grad


def _generators(obj: Any) -> list[tuple[np.random.Generator, dict]]:
    """Every generator a module holds (e.g. Dropout's), with its current state."""
    found = []
    modules = obj.modules() if isinstance(obj, Module) else [obj]
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, np.random.Generator):
                found.append((value, copy.deepcopy(value.bit_generator.state)))
    return found


def gradcheck(
    obj: Any, x: Any, target: Any = None, *, eps: float = 1e-6, seed: int = 0
) -> dict[str, float]:
    """Compare a module's or loss's backward pass with central differences, in float64.

    The object is deep-copied and converted to float64, so yours is not touched. For a
    module, the scalar checked is ``Σ g ⊙ forward(x)`` with a random upstream gradient
    ``g``; for a loss, the loss itself (``Σ g ⊙ loss`` when ``reduction='none'``).
    Random draws inside the module (Dropout's mask) are replayed identically on every
    evaluation, so the mask is fixed.

    Parameters
    ----------
    obj : Module or loss
        Anything with ``forward`` and ``backward`` in fcnn's convention.
    x : array_like, shape (N, features)
        The input (for a loss: the prediction).
    target : array_like, optional
        The loss target; required for losses.
    eps : float
        Finite-difference step.
    seed : int
        Seed of the random upstream gradient.

    Returns
    -------
    dict
        ``{"input": err, "<parameter name>": err, ...}`` with
        ``err = max|analytic - numeric| / max(1e-8, max|analytic| + max|numeric|)``;
        below ~1e-6 means the backward pass is right. Where the true gradient is exactly
        zero (a bias feeding BatchNorm in training) the ratio only measures
        finite-difference noise (~1e-10 / 1e-8); read such an entry as absolute error.
    """
    # A stream of its own: default_rng(seed) would hand back the caller's input when the
    # input was drawn with the same seed (g = x makes BatchNorm's input gradient vanish).
    seed = checks.non_negative_int("gradcheck", "seed", seed)
    rng = np.random.default_rng([seed, 0x67726164])
    x = np.array(x, dtype=np.float64)
    checked = copy.deepcopy(obj)
    if isinstance(checked, Module):
        checked.to(np.float64)
    elif hasattr(checked, "to"):
        checked.to(np.float64)
    is_loss = not isinstance(checked, Module)
    if is_loss and target is None:
        template = N_("gradcheck of {type}: a loss needs target=")
        raise ValueError(Message(template, type=type(obj).__name__))
    generators = _generators(checked)

    def forward() -> Any:
        for generator, state in generators:
            generator.bit_generator.state = copy.deepcopy(state)
        return checked.forward(x, target) if is_loss else checked.forward(x)

    out = forward()
    upstream = None if np.isscalar(out) else rng.standard_normal(np.shape(out))
    if isinstance(checked, Module):
        checked.zero_grad()
    analytic = {"input": checked.backward(upstream) if upstream is not None else checked.backward()}
    params = list(checked.named_parameters()) if isinstance(checked, Module) else []
    for name, param in params:
        analytic[name] = param.grad.copy()

    def scalar() -> float:
        value = forward()
        return float(value) if upstream is None else float(np.sum(np.asarray(value) * upstream))

    errors = {"input": relative_error(analytic["input"], _numeric_gradient(scalar, x, eps))}
    for name, param in params:
        errors[name] = relative_error(analytic[name], _numeric_gradient(scalar, param.data, eps))
    return errors
