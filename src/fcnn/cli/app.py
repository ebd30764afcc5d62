"""The typer app every command registers on, the language it speaks, and the rule that user
errors are one line.

A missing optional dependency is a user error too: ``pip install "fcnn[sklearn]"`` in one
line, not a traceback.

Every sentence the CLI prints is English in the source and looked up in the ``cli``
catalog when it is shown (:mod:`fcnn.i18n`). Help texts are fixed when a module is
imported, before ``--lang`` is read, so they are marked with ``N_`` there and translated
here, when the help is drawn; a help text with fields (a list of names) is declared with
:func:`help_text`, which remembers its template.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import rich._wrap
import typer
import typer.rich_utils as rich_help
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..files import ModelFileError
from ..i18n import LANGUAGES, N_, get_language, keeping_language, set_language, translator
from . import usage_errors

_ = translator("cli")

# help_text's templates: the English text typer keeps → (its template, its fields)
_TEMPLATES: dict[str, tuple[str, dict[str, Any]]] = {}

# typer's own words in a drawn help (module constants it reads at draw time), each with
# the English we look up; patched while a help is drawn, then put back.
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}


# click's help for --help, translated like every option's help
_CLICK_WORDS = (N_("Show this message and exit."),)


# Where a line of Chinese may break. Rich breaks lines only at spaces, so a Chinese help
# text, a long run without one, would be cut short with "…" in the help's table. While a
# Chinese help is drawn, each ideograph is a word of its own; punctuation stays with the
# character before (closing) or after (opening) it, and Latin words stay whole.
_OPEN, _CLOSE = "（《「『“【", "）》」』”】，。；：、！？"
_IDEOGRAPH = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CHINESE_WORD = re.compile(
    rf"\s*(?:[{_OPEN}]*[{_IDEOGRAPH}][{_CLOSE}]*"
    rf"|[^\s{_IDEOGRAPH}{_OPEN}{_CLOSE}]+[{_CLOSE}]*|[{_OPEN}{_CLOSE}]+)\s*"
)


def _chinese_words(text: str) -> Any:
    """``rich._wrap.words`` for Chinese: (start, end, word) of each piece a line may end after."""
    for match in _CHINESE_WORD.finditer(text):
        yield match.start(), match.end(), match.group(0)


def _rstrip_end(self: Text, size: int) -> None:
    """``Text.rstrip_end`` counting cells, not characters: rich's own compares the number
    of characters with the width, so a Chinese line (two cells a character) kept the
    space it ended in, one cell too many, and lost its last character to "…"."""
    excess = cell_len(self.plain) - size
    trailing = len(self.plain) - len(self.plain.rstrip())
    if excess > 0 and trailing:
        self.right_crop(min(trailing, excess))


def help_text(template: str, **fields: Any) -> str:
    """A help text with fields: ``help_text(N_("Loss: {names}."), names="mse, l1")`` is
    the English text typer shows; the help drawn in another language translates
    ``template`` and fills in the same fields."""
    text = template.format(**fields)
    _TEMPLATES[text] = (template, fields)
    return text


def translate_help(text: str | None) -> str | None:
    """A help text (or panel name) marked with ``N_`` or made by :func:`help_text`, in the
    current language."""
    if not text:
        return text
    template, fields = _TEMPLATES.get(text, (text, None))
    return _(template) if fields is None else _(template).format(**fields)


def _rewrap(text: str) -> str:
    """A docstring's paragraphs, each on one line (the terminal wraps them)."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


