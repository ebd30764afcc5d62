"""What the page draws: the ``network``, ``data`` and ``state`` messages of a session,
and the sample points of the data-set thumbnails.

The ``state`` message holds the losses and the metrics beside them, the heat maps (the
output over the big grid and the fine one, each hidden unit over the small one), the
weights, the gradient flow and the health of the units with the diagnostics in words.
The health rules (dead ReLU-family units, saturated sigmoid / tanh units) and their
wording are ``fcnn.diagnose``'s: the page flags a unit by the same rule the probe counts
it with.

Every function here reads the session and leaves its weights, its optimiser and its
random generators as they were (the backward pass for the gradient flow overwrites the
gradients only, which the next training step zeroes first).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import playground_set
from ..diagnose.probe import (
    LayerStats,
    dead_units,
    near_bound,
    relu_like,
    saturated_units,
    saturation_bounds,
)
from ..diagnose.verdicts import Thresholds, judge
from ..i18n import translator, using_language
from ..layers import BatchNorm1d, Maxout
from ..metrics import accuracy, confusion_matrix, labels_from_output, r2_score, rmse
from .config import (
    DATASETS,
    DOMAIN,
    GRID_SIZE,
    GRID_SIZE_FINE,
    MAXOUT_PIECES,
    REGRESSION_DATASETS,
)
from .encoding import number, points, quantised, signed, to_json

_ = translator("playground")

if TYPE_CHECKING:
    from .session import Session

__all__ = [
    "SATURATED_SHARE",
    "THRESHOLDS",
    "data_message",
    "network_message",
    "page_kind",
    "state_message",
    "thumbnails",
]

# Saturated: within 1 % of a bound on at least 90 % of the training points (the protocol).
SATURATED_SHARE = 0.9
THRESHOLDS = Thresholds(saturation_tol=0.01, saturation_share=SATURATED_SHARE)
THUMBNAIL_POINTS = 300


def page_kind(session: Session) -> str:
    """What the output heat map shows: ``"multiclass"`` (the winning class and its
    probability), ``"probability"`` (a sigmoid's class-1 probability as ``2p − 1``) or
    ``"identity"`` (the single output as it is: a tanh score or a regression)."""
    if session.outputs > 1:
        return "multiclass"
    if session.task == "classification" and session.head is not None:
        return "probability"
    return "identity"


def page_output(session: Session, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's raw output → (``output.values``, ``output.classes`` or None)."""
    if session.head is not None:
        out = session.head.forward(out)
    kind = page_kind(session)
    if kind == "multiclass":
        return out.max(axis=1), out.argmax(axis=1)
    if kind == "probability":
        return signed(out[:, 0]), None
    return out[:, 0], None


def network_message(session: Session) -> dict[str, Any]:
    """The ``network`` message."""
    activation = session.config["activation"]
    return {
        "type": "network",
        "layers": [len(session.feature_names), *session.config["hidden"], session.outputs],
        "features": list(session.feature_names),
        "task": session.task,
        "classes": session.outputs,
        # The loss in force (a regression always trains on MSE, whatever config["loss"])
        # and what the output means (page_kind): the page shows these, not the setting.
        "loss": session.loss_name,
        "output": page_kind(session),
        "activation": activation,
        "pieces": MAXOUT_PIECES if activation == "maxout" else 1,
    }


def data_message(session: Session) -> dict[str, Any]:
    """The ``data`` message. Its ``task`` and ``classes`` are the ``network`` message's:
    the page draws a data set only over the network made for it."""
    return {
        "type": "data",
        "task": session.task,
        "classes": session.outputs,
        "train": points(session.X_train, session.y_train),
        "test": points(session.X_test, session.y_test),
        "domain": list(session.domain),
    }


def thumbnails(classes: int) -> dict[str, Any]:
    """The ``GET /api/thumbnails`` JSON: sample points of every built-in data set.

    The sets come from ``fcnn.data.playground_set``, as a session's do (seed 0, no
    noise, :data:`THUMBNAIL_POINTS` points; ``blobs`` and ``spiral`` with ``classes``
    classes), so each button shows the data it will load.
    """
    sets = {}
    for name in DATASETS:
        if name == "upload":
            continue
        X, y = playground_set(name, THUMBNAIL_POINTS, 0, classes, seed=0)
        task = "regression" if name in REGRESSION_DATASETS else "classification"
        sets[name] = {"task": task, **points(X, y)}
    return {"classes": classes, "domain": list(DOMAIN), "datasets": sets}


def _forward(session: Session, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The model's output and every module's output on the way (the neurons' values)."""
    outs = []
    for module in session.modules:
        x = module.forward(x)
        outs.append(x)
    return x, outs


def state_message(session: Session, running: bool = False) -> dict[str, Any]:
    """The ``state`` message, computed with the model in eval mode (no dropout; batch
    norm from its running statistics)."""
    session.model.eval()
    try:
        with np.errstate(all="ignore"):
            return _state(session, running)
    finally:
        session.model.train()


def _state(session: Session, running: bool) -> dict[str, Any]:
    grid_out, _ = _forward(session, session.F_grid)
    values, classes = page_output(session, grid_out)
    output: dict[str, Any] = {"size": GRID_SIZE, "values": to_json(values)}
    if classes is not None:
        output["classes"] = classes.tolist()
    fine = _fine_output(session)
    if fine is not None:
        output["fine"] = fine
    _, small = _forward(session, session.F_grid_small)
    test_out = _forward(session, session.F_test)[0]
    test_loss = session.loss.forward(test_out, session.T_test)
    train_out, outs = _forward(session, session.F_train)
    train_loss = session.loss.forward(train_out, session.T_train)
    metrics = {
        "train": _metrics(session, train_out, session.y_train),
        "test": _metrics(session, test_out, session.y_test),
    }
    stats, flags, grad_flow = _health(session, outs)
    neurons = [
        [
            {"values": to_json(session.F_grid_small[:, j]), "dead": False, "saturated": False}
            for j in range(len(session.feature_names))
        ]
    ]
    for layer, tap in enumerate(session.taps):
        dead, saturated = flags[layer]
        neurons.append(
            [
                {
                    "values": to_json(small[tap][:, j]),
                    "dead": bool(dead[j]),
                    "saturated": bool(saturated[j]),
                }
                for j in range(small[tap].shape[1])
            ]
        )
    weights = []
    for i in session.dense:
        module = session.modules[i]
        weights.append({"W": to_json(module.weight.data), "b": to_json(module.bias.data)})
    finite = math.isfinite(train_loss) and all(
        np.isfinite(p.data).all() for p in session.model.parameters()
    )
    if not finite:
        session.diverged = True
    return {
        "type": "state",
        "epoch": session.epoch,
        "running": bool(running),
        "task": session.task,
        "classes": session.outputs,
        "train_loss": number(train_loss),
        "test_loss": number(test_loss),
        "metrics": metrics,
        "output": output,
        "neurons": neurons,
        "weights": weights,
        "grad_flow": [number(g) for g in grad_flow],
        "diagnostics": _diagnostics(session, stats, finite),
    }


def _metrics(session: Session, out: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The metrics beside the loss (``fcnn.metrics``) of one split from the model's raw
    output: accuracy and the confusion matrix (rows: the true class, columns: the
    predicted one) for a classification, R² and RMSE for a regression."""
    if session.task == "regression":
        return {"r2": number(r2_score(y, out[:, 0])), "rmse": number(rmse(y, out[:, 0]))}
    # One output is a logit (sigmoid head) or a tanh score: both say class 1 above 0.
    predicted = labels_from_output(np.nan_to_num(out, nan=0.0), logits=True)
    return {
        "accuracy": number(accuracy(y, predicted)),
        "confusion": confusion_matrix(y, predicted, session.classes).tolist(),
    }


def _fine_output(session: Session) -> dict[str, Any] | None:
    """``output.fine``: the output over the 100 × 100 grid the page paints, one byte a
    value. The range is fixed where the output's is ([−1, 1] for a binary score, [0, 1]
    for a winning probability), so a byte means the same from state to state; a
    regression's is its grid's own."""
    F = session.F_grid_fine
    # In blocks of 2500 rows: past that size OpenBLAS starts threads, and on a busy
    # machine a 10⁴-row product took 9 ms instead of 0.1 (eval mode: rows independent).
    out = np.concatenate([_forward(session, F[i : i + 2500])[0] for i in range(0, len(F), 2500)])
    values, classes = page_output(session, out)
    kind = page_kind(session)
    bounds = {"multiclass": (0.0, 1.0)}.get(kind, (-1.0, 1.0))
    if session.task == "regression":
        bounds = (None, None)
    fine = quantised(values, *bounds)
    if fine is None:
        return None
    fine["size"] = GRID_SIZE_FINE
    if classes is not None:
        fine["classes"] = quantised(classes, 0, 254)["bytes"]
    return fine


def _layer_stats(
    session: Session, layer: int, outs: list[np.ndarray]
) -> tuple[LayerStats, np.ndarray, np.ndarray]:
    """One dense layer's statistics and its units' dead / saturated flags (all False for
    the output layer, whose health is not judged)."""
    i = session.dense[layer - 1]
    module = session.modules[i]
    hidden = layer <= len(session.taps)
    tap = session.taps[layer - 1] if hidden else len(session.modules) - 1
    act_index = session.activation_at[layer - 1] if hidden else None
    activation = None if act_index is None else session.modules[act_index]
    act_name = None if activation is None else type(activation).__name__
    if isinstance(module, Maxout):
        act_name = "Maxout"
    y = outs[tap]
    units = y.shape[1]
    dead = np.zeros(units, dtype=bool)
    saturated = np.zeros(units, dtype=bool)
    follows = session.modules[i + 1] if i + 1 < len(session.modules) else None
    entry = LayerStats(
        layer=layer,
        module=str(i),
        type=type(module).__name__,
        units=units,
        activation=act_name,
        mean=float(y.mean()),
        std=float(y.std()),
        weight_norm=float(np.linalg.norm(module.weight.data)),
        normalization="BatchNorm1d" if isinstance(follows, BatchNorm1d) else None,
    )
    bounds = None if activation is None else saturation_bounds(activation)
    if hidden and activation is not None and relu_like(activation):
        dead = dead_units(outs[act_index - 1])  # the activation's input
        entry.dead_units = int(dead.sum())
        entry.dead_fraction = entry.dead_units / units
    elif hidden and bounds is not None:
        share = near_bound(bounds, y, THRESHOLDS.saturation_tol).mean(axis=0)
        saturated = saturated_units(share, THRESHOLDS.saturation_share)
        entry.saturated_units = int(saturated.sum())
        entry.saturated_fraction = entry.saturated_units / units
        entry.saturation_rate = float(share.mean())
    return entry, dead, saturated


def _health(
    session: Session, outs: list[np.ndarray]
) -> tuple[list[LayerStats], list[tuple[np.ndarray, np.ndarray]], list[float]]:
    """Dead / saturated units on the training set and the full-batch gradient flow.

    ``outs`` are the module outputs of the forward pass over the training set just
    made (the loss's last forward too); then one backward pass of the data loss runs
    through the model in eval mode.
    """
    stats, flags = [], []
    for layer in range(1, len(session.dense) + 1):
        entry, dead, saturated = _layer_stats(session, layer, outs)
        stats.append(entry)
        if layer <= len(session.taps):
            flags.append((dead, saturated))
    modules, dense = session.modules, session.dense
    session.model.zero_grad()
    grad = session.loss.backward()
    for i in range(len(modules) - 1, -1, -1):
        if i in dense:  # ‖∂L/∂z‖ at the dense layer's output z
            stats[dense.index(i)].backprop_norm = float(np.linalg.norm(grad))
        grad = modules[i].backward(grad)
    grad_flow = []
    for entry, i in zip(stats, dense, strict=True):
        dW = modules[i].weight.grad
        entry.grad_norm = float(np.linalg.norm(dW))
        grad_flow.append(float(np.sqrt(np.mean(np.square(dW)))))
    return stats, flags, grad_flow


def _diagnostics(session: Session, stats: list[LayerStats], finite: bool) -> list[str]:
    # in the session's language: fcnn.diagnose's findings are said when read
    with using_language(session.lang):
        return _said(session, stats, finite)


def _said(session: Session, stats: list[LayerStats], finite: bool) -> list[str]:
    findings = judge(
        stats,
        thresholds=THRESHOLDS,
        samples=len(session.F_train),
        where=_("the training set"),
        finite=finite,
    )
    sentences = []
    for finding in findings:
        text = str(finding.message)
        sentences.append(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
    if not finite:
        sentences.append(_("Training paused: lower the learning rate and press reset."))
    return sentences
