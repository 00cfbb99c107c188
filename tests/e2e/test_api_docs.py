"""The API documentation (Swagger UI) in Debian's headless chromium: it must render from the
app's own static files, under the production Content-Security-Policy, with no CDN."""

from __future__ import annotations

import pytest

from tests.e2e.chromium import chromium, requires_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def test_the_api_docs_render_every_endpoint_from_local_files_under_the_csp(live_server):
    requested: list[str] = []
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

        response = page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        csp = response.headers.get("content-security-policy", "")

    assert response.ok
    assert "script-src 'self' 'nonce-" in csp
    assert "/api/v1/incidents/" in paths
    assert "/api/v1/incidents/retracted/" in paths
    assert "/api/v1/claims/" in paths
    assert "/api/v1/persons/" in paths
    assert "/api/v1/persons/{slug}/" in paths
    assert not errors, errors
    outside = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert outside == []


def test_the_api_docs_link_back_to_the_site(live_server):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        page.get_by_role("link", name="← Back to the archive").click()
        page.wait_for_load_state()
        assert page.url == f"{live_server.url}/"


def test_the_api_docs_suggest_no_login_for_public_reads(live_server):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        authorize = page.locator(".btn.authorize").count()
        padlocks = page.locator(".authorization__btn").count()

    assert (authorize, padlocks) == (0, 0)
