"""Floor 2: the layers of a fully-connected network, each with its backward pass beneath it.

``Linear``, ``Sequential``, ``BatchNorm1d``, ``Dropout``, ``Flatten`` and ``Maxout``.
Names, argument order, defaults, weight layout and numerics follow PyTorch, so a
weight copied from ``torch.nn`` gives the same numbers here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from . import checks, init
from .constraints import MaxNormWeight
from .core import Module, Parameter, ShapeError, get_rng, register_module
from .i18n import N_, Message

__all__ = ["BatchNorm1d", "Dropout", "Flatten", "Linear", "Maxout", "Sequential"]


def _affine_parameters(
    module: Module, in_features: Any, out_features: Any, bias: Any, rng: Any, seed: Any, pieces=1
) -> None:
    """Check and set ``module.in_features`` / ``out_features``, and give the module a
    ``weight`` (out_features · pieces, in_features) and a ``bias`` or None, drawn as
    PyTorch's ``Linear.reset_parameters`` draws them (Maxout has several pieces a unit)."""
    where = type(module).__name__
    module.in_features = in_features = checks.positive_int(where, "in_features", in_features)
    module.out_features = checks.positive_int(where, "out_features", out_features)
    rows = module.out_features * pieces
    bias = checks.flag(where, "bias", bias)
    generator = get_rng(rng, seed, where=where)
    module.weight = Parameter(np.zeros((rows, in_features)), module.dtype)
    module.bias = Parameter(np.zeros(rows), module.dtype) if bias else None
    # kaiming_uniform_(a=√5) ⇒ U(-1/√fan_in, 1/√fan_in) for the weight; the same bound
    # for the bias.
    init.kaiming_uniform_(module.weight, a=math.sqrt(5), rng=generator)
    if module.bias is not None:
        bound = 1.0 / math.sqrt(in_features)
        init.uniform_(module.bias, -bound, bound, rng=generator)


@register_module
class Linear(MaxNormWeight, Module):
    """Affine map ``y = x Wᵀ + b``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool, default True
    max_norm : float > 0, optional
        Keep every unit's incoming weights, a ROW of ``weight`` (``axis=1``), at L2 norm
        ``<= max_norm``: rescaled after each optimiser step (``Module.apply_constraints``,
        which ``TrainStep`` calls). Srivastava et al. 2014's max-norm; Keras's
        ``MaxNorm(max_value, axis=0)`` on its ``(in, out)`` kernel (``fcnn.constraints``).
        fcnn's own: ``torch.nn.Linear`` has no such argument. The bias is not constrained.
    dtype : float32 or float64, optional
    rng, seed : generator or seed for the initial weights (library default otherwise)

    Shapes: input ``(N, in_features)``, output ``(N, out_features)``;
    ``weight`` is ``(out_features, in_features)`` and ``bias`` ``(out_features,)``,
    initialised as in PyTorch: U(-1/√in_features, 1/√in_features).
    """

    _returns_fresh_arrays = True  # forward's x Wᵀ + b and backward's dy W are new arrays

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        max_norm: float | None = None,
        dtype: Any = None,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(dtype=dtype)
        _affine_parameters(self, in_features, out_features, bias, rng, seed)
        self.max_norm = max_norm

    def forward(self, x: np.ndarray) -> np.ndarray:  # x: (N, in_features)
        x = self._as_input(x, self.in_features)
        self._x = x
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        # y = x Wᵀ + b  ⇒  dW = dyᵀ x,  db = Σₙ dy,  dx = dy W
        self.backward_to_parameters(grad_output)
        return grad_output @ self.weight.data

    def backward_to_parameters(self, grad_output: np.ndarray) -> None:
        self.weight.accumulate_matmul(grad_output.T, self._x)  # dW += dyᵀ x
        if self.bias is not None:
            self.bias.accumulate_sum(grad_output)  # db += Σₙ dy

    def config(self) -> dict[str, Any]:
        return self._with_max_norm(
            {
                "in_features": self.in_features,
                "out_features": self.out_features,
                "bias": self.bias is not None,
            }
        )


def _backward_through(layers: Iterable[Module], grad_output: np.ndarray) -> np.ndarray:
    """Run ``backward`` through ``layers`` (last layer first), handing each gradient that
    a layer made afresh to the next one's ``_backward_owned`` (see ``Module``).

    A layer with hooks takes the plain path both ways: its hooks may keep the arrays
    they are shown, so none of them may be overwritten afterwards.
    """
    owned = False  # the caller's gradient is the caller's
    for layer in layers:
        plain = layer._hooks is None
        if owned and plain:
            grad_output = layer._backward_owned(grad_output)
        else:
            grad_output = layer.backward(grad_output)
        owned = layer._returns_fresh_arrays and plain
    return grad_output


