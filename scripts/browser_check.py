"""Open every page of the built book in headless Chromium, as a reader would.

Serves ``_build/html`` on 127.0.0.1 (a free port, no other network: every request
that leaves the machine is blocked and reported), opens each page at 1400 px and
400 px and fails (exit 1) on any of:

- a console error or an uncaught exception;
- a failed request (network error or HTTP status >= 400) or an off-machine request;
- untypeset TeX (``\\(``, ``$x^2$`` ... left in the text) or math without MathJax output;
- an image that did not load, has no alt text, or has a file path as alt text;
- a page wider than the viewport (``scrollWidth > innerWidth``);
- a sidebar toggle that does not open the navigation at 400 px (or does not collapse
  the sidebar at 1400 px), or a page-contents toggle that does not open;
- a dangling chapter reference: "chapter N" where the book has no chapter N, a
  "chapter N" link that leads to another chapter, or "chapter N" that is not a link;
- a link to a page of the book that does not exist; a search that finds nothing.

One screenshot per page and width lands in ``_build/screenshots/``.

Uses Playwright with Debian's ``/usr/bin/chromium`` (``playwright install`` downloads
browsers and cannot work offline); override with ``CHROMIUM=/path/to/chrome``.

Usage: ``python scripts/browser_check.py [_build/html] [--screenshots DIR] [--pages GLOB]``
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

WIDTHS = (1400, 400)
HEIGHT = 900
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute"}

# Runs in the page: images, untypeset TeX, chapter references, page width.
PAGE_PROBE = r"""
async () => {
  const out = {images: [], tex: [], chapterRefs: [], mathNodes: 0, mathjax: 0};
  // Let lazy images load, then wait for every image (at most 5 s).
  for (const img of document.images) { if (img.loading === "lazy") img.loading = "eager"; }
  await Promise.race([
    Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(r => { img.addEventListener("load", r); img.addEventListener("error", r); }))),
    new Promise(r => setTimeout(r, 5000)),
  ]);
  for (const img of document.images) {
    out.images.push({src: img.getAttribute("src") || "", alt: img.getAttribute("alt"),
                     ok: img.complete && img.naturalWidth > 0});
  }
  out.mathNodes = document.querySelectorAll(".math").length;
  out.mathjax = document.querySelectorAll("mjx-container").length;
  // Text a reader sees outside code: TeX left untypeset, and "chapter N" mentions.
  const skip = new Set(["SCRIPT", "STYLE", "PRE", "CODE", "TEXTAREA", "MJX-CONTAINER",
                        "NOSCRIPT", "KBD", "SAMP"]);
  const main = document.querySelector("main, article, .bd-article") || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el && el !== main; el = el.parentElement) {
        if (skip.has(el.tagName) || el.classList.contains("highlight") ||
            el.classList.contains("citation") ||  // "Chapter 6" of a cited book
            el.classList.contains("cell_output") || el.classList.contains("output"))
          return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  const texPattern = /\\\(|\\\)|\\\[|\\\]|\\begin\{|\$\$|\$[^$\n]*[\\^_{}][^$\n]*\$/;
  const chapterPattern = /\bchapters?\s+(\d+)\b/gi;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    const tex = text.match(texPattern);
    if (tex) out.tex.push(text.slice(Math.max(0, tex.index - 30), tex.index + 40));
    for (const m of text.matchAll(chapterPattern)) {
      const link = node.parentElement.closest("a");
      out.chapterRefs.push({number: parseInt(m[1], 10), text: m[0],
                            href: link ? link.href : null});
    }
  }
  out.links = Array.from(document.querySelectorAll("a[href]"), a => a.href)
    .filter(h => h.startsWith(location.origin));
  out.scrollWidth = document.documentElement.scrollWidth;
  out.innerWidth = window.innerWidth;
  // The widest element that sticks out of the viewport, to say what to fix.
  let widest = null;
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right <= window.innerWidth + 1 || r.width === 0 || el.offsetParent === null)
      continue;
    let clipped = false;  // inside a box that scrolls or clips: not widening the page
    for (let a = el.parentElement; a && !clipped; a = a.parentElement)
      clipped = getComputedStyle(a).overflowX !== "visible";
    if (!clipped && getComputedStyle(el).position !== "fixed") {
      if (!widest || r.right > widest.right)
        widest = {right: Math.round(r.right), tag: el.tagName.toLowerCase(),
                  cls: (el.className && el.className.baseVal === undefined ? el.className : "")};
    }
  }
  out.widest = widest;
  return out;
}
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``root`` on 127.0.0.1, on a free port, from a background thread."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def book_pages(root: Path, pattern: str | None) -> list[str]:
    pages = []
    for page in sorted(root.rglob("*.html")):
        rel = page.relative_to(root)
        if rel.parts[0] in SKIP_DIRS:
            continue
        if pattern and not rel.match(pattern):
            continue
        if 'http-equiv="refresh"' in page.read_text(encoding="utf-8")[:2000].lower():
            continue  # a redirect stub (index.html -> intro.html)
        pages.append(rel.as_posix())
    return pages


