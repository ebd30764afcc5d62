"""Chapter 5's exercises: He's weight scale (checked against ``fcnn.init``'s gain for
ReLU) and the dead units of a ReLU layer (checked against ``fcnn.diagnose``'s rule)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..diagnose.probe import dead_units
from ..init import calculate_gain
from .verdict import (
    Wrong,
    call,
    compare,
    exercise,
    function,
    miss,
    number,
    then,
    translator,
)
from .verdict import (
    answered as _answered,
)

_ = translator("exercises")

FAN_INS = [2, 10, 500]


@exercise("ch5.he_std")
def he_std(answer: Any) -> str:
    """``f(fan_in)`` must return He's standard deviation ``gain("relu") / √fan_in``."""
    fn = function(answer)
    for case, fan_in in enumerate(FAN_INS, start=1):
        want = calculate_gain("relu") / math.sqrt(fan_in)
        try:
            got = number(_answered(fn(fan_in)))
        except Wrong:
            raise
        except Exception as error:  # a learner's function may raise anything: say what
            raise Wrong(
                _("On hidden case {case} (fan_in = {fan_in}) your function raised {error}.").format(
                    case=case, fan_in=fan_in, error=f"{type(error).__name__}: {error}"
                )
            ) from None
        if not math.isclose(got, want, rel_tol=1e-5):
            hints = {
                1 / math.sqrt(fan_in): _(
                    "ReLU zeroes half of its inputs: He doubles the variance, std = √(2 / fan_in)"
                ),
                2 / fan_in: _(
                    "2 / fan_in is the variance; the standard deviation is its square root"
                ),
                math.sqrt(2 / (fan_in + 1)): _("He's rule uses fan_in only"),
            }
            hint = next((h for v, h in hints.items() if math.isclose(got, v, rel_tol=1e-5)), "")
            raise Wrong(
                then(
                    _("For fan_in = {fan_in} your scale is not He's.").format(fan_in=fan_in),
                    miss(got, want),
                ),
                hint,
            )
    return _("Your scale is He's: the variance of a ReLU layer's output stays the same.")


@exercise("ch5.dead_units")
def dead(answer: Any) -> str:
    """``f(A)`` with ``A`` a ReLU layer's outputs, shape ``(N, units)``, must return a
    boolean mask of the units that output 0 on every sample (fcnn.diagnose's rule)."""
    fn = function(answer)
    rng = np.random.default_rng(51)
    for case, (n, units) in enumerate([(6, 5), (40, 8), (3, 12)], start=1):
        A = np.maximum(rng.normal(size=(n, units)) - rng.uniform(0, 2.5, size=units), 0.0)
        A[:, rng.integers(0, units)] = 0.0  # at least one dead unit
        want = dead_units(A).astype(np.float64)
        got = call(fn, case, A)
        compare(
            got,
            want,
            case,
            f"A {A.shape}",
            [
                (
                    (A == 0).any(axis=0),
                    _("a unit is dead when it outputs 0 on every sample, not on one"),
                ),
                ((A == 0).all(axis=1), _("one answer per unit (column), not per sample (row)")),
                (
                    (A > 0).any(axis=0),
                    _("this marks the live units: dead means no sample gives a positive output"),
                ),
            ],
        )
    return _("Your mask finds the dead units as fcnn.diagnose does.")
