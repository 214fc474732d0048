"""Tests of scripts/check_book.py's source check: no reference to a missing chapter."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_book", ROOT / "scripts" / "check_book.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_book"] = module
    spec.loader.exec_module(module)
    return module


check_book = _load_checker()


def _book(tmp_path: Path, chapters: dict[str, str], intro: str = "# Intro\n") -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "intro.md").write_text(intro)
    for name, text in chapters.items():
        (tmp_path / "chapters" / name).write_text(text)
    return tmp_path


def test_dangling_chapter_reference_is_reported_with_file_and_line(tmp_path: Path) -> None:
    root = _book(tmp_path, {"01_a.md": "# A\nSee chapter 3.\n", "03_c.md": "As chapter 2 shows.\n"})
    problems = check_book.dangling_chapter_refs(root)
    assert problems == [
        "chapters/03_c.md:1: 'chapter 2' refers to chapter 2, which has no file chapters/02_*.md"
    ]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("chapters 1 and 3", []),
        ("Chapter 1, chapter 3", []),
        ("chapters 1, 3 and 4", [4]),
        ("chapters 1–3", [2]),
        ("chapters 1 to 3", [2]),
        ("chapter 11 (calibration)", [11]),
        ("no reference at all, 3 chapters", []),
    ],
)
def test_referenced_chapters_parses_lists_and_ranges(
    tmp_path: Path, text: str, missing: list[int]
) -> None:
    root = _book(tmp_path, {"01_a.md": "x\n", "03_c.md": text + "\n"})
    problems = check_book.dangling_chapter_refs(root)
    assert [int(p.split("refers to chapter ")[1].split(",")[0]) for p in problems] == missing


def test_intro_references_are_checked_too(tmp_path: Path) -> None:
    root = _book(tmp_path, {"01_a.md": "x\n"}, intro="Chapter 9 is about drift.\n")
    assert check_book.dangling_chapter_refs(root)[0].startswith("intro.md:1:")


def test_this_books_sources_have_no_dangling_chapter_reference() -> None:
    assert check_book.dangling_chapter_refs(ROOT) == []


def test_sources_mode_exits_1_on_a_dangling_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _book(tmp_path, {"01_a.md": "See chapter 7.\n"})
    monkeypatch.setattr(check_book, "__file__", str(root / "scripts" / "check_book.py"))
    assert check_book.main(["check_book.py", "--sources"]) == 1
    assert "chapter 7" in capsys.readouterr().out
