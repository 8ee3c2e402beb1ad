"""The Spanish search button reads "Buscar" on one line at every width (issue 18, 8)."""

from __future__ import annotations

import pytest

LINES_OF_TEXT = """
(button) => {
  const range = document.createRange();
  range.selectNodeContents(button);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return {lines: tops.size, text: button.textContent.trim(),
          overflow: button.scrollWidth > button.clientWidth + 1};
}
"""


@pytest.mark.parametrize("width", [240, 280, 320, 375, 600, 1024])
def test_the_spanish_search_button_never_wraps(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="es-MX")
    page = context.new_page()
    try:
        for path in ("/?lang=es", "/search?lang=es&q=comida"):
            page.goto(f"{live_server}{path}")
            button = page.locator(".search-row button")
            found = button.evaluate(LINES_OF_TEXT)
            assert found["text"] == "Buscar"
            assert found["lines"] == 1 and not found["overflow"], (width, path, found)
    finally:
        context.close()
