"""Fonts for figures in Chinese: find an installed CJK font, or fall back to English.

matplotlib's own font (DejaVu Sans) has no Chinese characters: a Chinese label drawn
with it is a row of boxes and a "Glyph ... missing" warning. When fcnn speaks Chinese
(:func:`fcnn.set_language`), every figure is drawn inside :func:`figure_language`, which
asks :func:`find_cjk_font` for a font that covers Chinese (Noto Sans CJK, Source Han
Sans, WenQuanYi, Microsoft YaHei, PingFang, SimHei, ...) and puts it behind DejaVu Sans:
letters, digits and symbols keep DejaVu's shapes (a CJK font draws ‖, ∂ and σ full-width,
and lacks ``₁``), Chinese characters and punctuation come from the CJK font (matplotlib
takes each glyph from the first font in the list that has it).
The font goes into ``rcParams`` only inside the block, so the user's own matplotlib
settings are never changed. With no such font installed, the figure is labelled in
English and fcnn says once, in one line, how to install one.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from functools import cache
from typing import Any

from ..i18n import get_language, translator, using_language

__all__ = ["CJK_FONTS", "MissingFontWarning", "cjk_style", "figure_language", "find_cjk_font"]

_ = translator("plot")

#: Fonts that cover Chinese, best first: Simplified Chinese faces before the
#: Traditional / Japanese / Korean faces of the same family (their Han glyphs differ in
#: details a Chinese reader notices), then the fonts Windows and macOS ship.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "SimHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "Arial Unicode MS",
)

# Files that probably hold one of them, for a matplotlib font cache built before the
# font was installed (matplotlib never rescans on its own).
_FILE_NAMES = re.compile(
    r"cjk|sourcehan|wqy|msyh|pingfang|simhei|stheit|heiti|hiragino|notosanssc|arialuni", re.I
)
SAMPLE = "反向传播梯度学习率"  # the font must really draw these (a name is not a promise)


class MissingFontWarning(UserWarning):
    """No installed font covers Chinese: figures are labelled in English."""


def _covers(name: str) -> bool:
    from matplotlib import font_manager

    try:
        path = font_manager.findfont(
            font_manager.FontProperties(family=name), fallback_to_default=False
        )
        charmap = font_manager.get_font(path).get_charmap()
    except (ValueError, OSError, RuntimeError):
        return False
    return all(ord(char) in charmap for char in SAMPLE)


def _installed_names() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


@cache
def find_cjk_font() -> str | None:
    """The name of an installed font that draws Chinese (the first of :data:`CJK_FONTS`
    that matplotlib finds and that has the glyphs), or None."""
    from matplotlib import font_manager

    for attempt in range(2):
        names = _installed_names()
        for name in CJK_FONTS:
            if name in names and _covers(name):
                return name
        if attempt == 0:
            # matplotlib's font list is cached on disk; a font installed after it was
            # written is unknown to it. Add the likely files from the system's font folders.
            for path in font_manager.findSystemFonts():
                if _FILE_NAMES.search(path):
                    with contextlib.suppress(Exception):  # an unreadable file: skip it
                        font_manager.fontManager.addfont(path)
    return None


def cjk_style(name: str) -> dict[str, Any]:
    """The rcParams that draw a figure's Chinese text with ``name``.

    The names are concrete, not "sans-serif": each text keeps them, so the figure still
    draws in Chinese where it is rendered outside fcnn's style (a notebook). The minus
    sign (U+2212) stays DejaVu's, like the digits beside it, whether or not ``name``
    has one, so ``axes.unicode_minus`` keeps fcnn's setting.
    """
    return {"font.family": ["DejaVu Sans", name]}


_warned = False


def _warn_once() -> None:
    global _warned
    if _warned:
        return
    _warned = True
    warnings.warn(
        _(
            "No font with Chinese characters found, so figures are labelled in English; "
            "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; elsewhere: "
            "https://github.com/notofonts/noto-cjk; Windows and macOS have one already)."
        ),
        MissingFontWarning,
        stacklevel=4,
    )


@contextlib.contextmanager
def figure_language() -> Iterator[str]:
    """Inside the block, figures are labelled in fcnn's language and drawn with a font
    that has its characters; yields the language the labels are in."""
    if get_language() != "zh":
        yield get_language()
        return
    name = find_cjk_font()
    if name is None:
        _warn_once()
        with using_language("en"):
            yield "en"
        return
    from matplotlib import rc_context

    with rc_context(cjk_style(name)):
        yield "zh"
