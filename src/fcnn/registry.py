"""Floor 1: building a class from a name registry, with one wording for every registry.

``fcnn.activations.get_activation("relu")`` and ``fcnn.losses.get_loss("mse")`` both
come here: a registry is a plain ``{name: class}`` dict, and :func:`build` looks the
name up and calls the class, refusing an unknown name (listing the known ones) or an
argument the class does not take (listing the ones it does) before anything runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from .i18n import N_, Message

__all__ = ["build", "unknown_arguments"]


# the words the registries name their contents with, said in the reader's language
_WORDS = {
    "activation": N_("activation"),
    "loss": N_("loss"),
    "known": N_("known"),
    "known losses": N_("known losses"),
}


def _word(text: str) -> Message | str:
    return Message("checks", _WORDS[text]) if text in _WORDS else text


def unknown_arguments(cls: type, kwargs: Mapping[str, Any]) -> list[str]:
    """The keys of ``kwargs`` that ``cls(...)`` does not take, sorted (none if it takes
    ``**kwargs``)."""
    parameters = inspect.signature(cls).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    return sorted(set(kwargs) - set(parameters))


def build(
    registry: Mapping[str, type],
    name: Any,
    kwargs: Mapping[str, Any],
    *,
    where: str,
    what: str,
    known: str = "known",
    aliases: Mapping[str, type] | None = None,
) -> Any:
    """``registry[name](**kwargs)``, with the checks every registry shares.

    Parameters
    ----------
    registry : the names a user is shown, and their classes.
    name : the name asked for.
    kwargs : the constructor's arguments.
    where : the caller, for the messages (``"get_loss"``).
    what : what the registry holds, for the messages (``"loss"``).
    known : how the list of known names is introduced (``"known losses"``).
    aliases : further names accepted but not listed (a loss's class name, as in a spec).

    Raises
    ------
    TypeError
        For a name that is not a string, or an argument the class does not take.
    ValueError
        For a name the registry does not hold; the message lists the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"{where}(name={name!r}): name must be a string, got {type(name).__name__}")
    cls = registry.get(name) or (aliases or {}).get(name)
    if cls is None:
        template = N_("unknown {what} {name!r}; {known}: {names}")
        said = {"what": _word(what), "known": _word(known), "names": ", ".join(registry)}
        raise ValueError(Message("checks", template, name=name, **said))
    unknown = unknown_arguments(cls, kwargs)
    if unknown:
        accepted = ", ".join(inspect.signature(cls).parameters)
        raise TypeError(
            f"{where}({name!r}): {cls.__name__} has no argument {', '.join(unknown)}; "
            f"it takes {accepted}"
        )
    return cls(**kwargs)
