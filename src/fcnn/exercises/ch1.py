"""Chapter 1's exercises: a Linear layer's forward pass, and the one linear map a stack
of two Linear layers without an activation collapses to."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers import Linear, Sequential
from .verdict import (
    Wrong,
    call,
    compare,
    exercise,
    first_match,
    function,
    miss,
    pair,
    then,
    translator,
)

_ = translator("exercises")

# (samples, in_features, out_features) of the hidden cases: never square first, so a
# missing transpose shows as a wrong shape
CASES = [(5, 3, 2), (1, 4, 6), (7, 2, 2)]


def linear_layer(W: np.ndarray, b: np.ndarray) -> Linear:
    """A float64 ``fcnn.Linear`` holding ``W`` and ``b``: the reference the checks ask."""
    layer = Linear(W.shape[1], W.shape[0], dtype=np.float64)
    layer.load_state_dict({"weight": W, "bias": b})
    return layer


@exercise("ch1.linear_forward")
def linear_forward(answer: Any) -> str:
    """``f(X, W, b)`` must give what ``fcnn.Linear`` gives: ``X Wᵀ + b``."""
    fn = function(answer)
    transpose = _("W has shape (out_features, in_features): X of shape (N, in_features) needs Wᵀ")
    rng = np.random.default_rng(1)
    for case, (n, fan_in, fan_out) in enumerate(CASES, start=1):
        X, W = rng.normal(size=(n, fan_in)), rng.normal(size=(fan_out, fan_in))
        b = rng.normal(size=fan_out)
        want = linear_layer(W, b).forward(X)
        got = call(fn, case, X, W, b, hint=transpose)
        shapes = f"X {X.shape}, W {W.shape}, b {b.shape}"
        mistakes = [
            (X @ W.T, _("the bias b is missing: z = X Wᵀ + b")),
            ((X @ W.T + b).T, _("the result is transposed: one row per sample")),
            (X @ W.T - b, _("the bias is added, not subtracted")),
        ]
        compare(got, want, case, shapes, mistakes)
    return _("Your forward pass gives what fcnn.Linear gives on {n} hidden cases.").format(
        n=len(CASES)
    )


@exercise("ch1.collapse")
def collapse(answer: Any) -> str:
    """``f(W1, b1, W2, b2)`` must return the ``(W, b)`` of the one Linear layer that
    equals the stack ``Linear(W1, b1) → Linear(W2, b2)``; fcnn finds it by probing the
    stack: ``b`` is its output at 0, the rows of ``Wᵀ`` its outputs at the unit vectors
    minus ``b``."""
    fn = function(answer)
    rng = np.random.default_rng(2)
    for case, (fan_in, hidden, fan_out) in enumerate([(2, 3, 3), (4, 5, 2)], start=1):
        W1, b1 = rng.normal(size=(hidden, fan_in)), rng.normal(size=hidden)
        W2, b2 = rng.normal(size=(fan_out, hidden)), rng.normal(size=fan_out)
        stack = Sequential(linear_layer(W1, b1), linear_layer(W2, b2))
        b = stack.forward(np.zeros((1, fan_in)))[0]
        W = (stack.forward(np.eye(fan_in)) - b).T
        not_a_pair = _("On hidden case {case} your function did not return a pair (W, b): {error}")
        got_W, got_b = pair(fn, case, not_a_pair, W1.copy(), b1.copy(), W2.copy(), b2.copy())
        shapes = f"W1 {W1.shape}, W2 {W2.shape}"
        compare(
            np.asarray(got_W, dtype=np.float64),
            W,
            case,
            shapes,
            [
                (
                    W1.T @ W2.T,
                    _("this is Wᵀ: W has shape (out_features, in_features), and W = W2 W1"),
                ),
            ],
        )
        got_b = np.asarray(got_b, dtype=np.float64)
        if got_b.shape != b.shape or not np.allclose(got_b, b, rtol=1e-5, atol=1e-12):
            hint = first_match(
                got_b,
                [
                    (b1 + b2, _("b1 goes through the second layer's weights too: b = W2 b1 + b2")),
                    (W2 @ b1, _("the second layer's own bias b2 is missing")),
                ],
            )
            if got_b.shape != b.shape:
                raise Wrong(
                    _("On hidden case {case} b has shape {got}; it should be {want}.").format(
                        case=case, got=got_b.shape, want=b.shape
                    ),
                    hint,
                )
            raise Wrong(
                then(
                    _("On hidden case {case} W is right but b is not.").format(case=case),
                    miss(got_b, b),
                ),
                hint,
            )
    return _(
        "W and b reproduce the two-layer stack exactly: depth without a non-linearity adds nothing."
    )
