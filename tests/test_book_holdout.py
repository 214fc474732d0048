"""The book's holdout discipline: chapter 8's test patients take part in no earlier choice.

Chapters 1-5 choose the metric, the baseline, the splitter, the model family and the
tuning procedure. They must do it on the training patients only: each makes the same
``holdout_split`` call as chapter 8 and then uses ``split.train`` rows. These tests read
the chapters' code cells, replay the cell that loads the data and makes the split, and
check what each chapter selects on.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from mlkit.datasets import load_pbcseq
from mlkit.training import holdout_split

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
CANONICAL = "split = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)"
SELECTION_CHAPTERS = sorted(
    p for p in CHAPTERS.glob("0[1-5]_*.md") if "load_pbcseq()" in p.read_text(encoding="utf-8")
)
FINAL_CHAPTER = next(CHAPTERS.glob("08_*.md"))
PBC_DATA = re.compile(r"\bpbc\.(X|y|groups|time)\b(?P<after>\S*)")


def _code_cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S)


def _holdout_patients() -> set[int]:
    pbc = load_pbcseq()
    split = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)
    assert pbc.groups is not None
    return set(pbc.groups.iloc[split.test])


def test_the_book_has_pbcseq_selection_chapters() -> None:
    names = [p.name[:2] for p in SELECTION_CHAPTERS]
    assert {"01", "02", "04", "05"} <= set(names), names


@pytest.mark.parametrize("path", [*SELECTION_CHAPTERS, FINAL_CHAPTER], ids=lambda p: p.name)
def test_every_pbcseq_chapter_makes_the_same_holdout_split_once(path: Path) -> None:
    code = "\n".join(_code_cells(path))
    assert code.count("pbc = load_pbcseq()") == 1
    assert code.count("holdout_split(") == 1
    assert code.count(CANONICAL) == 1


@pytest.mark.parametrize("path", SELECTION_CHAPTERS, ids=lambda p: p.name)
def test_selection_chapters_use_training_rows_only(path: Path) -> None:
    code = "\n".join(_code_cells(path))
    assert "split.test" not in code
    for line in code.splitlines():
        if line.strip() == CANONICAL:
            continue
        for match in PBC_DATA.finditer(line):
            assert match.group("after").startswith(".iloc[split.train]"), (path.name, line)


@pytest.mark.parametrize("path", SELECTION_CHAPTERS, ids=lambda p: p.name)
def test_replayed_split_cell_gives_no_holdout_patient(path: Path) -> None:
    """Run the chapter's own split cell and check the patients it selects on."""
    cell = next(c for c in _code_cells(path) if CANONICAL in c)
    namespace: dict[str, object] = {}
    exec(compile(cell, str(path), "exec"), namespace)
    patient, X, y = namespace["patient"], namespace["X"], namespace["y"]
    holdout = _holdout_patients()
    assert not set(patient) & holdout  # type: ignore[call-overload]
    assert len(X) == len(y) == len(patient)  # type: ignore[arg-type]
    split = namespace["split"]
    assert len(X) == split.train.size  # type: ignore[arg-type, attr-defined]


def test_final_chapter_opens_the_holdout_and_types_no_hyperparameter() -> None:
    code = "\n".join(_code_cells(FINAL_CHAPTER))
    assert "pbc.X.iloc[split.test]" in code
    assert "search.best_params_" in code  # the refit uses what the search returned
    typed = re.findall(
        r"(max_depth|min_samples_leaf|max_leaf_nodes|learning_rate|max_iter)\"?\s*[:=]\s*\d",
        code,
    )
    assert typed == []


def test_holdout_and_training_patients_are_disjoint_and_reproducible() -> None:
    pbc = load_pbcseq()
    first = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)
    again = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)
    np.testing.assert_array_equal(first.test, again.test)
    assert pbc.groups is not None
    train_ids = set(pbc.groups.iloc[first.train])
    assert not train_ids & _holdout_patients()
    assert len(train_ids) + len(_holdout_patients()) == pbc.groups.nunique()
