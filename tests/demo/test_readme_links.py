"""The README and the docs work from a clone: every relative link points at a file or
folder of the repository (nothing outside it, such as ../shared), and every `docs/…` path
they quote exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
QUOTED_PATH = re.compile(r"`((?:\.\./|docs/)[^`\s]*)`")


def _relative_links(text: str) -> list[str]:
    return [
        target for target in LINK.findall(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, flags=re.I)  # http:, mailto:...
        and not target.startswith("#")
    ]  # fmt: skip


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_the_pages_have_links_to_check():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert any(link.startswith("docs/") for link in _relative_links(readme))


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_relative_links_point_inside_the_repository_at_something_that_exists(page):
    broken = []
    for target in _relative_links(page.read_text(encoding="utf-8")):
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    assert broken == [], f"{_name(page)}: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_quoted_docs_paths_exist_and_none_leaves_the_repository(page):
    broken = []
    for quoted in QUOTED_PATH.findall(page.read_text(encoding="utf-8")):
        path = (ROOT / quoted).resolve()
        if quoted.startswith("../") or not path.exists():
            broken.append(quoted)
    assert broken == [], f"{_name(page)}: {broken}"
