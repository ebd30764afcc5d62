"""Training curves: loss and metrics per epoch (train and validation), and the
learning-rate comparison (converging and diverging runs on one plot)."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..i18n import N_, Message, translator
from ._base import (
    CLASS_COLORS,
    History,
    as_history,
    footnote,
    mark_point,
    new_figure,
    style,
    suptitle,
)

__all__ = ["history", "lr_comparison", "lr_experiment"]

_ = translator("plot")

_SKIP = ("lr", "time")
# what a history key is called on an axis (translated when drawn); others keep their key
_NAMES = {
    "loss": N_("loss"),
    "accuracy": N_("accuracy"),
    "f1": "F1",
    "r2": "R²",
    "rmse": "RMSE",
    "lr": N_("learning rate"),
}


def _name(key: str) -> str:
    return _(_NAMES[key]) if key in _NAMES else key


def _panels(record: History, keys: Sequence[str] | None) -> list[str]:
    if keys is not None:
        missing = [k for k in keys if k not in record.history]
        if missing:
            template = N_("history has no {missing}; it holds {held}")
            said = {"missing": ", ".join(map(repr, missing)), "held": ", ".join(record.history)}
            raise ValueError(Message("plot", template, **said))
        return list(keys)
    names = [k for k in record.history if not k.startswith("val_") and k not in _SKIP]
    names.sort(key=lambda k: k != "loss")
    lr = record.history.get("lr")
    if lr and len(set(lr)) > 1:
        names.append("lr")  # a schedule ran: show it
    return names


def history(
    source: History | Mapping[str, Any] | str | os.PathLike[str],
    *,
    keys: Sequence[str] | None = None,
    log_loss: bool = False,
    title: str | None = None,
) -> Any:
    """Loss and metric curves per epoch, training and validation on the same panel.

    Parameters
    ----------
    source : History, dict, or path
        What ``fit`` returned, its ``to_dict()`` form, ``{"loss": [...], ...}``, or a
        ``history.json`` file (or the run directory holding it).
    keys : sequence of str, optional
        The quantities to draw, one panel each (their ``val_`` twins join them).
        Default: the loss, every metric, and the learning rate when a schedule changed it.
    log_loss : bool
        Logarithmic loss axis.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The lowest validation loss is marked; why training stopped early, when it did,
        is written under the plots.
    """
    record = as_history(source)
    if not len(record):
        raise ValueError(Message("plot", N_("history: no epochs recorded")))
    names = _panels(record, keys)
    epochs = np.asarray(record.epoch)
    with style():
        fig, axes = new_figure(1, len(names), figsize=(4.2 * len(names), 3.4))
        for ax, key in zip(axes[0], names, strict=True):
            train = np.asarray(record.history[key], dtype=np.float64)
            label = _("training") if key != "lr" else _name("lr")
            ax.plot(epochs, train, color=CLASS_COLORS[0], linewidth=1.6, label=label)
            val = record.history.get(f"val_{key}")
            if val is not None:
                val = np.asarray(val, dtype=np.float64)
                ax.plot(epochs, val, color=CLASS_COLORS[1], linewidth=1.6, label=_("validation"))
                if key == "loss" and np.isfinite(val).any():
                    best = int(np.nanargmin(val))
                    mark_point(
                        ax,
                        epochs[best],
                        val[best],
                        CLASS_COLORS[1],
                        _("lowest validation loss {loss:.3g} (epoch {epoch})").format(
                            loss=val[best], epoch=epochs[best]
                        ),
                    )
            ax.set_xlabel(_("epoch"))
            ax.set_ylabel(_name(key) if key != "lr" else "lr")
            ax.set_title(_name(key))
            if (key == "loss" and log_loss) or key == "lr":
                ax.set_yscale("log")
            ax.legend()
        if record.stop_reason:
            footnote(fig, _("stopped early: {reason}").format(reason=record.stop_reason))
        suptitle(
            fig,
            title
            # two messages, not ngettext: English's singular and plural, Chinese's one form
            or (
                _("Training curves (1 epoch)")
                if len(record) == 1
                else _("Training curves ({n} epochs)").format(n=len(record))
            ),
        )
    return fig


def _curve(run: Any, key: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(epochs, values, diverged) of one run of :func:`lr_comparison`."""
    if isinstance(run, (History, Mapping, str, os.PathLike)):
        record = as_history(run)
        if key not in record.history:
            template = N_("lr_comparison: a run has no {key!r} (it has {held})")
            raise ValueError(Message("plot", template, key=key, held=", ".join(record.history)))
        values = np.asarray(record.history[key], dtype=np.float64)
        return np.asarray(record.epoch), values, record.diverged or not np.isfinite(values).all()
    values = np.asarray(run, dtype=np.float64).ravel()
    return np.arange(1, len(values) + 1), values, not np.isfinite(values).all()


