"""The loss surface: the training loss over a 2-D slice of weight space, and the path.

Around the current weights θ the panel shows L(θ + α·d₁ + β·d₂) for α, β on a
:data:`SIZE` × :data:`SIZE` grid over [−R, R], with two directions d₁, d₂ in the space
of the dense layers' weights and biases:

- ``"random"``: Gaussian directions, *filter-normalised* (Li et al. 2018, "Visualizing
  the loss landscape of neural nets"): each unit's row of a direction (its incoming
  weights, one "filter") is rescaled to the norm of that unit's row of θ, and the bias
  directions are zero; α = 1 then moves every unit by its own size. The raw Gaussian
  directions are drawn once and normalised against θ each time, as θ changes.
- ``"weights"``: two chosen weights (or biases), indexed as ``set_weight`` indexes them:
  α and β are those two numbers' changes, in their own units.

The optimiser's path is every weight vector θₜ the session had at the end of an epoch
since the network was made (thinned to at most :data:`MAX_PATH` points), projected onto
the plane by least squares: the (α, β) nearest to θₜ − θ. With two chosen weights that
is exact; with random directions in many dimensions it shows only the part of the path
that lies in the plane. Each point carries the optimiser that made it, so switching SGD
→ momentum → Adam shows in the path's colours.

**Cost.** One grid is :data:`SIZE`² = 625 forward passes of the training set, run as a
few batched matrix products (the grid points stacked along a leading axis, in chunks of
about :data:`CHUNK_VALUES` numbers): about 625·N·P multiply-adds for N training points
and P dense weights. The session sends one after a ``state`` at most every
:data:`INTERVAL` seconds and at most a fifth of the time (:meth:`Surface.due`), in the
session's worker like the states; ``tests/test_playground_surface.py`` measures it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import checks
from ..i18n import translator
from ..layers import Maxout
from .encoding import number, to_json

if TYPE_CHECKING:
    from .session import Session

_ = translator("playground")

__all__ = [
    "INTERVAL",
    "MAX_PATH",
    "SIZE",
    "Surface",
    "filter_normalised",
    "loss_grid",
    "parameters",
]

SIZE = 25  # grid points per axis (odd: the centre is a grid point)
MAX_PATH = 400  # path points kept; past that every other one is dropped
INTERVAL = 0.5  # seconds between two surfaces while training, at least
SHARE = 0.2  # of the time, at most, spent computing surfaces
CHUNK_VALUES = 250_000  # numbers in one batched layer output (the memory of one chunk)
MAX_RANGE = 20.0
MODES = ("off", "random", "weights")


def parameters(session: Session) -> list[np.ndarray]:
    """The dense layers' weights and biases, in order: W₀, b₀, W₁, b₁, … (live arrays)."""
    out = []
    for i in session.dense:
        module = session.modules[i]
        out += [module.weight.data, module.bias.data]
    return out


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([a.ravel() for a in arrays])


def filter_normalised(raw: list[np.ndarray], weights: list[np.ndarray]) -> list[np.ndarray]:
    """Li et al.'s normalisation: each row of a weight direction gets the norm of the same
    row of the weights (a unit's incoming weights); bias directions are zero."""
    out = []
    for k, (d, w) in enumerate(zip(raw, weights, strict=True)):
        if k % 2:  # a bias
            out.append(np.zeros_like(w))
            continue
        scale = np.linalg.norm(w, axis=1, keepdims=True) / (
            np.linalg.norm(d, axis=1, keepdims=True) + 1e-12
        )
        out.append(d * scale)
    return out


