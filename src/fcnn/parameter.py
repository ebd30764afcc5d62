"""Floor 1: ``Parameter``, a learnable array and the gradient accumulated into it.

What ``torch.nn.Parameter`` is to PyTorch, without autograd: layers hold their weights
in Parameters, ``backward`` adds into ``grad`` and optimisers update ``data`` in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import checks

__all__ = ["Parameter"]


class Parameter:
    """A learnable array and the gradient accumulated into it.

    Parameters
    ----------
    data : array_like
        Initial value. Kept as float32 unless it already is float64 or ``dtype`` says so.
    dtype : float32 or float64, optional

    Attributes
    ----------
    data : ndarray
        The value; optimisers update it in place.
    grad : ndarray
        Same shape and dtype; ``backward`` adds (``+=``) into it, ``zero_grad`` clears it.

    ``zero_grad`` clears lazily: it only marks the gradient as zero. The next
    :meth:`accumulate_matmul` / :meth:`accumulate_sum` then writes its result straight
    into the array (no fill, no temporary: for a 1024 × 1024 layer that saves two passes
    over 4 MB per step), and reading ``grad`` before that fills it with zeros, so what
    anyone reads is always the true accumulated gradient.
    """

    __slots__ = ("_grad", "_grad_is_zero", "_ones", "data")

    def __init__(self, data: Any, dtype: Any = None) -> None:
        array = np.asarray(data)
        if dtype is None and array.dtype in checks.FLOAT_DTYPES:
            dtype = array.dtype
        dtype = checks.float_dtype("Parameter", "dtype", dtype)
        self.data = np.array(array, dtype=dtype, order="C", copy=True)
        # np.zeros, not zeros_like: its pages stay untouched (no memory) until training
        # writes a gradient, so a model only loaded or used for prediction never pays.
        self._grad = np.zeros(self.data.shape, self.data.dtype)
        self._grad_is_zero = False
        self._ones: np.ndarray | None = None  # accumulate_sum's vector of ones

    @property
    def grad(self) -> np.ndarray:
        if self._grad_is_zero:
            self._grad.fill(0)
            self._grad_is_zero = False
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        self._grad = value
        self._grad_is_zero = False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        """Set the gradient to zero (lazily: see the class docstring)."""
        self._grad_is_zero = True

    def accumulate_matmul(self, a: np.ndarray, b: np.ndarray) -> None:
        """``grad += a @ b``; after ``zero_grad``, ``grad = a @ b`` written in place."""
        if self._grad_is_zero:
            np.matmul(a, b, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += a @ b

    def accumulate_sum(self, a: np.ndarray) -> None:
        """``grad += a.sum(axis=0)`` (a bias's gradient, summed over the batch).

        Computed as the matrix-vector product ``1ᵀ a``: NumPy's sum down the rows of a
        narrow array is slow (10 µs for 400 × 4, most of a tiny network's bias
        gradients), BLAS's is not (1 µs).
        """
        ones = self._ones
        if ones is None or ones.shape[0] != a.shape[0] or ones.dtype != a.dtype:
            ones = self._ones = np.ones(a.shape[0], a.dtype)
        if self._grad_is_zero:
            np.matmul(ones, a, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += ones @ a

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype.name})"
