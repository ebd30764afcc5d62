"""What the trace knows about each loss, in one table keyed by class.

``KNOWN_LOSSES`` gives, for each fcnn loss whose derivative the trace writes out, the
short name ``explain`` takes, the loss as a formula, ``∂E/∂out`` of one output unit as a
formula and as code (checked against the loss's own backward pass). Any other fcnn
``Loss`` is traced too, its ``∂E/∂out`` taken from ``loss.backward()`` alone. Besides
these, ``"mse_half"`` is the notes' ``E = ½ Σₖ (targetₖ − outₖ)²``.

In the templates ``{per}`` stands for the ``1/K`` of a mean over the K outputs (empty for
a sum), ``{div}`` for the ``/K`` of its derivative, and ``{u}`` for an output unit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..i18n import N_, Message
from ..losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss, get_loss
from .rules import sigmoid

Gradient = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``(out, target) -> ∂E/∂out`` for one sample."""


class LossRule(NamedTuple):
    """The loss a trace uses, its formulas, and its derivative where the trace writes it."""

    name: str
    loss: Loss
    scale: float  # E = scale · loss(out, target)
    formula: str
    tex: str
    grad_text: str  # ∂E/∂out_u with {u} for the unit; "" when only loss.backward() knows
    grad_tex: str
    grad: Gradient | None  # explicit ∂E/∂out
    elementwise: bool  # a sum (or mean) of one term per output unit


class _Known(NamedTuple):
    """A loss the trace writes out: its short name, formulas and ∂E/∂out."""

    name: str
    formula: str
    tex: str
    grad_text: str
    grad_tex: str
    grad: Callable[[np.ndarray, np.ndarray, int], np.ndarray]  # (out, target, K of a mean)


def _mse_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    return 2.0 * (out - target) / n


def _bce_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    # PyTorch's floor on out(1 − out) keeps the gradient finite at 0 and 1.
    return (out - target) / np.maximum(out * (1.0 - out), 1e-12) / n


def _bce_logits_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    return (sigmoid(out) - target) / n


def _cross_entropy_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    # ∂E/∂z = softmax(z)·Σt − t  (= softmax(z) − t for a one-hot or probability target).
    # n is 1: the loss is one per sample, and for one sample mean and sum agree.
    e = np.exp(out - out.max())
    return e / e.sum() * target.sum() - target


KNOWN_LOSSES: dict[type[Loss], _Known] = {
    MSELoss: _Known(
        "mse",
        "E = {per}Σₖ (outₖ − targetₖ)²",
        r"E = {per}\sum_k (out_k - target_k)^2",
        "2(out_{u} − target_{u}){div}",
        "2(out_{{u}} - target_{{u}}){div}",
        _mse_grad,
    ),
    BCELoss: _Known(
        "bce",
        "E = −{per}Σₖ [targetₖ·log outₖ + (1 − targetₖ)·log(1 − outₖ)]",
        r"E = -{per}\sum_k [target_k \log out_k + (1 - target_k)\log(1 - out_k)]",
        "(out_{u} − target_{u}) / (out_{u}(1 − out_{u})){div}",
        r"\frac{out_{{u}} - target_{{u}}}{out_{{u}}(1 - out_{{u}})}{div}",
        _bce_grad,
    ),
    BCEWithLogitsLoss: _Known(
        "bce_with_logits",
        "E = −{per}Σₖ [targetₖ·log σ(outₖ) + (1 − targetₖ)·log(1 − σ(outₖ))]",
        r"E = -{per}\sum_k [target_k \log \sigma(out_k) + (1 - target_k)\log(1 - \sigma(out_k))]",
        "(σ(out_{u}) − target_{u}){div}",
        r"(\sigma(out_{{u}}) - target_{{u}}){div}",
        _bce_logits_grad,
    ),
    CrossEntropyLoss: _Known(
        "cross_entropy",
        "E = −Σₖ targetₖ·log softmax(out)ₖ",
        r"E = -\sum_k target_k \log \mathrm{softmax}(out)_k",
        "softmax(out)_{u} − target_{u}",
        r"\mathrm{softmax}(out)_{{u}} - target_{{u}}",
        _cross_entropy_grad,
    ),
}

