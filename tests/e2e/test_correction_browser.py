"""A whole correction in a real headless browser (Debian's chromium): an editor proposes a
correction of a published incident and changes its title in the correction's draft; a reviewer,
in another browser, reads the changes and approves them; the public page then shows the new
title, and not before. Screenshots go to test-artifacts/screenshots/ (the diff at a phone's width too).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from incidents import services
from incidents.models import Correction, CorrectionStatus, Incident, Side, Status
from tests.e2e.chromium import SCREENSHOTS, chromium, requires_chromium
from tests.factories import ActorFactory, ClaimFactory, IncidentActorFactory, IncidentFactory, UserFactory

PASSWORD = "correct horse battery staple"
TITLE = "Ambush on the Anefif road"
NEW_TITLE = "Ambush on the Tarkint road"
REASON = "Place corrected after the army's statement of 15 June"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def published() -> Incident:
    UserFactory(username="amina", groups=["Editor"])
    reviewer = UserFactory(username="rokia", groups=["Reviewer"])
    incident = IncidentFactory(title=TITLE)
    IncidentActorFactory(incident=incident, actor=ActorFactory(name="Malian Armed Forces"), side=Side.A)
    ClaimFactory(incident=incident, quantity_low=12, quantity_high=12, quantity_text="twelve soldiers")
    incident = services.incident_accept_proposal(incident=incident, user=reviewer)
    Incident.objects.filter(pk=incident.pk).update(status=Status.PUBLISHED, published_at=incident.created_at)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


def logged_in_page(browser, live_server, username: str, width: int = 1366, height: int = 900):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def test_an_editor_proposes_a_correction_and_another_person_approves_it(published, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    public_url = f"{live_server.url}/incidents/{published.pk}/"

    editor = logged_in_page(browser, live_server, "amina")
    editor.goto(f"{live_server.url}/admin/incidents/incident/{published.pk}/change/")
    banner = editor.locator(".archive-public-banner").inner_text()
    editor.screenshot(path=str(SCREENSHOTS / "correction-1-published-incident.png"))
    editor.get_by_role("link", name="Propose a correction…").click()
    editor.fill("#id_reason", REASON)
    editor.screenshot(path=str(SCREENSHOTS / "correction-2-propose.png"))
    editor.get_by_role("button", name="Open the correction's draft").click()
    editor.wait_for_load_state()
    correction = Correction.objects.get(incident=published)
    revision_banner = editor.locator(".archive-correction-banner").inner_text()
    editor.screenshot(path=str(SCREENSHOTS / "correction-3-draft.png"))
    editor.fill("#id_title", NEW_TITLE)
    editor.click("input[name=_continue]")
    editor.wait_for_load_state()
    editor.get_by_role("button", name="Submit for review").click()
    editor.wait_for_load_state()
    submitted = editor.locator(".messagelist").inner_text()
    editor.goto(public_url)
    public_meanwhile = editor.locator("h1").inner_text()

    reviewer = logged_in_page(browser, live_server, "rokia")
    reviewer.goto(f"{live_server.url}/admin/incidents/correction/")
    reviewer.screenshot(path=str(SCREENSHOTS / "correction-4-list.png"))
    reviewer.get_by_role("link", name=f"Correction {correction.pk}").click()
    reviewer.wait_for_load_state()
    before = reviewer.locator("table.archive-diff del").first.inner_text()
    after = reviewer.locator("table.archive-diff ins").first.inner_text()
    reviewer.screenshot(path=str(SCREENSHOTS / "correction-5-changes.png"), full_page=True)
    phone = logged_in_page(browser, live_server, "rokia", width=390, height=844)
    phone.goto(reviewer.url)
    phone.screenshot(path=str(SCREENSHOTS / "correction-5-changes-phone.png"), full_page=True)
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.wait_for_load_state()
    approved = reviewer.locator(".messagelist").inner_text()
    reviewer.screenshot(path=str(SCREENSHOTS / "correction-6-approved.png"), full_page=True)
    reviewer.goto(public_url)
    public_after = reviewer.locator("h1").inner_text()

    assert "Published: the public sees this record." in banner
    assert f"Correction to #{published.pk}" in revision_banner and REASON in revision_banner
    assert "submitted for review" in submitted
    assert TITLE in public_meanwhile
    assert (before, after) == (TITLE, NEW_TITLE)
    assert "Correction approved" in approved
    assert NEW_TITLE in public_after
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by.username == "rokia"
    assert Incident.objects.get(pk=published.pk).title == NEW_TITLE
