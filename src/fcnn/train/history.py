"""``History``: what ``fit`` records per epoch, saved as JSON (``history.json``).

Reading one back checks it against the layout :meth:`History.to_dict` writes
(``HISTORY_LAYOUT``): a damaged file raises ``ModelFileError`` naming it.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

from ..display import html_table, svg_curves
from ..files import POSITIVE, ModelFileError, atomic_write_text, check_json, read_json_file
from ..i18n import N_, Message, translator

_ = translator("train")

__all__ = ["HISTORY_LAYOUT", "History"]

HISTORY_LAYOUT = {
    "epoch": [POSITIVE],
    "history": {str: [(float, None)]},  # None: a NaN or infinite value (JSON has neither)
    "stop_reason?": (str, None),
    "diverged?": bool,
}
"""What :meth:`History.to_dict` writes, as :func:`fcnn.files.check_json` reads it."""


class History:
    """Per-epoch records of a training run.

    Attributes
    ----------
    history : dict[str, list[float]]
        One list per quantity, Keras-style: ``loss``, ``val_loss``, each metric and its
        ``val_`` twin, ``lr`` (learning rate of the first parameter group) and ``time``
        (seconds the epoch took).
    epoch : list[int]
        1-based numbers of the recorded epochs.
    stop_reason : str or None
        Why training ended early, in words (early stopping, divergence), else None.
    diverged : bool
        True when the divergence guard stopped the run.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None
        self.diverged = False

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Record the logs of 1-based ``epoch``."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __len__(self) -> int:
        return len(self.epoch)

    def last(self, key: str, default: float = math.nan) -> float:
        values = self.history.get(key)
        return values[-1] if values else default

    def to_dict(self) -> dict[str, Any]:
        # NaN/inf are not JSON: they become None (a diverged loss stays visible as null).
        clean = {k: [v if math.isfinite(v) else None for v in vs] for k, vs in self.history.items()}
        return {
            "epoch": list(self.epoch),
            "history": clean,
            "stop_reason": self.stop_reason,
            "diverged": self.diverged,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """The History :meth:`to_dict` described; ValueError naming the first bad field."""
        try:
            check_json("history", data, HISTORY_LAYOUT, "")
        except ModelFileError as err:
            problem = Message(
                "train", N_("not a History record: it {problem}"), problem=err.problem
            )
            raise ValueError(problem) from None
        epochs = data["epoch"]
        if any(later <= earlier for earlier, later in itertools.pairwise(epochs)):
            template = N_("not a History record: its epochs {epochs} do not increase")
            raise ValueError(Message("train", template, epochs=epochs[:8]))
        if epochs and not data["history"]:
            template = N_("not a History record: {count} epochs but no values")
            raise ValueError(Message("train", template, count=len(epochs)))
        uneven = [key for key, values in data["history"].items() if len(values) != len(epochs)]
        if uneven:
            template = N_("not a History record: {key!r} has {count} values for {epochs} epochs")
            fields = {"key": uneven[0], "count": len(data["history"][uneven[0]])}
            raise ValueError(Message("train", template, epochs=len(epochs), **fields))
        history = cls()
        history.epoch = list(epochs)
        history.history = {
            key: [math.nan if v is None else float(v) for v in values]
            for key, values in data["history"].items()
        }
        history.stop_reason = data.get("stop_reason")
        history.diverged = data.get("diverged", False)
        return history

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    def save(self, path: str | Path) -> Path:
        """Write ``history.json`` atomically."""
        return atomic_write_text(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> History:
        """Read ``history.json``; ModelFileError naming the file when it is damaged."""
        try:
            return cls.from_dict(read_json_file(path))
        except ModelFileError:
            raise
        except ValueError as err:
            raise ModelFileError(path, f"is damaged: {err}") from None

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"

    # A long run shows its first and last epochs; the curves show every one.
    _SHOWN_ROWS = 10

    def curves_html(self) -> str:
        """The loss curves and the metric curves as inline SVG, side by side (what a
        notebook shows above the table, and what ``LivePlot`` redraws while training)."""
        losses = {k: v for k, v in self.history.items() if k in ("loss", "val_loss")}
        metrics = {
            k: v for k, v in self.history.items() if k not in losses and k not in ("lr", "time")
        }
        charts = [svg_curves(self.epoch, losses, title=_("loss by epoch"))]
        if metrics:
            charts.append(svg_curves(self.epoch, metrics, title=_("metrics by epoch")))
        return "<div>" + "".join(charts) + "</div>"

    def _repr_html_(self) -> str:
        """In a notebook: the loss curves, the metric curves, then the per-epoch table."""
        keys = list(self.history)
        rows = [[e, *(f"{self.history[k][i]:.4g}" for k in keys)] for i, e in enumerate(self.epoch)]
        if len(rows) > 2 * self._SHOWN_ROWS:
            gap = ["…"] * (len(keys) + 1)
            rows = [*rows[: self._SHOWN_ROWS], gap, *rows[-self._SHOWN_ROWS :]]
        n = len(self.epoch)
        caption = (_("History: {n} epoch") if n == 1 else _("History: {n} epochs")).format(n=n)
        if self.stop_reason:
            caption = _("{caption}; {reason}").format(caption=caption, reason=self.stop_reason)
        table = html_table(
            [_("epoch"), *keys],
            rows,
            caption=caption,
            right=range(len(keys) + 1),
        )
        return self.curves_html() + table
