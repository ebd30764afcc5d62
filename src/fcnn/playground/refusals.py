"""What the playground's server itself refuses (an HTTP error body, an ``error`` message on
a socket it will close), said in the language the page asks for.

A page speaks the language in its URL or the browser's (``static/js/i18n.js``); the server
learns it the same way: from ``?lang=`` on the request, else from the browser's
``Accept-Language``, else a session's own choice, else fcnn's language. Sessions'
messages are said in the session's language by :mod:`.connection`; these are the ones
said before there is a session, or where a session lives in a worker process.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from ..i18n import LANGUAGES, N_, translator, using_language

_ = translator("playground")

__all__ = ["REFUSALS", "language_of", "refusal"]

REFUSALS = {
    "no_page": N_("The playground's page (static/index.html) is missing."),
    "no_catalog": N_("no catalog {lang!r}: choose one of {choices}"),
    "classes": N_("classes must be an integer from {low} to {high}, got {text!r}."),
    "no_session": N_("no such session"),
    "too_big": N_("The file is larger than {kb} KB."),
    "length": N_("Content-Length is not a number."),
    "full": N_("The server has too many sessions open; try again later."),
    "idle": N_(
        "The session was closed after {seconds} s without a message; reload the page to "
        "start a new one."
    ),
    "binary": N_("Binary frames are not accepted; send JSON text."),
}


def language_of(query: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    """``?lang=`` if it names a language fcnn speaks, else the first such language of
    ``Accept-Language`` (``zh-CN,zh;q=0.9,en;q=0.8`` → ``"zh"``), else None."""
    asked = [query.get("lang") or ""]
    asked += [part.split(";")[0] for part in headers.get("accept-language", "").split(",")]
    for tag in asked:
        code = tag.strip().replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return None


def refusal(key: str, lang: str | None = None, **fields: Any) -> str:
    """The refusal ``key`` of :data:`REFUSALS` in ``lang`` (None: fcnn's language)."""
    with using_language(lang) if lang else nullcontext():
        text = _(REFUSALS[key])
        return text.format(**fields) if fields else text
