"""Exercises that check themselves, for the course notebooks (``course/``).

Each chapter's notebook ends with exercises in the course's style; the learner computes
a number, an array or writes a function, and asks::

    from fcnn.exercises import check
    check("ch2.dE_dw5", my_value)

The check computes the answer with fcnn's own modules at that moment (no stored
constants), compares, and says in the current language (``fcnn.set_language``) whether
the answer is right and, if not, on which hidden case and by how much, with a hint
naming the factor or the shape that went wrong; never the solution.

Exercises (``EXERCISES``):

- ``ch1.linear_forward``: ``f(X, W, b)`` → ``X Wᵀ + b``;
- ``ch1.collapse``: ``f(W1, b1, W2, b2)`` → the ``(W, b)`` of one equivalent layer;
- ``ch2.dE_dw5``, ``ch2.dE_dw1``: numbers, on the notes' 2-2-2 example;
- ``ch2.grad_W1``: the first layer's 2×2 gradient, in fcnn's layout;
- ``ch2.linear_backward``: ``f(x, W, grad_out)`` → a Linear layer's ``(dx, dW, db)``;
- ``ch3.sigmoid_backward``: ``f(y, grad_output)`` with ``y = σ(x)``;
- ``ch3.relu_backward``: ``f(x, grad_output)``;
- ``ch4.tanh_backward``: ``f(a, grad_output)`` with ``a = tanh(z)``;
- ``ch4.bce_logits_grad``: ``f(z, y)`` → ``(σ(z) − y) / m``;
- ``ch5.he_std``: ``f(fan_in)`` → He's standard deviation;
- ``ch5.dead_units``: ``f(A)`` → the mask of a ReLU layer's dead units;
- ``ch6.batchnorm_forward``: ``f(x, gamma, beta, eps)`` in training mode;
- ``ch6.running_var``: ``f(running_var, x, momentum)`` → the updated running variance;
- ``ch7.softmax_ce_grad``: ``f(z, labels)`` → ``(softmax(z) − onehot) / N``;
- ``ch7.momentum_step``: ``f(w, v, g, lr, momentum)`` → the new ``(w, v)``;
- ``ch8.train_step``: ``f(model, loss_fn, optimizer, X, y)``, one training step;
- ``ch8.count_parameters``: ``f(sizes)`` → how many numbers ``fcnn.mlp(sizes)`` learns.

To add one: a checker in the chapter's module, decorated with ``@exercise("chN.name")``,
that raises :class:`~fcnn.exercises.verdict.Wrong` (what is wrong, a hint) or returns
the sentence said when right; its messages go through ``_`` (domain ``exercises``).
"""

from __future__ import annotations

from . import ch1, ch2, ch3, ch4, ch5, ch6, ch7, ch8  # noqa: F401  (each registers its exercises)
from .verdict import EXERCISES, Verdict, check

__all__ = ["EXERCISES", "Verdict", "check"]
