"""From numbers to verdicts: when a layer's statistics become a finding, and what to say.

Every rule is a threshold in :class:`Thresholds`, documented there, so that a teacher
can show exactly why a verdict fired (and change it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..i18n import Listing
from .probe import LayerStats
from .thresholds import Thresholds
from .words import N_, Message, words

__all__ = ["Finding", "Thresholds", "judge"]


@dataclass(init=False)
class Finding:
    """One verdict: what was seen, where, how bad, and what to do about it.

    ``kind`` is one of ``dead_units``, ``saturated_units``, ``vanishing_gradients``,
    ``exploding_gradients``, ``update_too_large``, ``update_too_small``,
    ``update_ratio_not_judged`` (info only), ``not_finite``;
    ``layer`` the 1-based weight layer (None for the network as a whole); ``severity``
    ``"warning"`` or ``"info"``; ``numbers`` the measurements behind the message.
    ``message`` is the verdict in words, in the language chosen when it is read
    (``text`` keeps it as a :class:`~fcnn.diagnose.words.Message`).
    """

    kind: str
    layer: int | None
    severity: str
    text: Message
    numbers: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        kind: str,
        layer: int | None,
        severity: str,
        message: str | Message,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        self.kind, self.layer, self.severity = kind, layer, severity
        self.text = words(message)
        self.numbers = {} if numbers is None else numbers

    @property
    def message(self) -> str:
        return str(self.text)

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


ONE_STEP = N_("one step")
"""How messages name the update when nothing says which optimiser made it."""

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


def unit_name(activation: str | None) -> str | Message:
    """How a verdict names a layer's units: ``sigmoid``, ``ReLU``, … or *linear*."""
    if not activation:
        return Message(N_("linear"))
    return {"Tanh": "tanh", "Sigmoid": "sigmoid"}.get(activation, activation)


def _dead(stats: LayerStats, limit: float, where: Message, samples: int) -> Finding:
    frac = stats.dead_fraction or 0.0
    if stats.activation == "ReLU":
        template = N_(
            "layer {layer}: {percent} of {units} {kind} units are dead on {where} (output 0 on "
            "all {samples} rows: their weights get no gradient); lower the learning rate or try "
            "LeakyReLU / ELU"
        )
    else:
        template = N_(
            "layer {layer}: {percent} of {units} {kind} units are never active on {where} "
            "(input ≤ 0 on all {samples} rows: only the small negative-side gradient reaches "
            "their weights); lower the learning rate or try LeakyReLU / ELU"
        )
    return Finding(
        "dead_units",
        stats.layer,
        "warning" if frac >= limit else "info",
        Message(
            template,
            layer=stats.layer,
            percent=percent(frac),
            units=stats.units,
            kind=unit_name(stats.activation),
            where=where,
            samples=samples,
        ),
        {"dead": stats.dead_units, "units": stats.units, "fraction": frac},
    )


