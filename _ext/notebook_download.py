"""Offer every chapter as a downloadable, executed ``.ipynb``.

sphinx-book-theme shows a ".ipynb" download button only when launch buttons
(Binder, Colab, ...) are configured, which this offline book does not use. This
extension copies the notebook that MyST-NB executed during this build
(``_build/jupyter_execute/<page>.ipynb``) next to the page sources and tells the
theme about it, so each chapter's download menu offers ``.ipynb`` besides ``.md``.
"""

from __future__ import annotations

from pathlib import Path
from shutil import copy2
from typing import Any

from sphinx.application import Sphinx


def add_notebook_download(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_notebook_download, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
