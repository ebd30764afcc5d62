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

from ..i18n import N_, translator

__all__ = ["N_", "Message", "words"]

_ = translator("diagnose")


class Message:
    """One sentence of the ``diagnose`` catalog and its fields; ``str()`` says it.

    ``template`` is the English message, marked where it is written with ``N_(…)`` so
    that ``tools/catalogs.py`` finds it. Without fields the text is not formatted at all
    (a name the user gave, such as ``data_name``, may hold braces).
    """

    __slots__ = ("fields", "template")

    def __init__(self, template: str, **fields: Any) -> None:
        self.template = template
        self.fields = fields

    def __str__(self) -> str:
        text = _(self.template)
        if not self.fields:
            return text
        return text.format(
            **{k: str(v) if isinstance(v, Message) else v for k, v in self.fields.items()}
        )

    # A report's notes were plain strings: a Message still reads like one
    # (``"no targets" in note``, ``note.startswith(…)``), in the current language.
    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(str, name):
            raise AttributeError(name)
        return getattr(str(self), name)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.template, self.fields) == (other.template, other.fields)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.template)

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"


def words(text: str | Message) -> Message:
    """``text`` as a :class:`Message`: a plain string is looked up in the catalog as it is
    (``"the data"`` has a translation; a name the user chose is kept)."""
    return text if isinstance(text, Message) else Message(text)
