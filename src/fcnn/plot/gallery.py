"""The gallery: every figure of ``fcnn.plot``, drawn from small real experiments, with a
Markdown page that shows each one (``fcnn plot gallery --out docs``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data import load_source, make_source, mnist, planar, spirals, train_test_split
from ..diagnose import diagnose
from ..files import atomic_write_text
from ..i18n import get_language, translator
from ..metrics import labels_from_output
from ..models import mlp
from ..optim import Adam
from ..train import fit
from ._base import describe, save
from .boundary import decision_boundary, hidden_units_experiment, hidden_units_grid
from .curves import history, lr_comparison, lr_experiment
from .fonts import figure_language
from .functions import activations
from .images import confusion_matrix, first_layer_weights
from .layers import gradient_flow, init_comparison, init_experiment

__all__ = ["GALLERY_COMMAND", "make_gallery"]

GALLERY_COMMAND = "fcnn plot gallery --out docs --data-dir PATH/TO/MNIST"
# the Chinese gallery (docs/zh/gallery.md) is the same command in Chinese, beside it
GALLERY_COMMAND_ZH = "fcnn --lang zh plot gallery --out docs/zh --data-dir PATH/TO/MNIST"

_ = translator("plot")


@dataclass
class _Entry:
    file: str
    heading: str
    caption: str
    python: str
    command: str | None


def _moons(epochs: int) -> tuple[Any, Any, Any]:
    """The run of ``fcnn train moons --n 150 --noise 0.3 --hidden 32,32 --lr 0.01
    --epochs 200 --validation-split 0.2``, with the library calls that command makes."""
    data = load_source(make_source("moons", n=150, noise=0.3, test_split=0.2, split_seed=0))
    model = mlp([2, 32, 32, 2], "relu", seed=0)
    record = fit(
        model,
        data.X_train,
        data.y_train,
        loss="cross_entropy",
        optimizer=Adam(model.parameters(), lr=0.01),
        epochs=epochs,
        batch_size=32,
        validation_split=0.2,
        seed=0,
        verbose=0,
    )
    return data, model, record


def _spirals(epochs: int) -> tuple[tuple[Any, ...], Any]:
    X, y = spirals(450, noise=0.06, seed=0, classes=3)
    split = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    model = mlp([2, 64, 64, 3], "relu", seed=0)
    fit(model, split[0], split[2], lr=0.01, epochs=epochs, batch_size=32, seed=0, verbose=0)
    return split, model


def _mnist(data_dir: str | None, quick: bool) -> tuple[str, Any, Any, Any]:
    """(what was used, model, X_test, y_test): MNIST if its files can be found, else
    scikit-learn's 8x8 digits (``quick``: random 8x8 "images" labelled by a linear map)."""
    if quick:
        rng = np.random.default_rng(0)
        X = rng.random((300, 64)).astype(np.float32)
        y = (X @ rng.standard_normal((64, 10))).argmax(axis=1)
        model = mlp([64, 16, 10], "relu", seed=0)
        fit(model, X[:200], y[:200], lr=1e-2, epochs=5, batch_size=50, seed=0, verbose=0)
        return _("random 8x8 images"), model, X[200:], y[200:]
    try:
        X_train, y_train, X_test, y_test = mnist(data_dir)
        X_train = X_train.astype(np.float32) / 255
        X_test = X_test.astype(np.float32) / 255
        name, hidden, epochs = "MNIST", 100, 3
    except (OSError, ValueError):
        data = load_source(make_source("digits", test_split=0.25))
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        name, hidden, epochs = _("scikit-learn's 8x8 digits (MNIST files not found)"), 64, 30
    model = mlp([X_train.shape[1], hidden, 10], "relu", seed=0)
    fit(model, X_train, y_train, lr=1e-3, epochs=epochs, batch_size=128, seed=0, verbose=0)
    return name, model, X_test, y_test


def make_gallery(
    out_dir: str | Path = "docs",
    *,
    data_dir: str | None = None,
    dpi: float = 100,
    quick: bool = False,
    progress: Callable[[str], Any] | None = None,
) -> list[Path]:
    """Draw every figure into ``out_dir/gallery/`` and write ``out_dir/gallery.md``.

    Each figure comes from a small, seeded experiment (a few seconds each on a laptop;
    about a minute in all). ``data_dir`` is the folder with MNIST's IDX files, for the
    confusion matrix and the weight tiles; without it the download cache is tried, then
    scikit-learn's 8x8 digits are used instead. ``quick`` shrinks every experiment to a
    token size (for tests: the figures are drawn, but they do not show what they should).
    Figures and page are in fcnn's language (English where Chinese has no font).

    Returns
    -------
    list of Path
        The files written: the PNGs, then ``gallery.md``.
    """
    with figure_language():  # the page in the figures' language, even when they fall back
        return _draw_gallery(Path(out_dir), data_dir, dpi, quick, progress)


