"""The incident list's counts arriving after its rows, in chromium: on a desktop in English and
on a phone in Arabic, the counts appear in the filters, the rows do not move, and the filters work."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache

from tests.e2e.chromium import DESKTOP, PHONE, SCREENSHOTS, chromium, requires_chromium
from tests.factories import IncidentFactory
from tests.test_public_pages import build_kidal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

FRAGMENT = "**/incidents/facets/**"


@pytest.fixture
def archive() -> dict[str, object]:
    """The seed incident and a year of incidents in Mali and Burkina Faso, so the timeline is a chart."""
    kidal = build_kidal()
    for month in range(1, 13):
        IncidentFactory(published=True, country="ML", admin1="Gao", start_date=datetime.date(2024, month, 5))
    IncidentFactory(published=True, country="BF", admin1="Sahel")
    cache.clear()
    return kidal


def held_page(browser, viewport: dict, language: str = "en"):
    """A tab whose requests for the counts wait until the test lets them go (``release``)."""
    context = browser.new_context(viewport=viewport, locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    held = []
    page.route(FRAGMENT, lambda route: held.append(route))

    def release() -> None:
        while not held:
            page.wait_for_timeout(20)
        held.pop().continue_()
        page.unroute(FRAGMENT)

    return page, release, errors


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def rows_top(page) -> float:
    return page.locator("ol.results").evaluate("list => list.getBoundingClientRect().top + window.scrollY")


def test_the_counts_appear_in_the_filters_without_moving_the_rows_and_the_filters_work(live_server, archive):
    with chromium() as browser:
        page, release, errors = held_page(browser, DESKTOP)
        page.goto(f"{live_server.url}/incidents/?country=ML")
        page.wait_for_load_state("load")
        before = rows_top(page)
        heading_before = page.locator("#results-title").inner_text()
        rows = page.locator(".result__title").count()
        uncounted = page.locator("#filters-panel .count").count()
        # A choice made while the counts are on their way is kept when they arrive.
        page.locator("input[name=event_type][value=battles]").check()
        shoot(page, "incident-list-counting")

        release()
        page.locator("#filters-panel input[name=country][value=ML] ~ .count").wait_for()
        after = rows_top(page)
        heading_after = page.locator("#results-title").inner_text()
        mali = page.locator("#filters-panel label", has=page.locator("input[name=country][value=ML]")).inner_text()
        battles_kept = page.locator("input[name=event_type][value=battles]").is_checked()
        timeline_bars = page.locator("#results-timeline-title").count()
        density = page.locator("#results-map path.leaflet-interactive").count()
        shoot(page, "incident-list-counted")

        page.get_by_role("button", name="Apply filters").first.click()
        page.wait_for_url(re.compile(r"event_type=battles"))
        page.locator("#filters-panel input[name=event_type][value=battles] ~ .count").wait_for()
        narrowed = page.locator("#results-title").inner_text()
        narrowed_url = page.url
        narrowed_rows = page.locator(".result__title").all_inner_texts()

    assert rows == 13 and uncounted == 0
    assert heading_before == "Matching incidents" and heading_after == "13 incidents"
    assert mali.split() == ["Mali", "13"]
    assert after == before, "the rows moved when the counts arrived"
    assert battles_kept
    assert timeline_bars == 1  # the chart, with its title
    assert density >= rows  # the page's markers and the density circles beneath them
    assert "country=ML" in narrowed_url and "event_type=battles" in narrowed_url
    assert narrowed == "13 incidents" and archive["incident"].title in narrowed_rows
    assert not errors, errors


def test_on_a_phone_in_arabic_the_counts_arrive_below_the_rows_and_nothing_moves(live_server, archive):
    with chromium() as browser:
        page, release, errors = held_page(browser, PHONE, "ar")
        page.goto(f"{live_server.url}/incidents/?country=ML")
        page.wait_for_load_state("load")
        direction = page.evaluate("document.documentElement.dir")
        before = rows_top(page)
        filters_below = page.locator("#filters-panel").evaluate("panel => panel.getBoundingClientRect().top")
        shoot(page, "incident-list-ar-counting")
        release()
        page.locator("#filters-panel input[name=country][value=ML] ~ .count").wait_for()
        after = rows_top(page)
        heading = page.locator("#results-title").inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        shoot(page, "incident-list-ar-counted")

    assert direction == "rtl"
    assert after == before, "the rows moved when the counts arrived"
    assert filters_below > before  # on a phone the filters come after the rows
    assert "13" in heading and "incidents" not in heading
    assert overflow <= 1
    assert not errors, errors


def test_without_javascript_a_link_shows_the_page_with_its_counts(live_server, archive):
    with chromium() as browser:
        context = browser.new_context(java_script_enabled=False, viewport=PHONE)
        page = context.new_page()
        page.goto(f"{live_server.url}/incidents/?country=ML")
        uncounted = page.locator("#filters-panel .count").count()
        page.get_by_role("link", name="Show how many incidents match each filter").click()
        page.wait_for_load_state("load")
        heading = page.locator("#results-title").inner_text()
        mali = page.locator("#filters-panel label", has=page.locator("input[name=country][value=ML]")).inner_text()

    assert uncounted == 0
    assert heading == "13 incidents" and mali.split() == ["Mali", "13"]
