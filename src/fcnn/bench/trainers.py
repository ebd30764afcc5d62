"""One trainer per framework for a benchmark case, each timing the same work.

Every trainer holds a copy of the same initial network and exposes ``run(batches)``: the
training steps over ``batches`` (a list of ``(X, y)`` arrays, float32 rows and int64 or
float32 targets, shared by all trainers so the batch order is the same). The loops are
what a user of each library writes: forward, loss, zero the gradients, backward, step.

- :class:`FcnnTrainer`: fcnn's modules, loss and optimiser.
- :class:`TorchTrainer`: the same network via ``fcnn.io.to_torch`` (weights copied),
  ``torch.nn`` loss and ``torch.optim``.
- :class:`SklearnTrainer`: scikit-learn's ``MLPClassifier.partial_fit`` (one epoch per
  call; it draws its own batch order, and its own initial weights are replaced by fcnn's).
- :class:`FloorTrainer`: only the matrix products of each step (forward ``x Wᵀ``,
  backward ``dyᵀ x`` and ``dy W`` for every layer) with NumPy's BLAS into preallocated
  arrays: the time no NumPy engine can beat.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..losses import BCELoss, CrossEntropyLoss
from ..models import mlp
from ..optim import SGD, Adam
from .cases import Case

__all__ = ["FcnnTrainer", "FloorTrainer", "SklearnTrainer", "TorchTrainer", "build_model"]

Batches = list[tuple[np.ndarray, np.ndarray]]


def build_model(case: Case, seed: int = 0):
    """The case's fcnn network in float32 (PyTorch's default Linear initialisation)."""
    return mlp(
        list(case.sizes),
        activation=case.activation,
        output="sigmoid" if case.output == "sigmoid" else None,
        batchnorm=case.batchnorm,
        dropout=case.dropout,
        seed=seed,
    )


class FcnnTrainer:
    name = "fcnn"

    def __init__(self, case: Case, model) -> None:
        self.model = model
        self.loss = BCELoss() if case.output == "sigmoid" else CrossEntropyLoss()
        optimizer = SGD if case.optimizer == "sgd" else Adam
        self.optimizer = optimizer(model.parameters(), lr=case.lr)

    def run(self, batches: Batches) -> float:
        model, loss, optimizer = self.model, self.loss, self.optimizer
        value = 0.0
        for xb, yb in batches:
            value = loss(model(xb), yb)
            optimizer.zero_grad()
            model.backward_to_parameters(loss.backward())
            optimizer.step()
        return value

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict(X)


class TorchTrainer:
    name = "torch"

    def __init__(self, case: Case, model) -> None:
        import torch

        from ..interop import to_torch

        self.torch = torch
        self.model = to_torch(model)
        self.loss = torch.nn.BCELoss() if case.output == "sigmoid" else torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD if case.optimizer == "sgd" else torch.optim.Adam
        self.optimizer = optimizer(self.model.parameters(), lr=case.lr)

    def run(self, batches: Batches) -> float:
        from_numpy = self.torch.from_numpy
        model, loss, optimizer = self.model, self.loss, self.optimizer
        value = None
        for xb, yb in batches:
            value = loss(model(from_numpy(xb)), from_numpy(yb))
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
        return value.item()

    def predict(self, X: np.ndarray) -> np.ndarray:
        self.model.eval()
        with self.torch.no_grad():
            chunks = [
                self.model(self.torch.from_numpy(X[i : i + 4096])).numpy()
                for i in range(0, len(X), 4096)
            ]
        self.model.train()
        return np.concatenate(chunks)


class SklearnTrainer:
    """scikit-learn's MLP, one ``partial_fit`` per epoch (``run`` takes the whole epoch's
    rows at once, so scikit-learn batches and shuffles them itself)."""

    name = "sklearn"

    def __init__(self, case: Case, model, X: np.ndarray, y: np.ndarray) -> None:
        from sklearn.neural_network import MLPClassifier

        self.batch_size = case.batch_size
        self.estimator = MLPClassifier(
            hidden_layer_sizes=case.sizes[1:-1],
            activation=case.activation,
            solver=case.optimizer,
            alpha=0.0,
            batch_size=case.batch_size,
            learning_rate="constant",
            learning_rate_init=case.lr,
            momentum=0.0,
            nesterovs_momentum=False,
            shuffle=True,
            random_state=0,
        )
        classes = np.unique(y)
        self.estimator.partial_fit(X[: case.batch_size], y[: case.batch_size], classes=classes)
        linears = [m for m in model.modules() if hasattr(m, "weight") and m.weight is not None]
        for i, layer in enumerate(linears):  # fcnn's initial weights, in sklearn's layout
            self.estimator.coefs_[i][...] = layer.weight.data.T
            self.estimator.intercepts_[i][...] = layer.bias.data

    def run(self, X: np.ndarray, y: np.ndarray) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.estimator.partial_fit(X, y)
        return float(self.estimator.loss_)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.estimator.predict_proba(X)


class FloorTrainer:
    """The matrix products of every step, nothing else (the benchmark's lower bound)."""

    name = "floor"

    def __init__(self, case: Case, batch_sizes: list[int], seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.layers: dict[int, list[tuple[np.ndarray, ...]]] = {}
        pairs = list(zip(case.sizes[:-1], case.sizes[1:], strict=True))
        weights = [rng.standard_normal((b, a), dtype=np.float32) for a, b in pairs]
        for n in set(batch_sizes):
            arrays = []
            for (a, b), w in zip(pairs, weights, strict=True):
                x = rng.standard_normal((n, a), dtype=np.float32)
                dy = rng.standard_normal((n, b), dtype=np.float32)
                out = (np.empty((n, b), np.float32), np.empty((b, a), np.float32))
                arrays.append((x, w, dy, *out, np.empty((n, a), np.float32)))
            self.layers[n] = arrays

    def run(self, batch_sizes: list[int]) -> float:
        matmul = np.matmul
        for n in batch_sizes:
            for x, w, dy, y, dw, dx in self.layers[n]:
                matmul(x, w.T, out=y)  # forward  y = x Wᵀ
                matmul(dy.T, x, out=dw)  # backward dW = dyᵀ x
                matmul(dy, w, out=dx)  # backward dx = dy W
        return 0.0


def torch_threads(threads: int) -> Any:
    """Set PyTorch's intra-op threads (and one inter-op thread); return torch."""
    import torch

    torch.set_num_threads(threads)
    return torch
