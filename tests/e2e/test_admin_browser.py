"""The editors' admin in a real headless browser (Debian's chromium).

An editor logs in through the login page, reads an incident's reconciliation proposal and
submits it for review with the change form's button; two editors saving the same incident
from two browsers see the second save refused; on a seed-like incident an editor finds the
claims compact, adds a report under a claim and a new claim whose speaker is picked by
autocomplete, and saves both. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from incidents.models import Claim, Incident, LossesOf, PersonAlias, Side, SourceKind, Stance, Status
from tests.e2e.chromium import SCREENSHOTS, chromium, requires_chromium
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
    UserFactory,
)

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


# --- Claims and their citations on the change form -------------------------------------------

# The claims section stays compact: folded, a claim is one line; unfolded, its one-line summary and
# its own fields (folded occasional fields included) take at most this height, and each report
# carrying it one table row of at most this height.
MAX_FOLDED_CLAIM_PX = 40
MAX_CLAIM_FIELDS_PX = 210
MAX_CITATION_ROW_PX = 70


@pytest.fixture
def seed_like() -> Incident:
    """The seed story's shape: the FLA's statement carried by AFP and by AP, the army's figure, an expert."""
    UserFactory(username="amina", groups=["Editor"])
    fla = ActorFactory(name="Azawad Liberation Front (FLA)")
    army = ActorFactory(name="Malian Armed Forces (FAMa)")
    incident = IncidentFactory(title="Ambush on the Anefif–Aguelhok road")
    IncidentActorFactory(incident=incident, actor=fla, side=Side.A)
    IncidentActorFactory(incident=incident, actor=army, side=Side.B)
    spokesman = PersonFactory(name="Mohamed Elmaouloud Ramadane", description="FLA spokesman")
    PersonAlias.objects.create(person=spokesman, name="Muhammad Maulud Ramadan", language="en")
    PersonFactory(name="Ibrahim Maiga", description="Sahel security analyst")
    afp = SourceFactory(outlet="AFP", title="Mali: rebels say they ambushed an army convoy")
    SourceFactory(outlet="AP", title="Separatists claim deadly attack on Malian convoy")
    statement = ClaimFactory(
        incident=incident,
        claimant=fla,
        speaker=spokesman,
        losses_of=LossesOf.ACTOR,
        losses_actor=army,
        quantity_low=39,
        quantity_high=39,
        quantity_text="39 soldiers",
        verification_note="Claimed by a party to the fighting; no independent confirmation.",
        source=afp,
        quote="39 militaires ont été tués",
        language="fr",
        translation="39 soldiers were killed",
    )
    ClaimFactory(
        incident=incident,
        claimant=fla,
        losses_of=LossesOf.ACTOR,
        losses_actor=fla,
        stance=Stance.ACKNOWLEDGEMENT,
        quantity_low=6,
        quantity_high=6,
        quantity_text="six of our fighters",
        source=afp,
    )
    ClaimFactory(
        incident=incident,
        claimant=army,
        losses_of=LossesOf.ACTOR,
        losses_actor=fla,
        quantity_low=20,
        quantity_high=None,
        quantity_text="more than twenty terrorists neutralised",
        source=SourceFactory(kind=SourceKind.GOVERNMENT_STATEMENT, outlet="FAMa", title="Communiqué"),
    )
    assert statement.citations.count() == 1
    return incident


def open_claims(page) -> None:
    """Unfold every saved claim's row (each opens on a click on its one-line summary)."""
    page.evaluate("() => document.querySelectorAll('details.archive-claim-row').forEach((d) => { d.open = true; })")


def claim_heights(page) -> list[tuple[float, list[float]]]:
    """For each claim on the page, unfolded: the height of its own fields, and of each of its citation rows."""
    open_claims(page)
    return page.evaluate(
        """() => [...document.querySelectorAll('#claims-group > fieldset > .djn-items > .djn-item, '
                 + '#claims-group .djn-items > .djn-item.inline-related')]
          .filter((item) => /^claims-\\d+$/.test(item.id))
          .map((item) => {
            const nested = item.querySelector('.djn-group-nested');
            const citations = nested ? [...nested.querySelectorAll('tbody.djn-item')] : [];
            const rows = citations.map((row) => row.getBoundingClientRect().height);
            const total = item.getBoundingClientRect().height;
            return [total - (nested ? nested.getBoundingClientRect().height : 0), rows];
          })"""
    )


def pick(page, container, term: str, choice: str) -> None:
    """Choose ``choice`` in the autocomplete picker inside ``container`` by typing ``term``."""
    container.locator(".select2-selection").click()
    page.locator(".select2-search__field").last.fill(term)
    page.locator(".select2-results__option", has_text=choice).first.click()


