"""``explain``: one forward pass, the loss, one backward pass and one SGD step of a small
network on one sample, recorded as a :class:`~fcnn.explain.records.Trace`.

It works on a float64 copy of the model and goes through the library's own modules layer
by layer; the chain-rule factors ``∂E/∂out · ∂out/∂net · ∂net/∂p`` are then computed
explicitly, for display, and ``verify`` holds each against fcnn's own numbers.
"""

from __future__ import annotations

import copy
import math
from typing import Any, NamedTuple

import numpy as np

from .. import checks
from ..core import Module
from ..losses import Loss
from . import verify
from .loss_rules import LossRule, loss_rule, loss_terms
from .records import Downstream, Factor, ParamTrace, Trace, UnitTrace
from .rules import activation_rule
from .samples import one_row, targets
from .structure import MAX_PARAMETERS, Stage, parameter_names, sizes, stages, unit_names


def explain(
    model: Module,
    x: Any,
    target: Any,
    *,
    loss: str | Loss = "mse_half",
    lr: float = 0.5,
    update_biases: bool = True,
    shared_biases: bool = False,
    max_parameters: int = MAX_PARAMETERS,
) -> Trace:
    """Trace one forward pass, backward pass and SGD step of ``model`` on one sample.

    Works on a float64 deep copy; ``model`` itself is left untouched.

    Parameters
    ----------
    model : Sequential
        ``Linear`` layers, each followed by at most one element-wise activation of
        ``fcnn.explain.rules.ACTIVATIONS`` (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU,
        SELU, GELU, SiLU, Softplus); nested Sequentials are flattened. At most
        ``max_parameters`` parameters.
    x : array_like, shape (in_features,) or (1, in_features)
        One sample. A batch of several is refused.
    target : array_like
        The desired outputs, shape ``(out_features,)``; for ``cross_entropy`` a class
        index or a probability vector.
    loss : str or Loss, default "mse_half"
        ``"mse_half"`` is the notes' squared error ``E = ½ Σₖ (targetₖ − outₖ)²``;
        ``"mse"``, ``"bce"``, ``"bce_with_logits"``, ``"cross_entropy"`` are fcnn's
        losses with their defaults (mean over the outputs); any fcnn ``Loss`` (reduction
        mean or sum) or registry name also works, its ``∂E/∂out`` then taken from
        ``loss.backward()``.
    lr : float, default 0.5
        The learning rate η of the SGD step ``p⁺ = p − η·∂E/∂p``.
    update_biases : bool, default True
        False leaves the biases out of the step (their gradients are still traced), as
        the notes' example does.
    shared_biases : bool, default False
        Treat each layer's bias vector as one parameter shared by its units (named b1,
        b2, … per layer; its entries must be equal). Its gradient is then
        ``Σⱼ ∂E/∂net_j`` and its step moves every entry alike.
    max_parameters : int, default 100

    Returns
    -------
    Trace

    Raises
    ------
    ValueError
        For a model with other layers or too many parameters, a batch of samples, or
        inputs and targets of the wrong size.
    RuntimeError
        If an explicit chain-rule product disagreed with ``model.backward`` (a bug).
    """
    lr = checks.real("explain", "lr", lr, low=0.0)
    update_biases = checks.flag("explain", "update_biases", update_biases)
    shared_biases = checks.flag("explain", "shared_biases", shared_biases)
    max_parameters = checks.positive_int("explain", "max_parameters", max_parameters)
    stages(model, max_parameters)  # refuse before copying anything
    net = copy.deepcopy(model).to(np.float64)
    pairs = stages(net, max_parameters)
    units_per_layer = sizes(pairs)
    k = units_per_layer[-1]
    rule = loss_rule(loss, k)
    xs = one_row("x", x, units_per_layer[0], np.float64)
    loss_target, target_row, target_class = targets(rule, target, k)

    # Forward, layer by layer through the library's own modules; ∂out/∂net by its formula,
    # checked against the activation's own backward pass.
    outs, nets, slopes = [xs], [], []
    for lin, act in pairs:
        z = lin.forward(outs[-1].reshape(1, -1))
        y = z if act is None else act.forward(z)
        slope = np.asarray(activation_rule(act).slope(z, y), dtype=np.float64)
        if act is not None:
            verify.same("∂out/∂net", slope, act.backward(np.ones_like(y)))
        nets.append(z[0].copy())
        outs.append(y[0].copy())
        slopes.append(slope[0])

    # The loss, and the library's backward pass from the loss's gradient.
    out = net.forward(xs.reshape(1, -1))
    verify.same("the output", outs[-1], out[0])
    value = rule.scale * float(rule.loss(out, loss_target))
    upstream = rule.scale * np.asarray(rule.loss.backward(), dtype=np.float64)
    net.zero_grad()
    net.backward(upstream)
    dE_dout = upstream[0]
    if rule.grad is not None:
        dE_dout = np.asarray(rule.grad(outs[-1], target_row), dtype=np.float64)
        verify.same("∂E/∂out", dE_dout, upstream[0])

    # The chain rule by hand, from the output layer down: δ = ∂E/∂out · ∂out/∂net, and for
    # a hidden unit ∂E/∂out_j = Σₖ δₖ·wₖⱼ over the units k it feeds.
    weights = [lin.weight.data.copy() for lin, _ in pairs]  # as they were before the step
    dE_douts = [dE_dout] * len(pairs)
    deltas = [dE_dout] * len(pairs)
    for layer in range(len(pairs) - 1, -1, -1):
        deltas[layer] = dE_douts[layer] * slopes[layer]
        if layer:
            dE_douts[layer - 1] = (deltas[layer][:, None] * weights[layer]).sum(axis=0)

    weight_names, bias_names = parameter_names(pairs, shared_biases)
    numbers = _Numbers(
        unit_names(units_per_layer),
        weight_names,
        bias_names,
        weights,
        nets,
        outs,
        slopes,
        dE_douts,
        deltas,
    )
    params = _parameter_traces(net, pairs, numbers, update_biases)
    worst = verify.compare_with_backward(params)
    params = verify.step(net, pairs, params, lr, update_biases, shared_biases)

    layers = []
    for lin, act in pairs:
        layers.append(f"Linear({lin.in_features}→{lin.out_features})")
        if act is not None:
            layers.append(repr(act).removesuffix("()"))
    return Trace(
        sizes=tuple(units_per_layer),
        layers=tuple(layers),
        inputs={n: float(v) for n, v in zip(numbers.names[0], xs, strict=True)},
        targets={n: float(v) for n, v in zip(numbers.names[-1], target_row, strict=True)},
        target_class=target_class,
        loss_name=rule.name,
        loss_formula=rule.formula,
        loss_tex=rule.tex,
        loss=value,
        loss_terms=loss_terms(rule, out, loss_target, numbers.names[-1]),
        lr=lr,
        update_biases=update_biases,
        shared_biases=shared_biases,
        units=_unit_traces(pairs, numbers, rule),
        params=params,
        max_discrepancy=worst,
    )


