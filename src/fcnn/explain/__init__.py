"""Floor 3: the step-by-step backprop trace of a small network, for one sample.

``explain(model, x, target)`` does on a float64 copy of ``model`` what the course notes
do by hand: one forward pass, the loss, one backward pass and one SGD step. It records
the net input and output of every unit, the loss, and for every weight and bias the
chain-rule factors ``∂E/∂out · ∂out/∂net · ∂net/∂w`` (for a hidden unit ``∂E/∂out`` is
itself a sum over the units it feeds, ``Σₖ δₖ·wₖⱼ`` with ``δₖ = ∂E/∂netₖ``), the gradient
and the value after the step. The factors are computed explicitly, for display; their
products are then checked against the library's own ``model.backward`` and the steps
against ``fcnn.optim.SGD``, and any disagreement raises ``RuntimeError``. The trace
reports both, so a reader sees that the formula and the engine agree.

Names follow the notes: inputs ``i1, i2, …``; hidden units ``h1, h2, …`` (``h1.1, h1.2,
…, h2.1, …`` with several hidden layers); outputs ``o1, o2, …``; weights ``w1, w2, …``
numbered layer by layer in the order of ``Linear.weight`` (row = receiving unit, column
= sending unit, so ``net_h1 = w1·i1 + w2·i2 + b1``); biases ``b1, b2, …`` per unit, or
one per layer with ``shared_biases=True``.

``classic_example()`` builds the notes' worked 2-2-2 example (inputs 0.05, 0.10, targets
0.01, 0.99, sigmoid units, E = ½Σ(target − out)², η = 0.5). Its two biases are shared by
the units of their layer and left out of the update: in fcnn they are ``Linear`` biases
whose entries start equal, traced with ``shared_biases=True`` (one parameter per layer,
gradient ``Σⱼ δⱼ``) and ``update_biases=False``.

The package, in the order a reader meets it:

- ``records``: the trace as data (``Trace``, ``UnitTrace``, ``ParamTrace``, ``Factor``,
  ``Downstream``), plain frozen dataclasses;
- ``rules`` and ``loss_rules``: what the trace knows about each activation and each loss
  (formula, derivative, how it prints), one table keyed by class each;
- ``structure`` and ``samples``: the model as Linear/activation stages with the notes'
  names, and the one sample;
- ``build``: ``explain`` itself, and ``verify``, which holds every number against fcnn's;
- ``render_text``, ``render_markdown`` (with ``render_tex`` for its equations) and
  ``render_json``: the renderings, apart from the data;
- ``example``: the notes' worked example.
"""

from __future__ import annotations

from .build import explain
from .example import ClassicExample, classic_example
from .loss_rules import LOSS_NAMES
from .records import Downstream, Factor, ParamTrace, Trace, UnitTrace
from .structure import MAX_PARAMETERS

__all__ = [
    "LOSS_NAMES",
    "MAX_PARAMETERS",
    "ClassicExample",
    "Downstream",
    "Factor",
    "ParamTrace",
    "Trace",
    "UnitTrace",
    "classic_example",
    "explain",
]