def _draw_gallery(
    out: Path,
    data_dir: str | None,
    dpi: float,
    quick: bool,
    progress: Callable[[str], Any] | None,
) -> list[Path]:
    folder = out / "gallery"
    entries: list[_Entry] = []
    written: list[Path] = []

    def add(file: str, fig: Any, heading: str, caption: str, python: str, command: str | None):
        if progress is not None:
            progress(file)
        written.append(save(fig, folder / file, dpi=dpi))
        entries.append(_Entry(file, heading, caption, python, command))

    add(
        "activations.png",
        activations(["sigmoid", "relu"] if quick else None),
        _("Activation functions and their derivatives"),
        _(
            "Every element-wise activation of fcnn (blue) beside its derivative (red), the "
            "derivative computed by the module's own `backward()`."
        ),
        "fcnn.plot.activations()",
        "fcnn plot activations",
    )
    moons_data, moons_model, moons_history = _moons(20 if quick else 200)
    add(
        "boundary_binary.png",
        decision_boundary(
            moons_model,
            moons_data.X_train,
            moons_data.y_train,
            X_test=moons_data.X_test,
            y_test=moons_data.y_test,
            probability=True,
        ),
        _("Decision boundary, two classes"),
        _(
            "A 2-32-32-2 ReLU network, 200 epochs of Adam on 120 of 150 noisy moons (96 "
            "fitted, 24 held out for validation): the shading is P(class 1), the black line "
            "the boundary; circles are the 120 training points, triangles the 30 test points. "
            "The boundary bends around single training points: the network overfits."
        ),
        "fcnn.plot.decision_boundary(model, X_train, y_train, X_test=X_test, y_test=y_test, "
        "probability=True)",
        "fcnn train moons --n 150 --noise 0.3 --hidden 32,32 --lr 0.01 --epochs 200 "
        "--validation-split 0.2 --run-dir runs/moons && fcnn plot boundary runs/moons "
        "--probability",
    )
    (X_train, X_test, y_train, y_test), spiral_model = _spirals(10 if quick else 300)
    add(
        "boundary_multiclass.png",
        decision_boundary(spiral_model, X_train, y_train, X_test=X_test, y_test=y_test),
        _("Decision boundary, three classes"),
        _("A 2-64-64-3 ReLU network on three spiral arms: each region in its class's colour."),
        "fcnn.plot.decision_boundary(model, X_train, y_train, X_test=X_test, y_test=y_test)",
        "fcnn plot boundary RUN_DIR",
    )
    add(
        "history.png",
        history(moons_history),
        _("Training curves"),
        _(
            "Loss and accuracy per epoch of the same moons network, on its training rows and "
            "its validation rows: the validation loss is lowest early and then climbs while "
            "the training loss keeps falling, the signature of overfitting."
        ),
        "fcnn.plot.history(history)  # or a run's history.json",
        "fcnn plot history runs/moons",
    )
    add(
        "hidden_units.png",
        hidden_units_grid(
            hidden_units_experiment((1, 4), steps=50) if quick else hidden_units_experiment(),
            *planar(),
        ),
        _("Hidden-layer size on the planar flower"),
        _(
            "The course's sweep: 2-n-1 tanh networks, 5 000 full-batch gradient-descent steps "
            "at learning rate 1.2; training accuracy in each title."
        ),
        "fcnn.plot.hidden_units_grid(fcnn.plot.hidden_units_experiment(), *fcnn.data.planar())",
        "fcnn plot hidden-units",
    )
    add(
        "lr_comparison.png",
        lr_comparison(lr_experiment(epochs=30 if quick else 1000)),
        _("Learning rates: converging and diverging"),
        _(
            "The course's 2-4-1 tanh network on the flower, full-batch gradient descent from "
            "the same weights at five learning rates: too small (flat), slow, good, fast but "
            "oscillating, and too large (the loss rises above where it started)."
        ),
        "fcnn.plot.lr_comparison(fcnn.plot.lr_experiment())",
        "fcnn plot lr",
    )
    models, X = init_experiment(depth=3, width=40, samples=100) if quick else init_experiment()
    add(
        "init_histograms.png",
        init_comparison(models, X),
        _("Initialisation: activations per layer"),
        _(
            "The cs231n experiment: a 10-layer tanh network (500 units) on 1 000 random "
            "inputs. With N(0, 0.01²) weights the activations collapse to 0; Xavier keeps "
            "them spread; He's larger scale (made for ReLU) piles tanh's first layer up at ±1 "
            "and spreads the later ones almost evenly over (−1, 1)."
        ),
        "fcnn.plot.init_comparison(*fcnn.plot.init_experiment())",
        "fcnn plot init",
    )
    targets = np.random.default_rng(0).integers(0, X.shape[1], len(X))
    reports = {label: diagnose(m, X, targets, loss="cross_entropy") for label, m in models.items()}
    small = next(iter(reports.values())).layers
    vanishing = small[0].backprop_norm / small[-1].backprop_norm
    add(
        "gradient_flow.png",
        gradient_flow(reports),
        _("Gradient flow"),
        _(
            "The same three networks against random targets. With N(0, 0.01²) weights the "
            "gradient reaching layer 1's output is {ratio:.1e} times the last layer's "
            "(vanishing), and every weight gradient is tiny; Xavier and He keep it flowing."
        ).format(ratio=vanishing),
        "fcnn.plot.gradient_flow({label: fcnn.diagnose.diagnose(model, X, y), ...})",
        "fcnn plot gradients RUN_DIR",
    )
    name, mnist_model, X_test, y_test = _mnist(data_dir, quick)
    predicted = labels_from_output(mnist_model.predict(X_test))
    add(
        "confusion.png",
        confusion_matrix(y_test, predicted),
        _("Confusion matrix"),
        _(
            "A {model} network on the {data} test set: counts in the cells, colour by share "
            "of the true class."
        ).format(model=describe(mnist_model), data=name),
        "fcnn.plot.confusion_matrix(y_test, predicted)",
        "fcnn plot confusion RUN_DIR",
    )
    add(
        "weights.png",
        first_layer_weights(mnist_model),
        _("First-layer weights"),
        _(
            "The same network's first 64 hidden units, each unit's {inputs} input weights as "
            "an image (red positive, blue negative): strokes and blobs the unit looks for. A "
            "tile of pure noise is a dead ReLU: never active on any training image, it gets "
            "no gradient and keeps its random initial weights."
        ).format(inputs=X_test.shape[1]),
        "fcnn.plot.first_layer_weights(model)",
        "fcnn plot weights RUN_DIR",
    )
    written.append(atomic_write_text(out / "gallery.md", _markdown(entries, name)))
    return written


