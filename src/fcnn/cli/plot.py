"""``fcnn plot KIND ...``: draw one of fcnn's figures and write it as PNG, SVG or PDF.

Kinds that look at a trained network take a run directory (``fcnn train --run-dir``),
whose ``run.json`` brings the data prepared exactly as in training, or a bare
``.safetensors`` model file with ``--data``. The others run their own small
experiment. Each prints the path it wrote.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import typer

from .. import plot as figures  # imports matplotlib only when a figure is drawn
from ..data import load_source
from ..i18n import N_, translator
from ..metrics import labels_from_output
from .app import App, Group, app, console, friendly
from .options import (
    dpi_option,
    float_list,
    int_list,
    max_samples_option,
    name_list,
    output_option,
    run_argument,
    split_option,
    target_option,
)
from .runs import check_split, evaluation_data, load_run, run_data

_ = translator("cli")

plot_app = App(
    cls=Group,
    help=N_("Draw a figure (PNG, SVG or PDF by the --output suffix) and print its path."),
    no_args_is_help=True,
)
app.add_typer(plot_app, name="plot")

_SUFFIXES = (".png", ".svg", ".pdf")
_OUTPUT_HELP = N_("Where to write the figure; .png, .svg or .pdf by the suffix.")
_RUN_OUTPUT_HELP = N_(
    "Where to write the figure; .png, .svg or .pdf by the suffix. "
    "Default: KIND.png in the run directory."
)
_RUN_HELP = N_("A run directory (fcnn train --run-dir), or a .safetensors model file with --data.")
_DATA_HELP = N_(
    "Data to draw: a data set name or a CSV file, prepared as the run's training data was "
    "(default: the run's own data)."
)


def _output(output: Path | None, run: Path | None, kind: str) -> Path:
    if output is None:
        output = (run / f"{kind}.png") if run is not None and run.is_dir() else Path(f"{kind}.png")
    if output.suffix.lower() not in _SUFFIXES:
        raise ValueError(
            _("--output {path!r}: the file name must end in .png, .svg or .pdf").format(
                path=str(output)
            )
        )
    return output


def _figure(kind: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., None]]:
    """Register a function that makes a figure as the command ``fcnn plot KIND``.

    The function's parameters are the command's options, ``output`` and ``dpi`` among
    them; it returns the figure. Before it runs, matplotlib is looked for and ``--output``
    checked (default ``KIND.png``, in the run directory for a run), so that a typo fails
    before any training; after, the figure is written there and its path printed.
    """

    def register(make: Callable[..., Any]) -> Callable[..., None]:
        @plot_app.command(kind, help=help)
        @friendly
        @functools.wraps(make)
        def command(**options: Any) -> None:
            figures.require_matplotlib()  # without it: one line saying what to install
            output = _output(options["output"], options.get("run"), kind)
            path = figures.save(make(**options), output, dpi=options["dpi"])
            console.print(str(path), markup=False, highlight=False, soft_wrap=True)

        return command

    return register


def _data_option() -> Any:
    return typer.Option(None, help=_DATA_HELP)


# --------------------------------------------------------------------------- experiments


@_figure(
    "activations",
    help=N_("Every activation with its derivative (from the module's own backward)."),
)
def activations_command(
    names: str = typer.Option(
        None, help=N_("Comma-separated activations, e.g. relu,tanh (default: all element-wise).")
    ),
    x_max: float = typer.Option(5.0, help=N_("Draw x from -X_MAX to X_MAX.")),
    per_row: int = typer.Option(2, help=N_("Activations per row (two panels each).")),
    output: Path = output_option(_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    if not x_max > 0:
        raise ValueError(_("--x-max {value!r}: expected a positive number").format(value=x_max))
    x = np.linspace(-x_max, x_max, 601)
    return figures.activations(name_list(names), x=x, per_row=per_row)


@_figure(
    "init",
    help=N_("The cs231n initialisation experiment: activation histograms per layer and init."),
)
def init_command(
    inits: str = typer.Option(
        "0.01,xavier,he", help=N_("Comma-separated weight scales: 0.01, xavier, he, 1.0.")
    ),
    depth: int = typer.Option(10, help=N_("Number of layers.")),
    width: int = typer.Option(500, help=N_("Units per layer.")),
    samples: int = typer.Option(1000, help=N_("Rows of random N(0, 1) input.")),
    activation: str = typer.Option("tanh", help=N_("Activation of every layer.")),
    seed: int = typer.Option(0, help=N_("Seed of the data and the weights.")),
    output: Path = output_option(_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    models, X = figures.init_experiment(
        name_list(inits),
        depth=depth,
        width=width,
        samples=samples,
        activation=activation,
        seed=seed,
    )
    return figures.init_comparison(models, X)


@_figure(
    "lr",
    help=N_("Learning-rate comparison on the planar flower: converging and diverging loss curves."),
)
def lr_command(
    lrs: str = typer.Option("0.01,0.1,1.2,10,30", help=N_("Comma-separated learning rates.")),
    epochs: int = typer.Option(1000, help=N_("Full-batch gradient-descent steps.")),
    hidden: int = typer.Option(4, help=N_("Hidden units of the 2-H-1 tanh network.")),
    output: Path = output_option(_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    runs = figures.lr_experiment(float_list(lrs, "--lrs"), epochs=epochs, hidden=hidden)
    return figures.lr_comparison(runs)


@_figure(
    "hidden-units",
    help=N_("The course's planar sweep: one decision boundary per hidden-layer width."),
)
def hidden_units_command(
    widths: str = typer.Option("1,2,3,4,5,20,50", help=N_("Comma-separated hidden-layer widths.")),
    steps: int = typer.Option(5000, help=N_("Full-batch gradient-descent steps (lr 1.2).")),
    output: Path = output_option(_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    from ..data import planar

    with console.status(_("training the sweep ...")):
        results = figures.hidden_units_experiment(int_list(widths, "--widths"), steps=steps)
    return figures.hidden_units_grid(results, *planar())


@plot_app.command(
    "gallery",
    help=N_("Draw every figure into OUT/gallery/ and write OUT/gallery.md."),
)
@friendly
def gallery_command(
    out: Path = typer.Option(
        Path("docs"), help=N_("Folder for gallery.md; the PNGs go to its gallery/ subfolder.")
    ),
    data_dir: str = typer.Option(
        None, help=N_("Folder with MNIST's IDX files (default: the download cache, else digits).")
    ),
    dpi: float = typer.Option(100, help=N_("Resolution of the PNGs, in dots per inch.")),
) -> None:
    figures.require_matplotlib()
    with console.status(_("drawing the gallery ...")) as status:
        paths = figures.make_gallery(
            out,
            data_dir=data_dir,
            dpi=dpi,
            progress=lambda name: status.update(_("drawing {name}").format(name=name)),
        )
    for path in paths:
        console.print(str(path), markup=False, highlight=False, soft_wrap=True)


# --------------------------------------------------------------------------- runs


@_figure(
    "history",
    help=N_("Loss and metric curves per epoch, training and validation."),
)
def history_command(
    run: Path = run_argument("A run directory, or its history.json."),
    log_loss: bool = typer.Option(False, help=N_("Logarithmic loss axis.")),
    output: Path = output_option(_RUN_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    if run.is_dir() and not (run / "history.json").exists():
        raise FileNotFoundError(
            2, "no history.json in the run directory", str(run / "history.json")
        )
    return figures.history(run, log_loss=log_loss)


@_figure(
    "boundary",
    help=N_("Decision boundary of a network on 2-D data, with its training and test points."),
)
def boundary_command(
    run: Path = run_argument(_RUN_HELP),
    data: str = _data_option(),
    target: str = target_option(),
    probability: bool = typer.Option(False, help=N_("Shade by the model's confidence.")),
    resolution: int = typer.Option(200, help=N_("Grid points per axis.")),
    output: Path = output_option(_RUN_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    config, model = load_run(run)
    X_test = y_test = None
    if data is not None or config is None:
        if data is None:
            raise ValueError(_("a bare model file needs --data (a data set name or a CSV file)"))
        X, y, _name = evaluation_data(config, data, target)
    else:
        dataset = load_source(config["source"])
        X, y, X_test, y_test = dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test
    if np.asarray(X).shape[1] != 2:
        text = _("a decision boundary needs 2-D data; this data has {count} features")
        raise ValueError(text.format(count=np.asarray(X).shape[1]))
    task = None if config is None else config.get("task")
    classes = None if config is None else config.get("classes")
    axes = ("x₁", "x₂")
    if config is not None and config.get("feature_names"):
        scaled = config.get("preprocess", {}).get("kind") == "standardize"
        axes = tuple(f"{n} (standardised)" if scaled else n for n in config["feature_names"])
    return figures.decision_boundary(
        model,
        X,
        y,
        X_test=X_test,
        y_test=y_test,
        probability=probability,
        task=task,
        classes=classes,
        resolution=resolution,
        feature_names=axes,
    )


@_figure(
    "confusion",
    help=N_("Confusion matrix of a classifier, with the count in every cell."),
)
def confusion_command(
    run: Path = run_argument(_RUN_HELP),
    data: str = _data_option(),
    target: str = target_option(),
    split: str = split_option("test"),
    output: Path = output_option(_RUN_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    config, model = load_run(run)
    if config is not None and config.get("task") == "regression":
        raise ValueError(_("a confusion matrix needs a classifier; this run is a regression"))
    check_split(split)
    X, y, name = run_data(config, data, target, split)
    from ..plot import outputs_logits

    predicted = labels_from_output(model.predict(X), logits=outputs_logits(model))
    classes = None if config is None else config.get("classes")
    n = max(int(np.max(y)), int(np.max(predicted))) + 1
    if classes is None and config is not None:
        n = max(n, int(config["network"]["sizes"][-1]))
    return figures.confusion_matrix(
        y, predicted, classes=classes, num_classes=None if classes else n, where=name
    )


@_figure(
    "weights",
    help=N_("First-layer weights as image tiles (MNIST: 28 x 28), one per hidden unit."),
)
def weights_command(
    run: Path = run_argument(),
    max_units: int = typer.Option(64, help=N_("Draw at most this many hidden units.")),
    shape: str = typer.Option(
        None, help=N_("Image shape HEIGHT,WIDTH (default: the square the input size is).")
    ),
    output: Path = output_option(_RUN_OUTPUT_HELP),
    dpi: float = dpi_option(),
) -> Any:
    _config, model = load_run(run)
    image_shape = None
    if shape is not None:
        image_shape = tuple(int_list(shape, "--shape"))
        if len(image_shape) != 2:
            raise ValueError(_("--shape {value!r}: expected HEIGHT,WIDTH").format(value=shape))
    return figures.first_layer_weights(model, image_shape=image_shape, max_units=max_units)


def _run_data(run: Path, data: str | None, target: str | None, split: str, max_samples: int | None):
    check_split(split)
    config, model = load_run(run)
    X, y, name = run_data(config, data, target, split)
    if max_samples is not None and len(X) > max_samples:
        rows = np.sort(np.random.default_rng(0).choice(len(X), max_samples, replace=False))
        X, y = X[rows], y[rows]
    return config, model, X, y, name


def _gradient_flow(config: dict | None, model: Any, X: Any, y: Any, name: str) -> Any:
    loss = None if config is None else config["loss"]
    return figures.gradient_flow(model, X, y, loss=loss, title=f"Gradient flow on {name}")


def _activation_histograms(config: dict | None, model: Any, X: Any, y: Any, name: str) -> Any:
    return figures.activation_histograms(model, X, title=f"Activations per layer on {name}")


def _layer_figure_command(kind: str, draw: Callable[..., Any], help: str) -> None:
    """Register ``fcnn plot KIND``, a figure of a network's layers on data:
    ``draw(config, model, X, y, name)`` makes it; ``help`` is the command's help."""

    def make(
        run: Path = run_argument(_RUN_HELP),
        data: str = _data_option(),
        target: str = target_option(),
        split: str = split_option("train"),
        max_samples: int = max_samples_option(5000),
        output: Path = output_option(_RUN_OUTPUT_HELP),
        dpi: float = dpi_option(),
    ) -> Any:
        config, model, X, y, name = _run_data(run, data, target, split, max_samples)
        return draw(config, model, X, y, name)

    _figure(kind, help)(make)


_layer_figure_command(
    "gradients",
    _gradient_flow,
    N_("Gradient norm per layer (weights and layer outputs), on a log scale."),
)
_layer_figure_command(
    "histograms", _activation_histograms, N_("Histograms of every layer's activations on the data.")
)