def test_an_editor_adds_a_citation_and_a_claim_with_a_speaker_on_a_compact_change_form(seed_like, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = logged_in_page(browser, live_server, "amina")
    page.goto(f"{live_server.url}/admin/incidents/incident/{seed_like.pk}/change/")
    heights = claim_heights(page)
    page.screenshot(path=str(SCREENSHOTS / "admin-claims-compact.png"), full_page=True)
    page.locator("#claims-group").screenshot(path=str(SCREENSHOTS / "admin-claims-section.png"))

    assert len(heights) == 3
    assert all(own <= MAX_CLAIM_FIELDS_PX for own, _ in heights), heights
    assert all(0 < row <= MAX_CITATION_ROW_PX for _, rows in heights for row in rows), heights

    # A second outlet relaying the FLA's statement: a citation under the claim, not a new claim.
    statement = Claim.objects.get(incident=seed_like, quantity_text="39 soldiers")
    index = list(seed_like.claims.order_by("kind", "pk").values_list("pk", flat=True)).index(statement.pk)
    claim = page.locator(f"#claims-{index}")
    assert claim.locator("input[value='39 soldiers']").count() == 1
    claim.locator(".djn-add-handler.djn-model-incidents-citation").click()
    new_citation = page.locator(f"#claims-{index}-citations-1")
    pick(page, new_citation.locator(".field-source"), "AP", "Separatists claim deadly attack")
    new_citation.locator("textarea[name$='-quote']").fill("The rebels said 39 soldiers were killed.")
    new_citation.locator("input[name$='-language']").fill("en")

    # A new claim, its speaker chosen under another spelling of his name.
    page.locator(".djn-add-handler.djn-model-incidents-claim.djn-level-1").click()
    new_claim = page.locator("#claims-3")
    new_claim.locator("select[name='claims-3-kind']").select_option("injuries")
    pick(page, new_claim.locator(".field-speaker"), "Maulud", "Mohamed Elmaouloud Ramadane")
    new_claim.locator("input[name='claims-3-quantity_low']").fill("12")
    new_claim.locator("input[name='claims-3-quantity_high']").fill("12")
    new_claim.locator("input[name='claims-3-quantity_text']").fill("a dozen wounded")
    new_claim.locator(".djn-add-handler.djn-model-incidents-citation").click()
    pick(page, page.locator("#claims-3-citations-0 .field-source"), "AFP", "rebels say they ambushed")
    page.screenshot(path=str(SCREENSHOTS / "admin-claims-adding.png"), full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_load_state()

    assert page.locator(".errornote").count() == 0, page.locator(".errorlist").all_inner_texts()
    assert list(statement.citations.order_by("pk").values_list("source__outlet", "language")) == [
        ("AFP", "fr"),
        ("AP", "en"),
    ]
    added = Claim.objects.get(incident=seed_like, quantity_text="a dozen wounded")
    assert (added.kind, added.quantity_low, added.speaker.name) == ("injuries", 12, "Mohamed Elmaouloud Ramadane")
    assert list(added.citations.values_list("source__outlet", flat=True)) == ["AFP"]
    assert seed_like.claims.count() == 4


def test_the_change_form_of_an_incident_with_24_claims_opens_fast_and_stays_compact(seed_like, live_server, browser):
    sources = [SourceFactory(outlet=f"Outlet {n}", published_on=datetime.date(2025, 6, 14)) for n in range(6)]
    for n in range(21):
        claim = ClaimFactory(incident=seed_like, quantity_low=n, quantity_high=n + 2, quantity_text=f"{n} to {n + 2}")
        CitationFactory(claim=claim, source=sources[n % 6], quote=f"Between {n} and {n + 2} were killed.")
    assert Claim.objects.filter(incident=seed_like).count() == 24
    page = logged_in_page(browser, live_server, "amina")
    url = f"{live_server.url}/admin/incidents/incident/{seed_like.pk}/change/"
    page.goto(url)  # warms the server's caches
    folded = page.evaluate(
        """() => [...document.querySelectorAll('details.archive-claim-row:not([open])')]
          .map((details) => details.parentElement.getBoundingClientRect().height)"""
    )
    assert len(folded) == 24 and max(folded) <= MAX_FOLDED_CLAIM_PX, folded

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        page.goto(url, wait_until="load")
        timings.append(time.perf_counter() - started)
    heights = claim_heights(page)
    opened = min(timings)
    print(
        f"change form with 24 claims and {sum(len(rows) for _, rows in heights)} citations: "
        f"opened in {opened * 1000:.0f} ms (best of 3: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms)"
    )
    rows = [row for _, claim_rows in heights for row in claim_rows]
    print(
        f"claims: {max(own for own, _ in heights):.0f} px each at most without their citations, "
        f"citation rows {max(rows):.0f} px at most"
    )
    page.screenshot(path=str(SCREENSHOTS / "admin-claims-24.png"), full_page=True)

    assert len(heights) == 24
    assert all(own <= MAX_CLAIM_FIELDS_PX for own, _ in heights)
    assert opened < 5
