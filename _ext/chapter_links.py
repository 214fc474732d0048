"""Every "chapter N" in the prose becomes a link to chapter N.

Authors write "as chapter 4 showed" in plain MyST; this transform turns each such
mention (also "Chapter 4", and the first number of "chapters 3 and 4") into a
cross-reference to the document ``chapters/NN_*.md``, resolved by Sphinx like a
``{doc}`` role, so the link follows the book when pages move. Text inside code, math,
cell outputs, citations, existing links and titles is left alone. A mention of a chapter
that does not exist is not linked here; ``scripts/check_book.py`` fails on it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

CHAPTER_MENTION = re.compile(r"\b([Cc]hapters?)\s+(\d+)\b")

#: Nodes whose text is never rewritten.
SKIPPED = (
    nodes.literal,
    nodes.literal_block,
    nodes.reference,
    nodes.raw,
    nodes.math,
    nodes.math_block,
    nodes.citation,
    nodes.title,
    nodes.FixedTextElement,
    addnodes.pending_xref,
)
SKIPPED_CLASSES = {"cell_output", "output", "cell_input"}


def chapter_documents(srcdir: Path) -> dict[int, str]:
    """Chapter number to docname: ``chapters/04_group_leakage.md`` gives ``4``."""
    found: dict[int, str] = {}
    for path in sorted((srcdir / "chapters").glob("*.md")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found[int(match.group(1))] = f"chapters/{path.stem}"
    return found


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIPPED):
            return True
        if SKIPPED_CLASSES.intersection(parent.get("classes", [])):
            return True
        parent = parent.parent
    return False


class LinkChapterMentions(SphinxTransform):
    """Replace "chapter N" in text nodes by a ``doc`` cross-reference."""

    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        chapters = chapter_documents(Path(self.env.srcdir))
        if not chapters:
            return
        for text in list(self.document.findall(nodes.Text)):
            value = text.astext()
            if not CHAPTER_MENTION.search(value) or _skipped(text):
                continue
            pieces: list[nodes.Node] = []
            last = 0
            for match in CHAPTER_MENTION.finditer(value):
                number = int(match.group(2))
                target = chapters.get(number)
                if target is None or target == self.env.docname:
                    continue
                pieces.append(nodes.Text(value[last : match.start()]))
                xref = addnodes.pending_xref(
                    "",
                    nodes.inline(match.group(0), match.group(0)),
                    refdomain="std",
                    reftype="doc",
                    reftarget=f"/{target}",
                    refexplicit=True,
                    refwarn=True,
                    refdoc=self.env.docname,
                )
                pieces.append(xref)
                last = match.end()
            if not pieces:
                continue
            pieces.append(nodes.Text(value[last:]))
            text.parent.replace(text, pieces)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(LinkChapterMentions)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
