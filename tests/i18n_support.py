"""What the tests of translated errors share: an error raised and read in one language,
and the check that its Chinese keeps the English's numbers and names."""

from __future__ import annotations

import re

import pytest

from fcnn.i18n import using_language

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
HAN = re.compile(r"[\u4e00-\u9fff]")


def said(lang: str, action, tmp_path) -> str:
    """The error ``action`` raises, raised and read in ``lang``."""
    with using_language(lang):
        with pytest.raises(Exception) as info:  # each case raises its own type
            action(tmp_path)
        return str(info.value)


def check_both_languages(action, words: str, tmp_path) -> None:
    """``action``'s error holds ``words`` in Chinese, no Chinese in English, and the same
    numbers and identifiers (argument names, class names, file names) in both."""
    english = said("en", action, tmp_path)
    chinese = said("zh", action, tmp_path)
    assert not HAN.search(english), english
    assert words in chinese, (chinese, english)
    assert sorted(NUMBER.findall(chinese)) == sorted(NUMBER.findall(english)), (chinese, english)
    assert set(NAME.findall(chinese)) <= set(NAME.findall(english)), (chinese, english)
