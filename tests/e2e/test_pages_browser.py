"""The incident page's navigation and claim groups in chromium, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.e2e.chromium import DESKTOP, PHONE, chromium, requires_chromium
from tests.test_public_pages import build_kidal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def incident_url(live_server) -> str:
    incident = build_kidal()["incident"]
    cache.clear()
    return f"{live_server.url}{incident.get_absolute_url()}"


def _open_groups(page) -> list[bool]:
    return page.locator("details.claims-group").evaluate_all("groups => groups.map(g => g.open)")


def test_claim_groups_are_open_on_a_desktop_and_closed_on_a_phone_until_tapped(incident_url):
    with chromium() as browser:
        desktop = browser.new_page(viewport=DESKTOP)
        desktop.goto(incident_url)
        on_desktop = _open_groups(desktop)

        phone = browser.new_page(viewport=PHONE)
        phone.goto(incident_url)
        on_phone = _open_groups(phone)
        phone.locator("details.claims-group > summary").first.click()
        after_tap = _open_groups(phone)

        # The navigation takes a reader to the claims, on a phone too.
        phone.get_by_role("navigation", name="On this page").get_by_role("link", name="Claims", exact=True).click()
        claims_top = phone.locator("#claims-title").evaluate("e => e.getBoundingClientRect().top")

    assert on_desktop and all(on_desktop)
    assert on_phone and not any(on_phone)
    assert after_tap[0] and not any(after_tap[1:])
    assert -1 <= claims_top < PHONE["height"] / 2  # scrolled to it (sub-pixel rounding aside)


def test_without_javascript_the_groups_stay_open_on_a_phone(incident_url):
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = context.new_page()
        page.goto(incident_url)
        opened = page.locator("details.claims-group[open]").count()
        total = page.locator("details.claims-group").count()

    assert total and opened == total


def test_a_link_to_one_claim_opens_its_group_on_a_phone(incident_url, live_server):
    from incidents.models import Claim

    claim = Claim.objects.get(quantity_text="10 enemy combatants")
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{incident_url}#claim-{claim.pk}")
        group_open = page.locator(f"#claim-{claim.pk}").evaluate("row => row.closest('details').open")

    assert group_open


def test_the_arabic_incident_page_reads_right_to_left_and_an_english_title_stays_left_to_right(incident_url):
    with chromium() as browser:
        context = browser.new_context(viewport=DESKTOP, locale="ar", extra_http_headers={"Accept-Language": "ar"})
        page = context.new_page()
        page.goto(incident_url)
        page_direction = page.evaluate("getComputedStyle(document.documentElement).direction")
        title_direction = page.locator("h1").evaluate("e => getComputedStyle(e).direction")
        nav = page.get_by_role("navigation", name="في هذه الصفحة")
        nav.get_by_role("link", name="الادعاءات", exact=True).click()
        claims_top = page.locator("#claims-title").evaluate("e => e.getBoundingClientRect().top")
        heading = page.locator("#claims-title").inner_text()
        # A table's first column sits on the right of an Arabic page.
        cells = page.locator("table.claims tr").first.locator("th")
        first_x = cells.first.evaluate("e => e.getBoundingClientRect().left")
        last_x = cells.last.evaluate("e => e.getBoundingClientRect().left")

    assert page_direction == "rtl"
    assert title_direction == "ltr"  # the seed's English title, dir="auto"
    assert heading == "الادعاءات"
    assert -1 <= claims_top < DESKTOP["height"] / 2
    assert first_x > last_x
