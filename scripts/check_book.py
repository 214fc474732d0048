"""Check the rendered book for what a reader must never see.

Run after ``jupyter-book build`` (``make book`` does it). Fails (exit 1) when any page:

- shows an error, a traceback, a stderr stream or a warning in a cell output;
- has an unresolved ``{glue:...}`` reference or shows a numpy scalar repr (``np.float64(...)``);
- loads a script from the network (math must render offline);
- uses math without the vendored MathJax being present;
- is a chapter without a rendered plot, or references an image file that is missing;
- is a chapter without an ``.ipynb`` download next to it;
- and the book fails when an entry of ``references.bib`` is cited nowhere (every entry
  must be cited) or a citation names a key that is not in ``references.bib``.

Readability checks (a list of findings; they fail the build only with
``--strict-readability``):

- a visible ``glue(`` call in a code cell (bookkeeping belongs in ``remove-cell`` cells);
- a table cell in an output with a non-integer number of more than four significant
  digits (use ``mlkit.display.format_table``);
- ``<NA>``, ``NaN``, ``nan`` or ``None`` shown in an output table or printed output.

It also checks the sources (``intro.md``, ``chapters/*.md``): a "chapter N" (or
"chapters N and M", "chapters N–M") must name a chapter whose file
``chapters/NN_*.md`` exists, so that no page points the reader at a chapter that is not
there.

Usage: ``python scripts/check_book.py [_build/html] [--strict-readability]``, or
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


CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
BIB_KEY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
NUMBER = re.compile(
    r"(?<![\w.])[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])"
)
MISSING_SHOWN = re.compile(r"<NA>|\bNaN\b|\bnan\b|\bNaT\b")
MISSING_IN_CELL = re.compile(r"^None$|<NA>|\bNaN\b|\bnan\b|\bNaT\b")


def significant_digits(number: str) -> int:
    """Significant digits of a non-integer number as printed (0 for integers)."""
    mantissa = re.split(r"[eE]", number.replace(",", "").lstrip("-−+"))[0]
    if "." not in mantissa:
        return 0  # counts and other integers are exact
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits)


class PageScan(HTMLParser):
    """Collect scripts, images, output blocks and their text from one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.bad_blocks: list[str] = []
        self.output_text: list[str] = []
        self.input_text: list[str] = []  # code a reader sees (cell inputs)
        self.table_cells: list[str] = []  # <td>/<th> text inside outputs
        self._depth_in_output = 0
        self._depth_in_input = 0
        self._cell: list[str] | None = None
        self._stack: list[tuple[bool, bool]] = []

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
        is_input = "cell_input" in classes
        if any(c in BAD_OUTPUT_CLASSES for c in classes) and (self._depth_in_output or is_output):
            self.bad_blocks.append(" ".join(classes))
        self._stack.append((is_output, is_input))
        if is_output:
            self._depth_in_output += 1
        if is_input:
            self._depth_in_input += 1
        if tag in {"td", "th"} and self._depth_in_output:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "img", "meta", "link", "input", "hr"} or not self._stack:
            return
        if tag in {"td", "th"} and self._cell is not None:
            self.table_cells.append("".join(self._cell).strip())
            self._cell = None
        is_output, is_input = self._stack.pop()
        if is_output:
            self._depth_in_output -= 1
        if is_input:
            self._depth_in_input -= 1

    def handle_data(self, data: str) -> None:
        if self._depth_in_output:
            self.output_text.append(data)
        if self._depth_in_input:
            self.input_text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def readability_findings(scan: PageScan, rel: Path) -> list[str]:
    """What a reader should not see, though the page works: plumbing and raw numbers."""
    findings: list[str] = []
    code = "".join(scan.input_text)
    glue_calls = len(re.findall(r"\bglue\(", code))
    if glue_calls:
        findings.append(f"{rel}: {glue_calls} visible glue( call(s) in code cells")
    long = [
        c for c in scan.table_cells if any(significant_digits(n) > 4 for n in NUMBER.findall(c))
    ]
    missing = [c for c in scan.table_cells if MISSING_IN_CELL.search(c)]
    for what, cells in (
        ("table cell(s) with more than four significant digits", long),
        ("table cell(s) showing a missing value", missing),
    ):
        if cells:
            examples = ", ".join(repr(c) for c in list(dict.fromkeys(cells))[:3])
            findings.append(f"{rel}: {len(cells)} {what}, e.g. {examples}")
    outside_tables = "".join(scan.output_text)
    for cell in scan.table_cells:
        outside_tables = outside_tables.replace(cell, " ", 1)
    shown = [
        outside_tables[max(0, m.start() - 30) : m.end() + 30]
        for m in MISSING_SHOWN.finditer(outside_tables)
    ]
    if shown:
        findings.append(
            f"{rel}: {len(shown)} missing value(s) in printed output, e.g. {shown[0]!r}"
        )
    return findings


def check_citations(book: Path) -> list[str]:
    """Every references.bib entry is cited somewhere, and every citation resolves."""
    bib = book / "references.bib"
    if not bib.is_file():
        return []
    keys = set(BIB_KEY.findall(bib.read_text(encoding="utf-8")))
    cited: set[str] = set()
    sources = [p for p in book.glob("*.md") if p.name not in {"README.md", "CONTRIBUTING.md"}]
    sources += sorted((book / "chapters").glob("*.md"))
    for source in sources:
        for group in CITE_ROLE.findall(source.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(",") if k.strip())
    problems = [
        f"references.bib: entry '{k}' is cited nowhere (cite it or remove it)"
        for k in sorted(keys - cited)
    ]
    problems += [f"citation of unknown key '{k}'" for k in sorted(cited - keys)]
    return problems


def check_page(
    page: Path, root: Path, *, is_chapter: bool, findings: list[str] | None = None
) -> list[str]:
    html = page.read_text(encoding="utf-8")
    scan = PageScan()
    scan.feed(html)
    rel = page.relative_to(root)
    if findings is not None:
        findings += readability_findings(scan, rel)
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
    if is_chapter and not page.name.startswith("appendix_"):
        # an appendix (servers, operations) may have no data to plot; chapters must
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
    if "--sources" in argv:
        dangling = dangling_chapter_refs(source_root)
        for problem in dangling:
            print(f"  - {problem}")
        print(f"check_book: {len(dangling)} dangling chapter reference(s)")
        return 1 if dangling else 0
    strict = "--strict-readability" in argv
    args = [a for a in argv[1:] if not a.startswith("--")]
    root = Path(args[0] if args else "_build/html").resolve()
    if not (root / "intro.html").is_file():
        print(f"check_book: no built book in {root}; run `make book` first")
        return 1
    chapters = sorted((root / "chapters").glob("*.html"))
    back_matter = [
        root / f"{name}.html"
        for name in ("glossary", "execution_times", "bibliography")
        if (root / f"{name}.html").is_file()
    ]
    pages = [root / "intro.html", *chapters, *back_matter]
    problems: list[str] = []
    findings: list[str] = []
    for page in pages:
        problems += check_page(page, root, is_chapter=page in chapters, findings=findings)
    book = root.parent.parent
    if (book / "_config.yml").is_file():
        problems += check_citations(book)
    problems += dangling_chapter_refs(source_root)
    mathjax = list((root / "_static").rglob("tex-*.js"))
    if not mathjax:
        problems.append("_static: no vendored MathJax (tex-*.js) in the build")
    if findings:
        label = "problems" if strict else "warnings (not yet enforced; --strict-readability)"
        print(f"check_book: readability {label}:")
        print("\n".join(f"  - {f}" for f in findings))
        if strict:
            problems += findings
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
