"""The lecture slides (tools/slides.py) in Chromium, deck by deck (README.md, test-all)."""

import json
import re

import pytest

from conftest import ROOT, SCREENSHOTS, SITE, axe, block_offsite, open_deck

SLIDES = SITE / "slides"
DECKS = sorted(path.stem for path in SLIDES.glob("*.html"))
pytestmark = pytest.mark.skipif(not SLIDES.is_dir(), reason=f"no {SLIDES}: run `make slides`")
RAW = re.compile(r"\$\$|\\(?:frac|partial|sum|tag|mathcal|begin)\b|\{prf:|\{eq\}|```|:::")
SHOTS = {"theorem", "figure"}  # the kinds of slide not yet in a screenshot

# The current slide: where it is, its visible text, whether it holds a theorem with a
# numbered equation, or a live figure, and its numbers: each labelled equation's MathJax label
# (from the rendered MathML), each theorem's bold title.
SLIDE_JS = """() => {
  const slide = Reveal.getCurrentSlide(), at = Reveal.getIndices();
  const number = (a) => (a.id.startsWith('eq-')
    ? a.previousElementSibling?.querySelector('mjx-assistive-mml mlabeledtr > mtd')
    : a.parentElement.nextElementSibling?.querySelector('strong'))?.textContent.trim() ?? null;
  return {at: [at.h, at.v, at.f ?? -1], text: slide.innerText,
          zoom: Number(slide.style.zoom || 1),
          fits: slide.getBoundingClientRect().height / Reveal.getScale()
            <= Reveal.getConfig().height + 1,
          theorem: !!slide.querySelector('a[id^="thm-"]') && !!slide.querySelector('mjx-labels'),
          figure: !!slide.querySelector('figure.live-figure'),
          numbers: [...slide.querySelectorAll('a[id^="eq-"], a[id^="thm-"]')]
            .map(a => [a.id, number(a)])};
}"""
# The same numbers in the book (an equation's number is the first text of its .eqno).
BOOK_NUMBERS_JS = """(labels) => Object.fromEntries(labels.map(label => [label, document
  .querySelector(`#equation-${label} > .eqno, #${label} .caption-number`)
  ?.firstChild.textContent.trim() ?? null]))"""


def test_every_marked_chapter_has_a_deck() -> None:
    marked = [
        path.stem
        for path in sorted((ROOT / "chapters").glob("*.ipynb"))
        if any("slideshow" in c["metadata"] for c in json.loads(path.read_text())["cells"])
    ]
    assert marked and DECKS == marked


@pytest.mark.parametrize("deck", DECKS)
def test_deck(deck: str, page, site_url: str) -> None:
    offsite = block_offsite(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    open_deck(page, f"{site_url}slides/{deck}.html")
    total = page.evaluate("Reveal.getTotalSlides()")
    assert page.locator("mjx-merror").count() == 0, "MathJax error in the deck"
    assert "After this chapter" in page.evaluate("Reveal.getSlides()[0].textContent")
    last = page.evaluate("Reveal.getSlides().at(-1).querySelector('h2').textContent")
    assert last.startswith("Summary"), f"{deck}: the last slide is {last}"
    assert "Solution to" not in page.content(), f"{deck}: an exercise's solution"
    violations = axe(page)["violations"]  # the slide as shown, with reveal.js's controls
    assert violations == [], f"{deck}: axe-core on the first slide: {violations}"
    seen, numbers = set(), {}
    while True:
        slide = page.evaluate(SLIDE_JS)
        where = f"{deck}, slide {slide['at']}"
        assert not RAW.findall(slide["text"]), f"{where}: raw markup {RAW.findall(slide['text'])}"
        assert slide["fits"], f"{where}: taller than the slide"
        assert slide["zoom"] >= 0.6, f"{where}: zoomed out to {slide['zoom']:.2f} to fit"
        seen.add(tuple(slide["at"][:2]))
        numbers.update(slide["numbers"])
        for kind in [kind for kind in SHOTS if slide[kind]]:  # the first of each in the run
            SHOTS.remove(kind)
            page.screenshot(path=SCREENSHOTS / f"slides-{kind}.png")
        if page.evaluate("Reveal.isLastSlide() && !Reveal.availableFragments().next"):
            break
        page.keyboard.press("ArrowRight")
        assert page.evaluate(SLIDE_JS)["at"] != slide["at"], f"{where}: ArrowRight did not move"
    assert len(seen) == total, f"{deck}: {len(seen)} of {total} slides reached"

    page.goto(f"{site_url}chapters/{deck}.html")
    links = page.locator(f'a[href="../slides/{deck}.html"]').count()
    assert links == 1, f"{deck}: the chapter page links its deck {links} times"
    book = page.evaluate(BOOK_NUMBERS_JS, list(numbers))
    assert numbers == book, f"{deck}: numbers in the deck {numbers}, in the book {book}"

    open_deck(page, f"{site_url}slides/{deck}.html?print-pdf")
    violations = axe(page)["violations"]
    assert violations == [], f"{deck}: axe-core on the print view: {violations}"
    pages = len(re.findall(rb"/Type\s*/Page\b", page.pdf(prefer_css_page_size=True)))
    assert pages == total, f"{deck}: {pages} PDF pages for {total} slides"
    assert offsite == [], f"{deck}: requests that left 127.0.0.1: {offsite}"
