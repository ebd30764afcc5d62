"""The typer app every command registers on, and the rule that user errors are one line.

A missing optional dependency is a user error too: ``pip install "fcnn[sklearn]"`` in one
line, not a traceback.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..files import ModelFileError


class _Help:
    """What ``fcnn ... --help`` shows, two things mended from typer's rich help.

    - A docstring's paragraphs are rewrapped to the terminal: the rich help keeps the
      line breaks of the source, which cut lines short in an 80-column terminal.
    - No value type beside a flag: the rich help puts the parameter's type beside every
      option, ``<bool>`` beside ``--help`` too, which reads as if it took a value. A
      flag's metavar, when it has none of its own, is made empty before the help is drawn.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("help"):
            paragraphs = inspect.cleandoc(kwargs["help"]).split("\n\n")
            kwargs["help"] = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        super().__init__(*args, **kwargs)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        super().format_help(ctx, formatter)  # type: ignore[misc]


class Command(_Help, TyperCommand):
    """Every ``fcnn`` command."""


class Group(_Help, TyperGroup):
    """``fcnn`` and ``fcnn plot``, the commands that hold commands."""


class App(typer.Typer):
    """A typer app whose commands are :class:`Command`."""

    def command(self, *args: Any, cls: type[TyperCommand] = Command, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls, **kwargs)


app = App(
    cls=Group,
    help="fcnn: fully-connected neural networks on NumPy, from first principles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

# What bad input raises anywhere in fcnn (ImportError: an optional dependency that is not
# installed); each becomes one readable line, not a traceback.
USER_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    OSError,
    ModelFileError,
    RuntimeError,
    ImportError,
)


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
