"""Extract, update and compile fcnn's message catalogs with Babel.

    python tools/catalogs.py           # every domain: extract, update the .po, compile the .mo
    python tools/catalogs.py --check   # say what is out of date and exit 1 (what the tests check)

Extraction reads the files :data:`fcnn.i18n.DOMAINS` names (``_``, ``N_``, ``ngettext``
calls in Python; the same in the playground's JavaScript; in its HTML, the text of an
element marked ``data-i18n`` and the attributes ``data-i18n-attr`` names). Updating keeps
every existing translation, adds new messages untranslated and drops the ones the code no
longer has; there is no fuzzy matching, so a changed English message always waits for a
translator.
Compiling writes the ``.mo`` files gettext reads at run time.
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fcnn.i18n import DOMAINS, LANGUAGES, LOCALE_DIR  # noqa: E402

PACKAGE = ROOT / "src" / "fcnn"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


class _Marked(HTMLParser):
    """Collects (line, English) for each data-i18n element's text (whitespace collapsed,
    as static/js/i18n.js reads it) and each attribute its data-i18n-attr names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.open: list[tuple[str, int, list[str]]] = []  # tag, line, text so far

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        line = self.getpos()[0]
        for name in (values.get("data-i18n-attr") or "").split(","):
            if name.strip() and values.get(name.strip()):
                self.found.append((line, values[name.strip()]))
        if "data-i18n" in values:
            self.open.append((tag, line, []))

    def handle_data(self, data: str) -> None:
        for _tag, _line, text in self.open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            _tag, line, text = self.open.pop()
            self.found.append((line, " ".join("".join(text).split())))


def extract_html(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extraction method for the playground's index.html (data-i18n marks)."""
    parser = _Marked()
    parser.feed(fileobj.read().decode("utf-8"))
    for line, message in parser.found:
        if message:
            yield line, "_", message, []


METHODS = {".py": "python", ".js": "javascript", ".html": extract_html}
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# fixed header dates: a catalog's file changes only when its messages do
STARTED = datetime.datetime(2026, 12, 5, tzinfo=datetime.timezone.utc)
HEADER = """\
# fcnn's messages in {lang}, domain {domain}.
# Edit the msgstr lines; python tools/catalogs.py keeps the msgids current and compiles."""
FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)")


def sources(domain: str) -> list[Path]:
    files = sorted({path for pattern in DOMAINS[domain] for path in PACKAGE.glob(pattern)})
    return [path for path in files if path.suffix in METHODS]


def template(domain: str) -> Catalog:
    """Every message the domain's source files mark, with where it was found."""
    catalog = Catalog(
        domain=domain, project="fcnn", version="0", creation_date=STARTED, charset="utf-8"
    )
    for path in sources(domain):
        method = METHODS[path.suffix]
        for line, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, comment_tags=("i18n:",)
        ):
            where = (str(path.relative_to(PACKAGE)), line)
            catalog.add(message, locations=[where], auto_comments=comments, context=context)
    return catalog


def po_path(domain: str, lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read(path: Path, lang: str) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=lang)


def updated(domain: str, lang: str) -> Catalog:
    """The domain's catalog for ``lang`` after taking in the current template."""
    path = po_path(domain, lang)
    catalog = read(path, lang) if path.exists() else Catalog(locale=lang, domain=domain)
    catalog.update(template(domain), no_fuzzy_matching=True)
    catalog.obsolete.clear()  # the code no longer says it: nothing to keep
    catalog.header_comment = HEADER.format(lang=lang, domain=domain)
    catalog.project, catalog.version = "fcnn", "0"
    catalog.revision_date = STARTED
    catalog.last_translator = catalog.language_team = "fcnn's authors"
    catalog.msgid_bugs_address = "the fcnn issue tracker"
    catalog.fuzzy = False
    return catalog


def po_text(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    # no line numbers: they would change the file on every edit of the code around them
    write_po(buffer, catalog, width=100, include_lineno=False, omit_header=False)
    return buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def hashable(value: str | list | tuple) -> str | tuple:
    """A plural message's id and strings come as lists from a .mo, tuples from a .po."""
    return value if isinstance(value, str) else tuple(value)


def fields(text: str) -> set[str]:
    return set(FIELD.findall(text))


def problems(domain: str, lang: str) -> list[str]:
    """What keeps the catalog from being complete and current, one line each."""
    path = po_path(domain, lang)
    if not path.exists():
        return [f"{path.relative_to(ROOT)}: missing (run python tools/catalogs.py)"]
    catalog = read(path, lang)
    found = []
    wanted = {message.id for message in template(domain) if message.id}
    have = {message.id for message in catalog if message.id}
    where = path.relative_to(ROOT)
    for message_id in sorted(wanted - have, key=str):
        found.append(f"{where}: no entry for {message_id!r} (run python tools/catalogs.py)")
    for message_id in sorted(have - wanted, key=str):
        found.append(f"{where}: stale entry {message_id!r}, the code no longer says it")
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy:
            found.append(f"{where}: fuzzy entry {ids[0]!r}")
        if not all(strings):
            found.append(f"{where}: untranslated {ids[0]!r}")
            continue
        for text in strings:
            if fields(text) != fields(ids[0]):
                found.append(
                    f"{where}: {ids[0]!r} has fields {sorted(fields(ids[0]))}, "
                    f"its translation {sorted(fields(text))}"
                )
    mo = path.with_suffix(".mo")
    if not mo.exists():
        found.append(f"{mo.relative_to(ROOT)}: missing (run python tools/catalogs.py)")
    else:
        with open(mo, "rb") as handle:
            compiled = {hashable(m.id): hashable(m.string) for m in read_mo(handle) if m.id}
        current = {
            hashable(m.id): hashable(m.string)
            for m in catalog
            if m.id and m.string and not m.fuzzy
        }
        if compiled != current:
            found.append(f"{mo.relative_to(ROOT)}: older than its .po (run tools/catalogs.py)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say what is out of date")
    args = parser.parse_args(argv)
    if args.check:
        found = [line for d in DOMAINS for lang in TRANSLATED for line in problems(d, lang)]
        print("\n".join(found) or "every catalog is complete and current")
        return 1 if found else 0
    for domain in DOMAINS:
        for lang in TRANSLATED:
            catalog = updated(domain, lang)
            path = po_path(domain, lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(po_text(catalog))
            path.with_suffix(".mo").write_bytes(mo_bytes(catalog))
            missing = sum(1 for m in catalog if m.id and not m.string)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
