"""``fcnn export RUN --onnx OUT.onnx``: a trained model as an ONNX file."""

from __future__ import annotations

from pathlib import Path

import typer

from ..i18n import N_, translator
from ..interop import DEFAULT_OPSET, to_onnx
from ..io import load
from .app import app, console, friendly
from .options import run_argument
from .runs import model_file

_ = translator("cli")


def _shape(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        dims = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise ValueError(
            _("--input-shape {text!r}: expected comma-separated sizes, e.g. 28,28").format(
                text=text
            )
        ) from None
    return dims


@app.command(
    help=N_("Export a trained model to another format (ONNX), in eval mode, any batch size."),
)
@friendly
def export(
    model: Path = run_argument(),
    onnx: Path = typer.Option(
        None, "--onnx", help=N_("Write an ONNX file here (e.g. model.onnx).")
    ),
    opset: int = typer.Option(None, help=N_("ONNX opset (default 17; 13 or later).")),
    input_shape: str = typer.Option(
        None, help=N_("One sample's shape, e.g. 28,28: needed when the model starts with Flatten.")
    ),
) -> None:
    if onnx is None:
        raise ValueError(_("nothing to export to: pass --onnx OUT.onnx"))
    network = load(model_file(model))
    opset = DEFAULT_OPSET if opset is None else opset
    # Without onnx installed, to_onnx's ImportError is one line saying what to install.
    path = to_onnx(network, onnx, opset=opset, input_shape=_shape(input_shape))
    console.print(
        _("wrote {path} (ONNX opset {opset}, {dtype}, {count} parameters)").format(
            path=path, opset=opset, dtype=network.dtype.name, count=network.num_parameters()
        ),
        highlight=False,
    )