class _Numbers(NamedTuple):
    """What one pass computed, per Linear layer (``outs`` starts with the input)."""

    names: list[list[str]]
    weight_names: list[np.ndarray]
    bias_names: list[list[str] | None]
    weights: list[np.ndarray]
    nets: list[np.ndarray]
    outs: list[np.ndarray]
    slopes: list[np.ndarray]  # ∂out/∂net
    dE_douts: list[np.ndarray]
    deltas: list[np.ndarray]  # ∂E/∂net


def _parameter_traces(
    net: Module, pairs: list[Stage], n: _Numbers, update_biases: bool
) -> dict[str, ParamTrace]:
    """Every weight and bias with its chain-rule factors and model.backward's gradient."""
    keys = {id(p): key for key, p in net.named_parameters()}
    params: dict[str, ParamTrace] = {}
    for layer, (lin, _) in enumerate(pairs):
        units, sources = n.names[layer + 1], n.names[layer]
        labels = [s if layer == 0 else f"out_{s}" for s in sources]

        def factor(r: int, dnet: float, source: str, layer: int = layer) -> Factor:
            dE_dout, slope = float(n.dE_douts[layer][r]), float(n.slopes[layer][r])
            product = dE_dout * slope * float(dnet)
            return Factor(n.names[layer + 1][r], dE_dout, slope, float(dnet), source, product)

        for r in range(lin.out_features):
            for c in range(lin.in_features):
                f = factor(r, n.outs[layer][c], labels[c])
                name = str(n.weight_names[layer][r, c])
                params[name] = ParamTrace(
                    name=name,
                    kind="weight",
                    layer=layer + 1,
                    tensor=keys[id(lin.weight)],
                    entries=((r, c),),
                    source=sources[c],
                    units=(units[r],),
                    value=float(n.weights[layer][r, c]),
                    factors=(f,),
                    chain_rule=f.product,
                    gradient=float(lin.weight.grad[r, c]),
                    updated=math.nan,
                    is_updated=True,
                )
        if lin.bias is None:
            continue
        rows: dict[str, list[int]] = {}
        for r, b in enumerate(n.bias_names[layer] or []):
            rows.setdefault(b, []).append(r)
        for b, rs in rows.items():
            factors = tuple(factor(r, 1.0, "1") for r in rs)
            params[b] = ParamTrace(
                name=b,
                kind="bias",
                layer=layer + 1,
                tensor=keys[id(lin.bias)],
                entries=tuple((r,) for r in rs),
                source=None,
                units=tuple(units[r] for r in rs),
                value=float(lin.bias.data[rs[0]]),
                factors=factors,
                chain_rule=float(sum(f.product for f in factors)),
                gradient=float(sum(lin.bias.grad[r] for r in rs)),
                updated=math.nan,
                is_updated=update_biases,
            )
    return dict(sorted(params.items(), key=lambda item: _order(item[1])))