def _batched_forward(session: Session, alphas: np.ndarray, betas: np.ndarray, d1, d2):
    """The model's output on the training set at θ + αₚd₁ + βₚd₂ for every p: (P·N, out).

    A dense layer is linear in its weights, so (W + αD₁ + βD₂)h = Wh + α·D₁h + β·D₂h:
    three matrix products over the stacked inputs instead of P separate networks."""
    h = session.F_train[None]  # (1 or P, N, features)
    P, N = len(alphas), len(session.F_train)
    a, b = alphas[:, None, None], betas[:, None, None]
    layer_of = {i: n for n, i in enumerate(session.dense)}
    for i, module in enumerate(session.modules):
        if i in layer_of:
            k = 2 * layer_of[i]  # its weight's index in d1, d2 (then its bias's)
            W, bias = module.weight.data, module.bias.data
            z = h @ W.T + bias
            z = z + a * (h @ d1[k].T + d1[k + 1]) + b * (h @ d2[k].T + d2[k + 1])
            if isinstance(module, Maxout):
                z = z.reshape(P, N, module.out_features, module.pieces).max(axis=3)
            h = z
        else:  # activations, BatchNorm (eval: running statistics), Dropout (eval: none)
            flat = module.forward(np.ascontiguousarray(h).reshape(P * N, -1))
            h = flat.reshape(P, N, -1)
    return np.ascontiguousarray(h).reshape(P * N, -1)


