"""fcnn: fully-connected neural networks on NumPy, from first principles.

Every layer writes its backward pass next to its forward pass, with the formula in
a comment, and is proven against numerical gradients and against PyTorch.
"""

from . import init
from .core import MODULES, Module, Parameter, ShapeError, from_spec, register_module, seed
from .diagnose import gradcheck
from .layers import BatchNorm1d, Dropout, Flatten, Linear, Maxout, Sequential

__version__ = "0.1.0"