def _order(p: ParamTrace) -> tuple[bool, int]:
    """Weights before biases, each by number: w1, w2, …, w10, b1, b2."""
    return p.kind == "bias", int(p.name[1:])


def _unit_traces(pairs: list[Stage], n: _Numbers, rule: LossRule) -> dict[str, UnitTrace]:
    """Every unit: its forward values, its factors, and its formulas with its name put in."""
    units: dict[str, UnitTrace] = {}
    last = len(pairs) - 1
    for layer, (_, act) in enumerate(pairs):
        formulas = activation_rule(act)
        for j, name in enumerate(n.names[layer + 1]):
            downstream: tuple[Downstream, ...] = ()
            if layer < last:
                w, delta = n.weights[layer + 1], n.deltas[layer + 1]
                downstream = tuple(
                    Downstream(
                        unit=n.names[layer + 2][r],
                        delta=float(delta[r]),
                        weight=str(n.weight_names[layer + 1][r, j]),
                        weight_value=float(w[r, j]),
                        product=float(delta[r] * w[r, j]),
                    )
                    for r in range(w.shape[0])
                )
            net_text, out_text = f"net_{name}", f"out_{name}"
            net_tex, out_tex = f"net_{{{name}}}", f"out_{{{name}}}"
            units[name] = UnitTrace(
                name=name,
                layer=layer + 1,
                index=j,
                activation="Identity" if act is None else type(act).__name__,
                net=float(n.nets[layer][j]),
                out=float(n.outs[layer + 1][j]),
                dE_dout=float(n.dE_douts[layer][j]),
                dout_dnet=float(n.slopes[layer][j]),
                delta=float(n.deltas[layer][j]),
                inputs=tuple(n.names[layer]),
                weights=tuple(str(w) for w in n.weight_names[layer][j]),
                bias=None if n.bias_names[layer] is None else n.bias_names[layer][j],
                downstream=downstream,
                out_formula=formulas.out.replace("{net}", net_text),
                derivative_formula=formulas.derivative.replace("{net}", net_text).replace(
                    "{out}", out_text
                ),
                out_tex=formulas.out_tex.replace("{net}", net_tex),
                derivative_tex=formulas.derivative_tex.replace("{net}", net_tex).replace(
                    "{out}", out_tex
                ),
                loss_gradient_formula=rule.grad_text.replace("{u}", name) if layer == last else "",
                loss_gradient_tex=rule.grad_tex.replace("{u}", name) if layer == last else "",
            )
    return units
