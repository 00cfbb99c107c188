"""No leaks: an anonymous crawler over every public path finds none of the hidden data.

Drafts, incidents in review, the content of retracted incidents, confidential sources'
identities, confidential people, people named only by drafts, the quotations of drafts'
claims, links to drafts and editor-only notes all carry the word MARK (in upper or lower
case, as fields allow). The crawler follows every link from the public pages, the API (lists,
details, filters, search, the schema and its docs) and every export, and fails on the
first body that contains the word.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from incidents import corrections, models
from incidents.models import Status
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

MARK = re.compile(rb"secretmark", re.IGNORECASE)
MAX_PAGES = 600
START = [
    "/",
    "/incidents/",
    "/incidents/facets/",
    "/actors/",
    "/methodology/",
    "/data/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/api/v1/",
    "/api/v1/incidents/",
    "/api/v1/actors/",
    "/api/v1/sources/",
    "/api/v1/claims/",
    "/api/v1/persons/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/export/incidents.csv",
    "/export/claims.csv",
    "/export/citations.csv",
    "/export/actors.csv",
    "/export/sources.csv",
]
# Queries an outsider would try: words only hidden records contain (pages echo the query, so
# these are not the marker itself), and filters naming hidden states and values.
PROBES = [
    "q=quokkaword",
    "search=quokkaword",
    "q=prefecture",
    "status=draft",
    "status=in_review",
    "status=retracted",
    "admin1=Quokka",
    "country=NE",
    "tag=quokkaword",
    "actor=quokka-draft-actor",
    "format=json",
    "format=geojson",
    "format=api",
]
SKIP_PREFIXES = ("/admin/", "/static/", "/__debug__/")


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "data-url", "data-src"} and value:
                self.links.append(value)


def links_in(url: str, content_type: str, body: bytes) -> list[str]:
    text = body.decode("utf-8", errors="replace")
    found: list[str] = []
    if "html" in content_type:
        parser = LinkParser()
        parser.feed(text)
        found = parser.links
    elif "json" in content_type:
        found = re.findall(r'"((?:https?://testserver)?/[^"\s]*)"', text)
    elif "xml" in content_type:
        found = re.findall(r"<loc>([^<]+)</loc>", text)
    return [urljoin(url, link) for link in found]


def internal_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"", "http", "https"} or parts.netloc not in {"", "testserver"}:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path


def readable(response) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # XLSX and other zipped formats: read every part
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return body


@pytest.fixture(autouse=True)
def unthrottled(db, monkeypatch):
    """The crawler is one client making hundreds of requests: lift the budgets, then reset them."""
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "100000/minute", "user": "100000/minute", "export": "100000/minute"},
    )
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def archive_with_secrets(db):
    """Public data beside every kind of hidden data, each hidden value marked."""
    public_source = SourceFactory(outlet="Agence France-Presse", internal_notes="SECRETMARK source note")
    confidential = SourceFactory(
        kind="local_source",
        outlet="SECRETMARK prefecture quokkaword",
        author="SECRETMARK official",
        title="SECRETMARK call",
        url="https://secretmark.example.org/call",
        archived_url="https://archive.example.org/secretmark",
        internal_notes="SECRETMARK why withheld",
        confidential=True,
    )
    public_actor = ActorFactory(name="Front de Libération de l'Azawad", slug="fla", internal_notes="SECRETMARK actor")
    draft_actor = ActorFactory(name="SECRETMARK quokkaword draft actor", slug="quokka-draft-actor")

    spokesman = PersonFactory(
        name="Mohamed Maouloud Ramadan", slug="mohamed-maouloud-ramadan", internal_notes="SECRETMARK person note"
    )
    models.PersonAlias.objects.create(person=spokesman, name="Muhammad Maulud Ramadan")
    models.PersonAffiliation.objects.create(person=spokesman, actor=public_actor, role="spokesman")
    models.PersonAffiliation.objects.create(person=spokesman, actor=draft_actor, role="SECRETMARK adviser")
    witness = PersonFactory(
        name="SECRETMARK quokkaword witness",
        slug="secretmark-witness",
        description="SECRETMARK who they are",
        confidential=True,
    )
    models.PersonAlias.objects.create(person=witness, name="SECRETMARK quokkaword alias")
    draft_spokesman = PersonFactory(name="SECRETMARK quokkaword draft spokesman", slug="secretmark-draft-spokesman")

    published = IncidentFactory(
        published=True,
        title="Ambush on the Anefif–Aguelhok road",
        internal_notes="SECRETMARK incident note",
        tags=["convoy"],
    )
    IncidentActorFactory(incident=published, actor=public_actor)
    claim = ClaimFactory(
        incident=published, source=public_source, speaker=spokesman, internal_notes="SECRETMARK claim note"
    )
    # The confidential source repeats the claim, through the confidential witness.
    CitationFactory(claim=claim, source=confidential, speaker=witness, quote="Une quinzaine de morts.", language="fr")
    ClaimFactory(incident=published, source=confidential, quote="Around 15 soldiers were killed.", speaker=witness)
    published.sources.add(public_source, confidential)

    hidden = []
    for status in (Status.DRAFT, Status.IN_REVIEW):
        incident = IncidentFactory(
            status=status,
            title=f"SECRETMARK quokkaword {status} title",
            summary="SECRETMARK quokkaword summary",
            admin1="Quokka SECRETMARK region",
            country="NE",
            location="SECRETMARK place",
            tags=["secretmark", "quokkaword"],
            fatalities_rationale="SECRETMARK rationale",
        )
        IncidentActorFactory(incident=incident, actor=draft_actor, note="SECRETMARK part")
        draft_claim = ClaimFactory(
            incident=incident,
            source=SourceFactory(outlet="SECRETMARK draft-only outlet"),
            quantity_text="SECRETMARK dozens",
            quote="SECRETMARK quote",
            translation="SECRETMARK translation",
            speaker=draft_spokesman,
        )
        # A draft's citation of a published incident's source, by the draft's own spokesman.
        CitationFactory(claim=draft_claim, source=public_source, speaker=draft_spokesman, quote="SECRETMARK words")
        models.IncidentRelation.objects.create(
            subject=incident, kind=models.IncidentRelationKind.SAME_EVENT, object=published, note="SECRETMARK link"
        )
        hidden.append(incident)
    retracted = IncidentFactory(
        status=Status.RETRACTED,
        published_at=published.published_at,
        title="Clash that did not happen",
        summary="SECRETMARK retracted summary",
        retraction_notice="Retracted: the only source withdrew its report.",
        internal_notes="SECRETMARK retraction reason",
    )
    ClaimFactory(incident=retracted, source=SourceFactory(outlet="SECRETMARK retracted outlet"), quote="SECRETMARK")
    hidden.append(_corrections_with_secrets(published))
    return {
        "published": published,
        "hidden": hidden,
        "retracted": retracted,
        "confidential": confidential,
        "witness": witness,
        "draft_spokesman": draft_spokesman,
    }


def _corrections_with_secrets(published: models.Incident) -> models.Incident:
    """Corrections of the published incident: approved (its date and reason are public, its kept
    changes and its people are not), rejected, withdrawn, and one open, whose draft copy is hidden
    like any draft. Returns the open one's draft."""
    author = UserFactory(username="secretmark_author", first_name="SECRETMARK", groups=["Editor"])
    decider = UserFactory(username="secretmark_reviewer", first_name="SECRETMARK", groups=["Reviewer"])
    field = {"field": "summary", "before": "SECRETMARK before", "after": "SECRETMARK after"}
    changes = [{"section": "Incident", "item": "SECRETMARK item", "change": "changed", "fields": [field]}]
    decided = {"author": author, "decided_by": decider, "decided_at": timezone.now(), "base_version": 1}
    models.Correction.objects.create(
        incident=published, reason="Date corrected after the army's statement of 15 June.",
        status=models.CorrectionStatus.APPROVED, changes=changes, **decided,
    )  # fmt: skip
    models.Correction.objects.create(
        incident=published, reason="SECRETMARK rejected reason", rejection_reason="SECRETMARK why rejected",
        status=models.CorrectionStatus.REJECTED, changes=changes, **decided,
    )  # fmt: skip
    models.Correction.objects.create(
        incident=published, reason="SECRETMARK withdrawn reason", status=models.CorrectionStatus.WITHDRAWN,
        changes=changes, **decided,
    )  # fmt: skip
    correction = corrections.correction_propose(incident=published, user=author, reason="SECRETMARK open reason")
    models.Incident.objects.filter(pk=correction.revision_id).update(
        title="SECRETMARK quokkaword corrected title", summary="SECRETMARK corrected summary"
    )
    ClaimFactory(
        incident=correction.revision, quantity_text="SECRETMARK corrected figure", quote="SECRETMARK new quote"
    )
    return correction.revision


