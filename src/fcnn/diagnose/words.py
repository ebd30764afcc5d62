"""The sentences of ``diagnose``, kept as templates and put into words when shown.

A verdict is decided once but may be read many times, in either language: a report made
in English and printed after ``fcnn.set_language("zh")`` reads in Chinese. So a verdict
keeps a :class:`Message` (its English template from the ``diagnose`` catalog and the
numbers it names) and ``str(message)`` looks the template up in the current language
and fills it in. A field may itself be a :class:`Message` (a piece of advice, which data,
which step), put into words in the same language. Numbers are formatted by the template's
own fields (``{ratio:.1e}``), the same in every language.
"""

from __future__ import annotations

from typing import Any

from .. import i18n
from ..i18n import N_, translator

__all__ = ["N_", "Message", "words"]

_ = translator("diagnose")


class Message(i18n.Message):
    """One sentence of the ``diagnose`` catalog and its fields; ``str()`` says it
    (:class:`fcnn.i18n.Message` bound to the ``diagnose`` domain)."""

    __slots__ = ()

    def __init__(self, template: str, **fields: Any) -> None:
        super().__init__("diagnose", template, **fields)

    # A report's notes were plain strings: a Message still reads like one
    # (``"no targets" in note``, ``note.startswith(…)``), in the current language.
    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(str, name):
            raise AttributeError(name)
        return getattr(str(self), name)


def words(text: str | Message) -> Message:
    """``text`` as a :class:`Message`: a plain string is looked up in the catalog as it is
    (``"the data"`` has a translation; a name the user chose is kept)."""
    return text if isinstance(text, Message) else Message(text)