def lr_comparison(
    runs: Mapping[float | str, History | Sequence[float] | Mapping[str, Any]],
    *,
    key: str = "loss",
    log_scale: bool = True,
    title: str | None = None,
) -> Any:
    """Loss curves of the same training at several learning rates, on one plot.

    Parameters
    ----------
    runs : mapping
        Learning rate (or any label) → a ``History`` (or its dict / ``history.json``)
        or a plain sequence of per-epoch values.
    key : str
        What to compare (default the training loss).
    log_scale : bool
        Logarithmic y axis (default), so that slow and fast curves both show.

    Returns
    -------
    matplotlib.figure.Figure
        Curves coloured from low to high learning rate. A run the divergence guard
        stopped (or whose values became NaN / infinite) ends in a ✕ and is labelled
        "diverged"; one that ends above where it began is labelled "loss rose".
    """
    if not runs:
        raise ValueError(Message("plot", N_("lr_comparison: no runs given")))
    from matplotlib import colormaps

    palette = colormaps["plasma"]
    items = list(runs.items())
    with style():
        fig, axes = new_figure(figsize=(6.8, 4.4))
        ax = axes[0, 0]
        for i, (label, run) in enumerate(items):
            epochs, values, diverged = _curve(run, key)
            color = palette(0.8 * i / max(len(items) - 1, 1))
            finite = np.isfinite(values)
            name = (
                _("lr = {lr:g}").format(lr=label) if isinstance(label, (int, float)) else str(label)
            )
            tail = values[finite][-max(1, finite.sum() // 10) :] if finite.any() else values
            if diverged:
                name = _("{run}: diverged").format(run=name)
            elif finite.any() and tail.mean() > values[finite][0]:
                name = _("{run}: loss rose").format(run=name)
            ax.plot(
                epochs,
                np.where(finite, values, np.nan),
                color=color,
                linewidth=1.4,
                label=name,
                zorder=2 + len(items) - i,
            )
            if diverged and finite.any():
                last = int(np.flatnonzero(finite)[-1])
                ax.plot(
                    epochs[last],
                    values[last],
                    marker="X",
                    color=color,
                    markersize=9,
                    markeredgecolor="black",
                    linestyle="",
                )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel(_("epoch"))
        ax.set_ylabel(_name(key))
        ax.legend(loc="best")
        ax.set_title(title or _("The same network trained at different learning rates"))
    return fig


def lr_experiment(
    lrs: Sequence[float] = (0.01, 0.1, 1.2, 10.0, 30.0),
    *,
    epochs: int = 1000,
    hidden: int = 4,
    seed: int = 1,
) -> dict[float, History]:
    """Train the course's planar network at each learning rate (the data for
    :func:`lr_comparison`).

    The 2-``hidden``-1 tanh network from ``N(0, 0.01²)`` weights on the 400-point
    flower, full-batch gradient descent (``fit`` with ``batch_size=400``, SGD) for
    ``epochs`` steps, the same initial weights for every rate. Divergence warnings are
    kept quiet: the histories say it (``History.diverged``).

    Returns
    -------
    dict
        Learning rate → History.
    """
    from ..data import planar
    from ..models import mlp
    from ..train import fit
    from ..train.callbacks import DivergenceWarning

    X, y = planar()
    runs = {}
    for lr in lrs:
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            template = N_("lr_experiment: learning rate {lr!r} must be a positive number")
            raise ValueError(Message("plot", template, lr=lr))
        model = mlp([2, hidden, 1], activation="tanh", init="normal", seed=seed)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", DivergenceWarning)
            runs[lr] = fit(
                model,
                X,
                y,
                optimizer="sgd",
                lr=lr,
                epochs=epochs,
                batch_size=len(X),
                shuffle=False,
                verbose=0,
            )
    return runs