def loss_grid(
    session: Session,
    d1: list[np.ndarray],
    d2: list[np.ndarray],
    alphas: np.ndarray,
    betas: np.ndarray,
) -> np.ndarray:
    """The data loss of the training set (the configured loss, eval mode: no dropout, no
    penalty, as ``state.train_loss``) at θ + αᵢd₁ + βᵢd₂ for each pair (αᵢ, βᵢ)."""
    loss = type(session.loss)(reduction="none")  # per point: one mean per grid point below
    N = len(session.F_train)
    width = max([len(session.feature_names), *session.config["hidden"], session.outputs])
    chunk = max(1, CHUNK_VALUES // (N * width * 2))
    out = np.empty(len(alphas))
    model = session.model
    model.eval()
    try:
        with np.errstate(all="ignore"):
            for s in range(0, len(alphas), chunk):
                A, B = alphas[s : s + chunk], betas[s : s + chunk]
                pred = _batched_forward(session, A, B, d1, d2)
                T = np.concatenate([session.T_train] * len(A))
                out[s : s + chunk] = np.asarray(loss.forward(pred, T)).reshape(len(A), -1).mean(1)
    finally:
        model.train()
    return out


class Surface:
    """The panel's settings (``configure``), the path (``record``) and the message."""

    def __init__(self) -> None:
        self.mode = "off"
        self.picks: tuple[tuple[int, int, int | None], ...] = ()
        self.rng = np.random.default_rng(0)
        self.last_sent = 0.0
        self.cost = 0.0
        self.restart()

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def restart(self, session: Session | None = None) -> None:
        """A new network: new random directions when next asked, and a path that starts
        at its weights (when ``session`` is given)."""
        self.path: list[np.ndarray] = []
        self.kinds: list[str] = []
        self.stride, self.skipped = 1, 0
        self.raw: list[np.ndarray] | None = None
        if session is not None:
            self.record(session)

    def configure(self, session: Session, message: dict[str, Any]) -> None:
        """Apply a ``surface`` message: ``directions`` off / random (new ones each time) /
        weights with ``a`` and ``b`` as ``[layer, to, from]`` (``from`` null: a bias).

        Raises
        ------
        ValueError
            For a mode or a weight index the network does not have.
        """
        mode = message["directions"]
        if mode not in MODES:
            raise ValueError(_('surface: directions must be "off", "random" or "weights".'))
        picks = ()
        if mode == "weights":
            picks = tuple(self._pick(session, message.get(key)) for key in ("a", "b"))
            if picks[0] == picks[1]:
                raise ValueError(_("surface: a and b must be two different weights."))
        starting = mode != "off" and not self.enabled
        self.mode, self.picks = mode, picks
        if starting:
            self.restart(session)  # the path starts here
        self.raw = None  # "random" again: new directions

    @staticmethod
    def _pick(session: Session, pick: Any) -> tuple[int, int, int | None]:
        sizes = [session.modules[i].weight.data.shape for i in session.dense]
        ok = isinstance(pick, list) and len(pick) == 3
        ok = ok and checks.is_int(pick[0]) and 0 <= pick[0] < len(sizes)
        ok = ok and checks.is_int(pick[1]) and 0 <= pick[1] < sizes[pick[0]][0]
        ok = ok and (
            pick[2] is None or (checks.is_int(pick[2]) and 0 <= pick[2] < sizes[pick[0]][1])
        )
        if not ok:
            raise ValueError(_("surface: a and b must be [layer, to, from] of this network."))
        return int(pick[0]), int(pick[1]), None if pick[2] is None else int(pick[2])

    def record(self, session: Session) -> None:
        """The weights at the end of an epoch, one point of the path (every ``stride``-th
        epoch once the path has been thinned)."""
        if not self.enabled:
            return
        self.skipped += 1
        if self.skipped < self.stride and self.path:
            return
        self.skipped = 0
        self.path.append(_flat(parameters(session)))
        self.kinds.append(session.config["optimizer"])
        if len(self.path) > MAX_PATH:  # keep the first, every other one, and the last
            self.path = self.path[:-1:2] + self.path[-1:]
            self.kinds = self.kinds[:-1:2] + self.kinds[-1:]
            self.stride *= 2

    def due(self, running: bool) -> bool:
        """Whether a surface should follow the state just sent: always once training
        stands still, else after INTERVAL and after ``(1 − SHARE)/SHARE`` times its cost."""
        if not self.enabled:
            return False
        wait = max(INTERVAL, self.cost * (1 - SHARE) / SHARE)
        return not running or time.monotonic() - self.last_sent >= wait

    def directions(self, session: Session) -> tuple[list[np.ndarray], list[np.ndarray]]:
        weights = parameters(session)
        if self.mode == "weights":
            try:  # a new network may not have the weights chosen for the old one
                self.picks = tuple(self._pick(session, list(p)) for p in self.picks)
            except ValueError:
                self.mode, self.picks = "random", ()
        if self.mode == "weights":
            pair = []
            for layer, to, source in self.picks:
                d = [np.zeros_like(w) for w in weights]
                if source is None:
                    d[2 * layer + 1][to] = 1.0
                else:
                    d[2 * layer][to, source] = 1.0
                pair.append(d)
            return pair[0], pair[1]
        if self.raw is None or [r.shape for r in self.raw] != [w.shape for w in weights]:
            self.raw = [self.rng.standard_normal((2, *w.shape)) for w in weights]
        return (
            filter_normalised([r[0] for r in self.raw], weights),
            filter_normalised([r[1] for r in self.raw], weights),
        )

    def message(self, session: Session) -> dict[str, Any]:
        """The ``surface`` message (docs/playground-protocol.md)."""
        start = time.perf_counter()
        d1, d2 = self.directions(session)
        theta = _flat(parameters(session))
        D = np.stack([_flat(d1), _flat(d2)], axis=1)
        coords = np.zeros((0, 2))
        if self.path:
            steps = np.stack(self.path) - theta
            coords = np.linalg.lstsq(D, steps.T, rcond=None)[0].T
        finite = coords[np.isfinite(coords).all(axis=1)]
        reach = float(np.abs(finite).max()) if finite.size else 0.0
        R = float(min(MAX_RANGE, max(1.0, 1.1 * reach)))
        axis = np.linspace(-R, R, SIZE)
        alpha, beta = np.meshgrid(axis, axis[::-1])  # row 0 at the top: β = R
        values = loss_grid(session, d1, d2, alpha.ravel(), beta.ravel())
        self.cost = time.perf_counter() - start
        self.last_sent = time.monotonic()
        return {
            "type": "surface",
            "directions": self.mode,
            "picks": [list(p) for p in self.picks],
            "epoch": session.epoch,
            "size": SIZE,
            "range": number(R),
            "values": to_json(values),
            "center": number(values[(SIZE * SIZE) // 2]),
            "path": to_json(coords),
            "optimizers": list(self.kinds),
            "seconds": number(self.cost),
        }
