"""``fcnn explain``: one sample through a small network, every number of backprop shown.

With no arguments it traces the course notes' worked 2-2-2 sigmoid example (inputs
0.05, 0.10; targets 0.01, 0.99; η = 0.5). ``--model`` traces a saved model instead,
on the sample given by ``--input`` and ``--target``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from .. import checks
from ..explain import LOSS_NAMES, MAX_PARAMETERS, Trace, classic_example, explain
from ..files import atomic_write_text
from ..i18n import N_, translator
from ..io import load
from ..losses import get_loss
from .app import app, console, friendly, help_text
from .options import checked

_ = translator("cli")

# --format: how each renders a trace, given the decimals to show.
RENDER: dict[str, Callable[[Trace, int], str]] = {
    "text": lambda trace, digits: trace.to_text(digits),
    "markdown": lambda trace, digits: trace.to_markdown(digits),
    "json": lambda trace, digits: trace.to_json(),
}
FORMATS = tuple(RENDER)


def _numbers(text: str, option: str) -> list[float]:
    parts = [part for part in text.replace(" ", "").split(",") if part]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise ValueError(
            _("{option}={text!r}: expected comma-separated numbers, e.g. 0.05,0.10").format(
                option=option, text=text
            )
        ) from None
    if not values:
        raise ValueError(
            _("{option}={text!r}: expected at least one number").format(option=option, text=text)
        )
    return values


def _takes_classes(loss: str) -> bool:
    """Whether the loss named ``loss`` takes a class index (asked of its class)."""
    try:
        return get_loss(loss).target_kind == "classes"
    except ValueError:  # mse_half, or a name explain will refuse with its own message
        return False


def _target(text: str, loss: str) -> list[float] | int:
    values = _numbers(text, "--target")
    if len(values) == 1 and _takes_classes(loss):
        if not values[0].is_integer():
            raise ValueError(
                _("--target={text!r}: with --loss {loss} give one class index, e.g. 1").format(
                    text=text, loss=loss
                )
            )
        return int(values[0])
    return values


@app.command(
    "explain",
    help=N_(
        "Trace one sample through a small network, by the chain rule, weight "
        "by weight.\n\n"
        "Each unit's net input and output, the loss, and for every weight and "
        "bias the chain-rule factors, the gradient (checked against fcnn's "
        "backward pass) and its value after one SGD step."
    ),
)
@friendly
def explain_command(
    model: Path = typer.Option(
        None,
        "--model",
        "-m",
        help=help_text(
            N_(
                "A model file (.safetensors) saved by fcnn, of Linear layers and element-wise "
                "activations, at most {count} parameters. Default: the notes' 2-2-2 example."
            ),
            count=MAX_PARAMETERS,
        ),
        show_default=False,
    ),
    sample: str = typer.Option(
        None,
        "--input",
        "-i",
        help=N_(
            "The sample, numbers separated by commas, e.g. 0.05,0.10 (required with --model; "
            "otherwise it replaces the example's)."
        ),
        show_default=False,
    ),
    target: str = typer.Option(
        None,
        "--target",
        "-t",
        help=N_(
            "The desired outputs, separated by commas, e.g. 0.01,0.99, or one class index with "
            "--loss cross_entropy (required with --model)."
        ),
        show_default=False,
    ),
    loss: str = typer.Option(
        "mse_half",
        help=help_text(
            N_(
                "The loss E: {names} or another fcnn loss name. mse_half is the "
                "notes' ½Σ(target − out)²."
            ),
            names=", ".join(LOSS_NAMES),
        ),
    ),
    # lr and digits are checked in the body, not with typer's min=/max=: the range it
    # would print beside the type squeezes the help of an 80-column terminal.
    lr: float = typer.Option(0.5, help=N_("Learning rate η (>= 0) of the one SGD step.")),
    update_biases: bool = typer.Option(
        None,
        "--update-biases/--freeze-biases",
        help=N_(
            "Whether the step moves the biases. Default: frozen for the notes' example (as "
            "there), updated for --model."
        ),
        show_default=False,
    ),
    shared_biases: bool = typer.Option(
        None,
        "--shared-biases/--separate-biases",
        help=N_(
            "Treat each layer's biases as one parameter shared by its units (their values "
            "must be equal). Default: shared for the notes' example, separate for --model."
        ),
        show_default=False,
    ),
    output_format: str = typer.Option(
        "text",
        "--format",
        "-f",
        help=N_("text, markdown (the formulas in LaTeX) or json (every number at full precision)."),
    ),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help=N_("Write the trace to this file (atomically) instead of printing it."),
        show_default=False,
    ),
    digits: int = typer.Option(
        9, help=N_("Decimals shown in text and markdown, 1 to 17 (the notes print 9).")
    ),
) -> None:
    if output_format not in FORMATS:
        raise ValueError(
            _("--format {value!r}: expected one of {choices}").format(
                value=output_format, choices=", ".join(FORMATS)
            )
        )
    checked("--lr", lr, checks.real, low=0)
    checked("--digits", digits, checks.real, low=1, high=17)
    if model is None:
        example = classic_example()
        net, x, y = example.model, example.x, example.target
        defaults = {"update_biases": False, "shared_biases": True}
        if sample is not None:
            x = _numbers(sample, "--input")
        if target is not None:
            y = _target(target, loss)
    else:
        if sample is None or target is None:
            raise ValueError(
                _(
                    "--model needs the sample too: --input (e.g. 0.05,0.10) and --target "
                    "(e.g. 0.01,0.99)"
                )
            )
        net = load(model)
        x, y = _numbers(sample, "--input"), _target(target, loss)
        defaults = {"update_biases": True, "shared_biases": False}
    trace = explain(
        net,
        x,
        y,
        loss=loss,
        lr=lr,
        update_biases=defaults["update_biases"] if update_biases is None else update_biases,
        shared_biases=defaults["shared_biases"] if shared_biases is None else shared_biases,
    )
    content = RENDER[output_format](trace, digits)
    if output is not None:
        atomic_write_text(output, content if content.endswith("\n") else content + "\n")
        console.print(
            _("wrote {path} ({format}: {count} parameters, E = {loss})").format(
                path=output,
                format=output_format,
                count=len(trace.params),
                loss=f"{trace.loss:.{digits}g}",
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    # Plain text through rich: no markup (brackets are data here), no wrapping of long
    # formulas; in a terminal rich still colours the numbers.
    highlight = output_format == "text"
    console.print(
        content.rstrip("\n"), markup=False, emoji=False, highlight=highlight, soft_wrap=True
    )