def crawl(client: Client, start: list[str], *, within: tuple[str, ...] = ("/",)) -> dict[str, int]:
    """Every path reachable from ``start`` whose path begins with one of ``within``, with its status."""
    seen: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or not path.startswith(within):
            continue
        response = client.get(path)
        seen[path] = response.status_code
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        body = readable(response)
        match = MARK.search(body)
        assert match is None, f"{path} leaks {body[max(0, match.start() - 80) : match.end() + 80]!r}"
        if 300 <= response.status_code < 400:
            target = internal_path(response["Location"])
            if target:
                queue.append(target)
            continue
        for link in links_in(path, response.get("Content-Type", ""), body):
            target = internal_path(link)
            if target and target not in seen:
                queue.append(target)
    return seen


def test_an_anonymous_crawler_finds_no_hidden_data_anywhere(archive_with_secrets):
    secrets = archive_with_secrets
    hidden_ids = [i.pk for i in secrets["hidden"]]
    start = list(START)
    for base in ["/incidents/", "/incidents/facets/", "/api/v1/incidents/", "/api/v1/claims/", "/api/v1/actors/"]:
        start += [f"{base}?{probe}" for probe in PROBES]
    for base in ["/api/v1/sources/"]:
        start += [f"{base}?{probe}" for probe in PROBES]
    for table in ["incidents", "claims", "citations", "actors", "sources"]:
        start += [f"/export/{table}.csv?{probe}" for probe in PROBES]
    start += guessed_people(secrets)
    # Guessing the ids and slugs of hidden records must not work either.
    for pk in hidden_ids:
        start += [f"/incidents/{pk}/", f"/api/v1/incidents/{pk}/", f"/api/v1/incidents/?id={pk}"]
    start += ["/actors/quokka-draft-actor/", "/api/v1/actors/quokka-draft-actor/"]
    start += [f"/api/v1/sources/{secrets['confidential'].pk}/", f"/sources/{secrets['confidential'].pk}/"]

    seen = crawl(Client(), start)

    published = secrets["published"]
    assert seen[published.get_absolute_url()] == 200, "the crawler reached the published incident"
    assert seen.get(f"/sources/{secrets['confidential'].pk}/", 200) == 200
    for pk in hidden_ids:
        assert seen[f"/incidents/{pk}/"] == 404
        assert seen[f"/api/v1/incidents/{pk}/"] == 404
    assert seen["/actors/quokka-draft-actor/"] == 404
    assert len(seen) > 40, f"the crawl reached only {sorted(seen)}"


