"""The typer app every command registers on, and the rule that user errors are one line."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from .. import __version__
from ..files import ModelFileError

app = typer.Typer(
    help="fcnn: fully-connected neural networks on NumPy, from first principles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

# What bad input raises anywhere in fcnn; each becomes one readable line, not a traceback.
USER_ERRORS = (ValueError, TypeError, KeyError, OSError, ModelFileError, RuntimeError)


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a user error inside ``command`` into ``error: <message>`` and exit status 1.

    Set FCNN_DEBUG=1 to see the traceback instead.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):  # click's Exit is a RuntimeError: let it through
            raise
        except USER_ERRORS as err:
            if os.environ.get("FCNN_DEBUG"):
                raise
            message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            if isinstance(err, FileNotFoundError) and err.filename:
                message = f"no such file: {err.filename}"
            errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        console.print(f"fcnn {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """fcnn: fully-connected neural networks on NumPy, from first principles."""
