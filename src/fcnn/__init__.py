"""fcnn: fully-connected neural networks on NumPy, from first principles.

Every layer writes its backward pass next to its forward pass, with the formula in
a comment, and is proven against numerical gradients and against PyTorch.

The floors (lower never imports higher; tests/test_floors.py checks it):
core, init → layers, activations, losses, optim, models → data, train, metrics,
diagnose, explain, io, interop → plot, reproduce, sklearn, sweep → cli.
"""

__version__ = "0.1.0"

from . import activations, data, explain, init, losses, metrics, optim, plot, sweep
from .activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    SELU,
    Identity,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    get_activation,
)
from .core import MODULES, Module, Parameter, ShapeError, from_spec, register_module, seed
from .diagnose import DiagnosticsCallback, DiagnosticWarning, gradcheck
from .display import summary
from .i18n import get_language, set_language
from .io import ModelFileError, load, save
from .layers import BatchNorm1d, Dropout, Flatten, Linear, Maxout, Sequential
from .losses import (
    LOSSES,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    Loss,
    MSELoss,
    NLLLoss,
    get_loss,
)
from .models import mlp
from .train import (
    Callback,
    DivergenceGuard,
    EarlyStopping,
    History,
    LivePlot,
    LRSchedulerCallback,
    ModelCheckpoint,
    evaluate,
    fit,
)
from .train.lr_find import LRFinderResult, lr_find

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "LOSSES",
    "MODULES",
    "SELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "Callback",
    "CrossEntropyLoss",
    "DiagnosticWarning",
    "DiagnosticsCallback",
    "DivergenceGuard",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "History",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LRFinderResult",
    "LRSchedulerCallback",
    "LeakyReLU",
    "Linear",
    "LivePlot",
    "LogSoftmax",
    "Loss",
    "MSELoss",
    "Maxout",
    "ModelCheckpoint",
    "ModelFileError",
    "Module",
    "NLLLoss",
    "PReLU",
    "Parameter",
    "ReLU",
    "Sequential",
    "ShapeError",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "__version__",
    "activations",
    "data",
    "evaluate",
    "explain",
    "fit",
    "from_spec",
    "get_activation",
    "get_language",
    "get_loss",
    "gradcheck",
    "init",
    "load",
    "losses",
    "lr_find",
    "metrics",
    "mlp",
    "optim",
    "plot",
    "register_module",
    "save",
    "seed",
    "set_language",
    "summary",
    "sweep",
]
