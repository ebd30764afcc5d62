"""``fcnn lr-find DATA``: the learning-rate range test on the network ``fcnn train`` builds.

The data are prepared and split as ``fcnn train`` prepares and splits them, and the
network is built from the same options with the same seed, so the sweep starts from the
very weights a ``fcnn train`` run with those options would start from. It prints the
suggested rate in one line and writes the figure (loss against the learning rate).
"""

from __future__ import annotations

from pathlib import Path

import typer

from .. import checks
from .. import plot as figures  # imports matplotlib only when a figure is drawn
from ..activations import ACTIVATIONS
from ..data import SOURCE_NAMES
from ..i18n import N_, translator
from ..models import mlp
from ..train.lr_find import lr_find, steps_at_least_two
from .app import app, console, friendly, help_text
from .options import (
    checked,
    data_dir_option,
    dpi_option,
    given,
    int_list,
    loss_option,
    optimizer_option,
    output_option,
    target_option,
)
from .runs import build_optimizer, training_data
from .train_checks import check_train_options, given_options

_ = translator("cli")


def _check_sweep(start_lr: float, end_lr: float, steps: int, output: Path) -> None:
    """The sweep's own options, refused in the command line's spelling."""
    checked("--start-lr", start_lr, checks.real, low=0, low_open=True)
    checked("--end-lr", end_lr, checks.real, low=start_lr, low_open=True)
    checked("--steps", steps, steps_at_least_two)
    if output.suffix.lower() not in figures.FORMATS:
        raise ValueError(
            _("--output {path!r}: the file name must end in .png, .svg or .pdf").format(
                path=str(output)
            )
        )


@app.command(
    "lr-find",
    help=N_(
        "Sweep the learning rate from --start-lr to --end-lr over --steps "
        "training steps, stopping when the loss diverges; print the suggested "
        "rate and draw loss against rate.\n\n"
        "The network is the one fcnn train builds from the same options and "
        "--seed, trained on the same rows; it is not saved. The suggestion is "
        "a tenth of the rate at the lowest smoothed loss."
    ),
)
@friendly
def lr_find_command(
    ctx: typer.Context,
    data: str = typer.Argument(
        ...,
        metavar="DATA",
        help=help_text(
            N_("A CSV file, or a data set: {names}."),
            names=", ".join(name for name in SOURCE_NAMES if name != "csv"),
        ),
    ),
    target: str = target_option(),
    task: str = typer.Option(None, help=N_("CSV only: classification or regression.")),
    hidden: str = typer.Option(
        "16,16", help=N_("Hidden layer widths, comma-separated ('' for none).")
    ),
    activation: str = typer.Option(
        "relu", help=help_text(N_("Hidden activation: {names}."), names=", ".join(ACTIVATIONS))
    ),
    dropout: float = typer.Option(
        0.0, help=N_("Dropout probability after every hidden activation.")
    ),
    loss: str = loss_option(),
    optimizer: str = optimizer_option(),
    momentum: float = typer.Option(None, help=N_("SGD / RMSprop momentum.")),
    start_lr: float = typer.Option(1e-7, help=N_("The first learning rate of the sweep.")),
    end_lr: float = typer.Option(10.0, help=N_("The last learning rate of the sweep.")),
    steps: int = typer.Option(
        100, help=N_("Training steps, one per rate (fewer if the loss diverges).")
    ),
    batch_size: int = typer.Option(32, help=N_("Mini-batch size.")),
    seed: int = typer.Option(
        0, help=N_("Seed of the weights and the batch order, as fcnn train's.")
    ),
    n: int = typer.Option(None, help=N_("Generated data sets: number of points.")),
    noise: float = typer.Option(None, help=N_("Generated data sets: noise level.")),
    data_seed: int = typer.Option(None, help=N_("Generated data sets: seed of the points.")),
    data_dir: str = data_dir_option(),
    download: bool = typer.Option(False, help=N_("mnist / fashion-mnist: download missing files.")),
    output: Path = output_option("The figure: .png, .svg or .pdf (default lr_find.png)."),
    dpi: int = dpi_option(),
) -> None:
    check_train_options(ctx.params, given_options(ctx))
    output = Path("lr_find.png") if output is None else output
    _check_sweep(start_lr, end_lr, steps, output)
    figures.require_matplotlib()  # without it: one line saying what to install
    _source, dataset, loss, n_out = training_data(data, loss, ctx.params)
    sizes = [dataset.n_features, *int_list(hidden, "--hidden"), n_out]
    model = mlp(sizes, activation, dropout=dropout, seed=seed)
    opt = build_optimizer(optimizer, model.parameters(), given(momentum=momentum))
    result = lr_find(
        model,
        dataset.X_train,
        dataset.y_train,
        loss=loss,
        optimizer=opt,
        start_lr=start_lr,
        end_lr=end_lr,
        steps=steps,
        batch_size=batch_size,
        seed=seed,
    )
    network = f"{'-'.join(map(str, sizes))} {activation}"
    figure = figures.lr_find(result, title=f"Learning-rate finder: {data}, {network}, {optimizer}")
    path = figures.save(figure, output, dpi=dpi)
    console.print(result.summary(), markup=False, highlight=False, soft_wrap=True)
    console.print(
        _("figure: {path}").format(path=path), markup=False, highlight=False, soft_wrap=True
    )