def guessed_people(secrets: dict) -> list[str]:
    """Searches and addresses an outsider would try to find the people the archive protects."""
    paths = [f"/api/v1/persons/?{probe}" for probe in PROBES]
    paths += [f"/api/v1/persons/?q={text}" for text in ("quokkaword", "witness", "spokesman", "secretmark")]
    for person in (secrets["witness"], secrets["draft_spokesman"]):
        paths += [f"/persons/{person.slug}/", f"/api/v1/persons/{person.slug}/"]
    return paths


def test_an_anonymous_client_of_the_api_and_the_exports_finds_no_hidden_data(archive_with_secrets):
    secrets = archive_with_secrets
    start = [path for path in START if path.startswith(("/api/", "/export/"))]
    for base in ["/api/v1/incidents/", "/api/v1/claims/", "/api/v1/actors/", "/api/v1/sources/"]:
        start += [f"{base}?{probe}" for probe in PROBES]
    start += [f"/export/{table}.csv?{probe}" for table in ("claims", "citations") for probe in PROBES]
    start += [path for path in guessed_people(secrets) if path.startswith("/api/")]
    start += ["/api/v1/incidents/retracted/", f"/api/v1/incidents/{secrets['published'].pk}/"]
    start += ["/api/v1/persons/mohamed-maouloud-ramadan/", f"/api/v1/claims/?incident={secrets['published'].pk}"]

    seen = crawl(Client(), start, within=("/api/", "/export/"))

    for person in (secrets["witness"], secrets["draft_spokesman"]):
        assert seen[f"/api/v1/persons/{person.slug}/"] == 404
    assert seen["/api/v1/persons/mohamed-maouloud-ramadan/"] == 200
    assert len(seen) > 40, f"the crawl reached only {sorted(seen)}"


