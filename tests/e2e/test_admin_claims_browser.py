"""The incident form in chromium: claims as one line each that open in place, the sub-type list
following the type, the country found by typing its name, a save, and the changelist at 1366 px.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from incidents.models import EventType, Incident, LossesOf, SubEventType
from tests.e2e.chromium import SCREENSHOTS, chromium, requires_chromium
from tests.e2e.test_admin_browser import logged_in_page
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, IncidentFactory, SourceFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

# A folded claim is one line of text with its padding.
MAX_FOLDED_CLAIM_PX = 40


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def incident_with_claims() -> Incident:
    UserFactory(username="amina", groups=["Editor"])
    fla = ActorFactory(name="Azawad Liberation Front (FLA)")
    army = ActorFactory(name="Malian Armed Forces (FAMa)")
    incident = IncidentFactory(title="Ambush on the Anefif–Aguelhok road", country="ML")
    afp = SourceFactory(outlet="AFP", title="Mali: rebels say they ambushed an army convoy")
    for n in range(12):
        claim = ClaimFactory(
            incident=incident,
            claimant=fla if n % 2 else army,
            losses_of=LossesOf.ACTOR,
            losses_actor=army if n % 2 else fla,
            quantity_low=n,
            quantity_high=n + 2,
            quantity_text=f"between {n} and {n + 2}",
            source=afp,
        )
        if n == 0:
            CitationFactory(claim=claim, source=SourceFactory(outlet="AP"), quote="Between 0 and 2.")
    return incident


def row_heights(page) -> list[float]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#claims-group .djn-items > .inline-related')]
          .filter((item) => /^claims-\\d+$/.test(item.id))
          .map((item) => item.getBoundingClientRect().height)"""
    )


def test_claims_are_one_line_each_and_a_click_opens_one_with_its_citations(incident_with_claims, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = logged_in_page(browser, live_server, "amina")
    page.goto(f"{live_server.url}/admin/incidents/incident/{incident_with_claims.pk}/change/")

    heights = row_heights(page)
    page.locator("#claims-group").screenshot(path=str(SCREENSHOTS / "admin-claims-folded.png"))
    assert len(heights) == 12
    assert all(0 < height <= MAX_FOLDED_CLAIM_PX for height in heights), heights
    first = page.locator("#claims-0")
    assert not first.locator("select[name='claims-0-kind']").is_visible()
    summary = first.locator("summary.archive-claim-summary").inner_text()
    assert "Malian Armed Forces (FAMa)" in summary and "0–2" in summary and "2 reports" in summary

    first.locator("summary.archive-claim-summary").click()

    assert first.locator("select[name='claims-0-kind']").is_visible()
    assert first.locator("#claims-0-citations-1 textarea[name$='-quote']").input_value() == "Between 0 and 2."
    assert row_heights(page)[0] > 150
    assert all(height <= MAX_FOLDED_CLAIM_PX for height in row_heights(page)[1:])
    page.locator("#claims-group").screenshot(path=str(SCREENSHOTS / "admin-claims-one-open.png"))


def test_the_sub_type_list_follows_the_type_and_the_country_is_found_by_name_then_saved(
    incident_with_claims, live_server, browser
):
    protests = EventType.objects.get(sub_event_types__slug="peaceful-protest")
    page = logged_in_page(browser, live_server, "amina")
    page.goto(f"{live_server.url}/admin/incidents/incident/{incident_with_claims.pk}/change/")

    page.select_option("select[name=event_type]", str(protests.pk))
    offered = page.eval_on_selector_all(
        "select[name=sub_event_type] option", "(options) => options.filter((o) => !o.hidden).map((o) => o.value)"
    )
    assert set(offered) - {""} == {str(pk) for pk in protests.sub_event_types.values_list("pk", flat=True)}
    assert page.input_value("select[name=sub_event_type]") == ""
    page.select_option("select[name=sub_event_type]", str(SubEventType.objects.get(slug="peaceful-protest").pk))

    page.locator(".field-country .select2-selection").click()
    page.locator(".select2-search__field").last.fill("burkina")
    page.locator(".select2-results__option", has_text="Burkina Faso (BF)").click()
    page.screenshot(path=str(SCREENSHOTS / "admin-incident-type-and-country.png"), full_page=False)
    page.click("input[name=_continue]")
    page.wait_for_load_state()

    assert page.locator(".errornote").count() == 0, page.locator(".errorlist").all_inner_texts()
    saved = Incident.objects.get(pk=incident_with_claims.pk)
    assert (saved.event_type_id, saved.sub_event_type.slug, saved.country) == (protests.pk, "peaceful-protest", "BF")


def test_a_claim_refused_on_save_is_shown_open_with_its_error(incident_with_claims, live_server, browser):
    page = logged_in_page(browser, live_server, "amina")
    page.goto(f"{live_server.url}/admin/incidents/incident/{incident_with_claims.pk}/change/")
    third = page.locator("#claims-2")
    third.locator("summary.archive-claim-summary").click()
    third.locator("input[name='claims-2-quantity_low']").fill("90")
    third.locator("summary.archive-claim-summary").click()  # folded again before saving

    page.click("input[name=_continue]")
    page.wait_for_load_state()

    third = page.locator("#claims-2")
    assert third.locator("input[name='claims-2-quantity_low']").is_visible()
    assert "90 is more than the highest figure" in third.locator(".errorlist").first.inner_text()
    assert not page.locator("select[name='claims-0-kind']").is_visible()


def test_the_changelist_shows_every_column_beside_the_filters_at_1366_px(incident_with_claims, live_server, browser):
    page = logged_in_page(browser, live_server, "amina")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/incidents/incident/")
    page.screenshot(path=str(SCREENSHOTS / "admin-changelist-1366.png"))

    filters = page.locator("#changelist-filter").bounding_box()
    table = page.locator("#result_list").bounding_box()
    headers = page.eval_on_selector_all("#result_list thead th", "(cells) => cells.map((c) => c.textContent.trim())")
    width = page.evaluate("document.documentElement.clientWidth")
    scroller = page.locator("#changelist-form .results")

    assert "LAST EDITED BY" in [header.upper() for header in headers]
    assert table["x"] + table["width"] <= width, (table, width)
    sideways = scroller.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sideways[0] <= sideways[1] + 1, f"the table scrolls sideways: {sideways}"
    overlaps = filters["y"] < table["y"] + table["height"] and table["y"] < filters["y"] + filters["height"]
    assert not overlaps or table["x"] + table["width"] <= filters["x"], (table, filters)
