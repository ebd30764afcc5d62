"""``fcnn reproduce NAME``: rerun a published result and set ours beside it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markdown import Markdown

from ..i18n import N_, translator
from .app import app, console, friendly

_ = translator("cli")


@app.command(
    help=N_("Rerun a published result; write a Markdown table of ours beside it, and a figure."),
)
@friendly
def reproduce(
    name: str = typer.Argument(
        ...,
        metavar="NAME",
        help=N_(
            "The result to rerun: planar, init, optimizers, activations, mnist or fashion-mnist."
        ),
    ),
    data_dir: str = typer.Option(
        None, help=N_("mnist / fashion-mnist: folder with the IDX .gz files.")
    ),
    out: Path = typer.Option(
        Path("results"), help=N_("Folder for the Markdown table and its figure.")
    ),
    jobs: int = typer.Option(
        None,
        min=1,
        help=N_(
            "planar: run its hidden-units sweep through fcnn sweep on this many "
            "processes (resumable; kept in OUT/planar-sweep)."
        ),
    ),
    quick: bool = typer.Option(
        False, help=N_("A small, fast version (for a first look; not the published setting).")
    ),
) -> None:
    from ..reproduce import REPRODUCTIONS, write

    if name not in REPRODUCTIONS:
        raise ValueError(
            _("unknown reproduction {name!r}; expected one of {choices}").format(
                name=name, choices=", ".join(REPRODUCTIONS)
            )
        )
    with console.status(_("reproducing {name} ...").format(name=name)) as status:
        extra = {}
        if jobs is not None:
            if name != "planar":
                raise ValueError(_("--jobs applies to the planar reproduction's sweep only"))
            extra = {"jobs": jobs, "sweep_dir": str(out / "planar-sweep")}
        result = REPRODUCTIONS[name](
            data_dir=data_dir, quick=quick, progress=lambda text: status.update(text), **extra
        )
    console.print(Markdown(result.to_markdown()))
    path = write(result, out)
    console.print(_("written to {path}").format(path=path), highlight=False, markup=False)
    if result.figure is not None:
        console.print(
            _("figure: {path}").format(path=path.with_suffix(".png")), highlight=False, markup=False
        )
