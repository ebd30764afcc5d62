"""Floor 4: scikit-learn estimators around fcnn's networks (``pip install 'fcnn[sklearn]'``).

:class:`MLPClassifier` and :class:`MLPRegressor` take the parameters of scikit-learn's own
``MLPClassifier`` / ``MLPRegressor`` (``hidden_layer_sizes``, ``activation``, ``alpha``,
``batch_size``, ``learning_rate_init``, ``max_iter``, ``tol``, ``n_iter_no_change``,
``early_stopping``, ``validation_fraction``, ``momentum``, ``beta_1``, ``epsilon``, ...) so
they drop into existing code, plus fcnn's own: any fcnn activation (``"gelu"``,
``"maxout"``, ...), ``output``, ``loss``, ``optimizer`` (``sgd``, ``adam``, ``adamw``,
``rmsprop``, ``adagrad``), ``batchnorm``, ``dropout``, ``init`` and ``dtype``. The trained
network is an ordinary fcnn ``Sequential`` in ``model_``: save it with ``fcnn.save``,
export it with ``fcnn.io.to_onnx``, move it to PyTorch with ``fcnn.io.to_torch``.

With the same int ``random_state`` and scikit-learn's settings, ``fit`` starts from the
network scikit-learn's MLP starts from and sees the same batches (the default
``init="sklearn"`` draws its initial weights and biases, and the early-stopping split and
the shuffles come from the same ``RandomState`` in the same order); in float64 the
classifier then takes scikit-learn's steps, to rounding. fcnn's default float32 runs the
same steps in float32. ``partial_fit`` has scikit-learn's semantics too (one epoch per
call, ``classes=`` on the classifier's first call): the same sequence of calls leaves the
same weights, and Dask-ML's ``Incremental`` wrapper feeds it a Dask array chunk by chunk
(``tests/test_partial_fit.py``).

This package is named ``sklearn`` inside ``fcnn``; its modules import scikit-learn by
absolute import, and ``import fcnn`` never imports it (nor scikit-learn). It needs
scikit-learn >= 1.6 (``validate_data`` and ``__sklearn_tags__``).

The estimators pass scikit-learn's estimator checks
(``sklearn.utils.estimator_checks.parametrize_with_checks``), which
``tests/test_sklearn.py`` runs in float64 and in float32. In float32 two checks are
expected failures, each with its reason there: the sample-weight equivalence checks
compare predictions to ``rtol=1e-7``, below float32's resolution (they pass in float64,
and the same property is tested to float32's precision).

``benchmarks/sklearn_compare.py`` sets them beside scikit-learn's MLP on the same data
and settings; ``docs/results/sklearn.md`` has the table.
"""

from __future__ import annotations

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