class _Help:
    """What ``fcnn ... --help`` shows, three things mended from typer's rich help.

    - Everything in the current language: the command's help, each option's help and
      panel, the subcommands' one-line helps and typer's own words ("Options",
      "[default: ...]"), translated just for the drawing and put back afterwards (one
      process may draw the help in both languages, as the tests do).

    - A docstring's paragraphs are rewrapped to the terminal: the rich help keeps the
      line breaks of the source, which cut lines short in an 80-column terminal.
    - No value type beside a flag: the rich help puts the parameter's type beside every
      option, ``<bool>`` beside ``--help`` too, which reads as if it took a value. A
      flag's metavar, when it has none of its own, is made empty before the help is drawn.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("help"):
            kwargs["help"] = _rewrap(kwargs["help"])
        super().__init__(*args, **kwargs)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)  # type: ignore[attr-defined]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        # (object, attribute) pairs holding English text, each translated for the drawing
        texts = [(self, "help")]
        texts += [(p, name) for p in params for name in ("help", "rich_help_panel")]
        commands = getattr(self, "commands", {}).values()
        texts += [(c, name) for c in commands for name in ("help", "short_help")]
        english = [(owner, name, getattr(owner, name, None)) for owner, name in texts]
        words = {name: getattr(rich_help, name) for name in _TYPER_WORDS}
        splitter, rstrip_end = rich._wrap.words, Text.rstrip_end
        try:
            for owner, name, text in english:
                if text:
                    setattr(owner, name, translate_help(text))
            for name, word in _TYPER_WORDS.items():
                setattr(rich_help, name, _(word))
            if get_language() == "zh":
                rich._wrap.words = _chinese_words
                Text.rstrip_end = _rstrip_end  # type: ignore[method-assign]
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            for owner, name, text in english:
                if text:
                    setattr(owner, name, text)
            for name, word in words.items():
                setattr(rich_help, name, word)
            rich._wrap.words, Text.rstrip_end = splitter, rstrip_end  # type: ignore[method-assign]


class Command(_Help, TyperCommand):
    """Every ``fcnn`` command."""


def _lang_in(args: list[str]) -> str | None:
    """The value of ``--lang`` on a command line, looked for before click parses it (a
    line click refuses, ``fcnn --lang zh --epochs 3``, is refused in that language)."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if not arg.startswith("-"):  # the command's name: --lang comes before it
            return None
    return None


class Group(_Help, TyperGroup):
    """``fcnn`` and ``fcnn plot``, the commands that hold commands."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """Run ``fcnn`` in the language of its ``--lang``, typer's refusals of the command
        line said from the ``cli`` catalog (:mod:`.usage_errors`). The language and
        typer's error printers are what they were before once the command is done."""
        args = sys.argv[1:] if args is None else list(args)
        printers = rich_help.rich_format_error, rich_help.rich_abort_error
        with keeping_language():
            lang = _lang_in(args)
            if lang in LANGUAGES:
                set_language(lang)
            rich_help.rich_format_error = usage_errors.show
            rich_help.rich_abort_error = usage_errors.aborted
            try:
                return super().main(args, *rest, **kwargs)
            finally:
                rich_help.rich_format_error, rich_help.rich_abort_error = printers


class App(typer.Typer):
    """A typer app whose commands are :class:`Command`."""

    def command(self, *args: Any, cls: type[TyperCommand] = Command, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls, **kwargs)


app = App(
    cls=Group,
    help=N_("fcnn: fully-connected neural networks on NumPy, from first principles."),
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
                message = _("no such file: {path}").format(path=err.filename)
            error_line(message)
            raise typer.Exit(1) from None

    return wrapper


def styled(style: str, text: str) -> str:
    """``text`` in rich markup's ``style``, its own brackets escaped (a translated word
    is text, not markup). Call it with ``_(...)`` outside an f-string: the catalogs'
    extractor does not look inside f-strings."""
    return f"[{style}]{escape(text)}[/]"


def error_line(message: str) -> None:
    """``error: <message>`` on stderr, one line, ``error:`` in the current language (the
    label's msgid ends in a space: Chinese ends it in a full-width colon instead)."""
    errors.print(
        styled("bold red", _("error: ")) + escape(message), highlight=False, soft_wrap=True
    )


def _version(value: bool) -> None:
    if value:
        console.print(f"fcnn {__version__}")
        raise typer.Exit()


def _language(ctx: typer.Context, value: str | None) -> None:
    """``--lang``, read before ``--help`` (both are eager; --lang comes first on the line).
    Without it the environment decides, afresh for every invocation. The choice lasts
    as long as the invocation: a program (or test) that runs ``fcnn`` in-process speaks
    its own language again afterwards."""
    try:
        set_language(value)  # Group.main puts the language before the command back
        get_language()  # a bad FCNN_LANG is refused here, in one line, not mid-help
    except ValueError as refused:
        set_language("en")  # the language to refuse in is not known: English
        message = str(refused)  # FCNN_LANG's own one line
        if value is not None:
            message = _("--lang {value!r}: choose one of {choices}").format(
                value=value, choices=", ".join(LANGUAGES)
            )
        error_line(message)
        set_language(None)
        raise typer.Exit(2) from None


@app.callback()
def main(
    lang: str = typer.Option(
        None,
        "--lang",
        callback=_language,
        is_eager=True,
        expose_value=False,
        metavar="zh|en",
        help=N_("Language of every line fcnn prints (default: FCNN_LANG, else the locale)."),
    ),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help=N_("Print the version and exit."),
    ),
) -> None:
    """fcnn: fully-connected neural networks on NumPy, from first principles."""
