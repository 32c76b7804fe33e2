"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Outside CI the browser tests are skipped when Chromium is missing; under CI they fail.
`assert_accessible(page)` runs axe-core on the page the test is on.
"""

import os
from pathlib import Path

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


# axe-core rates each violation minor, moderate, serious or critical: the last two keep
# someone from using the page (no name on a control, unreadable contrast, a label missing).
FAILING_IMPACTS = ("serious", "critical")


def _selector(target) -> str:
    # One selector per frame; inside a shadow root, a list of selectors from the host.
    return " | ".join(part if isinstance(part, str) else " >>> ".join(part) for part in target)


def assert_accessible(page, *, context=None):
    """Run axe-core on the current page; fail on any serious or critical violation, listing
    the rule, its impact, the elements (CSS selectors) and what to fix.

    Offline: the script is the axe.min.js shipped inside the axe-playwright-python wheel,
    handed to the page by Playwright, and the run is checked to make no request at all.

    Under the site's Content-Security-Policy, in the test's own context: Playwright
    evaluates over the DevTools protocol, which the page's policy does not govern (it is
    not a <script> element, and Chromium lets a DevTools evaluation compile code, which
    axe does for its message templates). So no `bypass_csp` context is needed, which would
    also hide the page's own violations; and were the policy ever to refuse something,
    Chromium would log it and the `page` fixtures would fail the test."""
    from axe_playwright_python.sync_playwright import Axe

    requests = []

    def on_request(request):
        requests.append(request)

    page.on("request", on_request)
    try:
        results = Axe().run(page, context=context, options={"resultTypes": ["violations"]})
    finally:
        page.remove_listener("request", on_request)
    assert requests == [], "axe-core made requests: " + ", ".join(r.url for r in requests)
    failures = [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failures, f"Accessibility violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl'].split('?')[0]}]\n"
        + "\n".join(f"    {_selector(node['target'])}" for node in v["nodes"])
        for v in failures
    )


def follow_nav_link(page, group, link):
    """Follow a link of the main navigation (core/_nav.html) as a person would: through
    the menu button on a phone, through the group's disclosure at desktop width. `group`
    is the mission's label ("Médecin traitant"), None for "Aujourd'hui"."""
    nav = page.get_by_role("navigation", name="Navigation principale")
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    if group is None:
        nav.get_by_role("link", name=link, exact=True).click()
        return
    scope = nav.locator(f'li[data-nav-group="{group}"]')
    toggle = scope.get_by_role("button", name=group, exact=True)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    scope.get_by_role("link", name=link, exact=True).click()


@pytest.fixture
def phone_390(browser):
    """A phone of the width the issues name (390 px), touch and all."""
    yield from _page(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                     has_touch=True)  # fmt: skip


def horizontal_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 on a page that fits its screen)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def screenshot(page, name, *, env_var):
    """A full-page screenshot in the folder named by `env_var`, when it is set (to look at
    a journey's pages: `HOME_SHOTS=var/shots pytest ...`)."""
    folder = os.environ.get(env_var, "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}-{page.viewport_size['width']}.png",
                        full_page=True)  # fmt: skip
