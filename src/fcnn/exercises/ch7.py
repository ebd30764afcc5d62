"""Chapter 7's exercises: the softmax-cross-entropy gradient (checked against
``fcnn.CrossEntropyLoss``) and one step of SGD with momentum (against ``fcnn.optim.SGD``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..losses import CrossEntropyLoss
from ..optim import SGD
from ..parameter import Parameter
from .verdict import call, compare, exercise, function, pair, translator

_ = translator("exercises")


@exercise("ch7.softmax_ce_grad")
def softmax_ce_grad(answer: Any) -> str:
    """``f(z, labels)`` must return ``(softmax(z) − onehot(labels)) / N``."""
    fn = function(answer)
    rng = np.random.default_rng(71)
    for case, (n, k) in enumerate([(5, 3), (1, 4), (7, 10)], start=1):
        z = rng.normal(scale=2.0, size=(n, k))
        labels = rng.integers(0, k, size=n)
        loss = CrossEntropyLoss()
        loss.forward(z, labels)
        want = loss.backward()
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        onehot = np.eye(k)[labels]
        mistakes = [
            ((onehot - p) / n, _("the sign: the gradient is softmax(z) − onehot(labels)")),
            (
                (p - onehot) * p * (1 - p) / n,
                _("softmax's slope cancels against the log: no extra factor"),
            ),
            (
                (np.exp(z) / np.exp(z).sum() - onehot) / n,
                _("softmax normalises each row (sample) separately"),
            ),
        ]
        if n > 1:
            mistakes.insert(
                0, (p - onehot, _("the loss is the mean over the N samples: divide by N"))
            )
        compare(
            call(fn, case, z, labels), want, case, f"z {z.shape}, labels {labels.shape}", mistakes
        )
    return _("Your gradient is CrossEntropyLoss's: softmax(z) − onehot(labels), over N.")


@exercise("ch7.momentum_step")
def momentum_step(answer: Any) -> str:
    """``f(w, v, g, lr, momentum)`` must return the new ``(w, v)`` of PyTorch's (and
    fcnn's) SGD with momentum: ``v ← momentum·v + g``, ``w ← w − lr·v``."""
    fn = function(answer)
    rng = np.random.default_rng(72)
    lr, mu = 0.1, 0.9
    for case, shape in enumerate([(3, 2), (4,), (2, 5)], start=1):
        w, v, g = (rng.normal(size=shape) for _i in range(3))
        p = Parameter(w.copy())
        optimizer = SGD([p], lr=lr, momentum=mu)
        optimizer.state[p]["momentum_buffer"] = v.copy()
        p.grad = g.copy()
        optimizer.step()
        want_w, want_v = p.data, optimizer.state[p]["momentum_buffer"]
        not_a_pair = _("On hidden case {case} your function did not return a pair (w, v): {error}")
        got_w, got_v = pair(fn, case, not_a_pair, w.copy(), v.copy(), g.copy(), lr, mu)
        where = f"w {shape}"
        compare(
            np.asarray(got_v, dtype=np.float64),
            want_v,
            case,
            where,
            [
                (
                    mu * v + (1 - mu) * g,
                    _("PyTorch's rule adds the whole gradient: v ← momentum·v + g"),
                ),
                (
                    mu * v - lr * g,
                    _("v accumulates gradients, not steps: v ← momentum·v + g, then w ← w − lr·v"),
                ),
            ],
        )
        compare(
            np.asarray(got_w, dtype=np.float64),
            want_w,
            case,
            where,
            [
                (w - lr * g, _("the step follows the velocity v, not the gradient g")),
                (w - lr * v, _("step with the new velocity, after updating it")),
                (w + lr * want_v, _("the sign: w ← w − lr·v")),
            ],
        )
    return _("Your step is fcnn.optim.SGD's with momentum on 3 hidden cases.")
