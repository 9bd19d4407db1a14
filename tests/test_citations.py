"""Citations point at docs that ship: no "pitfall N" or unshipped-note citation is left, and
every `docs/FILE.md#anchor` (in code) or `FILE.md#anchor` link (in docs) names a heading.

`tools/recite.py` rewrites the old citations from an explicit table; these tests hold the
tree to the result and show that the script and the checks can fail.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _recite() -> ModuleType:
    spec = importlib.util.spec_from_file_location("recite", ROOT / "tools" / "recite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["recite"] = module
    spec.loader.exec_module(module)
    return module


recite = _recite()


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # no headings inside code blocks
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+)$", text, re.MULTILINE)}


def _texts() -> list[tuple[str, str]]:
    out = []
    for path in recite.files(ROOT):
        rel = path.relative_to(ROOT).as_posix()
        if rel in recite.EXEMPT:
            continue
        try:
            out.append((rel, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def dangling(texts: list[tuple[str, str]]) -> list[str]:
    """Every docs citation or docs link whose page or heading does not exist."""
    known: dict[str, set[str]] = {}
    bad = []
    for rel, text in texts:
        found = [(m.group(1), m.group(2)) for m in recite.DOCS_CITATION.finditer(text)]
        if rel.startswith("docs/"):
            found += [(m.group(1), m.group(2)) for m in recite.DOCS_LINK.finditer(text)]
        for page, anchor in found:
            path = DOCS / page
            if not path.is_file():
                bad.append(f"{rel}: docs/{page} does not exist")
                continue
            if anchor is None:
                continue
            if page not in known:
                known[page] = anchors(path)
            if anchor not in known[page]:
                bad.append(f"{rel}: docs/{page}#{anchor} is no heading")
    return bad


def test_no_old_style_citation_is_left() -> None:
    left = [f"{rel}:{n}: {line}" for rel, text in _texts()
            for n, line in recite.unknown_citations(text)]
    assert not left, "\n".join(left)


def test_every_cited_docs_anchor_is_a_heading() -> None:
    bad = dangling(_texts())
    assert not bad, "\n".join(bad)


def test_a_dangling_anchor_is_caught() -> None:
    assert dangling([("x.py", "see docs/original-code.md#no-such-fact")])
    assert dangling([("x.py", "see docs/no-such-page.md")])
    assert dangling([("docs/x.md", "see [it](original-code.md#no-such-fact)")])
    assert not dangling([("x.py", "see docs/original-code.md#bn-momentum")])


def test_every_table_target_exists() -> None:
    """Each new reference of the rewrite table names an existing page and heading."""
    for new in recite.CITATIONS.values():
        assert not dangling([("x.py", recite.render(new, "x.py"))]), new
        assert not dangling([("docs/x.md", recite.render(new, "docs/x.md"))]), new


@pytest.mark.parametrize(("old", "path", "expected"), [
    ("as the original does (pitfall 7).", "optimizers/x.py",
     "as the original does (docs/original-code.md#down-sampling-padding)."),
    ("stays 17 (pitfall 12) and 13 (pitfall 1).", "recipes/x.yaml",
     "stays 17 (docs/original-code.md#cutout-ramp-inert) and 13 "
     "(docs/original-code.md#shared-architecture-weights)."),
    ("the split (pitfall 10).", "docs/x.md",
     "the split ([search data split](original-code.md#search-data-split))."),
    ("# drawn (experiments reference\n# §17): ok", "harness/x.py",
     "# drawn (docs/original-code.md#figure-17): ok"),
])
def test_rewrite_and_idempotence(old: str, path: str, expected: str) -> None:
    new, changes = recite.rewrite_text(old, path)
    assert new == expected and changes
    again, more = recite.rewrite_text(new, path)
    assert again == new and not more


def test_unknown_citation_fails_the_script(tmp_path: Path) -> None:
    (tmp_path / "optimizers").mkdir()
    module = tmp_path / "optimizers" / "m.py"
    module.write_text('"""Uses pitfall 99 and reference §42."""\n', encoding="utf-8")
    assert recite.main(["--root", str(tmp_path)]) == 1
    known = tmp_path / "optimizers" / "m.py"
    known.write_text('"""Pads by one (pitfall 7)."""\n', encoding="utf-8")
    assert recite.main(["--root", str(tmp_path), "--check"]) == 1  # a rewrite is pending
    assert recite.main(["--root", str(tmp_path)]) == 0
    assert "docs/original-code.md#down-sampling-padding" in known.read_text(encoding="utf-8")
    assert recite.main(["--root", str(tmp_path), "--check"]) == 0  # idempotent


def test_long_lines_are_rewrapped() -> None:
    text = ("    #: the running statistics follow the original's decay value which was passed "
            "as\n    #: momentum (pitfall 6), so eval-mode numbers inherit it from the last "
            "batch\n    x = 1\n")
    new, _ = recite.rewrite_text(text, "optimizers/x.py")
    lines = new.splitlines()
    assert all(len(line) <= recite.LINE_LENGTH for line in lines)
    assert all(line.startswith("    #: ") for line in lines[:-1]) and lines[-1] == "    x = 1"
    words = " ".join(line.removeprefix("    #: ") for line in lines[:-1]).split()
    assert "(docs/original-code.md#bn-momentum)," in words
