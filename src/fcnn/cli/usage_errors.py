"""typer's own refusals of a command line (``--epochs abc``, an unknown option, a missing
argument), said in fcnn's language.

typer (0.29) parses the command line with its own copy of click, whose messages are
English f-strings with no catalog behind them. Each refusal is an exception that carries
what it is about (the option, the value, the close matches), so fcnn says it again from
its ``cli`` catalog: :func:`explain` turns the exception into a sentence, and
:func:`show` draws it as typer does (the usage line, the help hint, the red "Error"
box). ``Group.main`` (:mod:`fcnn.cli.app`) puts :func:`show` in typer's place only while
``fcnn`` runs, so a program that merely imports fcnn keeps typer exactly as it was.

A refusal fcnn does not know yet is shown in typer's English rather than lost; the tests
(``tests/test_i18n_cli_errors.py``) run every refusal a student meets in Chinese.
"""

from __future__ import annotations

import re
from typing import Any

import typer.rich_utils as rich_help
from rich.markup import escape
from rich.panel import Panel
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
)

from ..i18n import N_, translator

_ = translator("cli")

# what a value of each pydantic check failing (typer converts values with pydantic) is not
_NOT_A = {
    "int_parsing": N_("{value!r} is not a whole number"),
    "int_from_float": N_("{value!r} is not a whole number"),
    "float_parsing": N_("{value!r} is not a number"),
    "bool_parsing": N_("{value!r} is not yes or no (true/false, 1/0)"),
}

# what is missing, by click's word for the parameter
_MISSING = {
    "option": N_("Missing option {name}."),
    "argument": N_("Missing argument {name}."),
}

# the refusals click writes as plain sentences, recognised by their English (the tests
# pin each one, so a rewording in a new typer shows up there, not in front of a student)
_SENTENCES = (
    (re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<extra>.*)\)$", re.S),
     N_("Got unexpected extra argument(s): {extra}. Put a value with spaces in quotes.")),
    (re.compile(r"Missing command\.$"), N_("Missing command: name one of the commands.")),
    (re.compile(r"No such command (?P<name>'.*')\.$", re.S), N_("No such command {name}.")),
    (re.compile(r"Option (?P<name>'.*') requires an argument\.$"),
     N_("Option {name} needs a value.")),
    (re.compile(r"Option (?P<name>'.*') requires (?P<count>\d+) arguments\.$"),
     N_("Option {name} needs {count} values.")),
    (re.compile(r"Option (?P<name>'.*') does not take a value\.$"),
     N_("Option {name} is a switch and takes no value.")),
    (re.compile(r"Argument (?P<name>'.*') takes (?P<count>\d+) values\.$"),
     N_("Argument {name} takes {count} values.")),
)  # fmt: skip


def _hint(error: BadParameter) -> str:
    """The option or argument a :class:`BadParameter` is about, as click names it."""
    if error.param_hint is not None:
        hint = error.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    return error.param.get_error_hint() if error.param is not None else ""


def _problem(error: BadParameter) -> str:
    """What is wrong with the value, from the check that refused it if fcnn knows it."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        first = (errors() or [{}])[0]
        template = _NOT_A.get(first.get("type", ""))
        if template is not None:
            return _(template).format(value=first.get("input"))
    return error.message


def _sentence(message: str) -> str:
    for pattern, template in _SENTENCES:
        found = pattern.match(message)
        if found:
            return _(template).format(**found.groupdict())
    return message


def explain(error: ClickException) -> str:
    """The refusal ``error`` as one sentence in the current language."""
    if isinstance(error, MissingParameter):
        name = _hint(error)
        kind = error.param_type or (error.param.param_type_name if error.param else "")
        template = _MISSING.get(kind, N_("Missing parameter {name}."))
        return _(template).format(name=name).replace("  ", " ")
    if isinstance(error, BadParameter):
        name = _hint(error)
        if not name:
            return _("Invalid value: {problem}").format(problem=_problem(error))
        return _("Invalid value for {name}: {problem}").format(name=name, problem=_problem(error))
    if isinstance(error, NoSuchOption):
        said = _("No such option: {name}").format(name=error.option_name)
        if error.possibilities:
            close = ", ".join(sorted(error.possibilities))
            said += _(" (did you mean {options}?)").format(options=close)
        return said
    return _sentence(error.message)


def show(error: ClickException) -> None:
    """``rich_utils.rich_format_error`` in fcnn's language: usage, help hint, error box."""
    if isinstance(error, NoArgsIsHelpError):  # the help was shown instead
        return
    console = rich_help._get_rich_console(stderr=True)
    ctx: Any = getattr(error, "ctx", None)
    if ctx is not None:
        console.print(rich_help.highlighter(ctx.get_usage()), style=rich_help.STYLE_USAGE_COMMAND)
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try [blue]'{command_path} {help_option}'[/] for help.").format(
                command_path=escape(ctx.command_path), help_option=ctx.help_option_names[0]
            )
            console.print(
                hint,
                style=rich_help.STYLE_ERRORS_SUGGESTION,
            )
    console.print(
        Panel(
            rich_help.highlighter(explain(error)),
            border_style=rich_help.STYLE_ERRORS_PANEL_BORDER,
            title=_("Error"),
            title_align=rich_help.ALIGN_ERRORS_PANEL,
        )
    )


def aborted() -> None:
    """``rich_utils.rich_abort_error`` (Ctrl-C at a prompt) in fcnn's language."""
    console = rich_help._get_rich_console(stderr=True)
    console.print(_("Aborted."), style=rich_help.STYLE_ABORTED)
