"""The benchmark cases of ``fcnn bench``: which networks, batches and optimisers are timed.

Each case is one network trained the same way in every framework: float32, the same
architecture, the same initial weights (copied from fcnn's model), the same optimiser
and learning rate, and the same batch order (one shuffled permutation per epoch, drawn
once and shared). A case either times one training *step* (the tiny network, full batch)
or one *epoch* over the training rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

__all__ = ["CASES", "Case", "matmul_flops"]


@dataclass(frozen=True)
class Case:
    """One benchmark: a network, a batch size and an optimiser.

    ``sizes`` are the layer widths (input … output); ``activation`` the hidden one;
    ``output`` is ``"sigmoid"`` (binary, BCE on probabilities, the course's planar setup)
    or ``"logits"`` (softmax cross-entropy on logits, MNIST). ``unit`` is ``"step"`` or
    ``"epoch"``: what one timing covers.
    """

    name: str
    sizes: tuple[int, ...]
    activation: str
    batch_size: int
    optimizer: str  # "sgd" or "adam"
    lr: float
    unit: str
    output: str = "logits"
    batchnorm: bool = False
    dropout: float = 0.0
    sklearn: bool = True  # whether scikit-learn's MLPClassifier can run the same network
    tags: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        extras = " BN+Dropout" if self.batchnorm or self.dropout else ""
        return (
            f"{'-'.join(map(str, self.sizes))} {self.activation} b{self.batch_size} "
            f"{self.optimizer}{extras}"
        )


def matmul_flops(sizes: tuple[int, ...], batch: int) -> int:
    """Floating-point operations of the matrix products of one training step.

    Per layer of ``n_in → n_out`` on a batch of N: the forward ``x Wᵀ`` and the two
    backward products ``dyᵀ x`` and ``dy W``, each ``2·N·n_in·n_out`` (multiply + add).
    """
    return sum(3 * 2 * batch * a * b for a, b in pairwise(sizes))


def _mnist(name: str, sizes, batch, optimizer, **extra) -> Case:
    lr = 0.1 if optimizer == "sgd" else 1e-3
    return Case(name, tuple(sizes), "relu", batch, optimizer, lr, "epoch", **extra)


CASES: tuple[Case, ...] = (
    Case("tiny", (2, 4, 1), "tanh", 400, "sgd", 1.2, "step", output="sigmoid"),
    _mnist("mnist-256-128-sgd", (784, 256, 128, 10), 128, "sgd"),
    _mnist("mnist-256-128-adam", (784, 256, 128, 10), 128, "adam"),
    _mnist("mnist-800-sgd", (784, 800, 10), 256, "sgd"),
    _mnist("mnist-800-adam", (784, 800, 10), 256, "adam"),
    _mnist("mnist-1024x2-sgd", (784, 1024, 1024, 10), 512, "sgd", tags=("largest",)),
    _mnist("mnist-1024x2-adam", (784, 1024, 1024, 10), 512, "adam", tags=("largest",)),
    _mnist(
        "mnist-256-128-bn-dropout-adam",
        (784, 256, 128, 10),
        128,
        "adam",
        batchnorm=True,
        dropout=0.2,
        sklearn=False,  # scikit-learn's MLP has neither BatchNorm nor dropout
    ),
)
