"""Book-wide Sphinx set-up that ``_config.yml`` cannot express.

1. **Outputs are never older than the code** (``execute_notebooks: cache``): the
   jupyter-cache folder is ``_build/.jupyter_cache/<key>``, where ``<key>`` hashes
   everything a chapter's outputs depend on besides its own cells: the ``mlkit``
   package (code and vendored data), ``requirements.txt`` and ``pyproject.toml``
   (their paths, contents and modification times, so even a ``touch`` counts as a
   change). Change any of them and the folder changes, so every chapter executes
   again (the changed ``nb_execution_cache_path`` also makes Sphinx re-read every
   page); folders of older keys are deleted. A chapter whose source file is newer
   than its cached outputs is evicted from the cache, so editing (or touching) one
   chapter re-executes that chapter alone.
2. **No thebe**: the book has no live kernel (no Binder), and sphinx-thebe, which
   jupyter-book always loads, emits its config ``<script>`` twice, which throws
   ``Identifier 'THEBE_JS_URL' has already been declared`` on every page. Its event
   handlers and CSS are removed.
3. **Author-year bibliography labels** (``[Akiba et al., 2019]``) that match the
   in-text citations of ``bibtex_reference_style: author_year``: a pybtex label style
   and formatting style, both registered as ``mlkit_author_year``
   (``bibtex_default_style: mlkit_author_year`` in ``_config.yml``).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Everything (besides a chapter's own cells) that its outputs depend on.
EXECUTION_INPUTS = ("mlkit", "requirements.txt", "pyproject.toml")
IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ipynb_checkpoints"}


def execution_inputs(root: Path) -> Iterator[Path]:
    """The files whose content keys the execution cache, in a stable order."""
    for name in EXECUTION_INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                rel_parts = file.relative_to(root).parts
                if file.is_file() and not IGNORED_PARTS.intersection(rel_parts):
                    if file.suffix not in {".pyc", ".pyo"}:
                        yield file


def inputs_hash(root: Path, files: Iterable[Path] | None = None) -> str:
    """sha256 over paths, mtimes and contents of the execution inputs (16 hex digits)."""
    digest = hashlib.sha256()
    for file in files if files is not None else execution_inputs(root):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(f"\0{file.stat().st_mtime_ns}\0".encode())
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def evict_edited(folder: Path) -> list[str]:
    """Drop cached outputs of notebooks whose source changed after they were cached."""
    if not (folder / "global.db").is_file():
        return []
    from jupyter_cache import get_cache

    cache = get_cache(str(folder))
    evicted = []
    for record in cache.list_cache_records():
        source = Path(record.uri)
        created = record.created
        if created.tzinfo is None:  # stored as naive UTC
            created = created.replace(tzinfo=UTC)
        if source.is_file() and source.stat().st_mtime > created.timestamp():
            cache.remove_cache(record.pk)
            evicted.append(source.name)
    return evicted


def key_execution_cache(app: Sphinx, config: Config) -> None:
    """Point jupyter-cache at ``_build/.jupyter_cache/<hash of the inputs>``."""
    if config["nb_execution_mode"] != "cache":
        return
    root = Path(app.srcdir)
    key = inputs_hash(root)
    cache_root = Path(app.outdir).parent / ".jupyter_cache"
    folder = cache_root / key
    if cache_root.is_dir():
        for old in cache_root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
            elif old.is_file():  # a flat cache of an earlier set-up
                old.unlink()
    config["nb_execution_cache_path"] = str(folder)
    evicted = evict_edited(folder)
    logger.info(
        f"[book_setup] execution cache {key} (mlkit + requirements); "
        f"re-executing edited chapters: {', '.join(evicted) or 'none'}"
    )


def drop_thebe(app: Sphinx, config: Config) -> None:
    """Remove sphinx-thebe's event handlers and stylesheet (no live kernels here)."""
    for listeners in app.events.listeners.values():
        listeners[:] = [
            listener
            for listener in listeners
            if not getattr(listener.handler, "__module__", "").startswith("sphinx_thebe")
        ]
    app.registry.css_files = [
        (filename, attrs)
        for filename, attrs in app.registry.css_files
        if "thebe" not in str(filename)
    ]


def register_author_year_style() -> None:
    """Register the ``mlkit_author_year`` pybtex label and formatting styles."""
    from pybtex.plugin import register_plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.unsrt import Style as UnsrtStyle
    from pybtex.style.labels import BaseLabelStyle

    def last_name(person: Any) -> str:
        parts = [*person.rich_prelast_names, *person.rich_last_names]
        return str(Text(" ", *parts[:1], *[Text(" ", p) for p in parts[1:]])).strip()

    class AuthorYearLabelStyle(BaseLabelStyle):  # type: ignore[misc]
        """Labels such as "Akiba et al., 2019", "Varma and Simon, 2006"."""

        def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
            for entry in sorted_entries:
                yield self.format_label(entry)

        def format_label(self, entry: Any) -> str:
            persons = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [last_name(p) for p in persons]
            if not names:
                who = entry.fields.get("organization") or entry.key
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            return f"{who}, {entry.fields.get('year', 'n.d.')}"

    class AuthorYearStyle(UnsrtStyle):  # type: ignore[misc]
        default_label_style = "mlkit_author_year"
        default_sorting_style = "author_year_title"

    for group, cls in (
        ("pybtex.style.labels", AuthorYearLabelStyle),
        ("pybtex.style.formatting", AuthorYearStyle),
    ):
        try:
            register_plugin(group, "mlkit_author_year", cls)
        except Exception:
            pass


def setup(app: Sphinx) -> dict[str, Any]:
    register_author_year_style()
    app.connect("config-inited", key_execution_cache, priority=900)
    app.connect("config-inited", drop_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