@register_module
class Sequential(Module):
    """Layers applied in order; backward runs them in reverse.

    Indexable (``model[0]``, ``model[1:]``), iterable and sized. A shape error inside
    names the layer's index and type.
    """

    def __init__(self, *layers: Module, dtype: Any = None) -> None:
        super().__init__(dtype=dtype)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                template = N_("Sequential: layer {i} is a {type}, expected an fcnn Module")
                raise TypeError(Message("checks", template, i=i, type=type(layer).__name__))
            self._modules[str(i)] = layer
        if dtype is not None:
            self.to(dtype)
        elif layers:
            # Without an explicit dtype the container reports the dtype of its layers.
            object.__setattr__(self, "dtype", layers[0].dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        owned = False  # whether x is an array nothing outside this pass holds
        for i, layer in enumerate(self._modules.values()):
            plain = layer._hooks is None  # a hooked layer: see _backward_through
            try:
                x = layer._forward_owned(x) if owned and plain else layer.forward(x)
            except ShapeError as err:
                said = err.args[0] if len(err.args) == 1 else str(err)  # a Message stays one
                template = N_("Sequential layer {i} ({type}): {error}")
                raise ShapeError(
                    Message("checks", template, i=i, type=type(layer).__name__, error=said)
                ) from None
            owned = layer._returns_fresh_arrays and plain
        return x

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return _backward_through(reversed(self._modules.values()), grad_output)

    def backward_to_parameters(self, grad_output: np.ndarray) -> None:
        # As backward, but the first layer skips dL/d(input), which training never uses.
        layers = list(self._modules.values())
        if not layers:
            return
        grad_output = _backward_through(reversed(layers[1:]), grad_output)
        layers[0].backward_to_parameters(grad_output)

    def append(self, layer: Module) -> Sequential:
        if not isinstance(layer, Module):
            template = N_("Sequential.append: expected an fcnn Module, got {type}")
            raise TypeError(Message("checks", template, type=type(layer).__name__))
        self._modules[str(len(self._modules))] = layer
        return self

    def __getitem__(self, index: int | slice) -> Module:
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            template = N_("Sequential indices must be integers or slices, not {type}")
            raise TypeError(Message("checks", template, type=type(index).__name__))
        if not -len(layers) <= index < len(layers):
            template = N_("Sequential index {index} out of range for {count} layers")
            raise IndexError(Message("checks", template, index=index, count=len(layers)))
        return layers[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def spec(self) -> dict[str, Any]:
        return {"type": "Sequential", "layers": [layer.spec() for layer in self]}


@register_module
class BatchNorm1d(Module):
    """Batch normalisation over the batch axis (Ioffe & Szegedy, 2015).

    ``y = γ (x - μ) / √(σ² + eps) + β`` per feature. In training (or without running
    statistics) μ, σ² are the batch mean and *biased* variance; the running estimates
    are updated as ``r ← (1 - momentum) r + momentum · stat`` with the *unbiased*
    batch variance, as PyTorch does. ``momentum=None`` gives a cumulative average.
    In eval mode with ``track_running_stats`` the running estimates are used.

    Shapes: input and output ``(N, num_features)``.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        dtype: Any = None,
    ) -> None:
        super().__init__(dtype=dtype)
        where = "BatchNorm1d"
        self.num_features = checks.positive_int(where, "num_features", num_features)
        self.eps = checks.real(where, "eps", eps, low=0, low_open=True)
        # momentum=None: a cumulative average (see the class docstring).
        if momentum is not None:
            momentum = checks.real(where, "momentum", momentum, low=0, high=1)
        self.momentum = momentum
        self.affine = checks.flag(where, "affine", affine)
        self.track_running_stats = checks.flag(where, "track_running_stats", track_running_stats)
        n = self.num_features
        self.weight = Parameter(np.ones(n), self.dtype) if affine else None
        self.bias = Parameter(np.zeros(n), self.dtype) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(n, dtype=self.dtype))
            self.register_buffer("running_var", np.ones(n, dtype=self.dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x: np.ndarray) -> np.ndarray:  # x: (N, num_features)
        x = self._as_input(x, self.num_features)
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            n = x.shape[0]
            if self.training and n < 2:
                template = N_(
                    "BatchNorm1d needs more than 1 sample per batch in training, got {shape}"
                )
                raise ShapeError(Message("checks", template, shape=x.shape))
            mean = x.mean(axis=0)
            centered = x - mean
            var = np.mean(centered * centered, axis=0)  # biased: normalises the batch
            if self.training and self.track_running_stats:
                self._update_running(mean, var * (n / max(n - 1, 1)))
        else:
            centered = x - self.running_mean
            var = self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = centered * inv_std
        self._x_hat, self._inv_std, self._batch_stats = x_hat, inv_std, use_batch_stats
        if self.affine:
            return x_hat * self.weight.data + self.bias.data
        return x_hat

    def _update_running(self, mean: np.ndarray, unbiased_var: np.ndarray) -> None:
        self.num_batches_tracked += 1
        factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        self.running_mean *= 1.0 - factor
        self.running_mean += factor * mean
        self.running_var *= 1.0 - factor
        self.running_var += factor * unbiased_var

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x_hat, inv_std = self._x_hat, self._inv_std
        if self.affine:
            self.weight.grad += np.sum(grad_output * x_hat, axis=0)  # dγ = Σₙ dy·x̂
            self.bias.grad += grad_output.sum(axis=0)  # dβ = Σₙ dy
            grad_x_hat = grad_output * self.weight.data
        else:
            grad_x_hat = grad_output
        if not self._batch_stats:  # fixed statistics: an affine map, dx = dx̂ / σ
            return grad_x_hat * inv_std
        # μ and σ² depend on x:  dx = (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) / σ
        mean_grad = grad_x_hat.mean(axis=0)
        mean_grad_x_hat = np.mean(grad_x_hat * x_hat, axis=0)
        return (grad_x_hat - mean_grad - x_hat * mean_grad_x_hat) * inv_std

    def config(self) -> dict[str, Any]:
        return {
            "num_features": self.num_features,
            "eps": self.eps,
            "momentum": self.momentum,
            "affine": self.affine,
            "track_running_stats": self.track_running_stats,
        }


@register_module
class Dropout(Module):
    """Inverted dropout: in training each input is zeroed with probability ``p`` and the
    survivors are scaled by 1/(1-p), so eval mode is the identity.

    Parameters
    ----------
    p : float in [0, 1), default 0.5
        Probability of dropping a unit (PyTorch's meaning).
    rng, seed : generator or seed for the masks (library default otherwise).
    """

    def __init__(
        self,
        p: float = 0.5,
        *,
        dtype: Any = None,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(dtype=dtype)
        self.p = checks.real("Dropout", "p", p, low=0, high=1, high_open=True)
        self.rng = get_rng(rng, seed, where="Dropout")
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self._as_input(x)
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self._mask = keep * x.dtype.type(1.0 / (1.0 - self.p))
        return x * self._mask

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        # y = x · m / (1-p)  ⇒  dx = dy · m / (1-p)
        return grad_output if self._mask is None else grad_output * self._mask

    def config(self) -> dict[str, Any]:
        return {"p": self.p}


@register_module
class Flatten(Module):
    """Reshape ``(N, d1, d2, ...)`` to ``(N, d1·d2·...)``; e.g. 28×28 images to 784 features.

    The only module that accepts inputs of more than two dimensions.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype != self.dtype and x.dtype not in checks.FLOAT_DTYPES:
            x = x.astype(self.dtype)
        if x.ndim < 2:
            template = N_("Flatten expects input of shape (N, ...) with N samples, got {shape}")
            raise ShapeError(Message("checks", template, shape=x.shape))
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output.reshape(self._shape)


@register_module
class Maxout(MaxNormWeight, Module):
    """Maxout units (Goodfellow et al., 2013): ``yⱼ = maxₖ (x Wⱼₖᵀ + bⱼₖ)``, k = 1..pieces.

    A linear map to ``out_features * pieces`` values, then the maximum over each unit's
    ``pieces`` consecutive values. ``weight`` is ``(out_features * pieces, in_features)``
    with rows ``j*pieces … (j+1)*pieces - 1`` belonging to unit j; initialised as a
    ``Linear`` of the same shape. ``max_norm`` constrains each ROW, the incoming weights
    of one piece (each piece is a linear unit of its own).

    Shapes: input ``(N, in_features)``, output ``(N, out_features)``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        pieces: int = 2,
        bias: bool = True,
        *,
        max_norm: float | None = None,
        dtype: Any = None,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(dtype=dtype)
        self.pieces = checks.positive_int("Maxout", "pieces", pieces)
        _affine_parameters(self, in_features, out_features, bias, rng, seed, self.pieces)
        self.max_norm = max_norm

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self._as_input(x, self.in_features)
        z = x @ self.weight.data.T
        if self.bias is not None:
            z += self.bias.data
        z = z.reshape(x.shape[0], self.out_features, self.pieces)
        self._x = x
        self._argmax = z.argmax(axis=2)[:, :, None]  # ties: the first piece, as torch.max
        return np.take_along_axis(z, self._argmax, axis=2)[:, :, 0]

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return self._backward_pieces(grad_output) @ self.weight.data  # dx = dz W

    def backward_to_parameters(self, grad_output: np.ndarray) -> None:
        self._backward_pieces(grad_output)

    def _backward_pieces(self, grad_output: np.ndarray) -> np.ndarray:
        """Accumulate dW, db and return dz, the gradient of the pieces ``z = x Wᵀ + b``."""
        # Only the winning piece of each unit passes the gradient: dz = dy at argmax, else 0.
        n = grad_output.shape[0]
        grad_z = np.zeros((n, self.out_features, self.pieces), dtype=grad_output.dtype)
        np.put_along_axis(grad_z, self._argmax, grad_output[:, :, None], axis=2)
        grad_z = grad_z.reshape(n, -1)
        self.weight.accumulate_matmul(grad_z.T, self._x)  # dW += dzᵀ x
        if self.bias is not None:
            self.bias.accumulate_sum(grad_z)  # db += Σₙ dz
        return grad_z

    def config(self) -> dict[str, Any]:
        return self._with_max_norm(
            {
                "in_features": self.in_features,
                "out_features": self.out_features,
                "pieces": self.pieces,
                "bias": self.bias is not None,
            }
        )
