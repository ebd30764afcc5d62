"""From numbers to verdicts: when a layer's statistics become a finding, and what to say.

Every rule is a threshold in :class:`Thresholds`, documented there, so that a teacher
can show exactly why a verdict fired (and change it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .probe import LayerStats

__all__ = ["Finding", "Thresholds", "judge"]


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
                raise ValueError(f"Thresholds({name}={value!r}): expected a fraction in [0, 1]")
        for low, high in (("vanishing", "exploding"), ("update_low", "update_high")):
            a, b = getattr(self, low), getattr(self, high)
            if not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and 0 < a < b):
                raise ValueError(
                    f"Thresholds({low}={a!r}, {high}={b!r}): expected 0 < {low} < {high}"
                )


@dataclass
class Finding:
    """One verdict: what was seen, where, how bad, and what to do about it.

    ``kind`` is one of ``dead_units``, ``saturated_units``, ``vanishing_gradients``,
    ``exploding_gradients``, ``update_too_large``, ``update_too_small``,
    ``update_ratio_not_judged`` (info only), ``not_finite``;
    ``layer`` the 1-based weight layer (None for the network as a whole); ``severity``
    ``"warning"`` or ``"info"``; ``numbers`` the measurements behind the message.
    """

    kind: str
    layer: int | None
    severity: str
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int | None]:
        return self.kind, self.layer

    def to_dict(self) -> dict[str, Any]:
        numbers = {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in self.numbers.items()
        }
        return {
            "kind": self.kind,
            "layer": self.layer,
            "severity": self.severity,
            "message": self.message,
            "numbers": numbers,
        }


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float) -> str:
    """``3e-9`` → ``"10⁻⁹"``: the nearest power of ten, as the notes write it."""
    return "10" + str(round(math.log10(value))).translate(_SUPERSCRIPT)


def percent(fraction: float) -> str:
    value = 100 * fraction
    if 0 < value < 1:
        return "<1 %"
    if 99 < value < 100:
        return ">99 %"
    return f"{value:.0f} %"


def unit_name(activation: str | None) -> str:
    return {"Tanh": "tanh", "Sigmoid": "sigmoid"}.get(activation or "", activation or "linear")


def _dead(stats: LayerStats, limit: float, where: str, samples: int) -> Finding:
    frac = stats.dead_fraction or 0.0
    units = f"{percent(frac)} of {stats.units} {unit_name(stats.activation)} units"
    if stats.activation == "ReLU":
        what = (
            f"layer {stats.layer}: {units} are dead on {where} (output 0 on all {samples} "
            "rows: their weights get no gradient)"
        )
    else:
        what = (
            f"layer {stats.layer}: {units} are never active on {where} (input ≤ 0 on all "
            f"{samples} rows: only the small negative-side gradient reaches their weights)"
        )
    return Finding(
        "dead_units",
        stats.layer,
        "warning" if frac >= limit else "info",
        f"{what}; lower the learning rate or try LeakyReLU / ELU",
        {"dead": stats.dead_units, "units": stats.units, "fraction": frac},
    )


def _saturated(stats: LayerStats, t: Thresholds, where: str) -> Finding:
    frac = stats.saturated_fraction or 0.0
    advice = "use Xavier init, smaller inputs or BatchNorm"
    if stats.activation == "Sigmoid":
        advice += " (or tanh / ReLU in hidden layers)"
    return Finding(
        "saturated_units",
        stats.layer,
        "warning" if frac >= t.saturated else "info",
        f"layer {stats.layer}: {percent(frac)} of {stats.units} {unit_name(stats.activation)} "
        f"units are saturated on {where} (output within {percent(t.saturation_tol)} of a bound "
        f"on ≥ {percent(t.saturation_share)} of the samples); {advice}",
        {
            "saturated": stats.saturated_units,
            "units": stats.units,
            "fraction": frac,
            "rate": stats.saturation_rate,
        },
    )


def _dead_cause(layers: list[LayerStats], ratio_at: list[float], t: Thresholds) -> int | None:
    """The index of the hidden layer whose dead units explain vanishing gradients, if any.

    The error signal is compared with the last layer's, layer by layer from the output
    down; the first layer where that ratio falls below ``vanishing`` is where the gradient
    vanishes. When that layer has at least ``dead`` of its ReLU-family units dead, the
    dead units are the cause: they pass (almost) no gradient back, so everything below
    them vanishes whatever the init.
    """
    for i in range(len(layers) - 2, -1, -1):
        if ratio_at[i] < t.vanishing:
            frac = layers[i].dead_fraction
            return i if frac is not None and frac >= t.dead else None
    return None


def _gradient_flow(layers: list[LayerStats], t: Thresholds) -> list[Finding]:
    first, last = layers[0], layers[-1]
    if first.backprop_norm is None or last.backprop_norm is None or len(layers) < 2:
        return []
    if last.backprop_norm == 0:  # no error signal at all: nothing left to compare
        return []
    ratio = first.backprop_norm / last.backprop_norm
    numbers: dict[str, Any] = {
        "ratio": ratio,
        "first": first.backprop_norm,
        "last": last.backprop_norm,
        "first_layer": first.layer,
        "last_layer": last.layer,
    }
    span = f"from layer {last.layer} to layer {first.layer}"
    detail = f"‖∂L/∂z‖ ratio {ratio:.1e}"
    if ratio < t.vanishing:
        ratio_at = [(s.backprop_norm or 0.0) / last.backprop_norm for s in layers]
        dead = _dead_cause(layers, ratio_at, t)
        if dead is not None:
            stats = layers[dead]
            numbers["dead_layer"] = stats.layer
            numbers["dead_fraction"] = stats.dead_fraction
            below = " and below" if dead > 0 else ""
            state = "dead" if stats.activation == "ReLU" else "never active"
            units = f"{percent(stats.dead_fraction or 0.0)} of {stats.units}"
            return [
                Finding(
                    "vanishing_gradients",
                    None,
                    "warning",
                    f"gradients vanish at layer {stats.layer}{below}, where {units} "
                    f"{unit_name(stats.activation)} units are {state} ({detail} {span}): "
                    "fix the dead units first (lower the learning rate, a smaller negative "
                    "bias, LeakyReLU / ELU)",
                    numbers,
                )
            ]
        # The probe counts dead units exactly for the ReLU family (subclasses included).
        if any(s.dead_units is not None for s in layers[:-1]):
            advice = "use He init (init='kaiming_normal') or BatchNorm"
        else:
            advice = "try ReLU, He init or BatchNorm"
        text = f"gradients shrink {power_of_ten(ratio) if ratio > 0 else 'to 0'} {span} ({detail})"
        return [
            Finding("vanishing_gradients", None, "warning", f"{text}: vanishing; {advice}", numbers)
        ]
    if ratio > t.exploding:
        return [
            Finding(
                "exploding_gradients",
                None,
                "warning",
                f"gradients grow {power_of_ten(ratio)} {span} ({detail}): exploding; use a "
                "smaller init (Xavier for tanh / sigmoid, He for ReLU), BatchNorm, or a lower "
                "learning rate",
                numbers,
            )
        ]
    return []


def _small_update_cure(stats: LayerStats, flow: list[Finding]) -> str:
    """What to do about a layer that barely learns, given the gradient-flow verdict."""
    vanishing = next((f for f in flow if f.kind == "vanishing_gradients"), None)
    if vanishing is None:
        return "raise the learning rate"
    dead = vanishing.numbers.get("dead_layer")
    if dead is None:
        return "cure the vanishing gradients first"
    if stats.layer == dead:
        return "its dead units get no gradient: fix them first"
    if stats.layer < dead:
        return f"the dead units of layer {dead} pass no gradient back: fix them first"
    if stats.layer == dead + 1:
        return f"its input is the output of layer {dead}'s dead units: fix them first"
    return "raise the learning rate"


def _update(stats: LayerStats, t: Thresholds, step: str, flow: list[Finding]) -> Finding | None:
    ratio = stats.update_ratio
    if ratio is None or not math.isfinite(ratio):
        return None
    numbers = {"ratio": ratio, "grad_norm": stats.grad_norm, "weight_norm": stats.weight_norm}
    head = f"layer {stats.layer}: {step} changes the weights by {ratio:.1e} of their size"
    if ratio > t.update_high and stats.normalization is None:
        return Finding(
            "update_too_large",
            stats.layer,
            "warning",
            f"{head}, far above the ≈1e-3 rule of thumb; lower the learning rate",
            numbers,
        )
    if ratio < t.update_low:
        return Finding(
            "update_too_small",
            stats.layer,
            "warning",
            f"{head}, far below the ≈1e-3 rule of thumb: the layer barely learns; "
            f"{_small_update_cure(stats, flow)}",
            numbers,
        )
    return None


def _normalized_updates(layers: list[LayerStats], t: Thresholds, step: str) -> Finding | None:
    """An ``info`` note for large updates of layers followed by BatchNorm (not judged)."""
    large = [
        s
        for s in layers
        if s.normalization is not None
        and s.update_ratio is not None
        and math.isfinite(s.update_ratio)
        and s.update_ratio > t.update_high
    ]
    if not large:
        return None
    names = ", ".join(str(s.layer) for s in large)
    top = max(s.update_ratio or 0.0 for s in large)
    norm = large[0].normalization
    return Finding(
        "update_ratio_not_judged",
        None,
        "info",
        f"layer{'s' * (len(large) > 1)} {names}: {step} changes the weights by up to "
        f"{top:.1e} of their size, not judged against the ≈1e-3 rule: {norm} follows, so the "
        "output does not depend on the weights' scale (a large step only grows ‖W‖, which "
        "shrinks the next steps)",
        {"layers": [s.layer for s in large], "max_ratio": top},
    )


def judge(
    layers: list[LayerStats],
    *,
    thresholds: Thresholds,
    samples: int,
    where: str,
    step: str = "one step",
    finite: bool = True,
) -> list[Finding]:
    """The findings for a probe's per-layer statistics.

    Dead and saturated units are judged in hidden layers only: the output layer's
    activation is meant to reach its bounds (a confident sigmoid output is the goal).
    ``where`` names the data in messages ("the training set"); ``step`` the update whose
    size was measured ("one SGD step with lr 0.1").
    """
    findings: list[Finding] = []
    for stats in layers[:-1]:
        if stats.dead_units:
            findings.append(_dead(stats, thresholds.dead, where, samples))
        if stats.saturated_units:
            findings.append(_saturated(stats, thresholds, where))
    if not finite:
        findings.append(
            Finding(
                "not_finite",
                None,
                "warning",
                "the loss or the gradients are NaN or infinite on this data: the weights have "
                "diverged or the inputs are huge; lower the learning rate and standardise the "
                "inputs",
            )
        )
        return findings
    flow = _gradient_flow(layers, thresholds)
    findings.extend(flow)
    for stats in layers:
        finding = _update(stats, thresholds, step, flow)
        if finding is not None:
            findings.append(finding)
    note = _normalized_updates(layers, thresholds, step)
    if note is not None:
        findings.append(note)
    return findings
