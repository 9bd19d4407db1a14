"""Rewrite citations of the unshipped reference notes into citations of nb1s's own docs.

The code used to cite "pitfall N", "reference §X" and "<file>.md §N": items of notes that
do not ship with the repository, so a reader could not follow them. The facts now live in
`docs/original-code.md` (one section per fact, stable anchors), `docs/nb101-data.md` and
`docs/search-spaces.md`. This script rewrites every known citation in place, from the
explicit table `CITATIONS` below, because many engineers edit these files in parallel: it is
rerun after their branches are merged, and it is idempotent.

    python tools/recite.py            # rewrite; print each change and each unknown citation
    python tools/recite.py --check    # change nothing; exit 1 if anything is left to do

Exit status: 0 when the tree holds no old-style citation afterwards, 1 when a citation is
not in the table (it is printed with file and line; add a row, or reword it by hand).

In Python files a line that a rewrite makes longer than `LINE_LENGTH` is wrapped at a space
with the same indentation and comment marker, and the rest of the paragraph is reflowed into
the following lines of the same comment or docstring, so ruff's line-length rule holds.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE_LENGTH = 100
#: where citations may stand (relative to the repository root); symlinks are not followed
SCAN = ("harness", "optimizers", "enumerate", "bench", "tests", "recipes", "docs", "tools",
        "docker", "nb1s", "Makefile", "pyproject.toml")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg", ""}
#: files that spell the old forms on purpose (this table and the test that forbids them)
EXEMPT = {"tools/recite.py", "tests/test_citations.py"}

#: an old-style citation: what must not remain anywhere in SCAN after the rewrite
OLD_CITATION = re.compile(
    r"\bpitfalls?\s+\d+"
    r"|\breference(?:-oneshot|-experiments)?\s+(?:§|\(§|sections?\s+\d|\d+\.\d)"
    r"|\b(?:experiments|oneshot)\s+reference\b"
    r"|\b(?:experiments|oneshot)-original-code\.md"
    r"|shared/reference"
    r"|\bnasbench101-format\.md"
    r"|\btable1\.md",
    re.IGNORECASE)

#: a citation of nb1s's docs as the code spells it: docs/FILE.md or docs/FILE.md#anchor
DOCS_CITATION = re.compile(r"\bdocs/([a-z0-9_-]+\.md)(?:#([a-z0-9_-]+))?")
#: a relative Markdown link between docs pages: (FILE.md#anchor)
DOCS_LINK = re.compile(r"\]\(([a-z0-9_-]+\.md)(?:#([a-z0-9_-]+))?\)")


def _ref(target: str) -> str:
    """A placeholder for a docs reference, rendered per file type by `render`."""
    return f"<<{target}>>"


F = "original-code.md#"
#: old citation text -> new text; `<<page#anchor>>` becomes `docs/page#anchor` in code and
#: `[anchor in words](page#anchor)` in docs pages. A space in the old text matches any run of
#: white space, including a line break and a continued `#` / `#:` comment marker. Longer
#: rows are tried first, so a specific row wins over a generic one.
CITATIONS: dict[str, str] = {
    # --- the one-shot notes: pitfalls -----------------------------------------------------
    "pitfall 1": _ref(F + "shared-architecture-weights"),
    "reference-oneshot pitfall 6": _ref(F + "bn-momentum"),
    "ignores the affine flag (pitfall 6)": "ignores the affine flag ("
                                           + _ref(F + "op-bn-affine") + ")",
    "pitfall 6": _ref(F + "bn-momentum"),
    "pitfall 7": _ref(F + "down-sampling-padding"),
    "pitfall 10": _ref(F + "search-data-split"),
    "pitfall 11": _ref(F + "search-split-augmentation"),
    "reference-oneshot pitfall 12": _ref(F + "cutout-ramp-inert"),
    "pitfall 12": _ref(F + "cutout-ramp-inert"),
    "pitfall 13": _ref(F + "lr-scheduler-timing"),
    "pitfall 14": _ref(F + "enas-per-batch-cosine"),
    "pitfall 15": _ref(F + "enas-overridden-arguments"),
    "*different* batches, pitfall 16": "*different* batches, " + _ref(F + "screening-selection"),
    "pitfall 16": _ref(F + "masked-sub-networks"),
    "pitfall 19": _ref(F + "pc-darts-partial-channels"),
    "pitfall 27": _ref(F + "discretization-ties"),
    "pitfall 28": _ref(F + "cell-output-added"),
    # --- the one-shot notes: sections -----------------------------------------------------
    "Reference section 2.1": _ref(F + "supernet-skeleton"),
    "reference sections 2-3": _ref(F + "supernet-skeleton"),
    "reference 2.2": _ref(F + "bn-momentum"),
    "reference section 3.3": _ref(F + "masked-sub-networks"),
    "reference-oneshot §3.3": _ref(F + "masked-sub-networks"),
    "reference sections 4.3, 6.5, 6.6": _ref(F + "screening-selection"),
    "reference section 5": _ref(F + "cifar-transform"),
    "DARTS-family: reference section 6.1": "DARTS-family: " + _ref(F + "search-loop"),
    "reference section 6.2": _ref(F + "darts-second-order"),
    "reference 6.5": _ref(F + "random-ws"),
    "conv1x1 (reference 6.6)": "conv1x1 (" + _ref(F + "enas-controller") + ")",
    "reference 6.6": _ref(F + "enas"),
    "reference section 6.6": _ref(F + "enas-controller"),
    "reference-oneshot §6.6": _ref(F + "enas-controller"),
    "reference-oneshot §7": _ref(F + "correlation-evaluation"),
    "oneshot reference §7": _ref(F + "correlation-evaluation"),
    # --- the experiment notes -------------------------------------------------------------
    "experiments-original-code.md §3.2": _ref(F + "snapshot-timing"),
    "experiments reference §3.1 and §18": _ref(F + "regret-constants") + " and "
                                          + _ref(F + "table-2"),
    "experiments reference §3.1, §18": _ref(F + "regret-constants") + ", " + _ref(F + "table-2"),
    "experiments reference §3.1": _ref(F + "regret-constants"),
    "see experiments reference §7": "see " + _ref(F + "table-1-counts"),
    "experiments reference §7": _ref(F + "figure-3"),
    "experiments reference §12": _ref(F + "figure-6"),
    "experiments reference §17": _ref(F + "figure-17"),
    "reference §3.5: the black-box x-axis": _ref(F + "black-box-trajectories")
                                            + ": the black-box x-axis",
    "280 x 108 epochs (§3.5)": "280 x 108 epochs (" + _ref(F + "black-box-trajectories") + ")",
    "reference §10.1": _ref(F + "black-box-encoding"),
    "reference §10.2": _ref(F + "black-box-optimizers"),
    "from the reference (§10.2)": "from " + _ref(F + "black-box-optimizers"),
    "the NAS-Bench-1Shot1 baseline (§10.2)": "the NAS-Bench-1Shot1 baseline ("
                                             + _ref(F + "black-box-optimizers") + ")",
    "reference §11.9": _ref(F + "unseeded-randomness"),
    "(`experiments-original-code.md` §3.5, §9, §10, §11.9)":
        "(" + _ref(F + "figure-5") + ", " + _ref(F + "black-box-optimizers") + ", "
        + _ref(F + "black-box-trajectories") + ", " + _ref(F + "unseeded-randomness") + ")",
    "reference §3.5 step 6": _ref(F + "black-box-trajectories"),
    "reference §3.5": _ref(F + "black-box-trajectories"),
    "experiments-original-code.md §3.5, §10": _ref(F + "black-box-trajectories") + ", "
                                              + _ref(F + "black-box-optimizers"),
    "`experiments-original-code.md` §9, §10, §18":
        _ref(F + "figure-5") + ", " + _ref(F + "black-box-optimizers") + ", "
        + _ref(F + "table-2"),
    "experiments-original-code.md §9.2": _ref(F + "figure-5"),
    "experiments-original-code.md §9.3": _ref(F + "figure-5"),
    "experiments-original-code.md §9.4": _ref(F + "figure-5"),
    "reference §9.2": _ref(F + "figure-5"),
    "reference §9.3": _ref(F + "figure-5"),
    # recipe headers: "# Facts: ..." name the section of their figure
    "shared/reference/experiments-original-code.md sections 4 and 6":
        _ref(F + "figure-2") + " and " + _ref(F + "search-loop"),
    "experiments-original-code.md §7, oneshot-original-code.md §7":
        _ref(F + "figure-3") + ", " + _ref(F + "correlation-evaluation"),
    "experiments-original-code.md §8": _ref(F + "figure-4"),
    "experiments-original-code.md §9 and §10": _ref(F + "figure-5") + " and "
                                               + _ref(F + "black-box-optimizers"),
    "experiments-original-code.md §12": _ref(F + "figure-6"),
    "experiments-original-code.md §13": _ref(F + "figure-7"),
    "experiments-original-code.md §14": _ref(F + "figure-8"),
    "experiments-original-code.md §15": _ref(F + "figures-9-11"),
    "experiments-original-code.md §16": _ref(F + "figure-16"),
    "experiments-original-code.md §17": _ref(F + "figure-17"),
    "experiments-original-code.md §18": _ref(F + "table-2"),
    "shared/reference/table1.md and experiments-original-code.md §5":
        _ref("search-spaces.md") + " and " + _ref(F + "table-1-counts"),
    "shared/reference/table1.md": _ref("search-spaces.md"),
    "/work/shared/reference/nasbench101-format.md":
        _ref("nb101-data.md#what-the-original-api-does-per-call"),
    # --- docs/paper-vs-code.md: the code column and its legend ----------------------------
    '"Reference" points into `shared/reference/oneshot-original-code.md`: §n is a section, '
    '"pitfall n" is an item of its §9.':
        "The code column links each fact to its section of "
        "[original-code.md](original-code.md).",
    "the `affine=False` that `MixedOp` passes (§2.2)":
        "the `affine=False` that `MixedOp` passes (" + _ref(F + "op-bn-affine") + ")",
    "`pytorch1.3` / `pytorch1_0_1` (§0)": "`pytorch1.3` / `pytorch1_0_1` ("
                                          + _ref(F + "torch-version") + ")",
    "(§2.1, pitfall 7)": "(" + _ref(F + "down-sampling-padding") + ")",
    "(§5, pitfall 10)": "(" + _ref(F + "search-data-split") + ")",
    "(pitfall 12, §6.3, §6.4)": "(" + _ref(F + "cutout-ramp-inert") + ")",
    "(§2.6, pitfall 28)": "(" + _ref(F + "cell-output-added") + ")",
    "(§3.3, pitfall 16)": "(" + _ref(F + "masked-sub-networks") + ")",
    "(§6.6, pitfall 14)": "(" + _ref(F + "enas-per-batch-cosine") + ")",
    "(§6.1, pitfall 13)": "(" + _ref(F + "lr-scheduler-timing") + ")",
}

_PLACEHOLDER = re.compile(r"<<([^<>]+)>>")
_GAP = r"(?:[ \t]*\n[ \t]*(?:#:?[ \t]*)?|[ \t]+)"


def _pattern(old: str) -> re.Pattern[str]:
    """`old` as a regex in which each space matches a gap (spaces or a line break)."""
    words = old.split(" ")
    tail = r"(?![\d.]*\d)" if old[-1].isdigit() else ""  # "pitfall 1" never eats "pitfall 12"
    return re.compile(_GAP.join(re.escape(w) for w in words) + tail)


_RULES = [(old, _pattern(old), new)
          for old, new in sorted(CITATIONS.items(), key=lambda item: -len(item[0]))]


def _label(target: str) -> str:
    """Link text of a docs reference: the anchor in words, or the page's file name."""
    page, _, anchor = target.partition("#")
    return anchor.replace("-", " ") if anchor else page


