"""The thresholds behind ``diagnose``'s verdicts, each documented with why it is where it is.

A teacher can show exactly why a verdict fired, and change the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from .words import N_, Message

__all__ = ["Thresholds"]


@dataclass(frozen=True)
class Thresholds:
    """The rules behind the verdicts.

    Attributes
    ----------
    dead : float
        A *dead* unit of the ReLU family receives no positive input on any sample of the
        data (for ReLU its output is 0 everywhere, so its weights never get a gradient;
        LeakyReLU / PReLU / ELU / SELU units in that state pass only their small negative-
        side gradient). Any dead unit in a hidden layer is an ``info`` finding; it becomes
        a warning when at least this fraction of the layer's units is dead (default 20 %:
        the course notes name 10–20 % as when practitioners stop to look, and a healthy
        Adam run on MNIST already has ~9 % in its second layer after one epoch).
    saturated : float
        Warning when at least this fraction of a hidden sigmoid / tanh layer's units is
        saturated (default 10 %); fewer saturated units give an ``info`` finding.
    saturation_tol : float
        A sigmoid / tanh output is *near a bound* within this fraction of the output range
        (default 1 %: y ≤ 0.01 or y ≥ 0.99 for sigmoid, \\|y\\| ≥ 0.98 for tanh; there the
        derivative is under 4 % of its maximum).
    saturation_share : float
        A unit is *saturated* when its output is near a bound on at least this share of
        the samples (default 50 %: it learns from fewer than half of them).
    vanishing, exploding : float
        The backpropagated gradient ``‖∂L/∂z‖`` at the first weight layer divided by the
        one at the last: below ``vanishing`` (default 1e-3) the gradients vanish, above
        ``exploding`` (default 1e3) they explode. (The weight gradient ``‖∂L/∂W‖`` is
        reported too but not judged: it is ``∂L/∂z`` times the layer's input, and in a
        chain of too-small or too-large weights the input shrinks or grows by the same
        factor the error signal grows or shrinks, hiding the problem.)
    update_low, update_high : float
        One optimiser step should change a layer's weights by about 1e-3 of their norm
        (``‖ΔW‖ / ‖W‖``, cs231n's rule of thumb). Above ``update_high`` (default 1e-1)
        the learning rate is too high; below ``update_low`` (default 1e-6) the layer
        barely learns. The defaults are wide: a fresh Adam's first step moves every
        weight by ≈ lr, and ratios around 1e-2 are common and harmless.
    """

    dead: float = 0.20
    saturated: float = 0.10
    saturation_tol: float = 0.01
    saturation_share: float = 0.5
    vanishing: float = 1e-3
    exploding: float = 1e3
    update_low: float = 1e-6
    update_high: float = 1e-1

    def __post_init__(self) -> None:
        for name in ("dead", "saturated", "saturation_tol", "saturation_share"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and 0 <= value <= 1):
                template = N_("Thresholds({name}={value!r}): expected a fraction in [0, 1]")
                raise ValueError(Message(template, name=name, value=value))
        for low, high in (("vanishing", "exploding"), ("update_low", "update_high")):
            a, b = getattr(self, low), getattr(self, high)
            if not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and 0 < a < b):
                template = N_("Thresholds({low}={a!r}, {high}={b!r}): expected 0 < {low} < {high}")
                raise ValueError(Message(template, low=low, a=a, high=high, b=b))
