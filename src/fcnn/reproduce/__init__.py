"""Floor 4: reproductions — rerun a published result and set ours beside it.

``REPRODUCTIONS`` maps a name to a function ``run(*, data_dir=None, quick=False,
verbose=0, progress=None) -> Result``:

- ``planar``: the course's flower data, logistic regression vs the 2-4-1 tanh network,
  and the hidden-width sweep (``planar``).
- ``init``: zeros vs ``randn·10`` vs He on circles (``initialization``).
- ``optimizers``: mini-batch GD vs momentum vs Adam on moons (``optimizers``).
- ``activations``: one deep network, seven activations, epochs to a target
  (``activations``).
- ``mnist`` / ``fashion-mnist``: LeCun's 784-800-10 and the Keras mnist_mlp example
  (``mnist``).

A ``Result`` renders as a Markdown table (``Result.to_markdown``); :func:`write` saves
it as ``<name>.md``, atomically. ``fcnn reproduce NAME`` and ``benchmarks/reproduce.py``
both go through here.
"""

from __future__ import annotations

from collections.abc import Callable

from . import activations, dropout, initialization, mnist, optimizers, planar
from .result import Result, machine_description, write

__all__ = ["LONG_REPRODUCTIONS", "REPRODUCTIONS", "Result", "machine_description", "write"]

#: name → run(*, data_dir=None, quick=False, verbose=0, progress=None) -> Result
REPRODUCTIONS: dict[str, Callable[..., Result]] = {
    "planar": planar.run,
    "init": initialization.run,
    "optimizers": optimizers.run,
    "activations": activations.run,
    "mnist": mnist.run_mnist,
    "fashion-mnist": mnist.run_fashion_mnist,
}

#: name → run(*, data_dir=None, quick=False, verbose=0, progress=None, runs_dir=...,
#: rows=None, max_epochs=None, budget_hours=None, train=True) -> Result
LONG_REPRODUCTIONS: dict[str, Callable[..., Result]] = {"dropout": dropout.run}
