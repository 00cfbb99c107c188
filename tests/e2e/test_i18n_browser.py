"""The interface languages in a real headless browser (Debian's chromium).

An Arabic page mirrors: its header reads from the right, the site's name at the right edge and
the navigation beside it, in right-to-left order. A French page shows French navigation. The
switcher changes the language on its own when JavaScript runs.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.chromium import SCREENSHOTS, chromium, requires_chromium

DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not displayed"
    return found


def header_boxes(page: Page) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    return box(page, ".site-name"), box(page, ".site-nav li:first-child a"), box(page, ".site-nav li:last-child a")


def test_an_arabic_page_is_right_to_left_with_its_navigation_on_the_right(live_server):
    with chromium() as browser:
        arabic = browser.new_page(viewport=DESKTOP, extra_http_headers={"Accept-Language": "ar"})
        arabic.goto(f"{live_server.url}/incidents/")
        assert arabic.locator("html").get_attribute("dir") == "rtl"
        assert arabic.evaluate("getComputedStyle(document.body).direction") == "rtl"
        name, first, last = header_boxes(arabic)
        # The site's name at the right edge, the first link ("Incidents") next to it, the
        # last ("API") further left: the header reads from right to left.
        assert name["x"] + name["width"] > DESKTOP["width"] * 0.9
        assert first["x"] + first["width"] <= name["x"]
        assert last["x"] + last["width"] <= first["x"]
        assert first["x"] > DESKTOP["width"] / 2
        assert arabic.locator(".site-nav li:first-child a").inner_text() == "الحوادث"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        arabic.screenshot(path=str(SCREENSHOTS / "incidents-ar-desktop.png"), full_page=True)

        english = browser.new_page(viewport=DESKTOP, extra_http_headers={"Accept-Language": "en"})
        english.goto(f"{live_server.url}/incidents/")
        assert english.locator("html").get_attribute("dir") == "ltr"
        name, first, last = header_boxes(english)
        assert name["x"] < DESKTOP["width"] * 0.1
        assert name["x"] + name["width"] <= first["x"] < last["x"]
        assert first["x"] < DESKTOP["width"] / 2


def test_a_french_page_shows_the_french_navigation(live_server):
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP, extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        page.goto(f"{live_server.url}/incidents/")
        assert page.locator("html").get_attribute("lang") == "fr"
        labels = page.locator(".site-nav a").all_inner_texts()
        assert labels[:5] == ["Incidents", "Acteurs", "Sources", "Méthodologie", "Données"]
        assert page.locator(".skip-link").inner_text() == "Aller au contenu"


def test_choosing_a_language_in_the_switcher_changes_the_page_at_once(live_server):
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP, extra_http_headers={"Accept-Language": "en"})
        page.goto(f"{live_server.url}/incidents/?country=ML")
        # With JavaScript the button is not needed (choosing submits): hidden, but for screen readers.
        assert box(page, ".language-switch button")["width"] <= 1
        with page.expect_navigation():
            page.locator("#language-switch").select_option("fr")
        assert page.url == f"{live_server.url}/incidents/?country=ML"
        assert page.locator("html").get_attribute("lang") == "fr"
        # The choice is remembered over the browser's Accept-Language.
        page.goto(f"{live_server.url}/methodology/")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("#language-switch").input_value() == "fr"


def test_the_switcher_works_without_javascript(live_server):
    with chromium() as browser:
        context = browser.new_context(
            viewport=DESKTOP, java_script_enabled=False, extra_http_headers={"Accept-Language": "en"}
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/incidents/")
        page.locator("#language-switch").select_option("ar")
        assert page.locator("html").get_attribute("lang") == "en"  # nothing happens until the button
        with page.expect_navigation():
            page.locator(".language-switch button").click()
        assert page.locator("html").get_attribute("dir") == "rtl"
