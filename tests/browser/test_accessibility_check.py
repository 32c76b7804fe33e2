"""The accessibility check of the browser tests: axe-core runs under the site's
Content-Security-Policy without the network, and a serious violation fails the test."""

import pytest

from tests.browser.conftest import _watch_csp, assert_accessible

pytestmark = pytest.mark.browser


def test_the_login_page_passes_the_check(live_server, page):
    page.goto(f"{live_server.url}/connexion/")
    assert_accessible(page)
    # The page fixture fails the test had the policy refused anything axe does.


def test_a_serious_violation_fails_with_its_rule_and_element(live_server, browser):
    context = browser.new_context()
    try:
        probe = context.new_page()
        violations = _watch_csp(probe)
        probe.goto(f"{live_server.url}/connexion/")
        probe.evaluate("""() => {
            const button = document.createElement("button");
            button.id = "nameless";
            document.querySelector("main").appendChild(button);
        }""")
        with pytest.raises(AssertionError) as failure:
            assert_accessible(probe)
        assert "button-name (critical)" in str(failure.value)
        assert "#nameless" in str(failure.value)
        assert violations == []
    finally:
        context.close()


def test_the_check_works_with_the_network_cut(live_server, browser):
    context = browser.new_context()
    try:
        probe = context.new_page()
        probe.goto(f"{live_server.url}/connexion/")
        context.set_offline(True)
        assert_accessible(probe)
    finally:
        context.close()
