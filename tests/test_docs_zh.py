"""The Chinese pages: docs/zh/gallery.md shows the figures fcnn's gallery draws in
Chinese, and every link of the Chinese pages leads somewhere.

docs/zh/README.md's code runs in tests/test_docs.py (in Chinese); the figures themselves
are drawn without a missing glyph in tests/test_plot_zh.py. Here the gallery is drawn in
its quick mode (token-sized experiments, as tests/test_plot.py draws the English one), so
the test compares which figures and sections there are, not their pixels.
"""

from __future__ import annotations

import re
from pathlib import Path

from fcnn import plot
from fcnn.i18n import using_language

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "docs" / "zh"
PAGES = ["README.md", "gallery.md", "glossary.md"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CJK = re.compile(r"[\u4e00-\u9fff]")
_LINK = re.compile(r"\]\(([^)\s]+)\)")  # a Markdown link or image: ](target)


def images(page: str) -> list[str]:
    """The figures a gallery page shows, in page order."""
    return re.findall(r"!\[[^\]]*\]\(gallery/([^)]+)\)", page)


def headings(page: str) -> list[str]:
    return re.findall(r"(?m)^##? (.+)$", page)


def test_the_chinese_gallery_shows_every_committed_figure_and_only_those():
    page = (ZH / "gallery.md").read_text(encoding="utf-8")
    shown = images(page)
    committed = sorted(p.name for p in (ZH / "gallery").iterdir())
    assert sorted(shown) == committed
    for name in shown:
        assert (ZH / "gallery" / name).read_bytes().startswith(PNG_SIGNATURE), name
    assert all(CJK.search(heading) for heading in headings(page))


def test_the_chinese_gallery_is_what_the_generator_draws_in_chinese(tmp_path):
    with using_language("zh"):
        written = plot.make_gallery(tmp_path, quick=True, dpi=20)
    drawn = (tmp_path / "gallery.md").read_text(encoding="utf-8")
    committed = (ZH / "gallery.md").read_text(encoding="utf-8")
    assert images(drawn) == images(committed)
    assert [p.name for p in written[:-1]] == images(committed)
    assert headings(drawn) == headings(committed)  # the same sections, in Chinese


def test_every_link_of_the_chinese_pages_leads_somewhere():
    for name in PAGES:
        page = (ZH / name).read_text(encoding="utf-8")
        for target in _LINK.findall(page):
            if target.startswith(("http://", "https://", "#")):
                continue
            path = (ZH / target.split("#")[0]).resolve()
            assert path.exists(), f"docs/zh/{name} links {target}, which does not exist"