LOSS_NAMES = ("mse_half", *(known.name for known in KNOWN_LOSSES.values()))
"""Loss names ``explain`` takes besides any fcnn ``Loss`` instance or registry name."""


def _half_squared_error_grad(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return out - target


def _half_squared_error() -> LossRule:
    """The notes' loss: fcnn's summed squared error, halved."""
    return LossRule(
        "mse_half",
        MSELoss(reduction="sum"),
        0.5,
        "E = ½ Σₖ (targetₖ − outₖ)²",
        "E = \\tfrac{1}{2}\\sum_k (target_k - out_k)^2",
        "out_{u} − target_{u}",
        "out_{{u}} - target_{{u}}",
        _half_squared_error_grad,
        True,
    )


def loss_rule(loss: Any, k: int) -> LossRule:
    """What ``loss`` is: the fcnn loss computing it and, where known, its explicit gradient.

    ``k`` is the number of output units, the divisor of a mean over them.
    """
    if isinstance(loss, str):
        if loss == "mse_half":
            return _half_squared_error()
        try:
            loss = get_loss(loss)
        except ValueError:
            template = N_(
                "explain: unknown loss {loss!r}; expected one of {names}, "
                "another fcnn loss name, or an fcnn Loss"
            )
            said = {"loss": loss, "names": ", ".join(LOSS_NAMES)}
            raise ValueError(Message("explain", template, **said)) from None
    if not isinstance(loss, Loss):
        template = N_("explain: loss must be a name or an fcnn Loss, got {type}")
        raise TypeError(Message("explain", template, type=type(loss).__name__))
    if loss.reduction == "none":
        template = N_("explain: {loss!r} has reduction='none'; use 'mean' or 'sum'")
        raise ValueError(Message("explain", template, loss=loss))
    elementwise = loss.target_kind != "classes"
    mean = loss.reduction == "mean"
    cls = type(loss)
    # Only the class itself with its default arguments: a subclass or a weighted loss is
    # another formula, left to its own backward pass.
    known = KNOWN_LOSSES.get(cls)
    if known is None or loss.config() != cls(reduction=loss.reduction).config():
        return LossRule(
            repr(loss),
            loss,
            1.0,
            f"E = {loss!r}(out, target)",
            f"E = \\mathrm{{{cls.__name__}}}(out, target)",
            "",
            "",
            None,
            elementwise,
        )
    n = k if mean and elementwise else 1  # the divisor of a mean over the K outputs
    per, per_tex = (f"(1/{n})", f"\\frac{{1}}{{{n}}}") if n > 1 else ("", "")
    div, div_tex = (f"/{n}", f"\\cdot\\frac{{1}}{{{n}}}") if n > 1 else ("", "")
    return LossRule(
        known.name if mean else repr(loss),
        loss,
        1.0,
        known.formula.replace("{per}", per),
        known.tex.replace("{per}", per_tex),
        known.grad_text.replace("{div}", div),
        known.grad_tex.replace("{div}", div_tex),
        functools.partial(known.grad, n=n),
        elementwise,
    )


def loss_terms(rule: LossRule, out: np.ndarray, target: np.ndarray, units: list[str]) -> dict:
    """E_o1, E_o2, …: the loss per output unit, where the loss is a sum (or mean) over them."""
    if not rule.elementwise:
        return {}
    per_element = type(rule.loss)(**{**rule.loss.config(), "reduction": "none"})
    terms = np.asarray(per_element(out, target), dtype=np.float64)[0] * rule.scale
    if rule.loss.reduction == "mean":
        terms = terms / terms.size
    return {u: float(t) for u, t in zip(units, terms, strict=True)}
