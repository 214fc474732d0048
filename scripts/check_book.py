"""Check the rendered book for what a reader must never see.

Run after ``jupyter-book build`` (``make book`` does it). Fails (exit 1) when any page:

- shows an error, a traceback, a stderr stream or a warning in a cell output;
- has an unresolved ``{glue:...}`` reference or shows a numpy scalar repr (``np.float64(...)``);
- loads a script from the network (math must render offline);
- uses math without the vendored MathJax being present;
- is a chapter without a rendered plot, or references an image file that is missing;
- is a chapter without an ``.ipynb`` download next to it.

It also checks the sources (``intro.md``, ``chapters/*.md``): a "chapter N" (or
"chapters N and M", "chapters N–M") must name a chapter whose file
``chapters/NN_*.md`` exists, so that no page points the reader at a chapter that is not
there.

Usage: ``python scripts/check_book.py [_build/html]``, or
``python scripts/check_book.py --sources`` to check only the chapter references.
"""

from __future__ import annotations

import itertools
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

OUTPUT_CLASSES = ("cell_output", "output")
BAD_OUTPUT_CLASSES = ("traceback", "stderr", "error")
WARNING_PATTERN = re.compile(r"\b\w*(Warning|Error|Traceback)\b[:(]")


class PageScan(HTMLParser):
    """Collect scripts, images, output blocks and their text from one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.bad_blocks: list[str] = []
        self.output_text: list[str] = []
        self._depth_in_output = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        classes = (attr.get("class") or "").split()
        if tag == "script" and attr.get("src"):
            self.scripts.append(attr["src"] or "")
        if tag == "img" and attr.get("src"):
            self.images.append(attr["src"] or "")
        if tag == "a" and attr.get("href"):
            self.links.append(attr["href"] or "")
        if tag in {"br", "img", "meta", "link", "input", "hr"}:
            return
        is_output = any(c in OUTPUT_CLASSES for c in classes)
        if any(c in BAD_OUTPUT_CLASSES for c in classes) and (self._depth_in_output or is_output):
            self.bad_blocks.append(" ".join(classes))
        self._stack.append(is_output)
        if is_output:
            self._depth_in_output += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "img", "meta", "link", "input", "hr"} or not self._stack:
            return
        if self._stack.pop():
            self._depth_in_output -= 1

    def handle_data(self, data: str) -> None:
        if self._depth_in_output:
            self.output_text.append(data)


def check_page(page: Path, root: Path, *, is_chapter: bool) -> list[str]:
    html = page.read_text(encoding="utf-8")
    scan = PageScan()
    scan.feed(html)
    rel = page.relative_to(root)
    problems = [f"{rel}: output block of class '{b}'" for b in scan.bad_blocks]
    text = "".join(scan.output_text)
    for match in WARNING_PATTERN.finditer(text):
        start = max(0, match.start() - 60)
        problems.append(
            f"{rel}: warning or error text in an output: ...{text[start : match.end() + 60]!r}"
        )
    if "{glue:" in html or "{glue}" in html:
        problems.append(f"{rel}: unresolved glue reference")
    for leaked_repr in re.findall(r"np\.(?:float|int|bool|str)_?\d*\(", html):
        problems.append(f"{rel}: numpy scalar repr shown to the reader: {leaked_repr}...")
        break
    for src in scan.scripts:
        if src.startswith(("http://", "https://", "//")):
            problems.append(f"{rel}: script loaded from the network: {src}")
    has_math = 'class="math' in html
    if has_math and not any("mathjax" in s.lower() for s in scan.scripts):
        problems.append(f"{rel}: page has math but loads no (local) MathJax")
    for src in scan.images:
        if src.startswith("data:"):
            continue
        if src.startswith(("http://", "https://", "//")):
            problems.append(f"{rel}: image loaded from the network: {src}")
        elif not (page.parent / src.split("#")[0]).resolve().is_file():
            problems.append(f"{rel}: missing image {src}")
    if is_chapter:
        plots = [s for s in scan.images if "_images/" in s or s.startswith("data:image")]
        if not plots:
            problems.append(f"{rel}: chapter has no rendered plot")
        notebooks = [h for h in scan.links if h.endswith(".ipynb")]
        if not notebooks:
            problems.append(f"{rel}: no .ipynb download link")
        for href in notebooks:
            if not (page.parent / href).resolve().is_file():
                problems.append(f"{rel}: .ipynb download target missing: {href}")
    return problems


CHAPTER_REF = re.compile(
    r"\b[Cc]hapters?\s+(\d+(?:\s*(?:,|and|or|to|–|-)\s*\d+)*)",
)


def chapter_numbers(source_root: Path) -> set[int]:
    """Numbers of the chapters that exist: ``chapters/NN_topic.md`` gives NN."""
    found = set()
    for path in (source_root / "chapters").glob("*.md"):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.add(int(match.group(1)))
    return found


def referenced_chapters(text: str) -> list[tuple[int, str]]:
    """Every chapter number a text refers to, with the phrase that names it.

    Ranges ("chapters 1–5", "chapters 1 to 3") count every chapter in between.
    """
    refs = []
    for match in CHAPTER_REF.finditer(text):
        phrase = match.group(0)
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        separators = re.findall(r"\d+\s*(,|and|or|to|–|-)\s*(?=\d)", match.group(1))
        expanded = set(numbers)
        for (low, high), sep in zip(itertools.pairwise(numbers), separators, strict=False):
            if sep in ("to", "–", "-") and low < high:
                expanded.update(range(low, high + 1))
        refs.extend((n, phrase) for n in sorted(expanded))
    return refs


def dangling_chapter_refs(source_root: Path) -> list[str]:
    """Problems: references in ``intro.md`` and ``chapters/*.md`` to missing chapters."""
    existing = chapter_numbers(source_root)
    problems = []
    pages = [source_root / "intro.md", *sorted((source_root / "chapters").glob("*.md"))]
    for page in pages:
        if not page.is_file():
            continue
        for lineno, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            for number, phrase in referenced_chapters(line):
                if number not in existing:
                    problems.append(
                        f"{page.relative_to(source_root)}:{lineno}: '{phrase}' refers to "
                        f"chapter {number}, which has no file chapters/{number:02d}_*.md"
                    )
    return problems


def main(argv: list[str]) -> int:
    source_root = Path(__file__).resolve().parents[1]
    if len(argv) > 1 and argv[1] == "--sources":
        dangling = dangling_chapter_refs(source_root)
        for problem in dangling:
            print(f"  - {problem}")
        print(f"check_book: {len(dangling)} dangling chapter reference(s)")
        return 1 if dangling else 0
    root = Path(argv[1] if len(argv) > 1 else "_build/html").resolve()
    if not (root / "intro.html").is_file():
        print(f"check_book: no built book in {root}; run `make book` first")
        return 1
    chapters = sorted((root / "chapters").glob("*.html"))
    pages = [root / "intro.html", *chapters]
    problems: list[str] = []
    for page in pages:
        problems += check_page(page, root, is_chapter=page in chapters)
    problems += dangling_chapter_refs(source_root)
    mathjax = list((root / "_static").rglob("tex-*.js"))
    if not mathjax:
        problems.append("_static: no vendored MathJax (tex-*.js) in the build")
    if problems:
        print("check_book: the rendered book has problems:")
        print("\n".join(f"  - {p}" for p in problems))
        return 1
    print(
        f"check_book: {len(pages)} pages OK (no errors, warnings or stderr in outputs; math offline)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
