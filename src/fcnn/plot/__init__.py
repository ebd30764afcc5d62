"""Floor 4: every figure of fcnn, drawn with matplotlib (imported lazily, when a figure is
made: ``import fcnn.plot`` alone does not need it; ``pip install 'fcnn[plot]'``).

Each figure is a function returning a ``matplotlib.figure.Figure`` (built without
pyplot, so nothing global changes; a notebook shows it as it is), with a function
beside it that returns the numbers the figure draws:

- :func:`activations`: every activation and its derivative (:func:`activation_curves`);
- :func:`decision_boundary`: 2-D classes or values, train and test points
  (:func:`decision_grid`);
- :func:`hidden_units_grid`: one boundary per model, the planar sweep
  (:func:`hidden_units_experiment` trains it);
- :func:`history`: loss and metrics per epoch, training and validation (a ``History``);
- :func:`lr_comparison`: loss curves at several learning rates (:func:`lr_experiment`);
- :func:`lr_find`: the learning-rate finder's loss against the rate, the suggestion
  marked (:func:`fcnn.lr_find` computes it);
- :func:`activation_histograms`: per-layer activations of one network
  (:func:`layer_activations`);
- :func:`init_comparison`: the cs231n initialisation experiment (:func:`init_experiment`);
- :func:`gradient_flow`: gradient norms per layer (:func:`gradient_norms`);
- :func:`confusion_matrix`: counts, coloured by share of the true class;
- :func:`first_layer_weights`: MNIST-shaped weights as image tiles (:func:`weight_tiles`).

:func:`save` writes a figure as PNG, SVG or PDF (by the suffix), atomically;
:func:`make_gallery` draws them all into ``docs/gallery``.

Modules: ``_base`` (style, colours, saving), ``functions`` (activation curves),
``boundary_grid`` (the numbers), ``boundary_draw``, ``boundary`` (the figure),
``hidden_units`` (the sweep grid), ``curves``, ``lr_finder``, ``layers`` (histograms,
gradient flow), ``images`` (confusion matrix, weight tiles), ``gallery``.
"""

from ._base import FORMATS, STYLE, new_figure, outputs_logits, save, style
from ._base import matplotlib as require_matplotlib
from .boundary import (
    DecisionGrid,
    decision_boundary,
    decision_grid,
    hidden_units_experiment,
    hidden_units_grid,
)
from .curves import history, lr_comparison, lr_experiment
from .functions import DEFAULT_ACTIVATIONS, ActivationCurve, activation_curves, activations
from .gallery import make_gallery
from .images import confusion_matrix, first_layer_weights, weight_tiles
from .layers import (
    INIT_SCHEMES,
    LayerActivations,
    activation_histograms,
    gradient_flow,
    gradient_norms,
    init_comparison,
    init_experiment,
    layer_activations,
)
from .lr_finder import lr_find

__all__ = [
    "DEFAULT_ACTIVATIONS",
    "FORMATS",
    "INIT_SCHEMES",
    "STYLE",
    "ActivationCurve",
    "DecisionGrid",
    "LayerActivations",
    "activation_curves",
    "activation_histograms",
    "activations",
    "confusion_matrix",
    "decision_boundary",
    "decision_grid",
    "first_layer_weights",
    "gradient_flow",
    "gradient_norms",
    "hidden_units_experiment",
    "hidden_units_grid",
    "history",
    "init_comparison",
    "init_experiment",
    "layer_activations",
    "lr_comparison",
    "lr_experiment",
    "lr_find",
    "make_gallery",
    "new_figure",
    "outputs_logits",
    "require_matplotlib",
    "save",
    "style",
    "weight_tiles",
]
