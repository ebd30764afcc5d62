"""``init``: the course's "Initialization" notebook — zeros, large random, He.

Circles (300 training, 100 test points), a [2, 10, 5, 1] ReLU/ReLU/sigmoid network,
15 000 full-batch gradient-descent steps at learning rate 0.01, from three starting
points: all zeros (the network cannot break symmetry: 50 % / 50 %), ``randn·10``
(83 % / 86 %) and He's ``randn·√(2/fan_in)`` (99.3 % / 96 %).
"""

from __future__ import annotations

import math
import time

from ..data import circles
from ._course import course_accuracy, course_network, full_batch_gradient_descent, percent
from .result import Progress, Result, announce, draw_figure

__all__ = ["PUBLISHED", "run"]

#: (train %, test %) as the notebook prints them.
PUBLISHED = {"zeros": (50.0, 50.0), "random": (83.0, 86.0), "he": (99.3, 96.0)}
TOLERANCE = 2.0  # percentage points

_SCHEMES = {
    "zeros": ("zeros", None),
    "random": ("randn·10", lambda fan_in: 10.0),
    "he": ("He, randn·√(2/fan_in)", lambda fan_in: math.sqrt(2.0 / fan_in)),
}


def run(
    *, data_dir: str | None = None, quick: bool = False, verbose: int = 0, progress: Progress = None
) -> Result:
    """Reproduce the initialization notebook's three runs (train and test accuracy).

    ``quick`` trains 1 500 steps instead of 15 000 (not the published setting);
    ``data_dir`` is ignored (the circles are generated).
    """
    start = time.perf_counter()
    # The notebook: np.random.seed(1); make_circles(300, noise=.05), then seed(2) for 100.
    X_train, y_train = circles(300, noise=0.05, seed=1)
    X_test, y_test = circles(100, noise=0.05, seed=2)
    steps = 1_500 if quick else 15_000
    rows, panels = [], []
    for key, (label, scale) in _SCHEMES.items():
        announce(progress, verbose, f"init: {label}, {steps} steps")
        model = course_network([2, 10, 5, 1], "relu", scale, seed=3)
        full_batch_gradient_descent(model, X_train, y_train, lr=0.01, steps=steps)
        panels.append((label, model, course_accuracy(model, X_train, y_train)))
        for split, X, y, published in (
            ("train", X_train, y_train, PUBLISHED[key][0]),
            ("test", X_test, y_test, PUBLISHED[key][1]),
        ):
            ours = course_accuracy(model, X, y)
            rows.append(
                {
                    "setting": f"{label}: {split}",
                    "ours": percent(ours),
                    "published": percent(published, 1 if published % 1 else 0),
                    "target": f"within {TOLERANCE:g} pp",
                    "met": abs(ours - published) <= TOLERANCE,
                    "value": ours,
                    "reference": published,
                }
            )
    notes = [
        "Data: `fcnn.data.circles(300, noise=0.05, seed=1)` and `circles(100, noise=0.05, "
        "seed=2)`, identical to the notebook's `np.random.seed(1); make_circles(300, "
        "noise=.05)` and `np.random.seed(2); make_circles(100, noise=.05)`.",
        "Network: [2, 10, 5, 1], ReLU, ReLU, sigmoid output (fused into "
        "`BCEWithLogitsLoss`: gradient σ(z) − y, the notebook's dz3 = a3 − Y), float64. "
        "Weights drawn layer by layer from a private `RandomState(3)` as the notebook's "
        "`np.random.seed(3); randn(n_l, n_{l-1}) * scale`; biases zero.",
        f"Training: `fcnn.fit`, full batch (300 points, no shuffling), `SGD(lr=0.01)`, "
        f"{steps} steps; accuracy = σ(z) > 0.5.",
        "Published figures: the notebook prints the accuracies as fractions (He: "
        "0.99333… on the training set, 0.96 on the test set).",
        "With all-zero weights every ReLU unit outputs 0 and gets no gradient; only the "
        "output bias moves, and on these balanced classes its gradient is exactly 0, so "
        "the network predicts one class everywhere: 50 %.",
        "Figure: the decision boundary of each of the three trained networks over the "
        "300 training points; each panel's title gives its training accuracy.",
    ]

    def figure():
        from ..plot import hidden_units_grid

        title = f"Initialization on circles: decision boundaries after {steps} steps"
        return hidden_units_grid(panels, X_train, y_train, ncols=3, title=title)

    return Result(
        name="init",
        title="Initialization: zeros vs randn·10 vs He on circles (course notes)",
        rows=rows,
        seconds=time.perf_counter() - start,
        command="fcnn reproduce init" + (" --quick" if quick else ""),
        notes=notes,
        quick=quick,
        figure=draw_figure(figure, notes),
    )
