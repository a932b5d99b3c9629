"""The README and docs/ as a newcomer reads them: a short README, links that lead somewhere, and every API call they
show being a section of docs/walkthrough.sh, the script `make demo` (and so `make test`) runs."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SCRIPT = ROOT / "docs" / "walkthrough.sh"
README_LIMIT = 12 * 1024

_SECTION = re.compile(r"(?ms)^# --- walkthrough: ([a-z-]+)\n(.*?)^# --- end\n")
_MARKED_BLOCK = re.compile(r"(?ms)^<!-- walkthrough: ([a-z-]+) -->\n```sh\n(.*?)^```\n")
_SH_BLOCK = re.compile(r"(?ms)^```sh\n(.*?)^```\n")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _sections() -> dict[str, str]:
    return dict(_SECTION.findall(SCRIPT.read_text()))


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"(?m)^#+ (.+)$", re.sub(r"(?ms)^```.*?^```\n", "", page.read_text()))
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_the_readme_is_at_most_12_kb():
    assert len((ROOT / "README.md").read_bytes()) <= README_LIMIT


def test_every_relative_link_of_the_readme_and_docs_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        for target in _LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in _anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_every_walkthrough_block_of_the_docs_is_its_section_of_the_script_verbatim():
    sections = _sections()
    shown = [(page, name, block) for page in PAGES for name, block in _MARKED_BLOCK.findall(page.read_text())]

    assert shown
    for page, name, block in shown:
        assert block == sections.get(name), f"{page.relative_to(ROOT)}: the {name!r} block differs from the script"


def test_every_section_of_the_script_is_shown_once_in_the_docs():
    shown = [name for page in PAGES for name, _ in _MARKED_BLOCK.findall(page.read_text())]

    assert sorted(shown) == sorted(_sections())


def test_no_page_shows_an_api_call_outside_the_walkthrough():
    unmarked = [f"{page.relative_to(ROOT)}: {block.splitlines()[0]}" for page in PAGES
                for block in _SH_BLOCK.findall(_MARKED_BLOCK.sub("", page.read_text()))
                if re.search(r"\bcurl\b|^\S*call \d{3} ", block, re.M)]
    assert unmarked == []