def _markdown(entries: list[_Entry], mnist_name: str) -> str:
    lines = [
        _("# Gallery"),
        "",
        _(
            "Every figure `fcnn.plot` draws, each from a small seeded experiment. All of them "
            "were made by one command, from the repository root:"
        ),
        "",
        "```bash",
        GALLERY_COMMAND_ZH if get_language() == "zh" else GALLERY_COMMAND,
        "```",
        "",
        _(
            "`PATH/TO/MNIST` is a folder with MNIST's four IDX `.gz` files (left out, the "
            "download cache is used; without either, scikit-learn's 8x8 digits stand in). It "
            "takes a minute or two on two cores; this page's confusion matrix and weights use "
            "{data}."
        ).format(data=mnist_name),
        "",
        _(
            "Each function returns a matplotlib `Figure`, so a notebook shows it directly; "
            "`fcnn.plot.save(fig, 'name.png')` writes PNG, SVG or PDF. Each figure's `fcnn "
            "plot` command draws the same kind of figure for a run directory of your own "
            "(`fcnn train ... --run-dir RUN_DIR`)."
        ),
        "",
    ]
    for entry in entries:
        lines += [
            f"## {entry.heading}",
            "",
            f"![{entry.heading}](gallery/{entry.file})",
            "",
            entry.caption,
            "",
            _("Python: `{code}`").format(code=entry.python),
        ]
        if entry.command:
            lines += ["", _("Command line: `{command}`").format(command=entry.command)]
        lines.append("")
    return "\n".join(lines)