def chapter_numbers(page: object, base: str) -> dict[int, str]:
    """Chapter number -> page path, as the reader sees them in the numbered sidebar."""
    links = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "nav.bd-links a.reference.internal",
        "els => els.map(a => [a.textContent.trim(), a.href])",
    )
    numbers: dict[int, str] = {}
    for text, href in links:
        match = re.match(r"^(\d+)\.\s", text)
        if match:
            numbers[int(match.group(1))] = urlsplit(href).path.lstrip("/")
    return numbers


def check_toggles(page: object, width: int, nav_shot: Path | None = None) -> list[str]:
    """Click the visible sidebar toggles and check that they do what they say."""
    problems: list[str] = []
    p = page
    primary = p.locator(".primary-toggle:visible")  # type: ignore[attr-defined]
    if primary.count() == 0:
        return ["no visible sidebar (☰) toggle"]
    if width < 992:
        primary.first.click()
        try:
            p.wait_for_function(  # type: ignore[attr-defined]
                "() => { const d = document.getElementById('pst-primary-sidebar-modal');"
                " return d && d.open && d.querySelector('nav.bd-links, .bd-toc-item a'); }",
                timeout=2000,
            )
            links = p.locator("#pst-primary-sidebar-modal a.reference:visible").count()  # type: ignore[attr-defined]
            if links == 0:
                problems.append("navigation dialog opened but shows no chapter links")
            if nav_shot is not None:
                p.wait_for_timeout(300)  # type: ignore[attr-defined]
                p.screenshot(path=str(nav_shot))  # type: ignore[attr-defined]
        except Exception:
            problems.append("the ☰ sidebar toggle does not open the navigation")
        p.keyboard.press("Escape")  # type: ignore[attr-defined]
        p.wait_for_timeout(200)  # type: ignore[attr-defined]
        secondary = p.locator(".secondary-toggle:visible")  # type: ignore[attr-defined]
        if secondary.count():
            secondary.first.click()
            try:
                p.wait_for_function(  # type: ignore[attr-defined]
                    "() => { const d = document.getElementById("
                    "'pst-secondary-sidebar-modal'); return d && d.open; }",
                    timeout=2000,
                )
            except Exception:
                problems.append("the page-contents toggle does not open the contents")
            p.keyboard.press("Escape")  # type: ignore[attr-defined]
            p.wait_for_timeout(300)  # type: ignore[attr-defined]
    else:
        visible_before = p.locator("#pst-primary-sidebar").is_visible()  # type: ignore[attr-defined]
        primary.first.click()
        p.wait_for_timeout(400)  # type: ignore[attr-defined]
        hidden = p.evaluate(  # type: ignore[attr-defined]
            "() => { const s = document.getElementById('pst-primary-sidebar');"
            " return s.classList.contains('pst-sidebar-hidden') ||"
            " getComputedStyle(s).visibility === 'hidden'; }"
        )
        if visible_before and not hidden:
            problems.append("the ☰ sidebar toggle does not collapse the sidebar")
        primary.first.click()
        p.wait_for_timeout(400)  # type: ignore[attr-defined] # the sidebar slides back in
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default="_build/html")
    parser.add_argument("--screenshots", default=None, help="default: <root>/../screenshots")
    parser.add_argument("--pages", default=None, help="only pages matching this glob")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "intro.html").is_file() and not (root / "index.html").is_file():
        print(f"browser_check: no built book in {root}; run `make book` first")
        return 1
    shots = Path(args.screenshots) if args.screenshots else root.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    server, base = serve(root)
    host = urlsplit(base).netloc
    pages = book_pages(root, args.pages)
    problems: list[str] = []
    checked = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
            )
            context = browser.new_context(service_workers="block")
            current: list[str] = []  # problems of the page being checked

            def route(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).netloc == host:
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    current.append(f"off-machine request blocked: {url}")
                    route.abort()  # type: ignore[attr-defined]

            context.route("**/*", route)
            chapters: dict[int, str] | None = None
            for width in WIDTHS:
                page = context.new_page()
                page.set_viewport_size({"width": width, "height": HEIGHT})
                page.on(
                    "console",
                    lambda m: (
                        current.append(f"console {m.type}: {m.text[:200]}")
                        if m.type == "error"
                        else None
                    ),
                )
                page.on("pageerror", lambda e: current.append(f"uncaught exception: {e}"))
                # ERR_ABORTED is a request the page itself cancelled (a favicon still in
                # flight when the check navigates on), not a broken resource: those show
                # up as HTTP >= 400 below, and images are checked for loading separately.
                page.on(
                    "requestfailed",
                    lambda r: (
                        current.append(f"request failed: {r.url} ({r.failure})")
                        if urlsplit(r.url).netloc == host and "ERR_ABORTED" not in str(r.failure)
                        else None
                    ),
                )
                page.on(
                    "response",
                    lambda r: (
                        current.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
                    ),
                )
                for rel in pages:
                    current.clear()
                    page.goto(f"{base}/{rel}", wait_until="load")
                    if chapters is None:
                        chapters = chapter_numbers(page, base)
                    page.evaluate(
                        "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
                        " ? MathJax.startup.promise.then(() => true) : true"
                    )
                    probe = page.evaluate(PAGE_PROBE)
                    found = list(current)
                    found += page_problems(probe, chapters or {}, rel)
                    found += broken_links(probe["links"], root)
                    if rel == "search.html" and width == WIDTHS[0]:
                        found += check_search(page, f"{base}/{rel}")
                    name = rel.replace("/", "__").removesuffix(".html")
                    if rel not in {"search.html", "genindex.html"}:
                        nav_shot = shots / f"{name}-{width}-navigation.png"
                        wanted = width < 992 and rel == "intro.html"
                        found += check_toggles(page, width, nav_shot if wanted else None)
                    # a toggle click may log errors too
                    found += [c for c in current if c not in found]
                    page.evaluate("() => window.scrollTo(0, 0)")
                    page.screenshot(path=str(shots / f"{name}-{width}.png"))
                    problems += [f"{rel} @{width}px: {p}" for p in dict.fromkeys(found)]
                    checked += 1
                page.close()
            browser.close()
    finally:
        server.shutdown()
    seconds = time.perf_counter() - started
    if problems:
        print(f"browser_check: {len(problems)} problem(s) in {checked} page views:")
        print("\n".join(f"  - {p}" for p in problems))
        return 1
    print(
        f"browser_check: {len(pages)} pages x {len(WIDTHS)} widths OK in {seconds:.0f} s "
        f"(screenshots in {shots})"
    )
    return 0


