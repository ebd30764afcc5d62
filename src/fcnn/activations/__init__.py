"""Floor 2: the activation functions, each with its derivative beside it, and a name registry.

Every class is a ``Module`` with no parameters (except ``PReLU``'s learnable slope)
that maps ``(N, features)`` to the same shape. Names, arguments, defaults and
numerics follow ``torch.nn``. Inputs up to ±1e4 give finite values and finite
gradients in float32 and float64 without a floating-point warning: softmax and
log-softmax subtract the maximum, softplus works on ``-|βx|``, and sigmoid keeps
PyTorch's ``1 / (1 + e⁻ˣ)``, whose one overflow (e⁻ˣ → inf, giving the right 0) is
silenced. Float32 stays float32 throughout (constants are Python floats), and the
arithmetic is branch-free where it can be: NumPy's masked operations on random signs
cost more than the arithmetic itself.

``backward`` uses what the last ``forward`` kept (calling it before any forward raises
``RuntimeError``; a ``grad_output`` of another shape raises ``ShapeError``).

By family, one module each: ``base`` (the base classes, shared numerics, ``Identity``),
``sigmoid`` (``Sigmoid``, ``Tanh``), ``relu`` (``ReLU``, ``LeakyReLU``, ``PReLU``,
``ELU``, ``SELU``), ``smooth`` (``GELU``, ``SiLU``, ``Softplus``), ``softmax``
(``Softmax``, ``LogSoftmax``) and ``registry`` (``ACTIVATIONS``, :func:`get_activation`).
"""

from .base import Identity
from .registry import ACTIVATIONS, get_activation
from .relu import ELU, SELU, SELU_ALPHA, SELU_SCALE, LeakyReLU, PReLU, ReLU
from .sigmoid import Sigmoid, Tanh
from .smooth import ERFCX_COEFFICIENTS, GELU, SiLU, Softplus
from .softmax import LogSoftmax, Softmax

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "ERFCX_COEFFICIENTS",
    "GELU",
    "SELU",
    "SELU_ALPHA",
    "SELU_SCALE",
    "Identity",
    "LeakyReLU",
    "LogSoftmax",
    "PReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "get_activation",
]