def _saturated(stats: LayerStats, t: Thresholds, where: Message) -> Finding:
    frac = stats.saturated_fraction or 0.0
    if stats.activation == "Sigmoid":
        advice = N_(
            "use Xavier init, smaller inputs or BatchNorm (or tanh / ReLU in hidden layers)"
        )
    else:
        advice = N_("use Xavier init, smaller inputs or BatchNorm")
    return Finding(
        "saturated_units",
        stats.layer,
        "warning" if frac >= t.saturated else "info",
        Message(
            N_(
                "layer {layer}: {percent} of {units} {kind} units are saturated on {where} "
                "(output within {tol} of a bound on ≥ {share} of the samples); {advice}"
            ),
            layer=stats.layer,
            percent=percent(frac),
            units=stats.units,
            kind=unit_name(stats.activation),
            where=where,
            tol=percent(t.saturation_tol),
            share=percent(t.saturation_share),
            advice=Message(advice),
        ),
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
    span = Message(N_("from layer {last} to layer {first}"), last=last.layer, first=first.layer)
    detail = Message(N_("‖∂L/∂z‖ ratio {ratio:.1e}"), ratio=ratio)
    if ratio < t.vanishing:
        ratio_at = [(s.backprop_norm or 0.0) / last.backprop_norm for s in layers]
        dead = _dead_cause(layers, ratio_at, t)
        if dead is not None:
            stats = layers[dead]
            numbers["dead_layer"] = stats.layer
            numbers["dead_fraction"] = stats.dead_fraction
            below = N_("layer {layer} and below") if dead > 0 else N_("layer {layer}")
            # one sentence per state: "dead" and "never active" take different verbs in Chinese
            if stats.activation == "ReLU":
                template = N_(
                    "gradients vanish at {at}, where {percent} of {units} {kind} units are dead "
                    "({detail} {span}): fix the dead units first (lower the learning rate, a "
                    "smaller negative bias, LeakyReLU / ELU)"
                )
            else:
                template = N_(
                    "gradients vanish at {at}, where {percent} of {units} {kind} units are never "
                    "active ({detail} {span}): fix the dead units first (lower the learning "
                    "rate, a smaller negative bias, LeakyReLU / ELU)"
                )
            text = Message(
                template,
                at=Message(below, layer=stats.layer),
                percent=percent(stats.dead_fraction or 0.0),
                units=stats.units,
                kind=unit_name(stats.activation),
                detail=detail,
                span=span,
            )
            return [Finding("vanishing_gradients", None, "warning", text, numbers)]
        # The probe counts dead units exactly for the ReLU family (subclasses included).
        if any(s.dead_units is not None for s in layers[:-1]):
            advice = N_("use He init (init='kaiming_normal') or BatchNorm")
        else:
            advice = N_("try ReLU, He init or BatchNorm")
        if ratio > 0:
            template = N_("gradients shrink {factor} {span} ({detail}): vanishing; {advice}")
        else:
            template = N_("gradients shrink to 0 {span} ({detail}): vanishing; {advice}")
        text = Message(
            template,
            factor=power_of_ten(ratio) if ratio > 0 else "",
            span=span,
            detail=detail,
            advice=Message(advice),
        )
        return [Finding("vanishing_gradients", None, "warning", text, numbers)]
    if ratio > t.exploding:
        text = Message(
            N_(
                "gradients grow {factor} {span} ({detail}): exploding; use a smaller init "
                "(Xavier for tanh / sigmoid, He for ReLU), BatchNorm, or a lower learning rate"
            ),
            factor=power_of_ten(ratio),
            span=span,
            detail=detail,
        )
        return [Finding("exploding_gradients", None, "warning", text, numbers)]
    return []


def _small_update_cure(stats: LayerStats, flow: list[Finding]) -> Message:
    """What to do about a layer that barely learns, given the gradient-flow verdict."""
    raise_lr = Message(N_("raise the learning rate"))
    vanishing = next((f for f in flow if f.kind == "vanishing_gradients"), None)
    if vanishing is None:
        return raise_lr
    dead = vanishing.numbers.get("dead_layer")
    if dead is None:
        return Message(N_("cure the vanishing gradients first"))
    if stats.layer == dead:
        return Message(N_("its dead units get no gradient: fix them first"))
    if stats.layer < dead:
        return Message(
            N_("the dead units of layer {dead} pass no gradient back: fix them first"), dead=dead
        )
    if stats.layer == dead + 1:
        return Message(
            N_("its input is the output of layer {dead}'s dead units: fix them first"), dead=dead
        )
    return raise_lr


def _update(stats: LayerStats, t: Thresholds, step: Message, flow: list[Finding]) -> Finding | None:
    ratio = stats.update_ratio
    if ratio is None or not math.isfinite(ratio):
        return None
    numbers = {"ratio": ratio, "grad_norm": stats.grad_norm, "weight_norm": stats.weight_norm}
    if ratio > t.update_high and stats.normalization is None:
        text = Message(
            N_(
                "layer {layer}: {step} changes the weights by {ratio:.1e} of their size, far "
                "above the ≈1e-3 rule of thumb; lower the learning rate"
            ),
            layer=stats.layer,
            step=step,
            ratio=ratio,
        )
        return Finding("update_too_large", stats.layer, "warning", text, numbers)
    if ratio < t.update_low:
        text = Message(
            N_(
                "layer {layer}: {step} changes the weights by {ratio:.1e} of their size, far "
                "below the ≈1e-3 rule of thumb: the layer barely learns; {cure}"
            ),
            layer=stats.layer,
            step=step,
            ratio=ratio,
            cure=_small_update_cure(stats, flow),
        )
        return Finding("update_too_small", stats.layer, "warning", text, numbers)
    return None


def _normalized_updates(layers: list[LayerStats], t: Thresholds, step: Message) -> Finding | None:
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
    names = Listing(s.layer for s in large)
    top = max(s.update_ratio or 0.0 for s in large)
    norm = large[0].normalization
    if len(large) > 1:
        template = N_(
            "layers {names}: {step} changes the weights by up to {top:.1e} of their size, not "
            "judged against the ≈1e-3 rule: {norm} follows, so the output does not depend on "
            "the weights' scale (a large step only grows ‖W‖, which shrinks the next steps)"
        )
    else:
        template = N_(
            "layer {names}: {step} changes the weights by up to {top:.1e} of their size, not "
            "judged against the ≈1e-3 rule: {norm} follows, so the output does not depend on "
            "the weights' scale (a large step only grows ‖W‖, which shrinks the next steps)"
        )
    return Finding(
        "update_ratio_not_judged",
        None,
        "info",
        Message(template, names=names, step=step, top=top, norm=norm),
        {"layers": [s.layer for s in large], "max_ratio": top},
    )


def judge(
    layers: list[LayerStats],
    *,
    thresholds: Thresholds,
    samples: int,
    where: str | Message,
    step: str | Message = ONE_STEP,
    finite: bool = True,
) -> list[Finding]:
    """The findings for a probe's per-layer statistics.

    Dead and saturated units are judged in hidden layers only: the output layer's
    activation is meant to reach its bounds (a confident sigmoid output is the goal).
    ``where`` names the data in messages ("the training set"); ``step`` the update whose
    size was measured ("one SGD step with lr 0.1"). Either may be a
    :class:`~fcnn.diagnose.words.Message`; a plain string is said as it is, or in the
    current language where the ``diagnose`` catalog has it.
    """
    where, step = words(where), words(step)
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
                Message(
                    N_(
                        "the loss or the gradients are NaN or infinite on this data: the weights "
                        "have diverged or the inputs are huge; lower the learning rate and "
                        "standardise the inputs"
                    )
                ),
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
