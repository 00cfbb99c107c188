"""The editors' admin in a real headless browser (Debian's chromium).

An editor logs in through the login page, reads an incident's reconciliation proposal and
submits it for review with the change form's button; two editors saving the same incident
from two browsers see the second save refused. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from incidents.models import Incident, LossesOf, Stance, Status
from tests.e2e.chromium import SCREENSHOTS, chromium, requires_chromium
from tests.factories import ActorFactory, ClaimFactory, IncidentActorFactory, IncidentFactory, UserFactory

PASSWORD = "correct horse battery staple"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def contested_draft() -> Incident:
    UserFactory(username="amina", groups=["Editor"])
    UserFactory(username="bakary", groups=["Editor"])
    fla = ActorFactory(name="Azawad Liberation Front")
    army = ActorFactory(name="Malian Armed Forces")
    incident = IncidentFactory(title="Ambush on the Anefif–Aguelhok road")
    IncidentActorFactory(incident=incident, actor=fla)
    ClaimFactory(
        incident=incident,
        claimant=fla,
        losses_of=LossesOf.ACTOR,
        losses_actor=fla,
        stance=Stance.ACKNOWLEDGEMENT,
        quantity_low=3,
        quantity_high=3,
        quantity_text="three of their members",
    )
    ClaimFactory(
        incident=incident,
        claimant=army,
        losses_of=LossesOf.ACTOR,
        losses_actor=fla,
        quantity_low=10,
        quantity_high=10,
        quantity_text="10 enemy combatants",
    )
    return incident


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


def logged_in_page(browser, live_server, username: str):
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def test_an_editor_reads_the_proposal_and_submits_the_incident_for_review(contested_draft, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    change_url = f"{live_server.url}/admin/incidents/incident/{contested_draft.pk}/change/"

    page = logged_in_page(browser, live_server, "amina")
    page.goto(change_url)
    proposal = page.locator(".archive-proposal").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "admin-incident-change.png"), full_page=True)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    message = page.locator(".messagelist").inner_text()

    assert "Azawad Liberation Front" in proposal and "Contested" in proposal
    assert "acknowledged 3 of its own dead" in proposal
    assert "submitted for review" in message
    assert Incident.objects.get(pk=contested_draft.pk).status == Status.IN_REVIEW


def test_two_editors_saving_from_two_browsers_cannot_overwrite_each_other(contested_draft, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    change_url = f"{live_server.url}/admin/incidents/incident/{contested_draft.pk}/change/"
    first = logged_in_page(browser, live_server, "amina")
    second = logged_in_page(browser, live_server, "bakary")
    first.goto(change_url)
    second.goto(change_url)

    first.fill("#id_title", "Ambush of an army convoy on the Anefif–Aguelhok road")
    first.click("input[name=_continue]")
    first.wait_for_load_state()
    second.fill("#id_title", "Convoy attacked near Aguelhok")
    second.click("input[name=_continue]")
    second.wait_for_load_state()
    refusal = second.locator(".errornote, .errorlist").first.inner_text()
    second.screenshot(path=str(SCREENSHOTS / "admin-concurrent-edit-refused.png"))
    kept_input = second.input_value("#id_title")

    assert "changed by someone else after you opened it" in second.content()
    assert refusal
    assert kept_input == "Convoy attacked near Aguelhok"
    incident = Incident.objects.get(pk=contested_draft.pk)
    assert incident.title == "Ambush of an army convoy on the Anefif–Aguelhok road"
    assert incident.last_edited_by.username == "amina"


def test_queries_made_while_the_browser_runs_leave_no_connection_open(contested_draft):
    with chromium():
        # Playwright's loop runs: Django opens a connection apart from the test's own for this.
        assert Incident.objects.filter(pk=contested_draft.pk).exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        assert cursor.fetchone()[0] == 0  # closed, so the test database can be dropped at the end
