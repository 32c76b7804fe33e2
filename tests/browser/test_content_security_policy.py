"""The Content-Security-Policy in a real Chromium: the pages that run third-party code
(Swagger UI of the API docs) work under it, and the suite notices a violation."""

import pytest

from tests.browser.conftest import _watch_csp

pytestmark = pytest.mark.browser


def test_the_api_docs_render_their_operations_under_the_site_policy(live_server, page):
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
    # The page fixture fails the test on any policy violation logged by the browser.


def test_a_violation_is_noticed_by_the_browser_fixtures(live_server, browser):
    context = browser.new_context()
    try:
        probe = context.new_page()
        violations = _watch_csp(probe)
        probe.goto(f"{live_server.url}/connexion/")
        probe.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
        }""")
        probe.wait_for_timeout(200)
        assert probe.evaluate("window.injected") is None
        assert len(violations) == 1 and "script-src" in violations[0]
    finally:
        context.close()
