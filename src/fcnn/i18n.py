"""Which language fcnn speaks (English or Chinese), and its message catalogs.

Every sentence a person reads (a CLI line, a verdict of ``fcnn diagnose``, a line of the
backprop trace, a figure's title, a playground label) is written in English in the source
and looked up, when it is shown, in a gettext catalog of the current language. The
catalogs live in ``fcnn/locale/<lang>/LC_MESSAGES/<domain>.po`` (the text translators edit)
and ``.mo`` (the compiled form gettext reads, shipped in the wheel); ``tools/catalogs.py``
extracts, updates and compiles them with Babel, and ``tests/test_catalogs.py`` fails on
any message without a current translation.

There is one catalog (a gettext *domain*) per part of the house, so that each part's
strings are found next to its code; :data:`DOMAINS` maps each domain to the source it
is extracted from. In a module::

    from ..i18n import translator

    _ = translator("cli")
    print(_("Trained {epochs} epochs in {seconds:.1f} s.").format(epochs=5, seconds=2.0))

``_`` looks the language up on every call, so :func:`set_language` takes effect at once.
Messages are ``str.format`` templates with named fields; the numbers are formatted by
the same field in both languages, so switching language never changes a number.

The language is, in order: what :func:`set_language` chose; ``FCNN_LANG``; the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_CN.UTF-8`` gives Chinese); else English.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

__all__ = [
    "DOMAINS",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Listing",
    "Message",
    "get_language",
    "keeping_language",
    "language_from_environment",
    "plural_translator",
    "set_language",
    "translator",
    "using_language",
]

LANGUAGES = ("en", "zh")
"""The languages fcnn speaks; English is the source language of every message."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"

DOMAINS: dict[str, tuple[str, ...]] = {
    # domain: the files (relative to the fcnn package, globs allowed) its messages are
    # extracted from. A file belongs to one domain only.
    "checks": (
        "checks.py",
        "rng.py",
        "registry.py",
        "core.py",
        "module_state.py",
        "specs.py",
        "init.py",
        "layers.py",
        "models.py",
        "activations/*.py",
        "losses/*.py",
        "optim/*.py",
    ),
    "display": ("display.py",),
    "cli": ("cli/*.py",),
    "data": ("data/*.py", "data/stream/*.py"),
    "files": (
        "files.py",
        "io.py",
        "tensorfile.py",
        "interop/onnx_export.py",
        "interop/onnx_graph.py",
        "interop/torch_interop.py",
        "interop/torch_state_dict.py",
    ),
    "optional": ("interop/optional.py",),
    "explain": ("explain/*.py",),
    "diagnose": ("diagnose/*.py",),
    "train": (
        "train/*.py",
        "sweep/*.py",
        "sklearn/*.py",
        "metrics.py",
        "reproduce/*.py",
        "bench/*.py",
    ),
    "plot": ("plot/*.py",),
    "playground": ("playground/*.py", "playground/static/js/*.js", "playground/static/*.html"),
    "exercises": ("exercises*.py", "exercises/*.py"),
}

_chosen: str | None = None


def _parse(value: str | None) -> str | None:
    """``"zh_CN.UTF-8"`` → ``"zh"``, ``"en-US"`` → ``"en"``; None for anything else
    (``"C"``, ``"POSIX"``, an empty value, a language fcnn does not speak)."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def _check(lang: str) -> str:
    code = _parse(lang) if isinstance(lang, str) else None
    if code is None:
        raise ValueError(
            f"language {lang!r} is not one fcnn speaks: choose one of {', '.join(LANGUAGES)}"
        )
    return code


def language_from_environment() -> str:
    """``FCNN_LANG`` if set (an unknown value is an error: it was set on purpose), else
    the first locale variable that names a language, else ``"en"``."""
    chosen = os.environ.get("FCNN_LANG")
    if chosen:
        try:
            return _check(chosen)
        except ValueError as error:
            raise ValueError(f"FCNN_LANG: {error}") from None
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            # the first one set decides, as in C's setlocale: LANG=zh_CN with LC_ALL=C is C
            return _parse(value) or "en"
    return "en"


def set_language(lang: str | None) -> None:
    """Speak ``lang`` (``"zh"`` or ``"en"``; a locale name like ``"zh_CN"`` works too)
    from now on; ``None`` goes back to what the environment says."""
    global _chosen
    _chosen = None if lang is None else _check(lang)


def get_language() -> str:
    """The language fcnn speaks now: ``"en"`` or ``"zh"``."""
    return _chosen if _chosen is not None else language_from_environment()


class using_language:
    """``with using_language("zh"): ...`` speaks Chinese inside the block only."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang

    def __enter__(self) -> str:
        global _chosen
        self._before = _chosen
        set_language(self.lang)
        return get_language()

    def __exit__(self, *exc: object) -> None:
        global _chosen
        _chosen = self._before