def test_a_confidential_person_is_named_nowhere_and_a_draft_link_leads_nowhere(archive_with_secrets):
    published = archive_with_secrets["published"]
    detail = Client().get(f"/api/v1/incidents/{published.pk}/").json()
    speakers = [claim["speaker"] for claim in detail["claims"]]
    speakers += [citation["speaker"] for claim in detail["claims"] for citation in claim["citations"]]

    assert {"name": "A person, identity withheld", "slug": None} in speakers
    assert detail["related_incidents"] == []
    # A duplicate merged into an incident that is no longer public does not name it.
    merged = IncidentFactory(
        status=Status.RETRACTED, retraction_notice="Merged.", merged_into=archive_with_secrets["hidden"][0]
    )
    retracted = Client().get("/api/v1/incidents/retracted/").json()["results"]
    assert {item["id"]: item["merged_into"] for item in retracted}[merged.pk] is None
    people = Client().get("/api/v1/persons/").json()["results"]
    assert [person["slug"] for person in people] == ["mohamed-maouloud-ramadan"]
    assert [a["actor"]["slug"] for a in people[0]["affiliations"]] == ["fla"]
    assert models.Person.objects.count() == 3


def test_a_retracted_incident_shows_only_its_notice(archive_with_secrets):
    retracted = archive_with_secrets["retracted"]
    response = Client().get(retracted.get_absolute_url())
    body = response.content.decode()
    assert response.status_code in {200, 410}
    assert "the only source withdrew its report" in body
    assert not MARK.search(response.content)
    api = Client().get(f"/api/v1/incidents/{retracted.pk}/")
    assert not MARK.search(api.content)


def test_the_confidential_source_appears_only_as_its_public_label(archive_with_secrets):
    confidential = archive_with_secrets["confidential"]
    published = archive_with_secrets["published"]
    page = Client().get(published.get_absolute_url()).content.decode()
    assert "Local source, identity withheld" in page
    api = Client().get(f"/api/v1/claims/?incident={published.pk}")
    assert api.status_code == 200
    assert "identity withheld" in api.content.decode()
    source_page = Client().get(f"/sources/{confidential.pk}/")
    assert not MARK.search(source_page.content)


def test_the_api_counts_only_published_incidents(archive_with_secrets):
    response = Client().get("/api/v1/incidents/?country=NE")
    assert response.status_code == 200
    payload = json.loads(response.content)
    results = payload.get("results", payload.get("features", payload))
    assert results == []
    assert payload.get("count", 0) == 0


def test_erasing_a_source_scrubs_its_name_from_the_admin_log_of_the_citations_and_incidents_citing_it(db):
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
    from django.core.management import call_command

    from tests.factories import UserFactory

    source = SourceFactory(
        kind="local_source", outlet="Radio Kayira Ségou", author="Moussa, the driver's cousin", confidential=True
    )
    incident = IncidentFactory(published=True)
    claim = ClaimFactory(incident=incident, source=None)
    citation = CitationFactory(claim=claim, source=source, quote="Ils étaient quinze.", language="fr")
    editor = UserFactory()
    # What the admin writes when a citation is added in the incident's form, and for the citation itself.
    for obj, flag, message in (
        (citation, ADDITION, [{"added": {}}]),
        (incident, CHANGE, [{"added": {"name": "citation", "object": str(citation)}}]),
        (claim, CHANGE, [{"changed": {"name": "citation", "object": str(citation), "fields": ["Quote"]}}]),
    ):
        LogEntry.objects.log_actions(editor.pk, [obj], flag, change_message=message, single_object=True)
    assert "Ségou" not in "".join(LogEntry.objects.values_list("change_message", flat=True)), "Django escapes it"

    call_command("erase_source_identity", source=source.pk, yes=True, verbosity=0)

    for entry in LogEntry.objects.all():
        stored = f"{entry.object_repr} {entry.get_change_message()} {json.loads(entry.change_message)}"
        assert "Ségou" not in stored and "Moussa" not in stored, stored
    assert LogEntry.objects.filter(object_id=str(incident.pk), change_message__contains="[erased]").exists()
    citation.refresh_from_db()
    assert (citation.source_id, citation.quote, citation.language) == (source.pk, "Ils étaient quinze.", "fr")
