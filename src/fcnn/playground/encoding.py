"""The numbers between the playground's data, its network and the page.

- :func:`features`: the network's inputs for 2-D points (the TensorFlow Playground's
  seven features); :func:`grid_points`: the points of the heat maps. The exported
  snippet calls both, so the page, the snippet and a reloaded model agree.
- :func:`signed`: ``2p − 1``, the page's [−1, 1] scale for a class-1 probability (the
  sigmoid output) and for 0 / 1 labels (the targets of a tanh output under MSE).
- :func:`round_sig`, :func:`to_json`, :func:`number`, :func:`points`: numbers rounded
  to 4 significant digits for the page's JSON, NaN and infinity as ``null``.
- :func:`quantised`: a grid as one byte per value in base64 (the fine output map: 100²
  values in 13 KiB of JSON where rounded numbers take 70).
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

__all__ = [
    "QUANTA",
    "features",
    "grid_points",
    "number",
    "points",
    "quantised",
    "round_sig",
    "signed",
    "to_json",
]

# A quantised value is a byte q in 0..QUANTA standing for lo + q·(hi − lo)/QUANTA: an even
# count of steps puts the middle of [−1, 1], the class boundary, on a level of its own.
QUANTA = 254


def features(X: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """The network's inputs for points ``X`` of shape (N, 2): one column per name, in order.

    ``x1``, ``x2``, ``x1^2``, ``x2^2``, ``x1x2``, ``sin_x1``, ``sin_x2`` (the TensorFlow
    Playground's features). The exported snippet calls this function.
    """
    X = np.asarray(X, dtype=np.float64)
    x1, x2 = X[:, 0], X[:, 1]
    columns = {
        "x1": x1,
        "x2": x2,
        "x1^2": x1 * x1,
        "x2^2": x2 * x2,
        "x1x2": x1 * x2,
        "sin_x1": np.sin(x1),
        "sin_x2": np.sin(x2),
    }
    return np.stack([columns[name] for name in names], axis=1)


def grid_points(domain: tuple[float, float] | list[float], size: int) -> np.ndarray:
    """The heat maps' points, shape (size², 2), row-major.

    Row 0 is the top (x2 = hi), column 0 the left (x1 = lo); both axes run over
    ``np.linspace(lo, hi, size)``, ends included.
    """
    lo, hi = domain
    xs = np.linspace(lo, hi, size)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def signed(p: Any) -> Any:
    """A class-1 probability (or a 0 / 1 label) on the page's scale: ``2p − 1`` ∈ [−1, 1].

    The binary heat map shows the sigmoid's probability this way, so that it reads like
    the tanh output under MSE, whose targets are the labels on the same scale.
    """
    return 2.0 * p - 1.0


def round_sig(values: Any, digits: int = 4) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (float64; NaN / inf kept).

    Rounds by a power of ten that is exact in binary (``x·10ᵉ`` then ``/10ᵉ``, or ``/10ᵉ``
    then ``·10ᵉ`` for large numbers), so each result is the double nearest to its short
    decimal form and prints as such (``0.1235``, not ``0.12350000000000001``).
    """
    a = np.asarray(values, dtype=np.float64)
    out = a.copy()
    ok = np.isfinite(a) & (np.abs(a) > 1e-300)
    out[np.isfinite(a) & ~ok] = 0.0
    v = a[ok]
    exponent = (digits - 1) - np.floor(np.log10(np.abs(v)))
    small = exponent >= 0
    result = np.empty_like(v)
    scale = 10.0 ** exponent[small]
    result[small] = np.round(v[small] * scale) / scale
    scale = 10.0 ** -exponent[~small]
    result[~small] = np.round(v[~small] / scale) * scale
    out[ok] = result
    return out


def to_json(values: Any) -> Any:
    """Rounded numbers as (nested) lists for JSON, with ``None`` for NaN / infinity."""
    a = round_sig(values)
    if np.isfinite(a).all():
        return a.tolist()
    return np.where(np.isfinite(a), a, None).tolist()


def number(value: float) -> float | None:
    """One rounded number for JSON; ``None`` for NaN / infinity."""
    value = float(round_sig(value))
    return value if math.isfinite(value) else None


def points(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Points and their labels (ints, as they are) or targets (rounded) for JSON."""
    labels = y.tolist() if y.dtype.kind == "i" else to_json(y)
    return {"x": to_json(X), "y": labels}


def quantised(values: Any, lo: float | None = None, hi: float | None = None) -> dict | None:
    """``values`` as bytes for the page: ``{"lo", "hi", "bytes"}`` with ``bytes`` the
    base64 of one uint8 q per value, q = round((v − lo)/(hi − lo)·QUANTA), clipped.

    ``lo`` / ``hi`` default to the values' own range. None when a value is not finite
    (the page then paints the rounded numbers it also gets).
    """
    a = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(a).all():
        return None
    lo = float(a.min()) if lo is None else float(lo)
    hi = float(a.max()) if hi is None else float(hi)
    span = hi - lo
    q = np.zeros(a.shape, dtype=np.uint8)
    if span > 0:
        q = np.rint((np.clip(a, lo, hi) - lo) * (QUANTA / span)).astype(np.uint8)
    return {"lo": number(lo), "hi": number(hi), "bytes": base64.b64encode(q.tobytes()).decode()}
