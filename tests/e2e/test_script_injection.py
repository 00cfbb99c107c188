"""No script injection: editor-entered script never runs, on public or admin pages.

Every free-text field holds a script payload; Debian's chromium loads each page that shows
them and must see no dialog (the payload did not run) and no Content-Security-Policy
violation (nothing was injected for the policy to block, and the pages' own scripts and
styles all carry the nonce or come from the app).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page

from incidents import models
from tests.e2e.chromium import chromium, requires_chromium
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
from tests.test_injection import free_text_fields

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

SCRIPT_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
# Recorded before any page script runs, so a violation during parsing is caught too.
LISTEN_FOR_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def browser(hostile_archive, live_server) -> Iterator[Browser]:
    # Started after the database is set up for the test: with Playwright's event loop already
    # running, the restore of the migrations' data between transactional tests goes wrong.
    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
    # meanwhile are still synchronous, so Django's async-safety guard does not apply.
    with chromium() as browser:
        yield browser


def fill(instance, payload: str) -> None:
    fields = free_text_fields(type(instance))
    for name in fields:
        setattr(instance, name, payload)
    instance.save(update_fields=fields)


@pytest.fixture
def hostile_archive(db) -> dict[str, list]:
    """Per payload: a published incident, its actor, source, claim, the claim's report and the
    person speaking, every text field hostile."""
    created: dict[str, list] = {"incident": [], "actor": [], "source": [], "claim": [], "person": []}
    for n, payload in enumerate(SCRIPT_PAYLOADS):
        incident = IncidentFactory(published=True, tags=["convoy"])
        actor, ally = ActorFactory(), ActorFactory()
        alias = models.ActorAlias.objects.create(actor=actor, name=f"alias {n}")
        relation = models.ActorRelation.objects.create(subject=actor, kind="allied_with", object=ally)
        source = SourceFactory()
        link = IncidentActorFactory(incident=incident, actor=actor)
        cited = models.IncidentSource.objects.create(incident=incident, source=source)
        person = PersonFactory()
        person_alias = models.PersonAlias.objects.create(person=person, name=f"spelling {n}")
        affiliation = models.PersonAffiliation.objects.create(person=person, actor=actor)
        claim = ClaimFactory(incident=incident, source=source, claimant=actor, speaker=person)
        # A second report, in a language tag as hostile as its 16 characters allow.
        report = CitationFactory(claim=claim, source=SourceFactory(), speaker=person, language='"><svg onload=1>')
        other = IncidentFactory(published=True, title=payload)  # shown as the related incident
        linked = models.IncidentRelation.objects.create(subject=incident, kind="follow_on", object=other)
        for instance in (incident, actor, ally, alias, relation, source, link, cited, claim, person, person_alias,
                         affiliation, report, linked):  # fmt: skip
            fill(instance, payload)
        created["incident"].append(incident)
        created["actor"].append(actor)
        created["source"].append(source)
        created["claim"].append(claim)
        created["person"].append(person)
    return created


def visit(page: Page, url: str, dialogs: list[str]) -> tuple[int, list[str], list[str]]:
    """Load ``url``; return its status, the dialogs opened and the CSP violations reported."""
    dialogs.clear()
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(150)  # late handlers (an image's onerror) fire after load
    return response.status, list(dialogs), page.evaluate("window.__violations")


def check_pages(browser: Browser, base: str, paths: list[str], cookies: list[dict] | None = None) -> list[str]:
    context = browser.new_context()
    if cookies:
        context.add_cookies(cookies)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    shown = []
    try:
        for path in paths:
            status, opened, violations = visit(page, base + path, dialogs)
            assert status == 200, f"{path} answered {status}"
            assert opened == [], f"{path} ran injected script: {opened}"
            assert violations == [], f"{path} reported CSP violations: {violations}"
            shown.append(page.content())
    finally:
        context.close()
    return shown


def test_script_in_any_text_field_never_runs_on_public_pages(hostile_archive, live_server, browser):
    paths = ["/", "/incidents/", "/actors/", "/incidents/?q=%3Cscript%3Ealert(1)%3C/script%3E", "/api/v1/docs/"]
    paths += [i.get_absolute_url() for i in hostile_archive["incident"]]
    paths += [a.get_absolute_url() for a in hostile_archive["actor"]]
    paths += [s.get_absolute_url() for s in hostile_archive["source"]]
    paths += [p.get_absolute_url() for p in hostile_archive["person"]]

    shown = check_pages(browser, live_server.url, paths)

    detail = shown[5]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail, "the payload reached the page, as text"


def test_script_in_any_text_field_never_runs_on_admin_pages(hostile_archive, live_server, browser):
    admin = UserFactory(username="chief", is_superuser=True)
    client = Client()
    client.force_login(admin)
    cookies = [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    paths = ["/admin/"]
    for model in ("incident", "actor", "source", "claim"):
        paths.append(f"/admin/incidents/{model}/")
        paths += [f"/admin/incidents/{model}/{obj.pk}/change/" for obj in hostile_archive[model]]
        paths.append(f"/admin/incidents/{model}/?q=%3Cscript%3Ealert(1)%3C/script%3E")

    shown = check_pages(browser, live_server.url, paths, cookies)

    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in html for html in shown)
