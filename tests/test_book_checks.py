"""Tests of the book checks (scripts/check_book.py, scripts/browser_check.py) on tiny sites
with known faults: each check must catch its fault and pass a clean page."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
CHROMIUM = Path("/usr/bin/chromium")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check_book = _load("check_book")
browser_check = _load("browser_check")

# --------------------------------------------------------------------------- check_book


def test_significant_digits_counts_only_non_integers() -> None:
    assert check_book.significant_digits("0.253000") == 6
    assert check_book.significant_digits("0.0123") == 3
    assert check_book.significant_digits("-12.5") == 3
    assert check_book.significant_digits("336,776") == 0
    assert check_book.significant_digits("1.23e-05") == 3


def _scan(html: str) -> object:
    scan = check_book.PageScan()
    scan.feed(html)
    return scan


def test_readability_findings_catch_glue_digits_and_missing_values() -> None:
    html = """
    <div class="cell_input"><pre>glue(auc=auc)
glue(n=n)</pre></div>
    <div class="cell_output"><table><tr><td>0.812345</td><td>&lt;NA&gt;</td><td>1945</td></tr>
    </table><pre>score: nan</pre></div>
    """
    findings = check_book.readability_findings(_scan(html), Path("ch.html"))
    text = "\n".join(findings)
    assert "2 visible glue( call(s)" in text
    assert "more than four significant digits" in text and "0.812345" in text
    assert "table cell(s) showing a missing value" in text
    assert "missing value(s) in printed output" in text


def test_readability_findings_pass_a_formatted_table() -> None:
    html = """
    <div class="cell_input"><pre>format_table(scores)</pre></div>
    <div class="cell_output"><table><tr><td>0.812</td><td>—</td><td>336,776</td>
    <td>max_depth=3, learning_rate=0.0912</td></tr></table>
    <pre>cv=KFold(n_splits=5, random_state=None, shuffle=False)</pre></div>
    """
    assert check_book.readability_findings(_scan(html), Path("ch.html")) == []


def test_check_citations_finds_uncited_and_unknown_keys(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(
        "@book{used2020,\n title={A}}\n@article{unused2021,\n title={B}}\n"
    )
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01_a.md").write_text(
        "As shown {cite}`used2020,missing2019` and {cite:t}`used2020`."
    )
    problems = check_book.check_citations(tmp_path)
    assert any("'unused2021' is cited nowhere" in p for p in problems)
    assert any("unknown key 'missing2019'" in p for p in problems)
    assert not any("used2020'" in p and "nowhere" in p for p in problems)


# --------------------------------------------------------------------------- browser_check


def test_page_problems_reports_each_fault() -> None:
    probe = {
        "images": [
            {"src": "a.png", "alt": "", "ok": True},
            {"src": "b.png", "alt": "../_images/b.png", "ok": True},
            {"src": "c.png", "alt": "Scores by fold", "ok": False},
        ],
        "tex": ["the risk \\(R\\) is"],
        "mathNodes": 2,
        "mathjax": 0,
        "scrollWidth": 620,
        "innerWidth": 400,
        "widest": {"tag": "table", "cls": ""},
        "chapterRefs": [
            {"number": 9, "text": "chapter 9", "href": None},
            {"number": 2, "text": "chapter 2", "href": None},
            {"number": 2, "text": "chapter 2", "href": "http://h/chapters/01_a.html"},
            {"number": 1, "text": "chapter 1", "href": "http://h/chapters/01_a.html"},
        ],
    }
    chapters = {1: "chapters/01_a.html", 2: "chapters/02_b.html"}
    found = browser_check.page_problems(probe, chapters, "chapters/01_a.html")
    text = "\n".join(found)
    assert "image without alt text: a.png" in text
    assert "file path as alt text" in text
    assert "image did not load: c.png" in text
    assert "untypeset TeX" in text
    assert "no MathJax output" in text
    assert "page wider than the viewport (620 > 400 px" in text
    assert "dangling chapter reference 'chapter 9'" in text
    assert "'chapter 2' is not a link" in text
    assert "'chapter 2' links to /chapters/01_a.html, not chapters/02_b.html" in text
    assert len(found) == 9  # the correct link to chapter 1 is fine


FAULTY_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head>
<body><main><h1>Faults</h1>
<p>Raw math $x^2$ here, and see chapter 7 and <a href="nowhere.html">this page</a>.</p>
<img src="missing.png" alt="A plot">
<img src="ok.svg">
<div style="width: 900px">too wide</div>
<script>console.error("boom")</script>
<script src="https://cdn.example.org/lib.js"></script>
</main></body></html>"""

CLEAN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head>
<body><main><h1>Clean</h1><p>Nothing wrong, costs $5 or $10.</p>
<img src="ok.svg" alt="A green square">
<div style="overflow-x: auto"><div style="width: 900px">scrolls in its box</div></div>
</main></body></html>"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="green"/></svg>'


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_browser_check_fails_on_a_faulty_site_and_passes_a_clean_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "html"
    site.mkdir()
    (site / "ok.svg").write_text(SVG)
    (site / "intro.html").write_text(FAULTY_PAGE)
    assert browser_check.main([str(site), "--screenshots", str(tmp_path / "shots")]) == 1
    out = capsys.readouterr().out
    for expected in (
        "console error: boom",
        "off-machine request blocked: https://cdn.example.org/lib.js",
        "HTTP 404",
        "untypeset TeX",
        "image without alt text",
        "page wider than the viewport",
        "dangling chapter reference 'chapter 7'",
        "no visible sidebar (☰) toggle",
        "broken link: /nowhere.html",
    ):
        assert expected in out, expected
    assert (tmp_path / "shots" / "intro-400.png").is_file()

    shutil.rmtree(site)
    site.mkdir()
    (site / "ok.svg").write_text(SVG)
    (site / "intro.html").write_text(CLEAN_PAGE)
    problems = browser_check.main([str(site), "--screenshots", str(tmp_path / "shots")])
    out = capsys.readouterr().out
    # a bare page has no theme, so only the sidebar toggle is missing
    assert problems == 1
    assert out.count("no visible sidebar") == 2 and out.count("  - ") == 2, out
