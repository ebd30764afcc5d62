"""What several commands share on their command line: options declared once, and the
parsers of comma-separated values.

typer reads a command's options from its parameters' defaults, so an option shared by
several commands is a function returning a fresh ``typer.Option`` (or ``typer.Argument``),
called in each signature: ``target: str = target_option()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import typer

from .. import checks
from ..i18n import N_, translator
from ..losses import LOSSES
from ..optim import OPTIMIZERS
from .app import help_text

_ = translator("cli")

RUN_HELP = N_("A run directory, or a .safetensors model file.")

# --------------------------------------------------------------------------- options


def run_argument(help: str = RUN_HELP) -> Any:
    """The run directory or model file a command looks at (``fcnn train --run-dir``).

    Every positional argument is shown as one upper-case word (RUN, DATA, CSV, NAME,
    SPEC), the same on every usage line."""
    return typer.Argument(..., metavar="RUN", help=help)


def target_option() -> Any:
    return typer.Option(None, help=N_("CSV: the target column (default: last)."))


def data_dir_option() -> Any:
    return typer.Option(None, help=N_("mnist / fashion-mnist: folder with the IDX .gz files."))


def output_option(help: str) -> Any:
    return typer.Option(None, "--output", "-o", help=help)


def split_option(default: str) -> Any:
    """Which of a run's rows to look at without ``--data``: ``"train"`` or ``"test"``."""
    other = "test" if default == "train" else "train"
    return typer.Option(
        default,
        help=help_text(
            N_("Without --data: the run's {default!r} or {other!r} rows."),
            default=default,
            other=other,
        ),
    )


def max_samples_option(default: int | None) -> Any:
    if default is None:
        return typer.Option(
            None, help=N_("Look at a random subset of at most this many rows (default: all).")
        )
    return typer.Option(default, help=N_("Look at a random subset of at most this many rows."))


def loss_option() -> Any:
    return typer.Option(
        None,
        help=help_text(
            N_("Loss: {names} (default cross_entropy for classes, mse for values)."),
            names=", ".join(LOSSES),
        ),
    )


def optimizer_option() -> Any:
    return typer.Option(
        "adam", help=help_text(N_("Optimiser: {names}."), names=", ".join(OPTIMIZERS))
    )


def dpi_option() -> Any:
    return typer.Option(150, help=N_("Resolution of PNG files, in dots per inch."))


# --------------------------------------------------------------------------- values


def checked(flag: str, value: Any, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``value`` of the option ``flag`` through one of :mod:`fcnn.checks`' checks, refused
    in the command line's spelling: ``--dropout 1.0: must be in [0, 1)``."""
    try:
        return check(flag, "value", value, *args, **kwargs)
    except (TypeError, ValueError) as err:
        raise checks.said_of(err, f"{flag} {value!r}") or err from None


def given(**values: Any) -> dict[str, Any]:
    """The options given on the command line: those not left at ``None``, in order."""
    return {key: value for key, value in values.items() if value is not None}


def int_list(text: str, what: str) -> list[int]:
    """``"64,32"`` → ``[64, 32]``: positive integers; ``""`` → ``[]``."""
    text = text.strip()
    if not text:
        return []
    try:
        values = [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        raise ValueError(
            _("{what}={text!r}: expected comma-separated integers, e.g. 64,32").format(
                what=what, text=text
            )
        ) from None
    if any(v < 1 for v in values):
        raise ValueError(
            _("{what}={text!r}: every value must be a positive integer").format(
                what=what, text=text
            )
        )
    return values


def float_list(text: str, what: str) -> list[float]:
    """``"0.1,1"`` → ``[0.1, 1.0]``: positive finite numbers, at least one."""
    try:
        values = [float(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError(
            _("{what}={text!r}: expected comma-separated numbers, e.g. 0.1,1").format(
                what=what, text=text
            )
        ) from None
    if not values or any(not np.isfinite(v) or v <= 0 for v in values):
        raise ValueError(
            _("{what}={text!r}: expected positive numbers").format(what=what, text=text)
        )
    return values


def name_list(text: str | None) -> list[str] | None:
    """``"relu, tanh"`` → ``["relu", "tanh"]``; ``None`` stays ``None``."""
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]
