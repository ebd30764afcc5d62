"""``fcnn demo``: the course's planar experiment, the first thing a newcomer runs."""

from __future__ import annotations

import time

import numpy as np
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..data import planar
from ..i18n import N_, translator
from ..losses import BCELoss
from ..models import mlp
from ..optim import SGD
from .app import app, console

_ = translator("cli")

COLUMNS = (
    N_("network"),
    N_("steps"),
    N_("final loss"),
    N_("train accuracy"),
    N_("course"),
    N_("time"),
)


@app.command(
    help=N_("Train the course's 2-4-1 tanh network on the planar flower data (course: 90 %)."),
)
def demo(
    hidden: int = typer.Option(4, min=1, max=1000, help=N_("Units in the hidden tanh layer.")),
    iterations: int = typer.Option(10000, min=1, help=N_("Full-batch gradient-descent steps.")),
    lr: float = typer.Option(1.2, min=0.0, help=N_("Learning rate of plain gradient descent.")),
    seed: int = typer.Option(2, min=0, help=N_("Seed of the initial weights.")),
) -> None:
    X, y = planar()
    targets = y.reshape(-1, 1).astype(np.float64)
    model = mlp(
        [2, hidden, 1],
        activation="tanh",
        output="sigmoid",
        init="normal",
        init_scale=0.01,
        seed=seed,
        dtype=np.float64,
    )
    loss = BCELoss()
    optimizer = SGD(model.parameters(), lr=lr)
    console.print(
        _("[bold]Planar flower data[/]: {points} points, 2 classes.  Model:").format(points=len(X))
    )
    console.print(model)
    start = time.perf_counter()
    with Progress(
        TextColumn(escape(_("training"))),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn(escape(_("loss")) + " {task.fields[loss]:.4f}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("train", total=iterations, loss=float("nan"))
        for step in range(iterations):
            value = loss(model(X), targets)
            optimizer.zero_grad()
            model.backward(loss.backward())
            optimizer.step()
            if step % 100 == 0 or step == iterations - 1:
                progress.update(task, completed=step + 1, loss=value)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean((model.predict(X)[:, 0] > 0.5) == y))

    table = Table(title=_("fcnn demo: planar flower, one hidden layer"))
    for column in COLUMNS:
        table.add_column(_(column), justify="right")
    table.add_row(
        f"2-{hidden}-1 tanh/sigmoid",
        str(iterations),
        f"{value:.4f}",
        f"{accuracy:.1%}",
        "90 %" if hidden == 4 else "—",
        _("{seconds:.1f} s").format(seconds=seconds),
    )
    console.print(table)