class keeping_language(using_language):
    """``with keeping_language(): ...``: whatever the block chooses (``set_language``),
    the language chosen before it is back afterwards. The ``fcnn`` command runs inside
    one, so ``--lang`` lasts for the invocation and its error messages, no longer."""

    def __init__(self) -> None:
        super().__init__(None)

    def __enter__(self) -> str:
        self._before = _chosen
        return ""


@cache
def _catalog(domain: str, lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    # fallback=False: a catalog missing from an installed fcnn is a packaging error,
    # not something to paper over with English
    return gettext.translation(domain, LOCALE_DIR, languages=[lang])


def translator(domain: str) -> Callable[[str], str]:
    """The ``_`` of one domain: English message in, the current language's out."""
    if domain not in DOMAINS:
        raise ValueError(f"no message domain {domain!r}: known are {', '.join(DOMAINS)}")

    def _(message: str) -> str:
        return _catalog(domain, get_language()).gettext(message)

    return _


def N_(message: str) -> str:
    """Marks ``message`` for the catalogs without translating it yet: for text fixed
    when a module is imported (a CLI option's help) and translated when it is shown."""
    return message


class Message:
    """A sentence of one catalog and its fields, said in the language current when it is
    *read*, not when it was made: an error raised in English and printed after
    ``set_language("zh")`` (or by ``fcnn --lang zh``) reads in Chinese.

    ``template`` is the English message, marked with ``N_(…)`` where it is written so that
    ``tools/catalogs.py`` finds it. A field may itself be a :class:`Message` (of any
    domain), said in the same language. Without fields the text is not formatted at all
    (a name the user gave may hold braces). Messages pickle, so an exception carrying one
    crosses process boundaries (sweep and Dask workers).
    """

    __slots__ = ("domain", "fields", "template")

    def __init__(self, domain: str, template: str, **fields: object) -> None:
        if domain not in DOMAINS:
            raise ValueError(f"no message domain {domain!r}: known are {', '.join(DOMAINS)}")
        self.domain = domain
        self.template = template
        self.fields = fields

    def __str__(self) -> str:
        text = _catalog(self.domain, get_language()).gettext(self.template)
        if not self.fields:
            return text
        return text.format(
            **{k: str(v) if isinstance(v, Message) else v for k, v in self.fields.items()}
        )

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            mine = (self.domain, self.template, self.fields)
            return mine == (other.domain, other.template, other.fields)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.domain, self.template))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class Listing:
    """Items said as a list in the language current when it is read: ``1, 2, 3`` in
    English, ``1、2、3`` in Chinese (whose lists take the enumeration comma). A field of a
    :class:`Message`, as in "layers {names}: ..."."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[object]) -> None:
        self.items = tuple(items)

    def __str__(self) -> str:
        separator = "、" if get_language() == "zh" else ", "
        return separator.join(str(item) for item in self.items)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Listing) and self.items == other.items

    def __hash__(self) -> int:
        return hash(self.items)

    def __repr__(self) -> str:
        return f"Listing({list(self.items)!r})"


def plural_translator(domain: str) -> Callable[[str, str, int], str]:
    """The ``ngettext`` of one domain (``"1 epoch"`` / ``"{n} epochs"``)."""
    if domain not in DOMAINS:
        raise ValueError(f"no message domain {domain!r}: known are {', '.join(DOMAINS)}")

    def ngettext(singular: str, plural: str, n: int) -> str:
        return _catalog(domain, get_language()).ngettext(singular, plural, n)

    return ngettext
