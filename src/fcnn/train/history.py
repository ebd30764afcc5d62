"""``History``: what ``fit`` records per epoch, saved as JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..files import atomic_write_text

__all__ = ["History"]


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
        try:
            history = cls()
            history.epoch = [int(e) for e in data["epoch"]]
            history.history = {
                str(k): [math.nan if v is None else float(v) for v in vs]
                for k, vs in data["history"].items()
            }
            history.stop_reason = data.get("stop_reason")
            history.diverged = bool(data.get("diverged", False))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"not a History record: {err}") from None
        return history

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    def save(self, path: str | Path) -> Path:
        """Write ``history.json`` atomically."""
        return atomic_write_text(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> History:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"
