"""Making a confidential source or person public takes a reviewer who did not ask.

An editor (or a reviewer) unticking "confidential" only asks; until another reviewer confirms,
the public pages, the API and the exports still withhold the identity. A history restore
never discloses, and the database refuses any other update that would.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from incidents import disclosure, services
from incidents.admin.forms import VERSION_FIELD
from incidents.models import Person, Source
from tests.admin_forms import change_form_data
from tests.factories import CitationFactory, ClaimFactory, IncidentFactory, PersonFactory, SourceFactory

OUTLET = "Radio Quokka FM"
AUTHOR = "Quokka prefect"
PERSON = "Quokka Witness Name"


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "100000/minute", "user": "100000/minute", "export": "100000/minute"},
    )
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def second_reviewer_client(second_reviewer) -> Client:
    client = Client()
    client.force_login(second_reviewer)
    return client


@pytest.fixture
def secret(db):
    """A published incident whose claim is carried by a confidential source, through a confidential person."""
    source = SourceFactory(kind="local_source", outlet=OUTLET, author=AUTHOR, confidential=True)
    person = PersonFactory(name=PERSON, slug="quokka-witness", confidential=True)
    incident = IncidentFactory(published=True)
    claim = ClaimFactory(incident=incident, source=None)
    CitationFactory(claim=claim, source=source, speaker=person, quote="Fifteen were killed.")
    return {"incident": incident, "source": source, "person": person}


def public_text(client: Client, incident) -> str:
    """What the public reads of the incident: its page, the API and the citations and sources exports."""
    bodies = []
    for url in [
        incident.get_absolute_url(),
        f"/api/v1/incidents/{incident.pk}/",
        "/api/v1/sources/",
        "/api/v1/persons/",
        "/export/citations.csv",
        "/export/sources.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append((b"".join(response.streaming_content) if response.streaming else response.content).decode())
    return "\n".join(bodies)


def change_url(record) -> str:
    return reverse(f"admin:incidents_{record._meta.model_name}_change", args=[record.pk])


def untick(client: Client, record, **changes) -> list[str]:
    """Submit the record's change form with "confidential" unticked; the messages shown after."""
    data = change_form_data(client, change_url(record))
    data.pop("confidential", None)
    data.update(changes)
    response = client.post(change_url(record), data, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def decide(client: Client, record, decision: str) -> list[str]:
    record.refresh_from_db()
    url = reverse(f"admin:incidents_{record._meta.model_name}_disclosure", args=[record.pk, decision])
    response = client.post(url, {VERSION_FIELD: record.version}, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


# --- Sources -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editors_untick_only_asks_and_the_source_stays_withheld_until_another_reviewer_confirms(
    secret, editor, editor_client, reviewer_client
):
    source, incident = secret["source"], secret["incident"]
    public = Client()
    assert OUTLET not in public_text(public, incident)

    shown = untick(editor_client, source, title="Call with the prefect, corrected")

    assert "A reviewer must confirm before this source is made public." in shown
    source.refresh_from_db()
    assert source.confidential
    assert source.title == "Call with the prefect, corrected"
    assert source.disclosure_requested_by == editor
    body = public_text(public, incident)
    assert OUTLET not in body and AUTHOR not in body
    assert "Local source, identity withheld" in body

    form = reviewer_client.get(change_url(source)).content.decode()
    assert "Make public" in form and "Keep confidential" in form
    assert "Asked by editor" in form

    assert "is now public." in " ".join(decide(reviewer_client, source, "disclose"))

    source.refresh_from_db()
    assert not source.confidential and source.disclosure_requested_at is None
    cache.clear()
    body = public_text(public, incident)
    assert OUTLET in body and AUTHOR in body


def test_an_editor_cannot_make_a_source_public_even_when_someone_else_asked(secret, editor_client, reviewer):
    source = disclosure.record_request_disclosure(record=secret["source"], user=reviewer)

    assert "Make public" not in editor_client.get(change_url(source)).content.decode()
    shown = decide(editor_client, source, "disclose")

    assert "Only a reviewer may make a confidential source public." in shown
    source.refresh_from_db()
    assert source.confidential and source.disclosure_requested_by == reviewer


def test_a_reviewer_who_asked_cannot_confirm_their_own_request(
    secret, reviewer, reviewer_client, second_reviewer_client
):
    source = secret["source"]
    assert "A reviewer must confirm before this source is made public." in untick(reviewer_client, source)
    source.refresh_from_db()
    assert source.confidential and source.disclosure_requested_by == reviewer

    form = reviewer_client.get(change_url(source)).content.decode()
    assert "Make public" not in form
    shown = decide(reviewer_client, source, "disclose")
    assert "You asked for this source to be made public; another reviewer must confirm it." in shown
    source.refresh_from_db()
    assert source.confidential

    decide(second_reviewer_client, source, "disclose")
    source.refresh_from_db()
    assert not source.confidential


@override_settings(ARCHIVE_ALLOW_SELF_REVIEW=True)
def test_with_self_review_allowed_the_reviewer_who_asked_may_confirm(secret, reviewer_client):
    source = secret["source"]
    untick(reviewer_client, source)
    assert "Make public" in reviewer_client.get(change_url(source)).content.decode()

    decide(reviewer_client, source, "disclose")

    source.refresh_from_db()
    assert not source.confidential


def test_keep_confidential_closes_the_request(secret, editor_client, reviewer_client):
    source = secret["source"]
    untick(editor_client, source)

    assert "stays confidential; the request is closed" in " ".join(decide(reviewer_client, source, "keep"))

    source.refresh_from_db()
    assert source.confidential and source.disclosure_requested_at is None
    assert "Asked by" not in reviewer_client.get(change_url(source)).content.decode()


def test_a_reviewer_confirms_only_the_version_they_saw(secret, editor, reviewer):
    source = disclosure.record_request_disclosure(record=secret["source"], user=editor)
    seen = source.version
    Source.objects.filter(pk=source.pk).update(author="Someone else entirely", version=seen + 1)

    with pytest.raises(services.ConcurrentEditError):
        disclosure.record_disclose(record=source, user=reviewer, expected_version=seen)

    source.refresh_from_db()
    assert source.confidential


def test_ticking_confidential_hides_a_source_at_once(editor_client):
    source = SourceFactory(outlet=OUTLET)
    data = change_form_data(editor_client, change_url(source))
    data["confidential"] = "on"

    editor_client.post(change_url(source), data)

    source.refresh_from_db()
    assert source.confidential and source.disclosure_requested_at is None


def test_a_history_restore_of_a_public_version_does_not_disclose(reviewer_client):
    public_version = SourceFactory(outlet="Radio Before", confidential=False)
    public_version.outlet = OUTLET
    public_version.confidential = True
    public_version.save()
    old = public_version.pgh_event_model.objects.filter(pgh_obj_id=public_version.pk).earliest("pgh_id")
    assert not old.confidential

    url = reverse("admin:incidents_source_restore", args=[public_version.pk, old.pgh_id])
    reviewer_client.post(url)

    public_version.refresh_from_db()
    assert public_version.outlet == "Radio Before"
    assert public_version.confidential


def test_the_database_refuses_any_other_update_that_makes_a_source_public(secret, reviewer, second_reviewer):
    source = secret["source"]

    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(confidential=False)

    # Even while a request is pending: only record_disclose declares the row it makes public.
    disclosure.record_request_disclosure(record=source, user=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(confidential=False, disclosure_requested_at=None)
    disclosure.record_disclose(record=source, user=second_reviewer)
    assert not Source.objects.get(pk=source.pk).confidential


# --- People --------------------------------------------------------------------------------


def test_a_person_stays_withheld_until_another_reviewer_confirms(secret, editor_client, reviewer_client):
    person, incident = secret["person"], secret["incident"]
    public = Client()

    assert "A reviewer must confirm before this person is made public." in untick(editor_client, person)

    person.refresh_from_db()
    assert person.confidential
    page = public.get(incident.get_absolute_url()).content.decode()
    assert PERSON not in page and "A person, identity withheld" in page
    assert PERSON not in public_text(public, incident)
    assert public.get(reverse("person-detail", kwargs={"slug": person.slug})).status_code == 404

    decide(reviewer_client, person, "disclose")

    person.refresh_from_db()
    assert not person.confidential
    cache.clear()
    assert PERSON in public.get(incident.get_absolute_url()).content.decode()
    assert public.get(reverse("person-detail", kwargs={"slug": person.slug})).status_code == 200


def test_a_reviewer_cannot_confirm_their_own_request_about_a_person(secret, reviewer_client, second_reviewer_client):
    person = secret["person"]
    untick(reviewer_client, person)

    assert "another reviewer must confirm it" in " ".join(decide(reviewer_client, person, "disclose"))
    assert Person.objects.get(pk=person.pk).confidential

    decide(second_reviewer_client, person, "disclose")
    assert not Person.objects.get(pk=person.pk).confidential


def test_a_history_restore_of_a_public_version_of_a_person_does_not_disclose(reviewer_client):
    person = PersonFactory(name="Before", confidential=False)
    person.name = PERSON
    person.confidential = True
    person.save()
    old = person.pgh_event_model.objects.filter(pgh_obj_id=person.pk).earliest("pgh_id")

    reviewer_client.post(reverse("admin:incidents_person_restore", args=[person.pk, old.pgh_id]))

    person.refresh_from_db()
    assert person.name == "Before" and person.confidential