def broken_links(links: list[str], root: Path) -> list[str]:
    """Links within the book whose target file does not exist."""
    found = []
    for href in dict.fromkeys(links):
        path = unquote(urlsplit(href).path).lstrip("/")
        target = root / path
        if target.is_dir():
            target = target / "index.html"
        if path and not target.is_file():
            found.append(f"broken link: {urlsplit(href).path}")
    return found


def check_search(page: object, url: str) -> list[str]:
    """The search page finds a word every chapter uses, with excerpts."""
    page.goto(f"{url}?q=model", wait_until="load")  # type: ignore[attr-defined]
    try:
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelectorAll('#search-results li').length > 0",
            timeout=10000,
        )
    except Exception:
        return ["search for 'model' shows no results"]
    excerpts = page.locator("#search-results li p.context").count()  # type: ignore[attr-defined]
    return [] if excerpts else ["search results show no excerpts"]


def page_problems(probe: dict, chapters: dict[int, str], rel: str) -> list[str]:
    """Turn what the in-page probe found into problem sentences."""
    found: list[str] = []
    for img in probe["images"]:
        src = img["src"][:80]
        if not img["ok"]:
            found.append(f"image did not load: {src}")
        alt = (img["alt"] or "").strip()
        if not alt:
            found.append(f"image without alt text: {src}")
        elif re.search(r"[/\\]|\.(png|svg|jpe?g|gif|webp)$", alt, flags=re.IGNORECASE):
            found.append(f"image with a file path as alt text: {alt[:80]!r}")
    for snippet in probe["tex"][:5]:
        found.append(f"untypeset TeX: ...{snippet!r}...")
    if probe["mathNodes"] and not probe["mathjax"]:
        found.append(f"{probe['mathNodes']} math element(s) but no MathJax output")
    if probe["scrollWidth"] > probe["innerWidth"]:
        widest = probe.get("widest") or {}
        found.append(
            f"page wider than the viewport ({probe['scrollWidth']} > {probe['innerWidth']} px;"
            f" widest: <{widest.get('tag')} class={widest.get('cls')!r}>)"
        )
    for ref in probe["chapterRefs"]:
        number, text, href = ref["number"], ref["text"], ref["href"]
        target = chapters.get(number)
        if target is None:
            found.append(f"dangling chapter reference {text!r}: the book has no chapter {number}")
        elif href is None:
            if target != rel:
                found.append(f"chapter reference {text!r} is not a link")
        elif urlsplit(href).path.lstrip("/") != target:
            found.append(f"chapter reference {text!r} links to {urlsplit(href).path}, not {target}")
    return found


if __name__ == "__main__":
    sys.exit(main())
