"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Outside CI the browser tests are skipped when Chromium is missing; under CI they fail.
"""

import os

import pytest

from tests.conftest import load_reference_data

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required under CI ({CHROMIUM} missing)")
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium to run browser tests")
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the
    # tests make (reading a TOTP code) are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_server(live_server, transactional_db):
    """The live server with the geography and demo CPTS (transactional tests start empty)."""
    from django.core.cache import cache

    load_reference_data()
    yield live_server
    # The cache is a table that the flush between transactional tests leaves alone: the
    # rate-limit counters and cached figures of this test must not reach the next ones.
    cache.clear()


def _watch_csp(page):
    """Fail the test on any Content-Security-Policy violation: the browser only logs it
    on the console (Chromium: "Refused to ..." or "... violates the following Content
    Security Policy directive ..."), and a refused script or style is silent in the page."""
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            violations.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    return violations


def _page(browser, **options):
    context = browser.new_context(locale="fr-FR", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = _watch_csp(page)
    yield page
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser):
    yield from _page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser):
    yield from _page(browser, viewport={"width": 375, "height": 740}, is_mobile=True,
                     has_touch=True)  # fmt: skip