def render(new: str, path: str) -> str:
    """Placeholders as a repository path in code, as a relative link in docs pages."""
    if path.startswith("docs/") and path.endswith(".md"):
        return _PLACEHOLDER.sub(lambda m: f"[{_label(m.group(1))}]({m.group(1)})", new)
    return _PLACEHOLDER.sub(lambda m: f"docs/{m.group(1)}", new)


@dataclass(frozen=True)
class Change:
    path: str
    line: int
    old: str
    new: str


def _prefix(line: str) -> str:
    """Indentation plus comment marker of a Python line (the continuation prefix)."""
    match = re.match(r"[ \t]*(?:#:?[ \t]+)?", line)
    return match.group(0) if match else ""


def _wrap(lines: list[str], index: int) -> None:
    """Break lines[index] at the last space within LINE_LENGTH; reflow into the next line
    of the same comment or docstring paragraph when there is one."""
    while len(lines[index]) > LINE_LENGTH:
        line = lines[index]
        prefix = _prefix(line)
        cut = line.rfind(" ", len(prefix) + 1, LINE_LENGTH + 1)
        if cut < 0:
            return
        head, rest = line[:cut].rstrip(), line[cut + 1:].lstrip()
        lines[index] = head
        nxt = lines[index + 1] if index + 1 < len(lines) else None
        same_paragraph = (
            nxt is not None and _prefix(nxt) == prefix and nxt.strip()
            and not rest.rstrip().endswith('"""')
            and not nxt.strip().startswith(('"""', "-", "*", "|", "```"))
            and nxt[len(prefix):].strip() not in ("", "#", "#:"))
        if same_paragraph:
            assert nxt is not None
            lines[index + 1] = prefix + rest.rstrip() + " " + nxt[len(prefix):].lstrip()
        else:
            lines.insert(index + 1, prefix + rest)
        index += 1


