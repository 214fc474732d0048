"""Offer every chapter as a downloadable, executed ``.ipynb`` that reads well in Jupyter.

sphinx-book-theme shows a ".ipynb" download button only when launch buttons
(Binder, Colab, ...) are configured, which this offline book does not use. This
extension copies the notebook that MyST-NB executed during this build
(``_build/jupyter_execute/<page>.ipynb``) next to the page sources and tells the
theme about it, so each chapter's download menu offers ``.ipynb`` besides ``.md``.

Jupyter does not know MyST's glue roles, so in the copy every
``{glue:text}`key:fmt` ``, ``{glue}`key` `` and ``{glue:md}`key` `` in a markdown
cell is replaced by its value, formatted exactly as the book formats it (the values
come from ``<page>.glue.json``, which MyST-NB writes next to the executed notebook).
``{term}``, ``{doc}`` and ``{ref}`` roles become their plain text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

GLUE_ROLE = re.compile(r"\{glue(?::(?P<kind>text|md|any)?)?\}`(?P<body>[^`]+)`")
# Cross-reference roles whose text reads fine on its own: {term}`nested CV`,
# {doc}`chapter 4 <04_group_leakage>`, {ref}`the holdout <sec-holdout>`.
TEXT_ROLE = re.compile(r"\{(?:term|doc|ref)\}`(?P<text>[^`<]+?)(?:\s*<[^`>]+>)?`")


def format_glue(data: dict[str, Any], kind: str | None, body: str) -> str | None:
    """The text a glue role shows for ``data`` (a glued output's mime bundle)."""
    from myst_nb.core.variables import format_plain_text

    if kind == "md" and "text/markdown" in data:
        return str(data["text/markdown"])
    if "text/plain" not in data:
        return None
    if kind == "text":
        key_fmt = body.rsplit(":", 1)
        fmt = key_fmt[1] if len(key_fmt) == 2 else "s"
        return format_plain_text(data["text/plain"], fmt)
    return format_plain_text(data["text/plain"], "")


def substitute_glue(notebook: dict[str, Any], glue: dict[str, Any]) -> int:
    """Replace glue roles in the markdown cells of ``notebook`` in place; return count."""
    replaced = 0

    def paste(match: re.Match[str]) -> str:
        nonlocal replaced
        kind, body = match.group("kind"), match.group("body")
        key = body.rsplit(":", 1)[0] if kind == "text" else body
        key = key.split("::", 1)[-1]
        entry = glue.get(key)
        text = format_glue(entry.get("data", {}), kind, body) if entry else None
        if text is None:
            return match.group(0)
        replaced += 1
        return text

    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        new = GLUE_ROLE.sub(paste, text)
        new = TEXT_ROLE.sub(lambda m: m.group("text").strip(), new)
        if new != text:
            cell["source"] = new
    return replaced


def add_notebook_download(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    glue_file = executed.with_name(executed.name.removesuffix(".ipynb") + ".glue.json")
    if glue_file.is_file():
        glue = json.loads(glue_file.read_text(encoding="utf-8"))
        substitute_glue(notebook, glue)
    left = sum(
        len(GLUE_ROLE.findall("".join(c.get("source", ""))))
        for c in notebook.get("cells", [])
        if c.get("cell_type") == "markdown"
    )
    if left:
        logger.warning(f"{pagename}.ipynb download: {left} glue role(s) without a value")
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_notebook_download, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
