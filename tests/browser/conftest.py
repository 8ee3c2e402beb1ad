"""Real headless Chromium (Debian's ``chromium``) driven by Playwright against a live server.

Screenshots go to ``test-artifacts/`` (git-ignored) so a failing journey can be seen.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    with serving(app) as base_url:
        yield base_url


def search_in_spanish(page, base_url: str, text: str) -> None:
    """Switch the page to Spanish, type ``text`` in the search box and submit."""
    page.goto(f"{base_url}/language/es?next=/search")
    page.get_by_label("Buscar servicios").fill(text)
    page.get_by_label("Buscar servicios").press("Enter")
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (scripts/test.sh installs it as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("/", "_")[:120]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def phone_page(browser, request):
    """A 320 px wide phone viewport with a Spanish-speaking browser."""
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="es-MX", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        name = request.node.name.replace("/", "_")[:114]
        page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    finally:
        context.close()