def rewrite_text(text: str, path: str) -> tuple[str, list[Change]]:
    """`text` with every known citation rewritten, and what changed (1-based lines)."""
    changes: list[Change] = []
    for old, pattern, new in _RULES:
        out: list[str] = []
        pos = 0
        for match in pattern.finditer(text):
            replacement = render(new, path)
            out.append(text[pos:match.start()])
            out.append(replacement)
            line = text.count("\n", 0, match.start()) + 1
            changes.append(Change(path, line, old, replacement))
            pos = match.end()
        if out:
            out.append(text[pos:])
            text = "".join(out)
    if changes and path.endswith(".py"):
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            if len(lines[i]) > LINE_LENGTH and "docs/" in lines[i]:
                _wrap(lines, i)
            i += 1
        text = "\n".join(lines)
    return text, changes


def unknown_citations(text: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every old-style citation left in `text`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if OLD_CITATION.search(line):
            yield number, line.strip()


def files(root: Path = ROOT) -> Iterator[Path]:
    """Every text file under SCAN (no symlinks, no caches, no virtual environments)."""
    for name in SCAN:
        top = root / name
        if top.is_symlink():
            continue
        if top.is_file():
            yield top
            continue
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*")):
            rel = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if any(p.is_symlink() for p in [path, *path.parents] if root in p.parents):
                continue
            if path.is_file() and path.suffix in SUFFIXES:
                yield path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a rewrite or unknown citation is left")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    pending = unknown = 0
    for path in files(root):
        rel = path.relative_to(root).as_posix()
        if rel in EXEMPT:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new_text, changes = rewrite_text(text, rel)
        if changes and rel.endswith(".py"):
            try:
                compile(new_text, rel, "exec")
            except SyntaxError as exc:  # a wrapped line inside code: leave the file alone
                print(f"{rel}:{exc.lineno}: rewrite breaks the syntax; not written",
                      file=sys.stderr)
                unknown += 1
                continue
        for change in changes:
            verb = "would rewrite" if args.check else "rewrote"
            print(f"{rel}:{change.line}: {verb} {change.old!r} -> {change.new!r}")
        if changes:
            pending += len(changes)
            if not args.check:
                path.write_text(new_text, encoding="utf-8")
        for number, line in unknown_citations(new_text):
            unknown += 1
            print(f"{rel}:{number}: unknown citation: {line}", file=sys.stderr)
    print(f"{pending} citation(s) {'to rewrite' if args.check else 'rewritten'}, "
          f"{unknown} unknown")
    if unknown or (args.check and pending):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
