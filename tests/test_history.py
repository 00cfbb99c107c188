"""Nothing lost: every write is in the history, whatever made it, and any version can be restored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Actor, Claim, Incident, Source, Status
from tests.admin_forms import change_form_data
from tests.factories import ActorFactory, ClaimFactory, IncidentFactory, SourceFactory

pytestmark = pytest.mark.django_db


def events_of(obj) -> list:
    return list(type(obj).pgh_event_model.objects.filter(pgh_obj_id=obj.pk).order_by("pgh_id"))


def test_save_records_an_insert_and_an_update():
    incident = IncidentFactory(title="First title")
    incident.title = "Second title"
    incident.save()

    events = events_of(incident)

    assert [(e.pgh_label, e.title) for e in events] == [("insert", "First title"), ("update", "Second title")]


def test_queryset_update_records_one_event_per_row():
    incidents = IncidentFactory.create_batch(3)

    Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(grading="weak")

    for incident in incidents:
        assert [(e.pgh_label, e.grading) for e in events_of(incident)][-1] == ("update", "weak")
        assert len(events_of(incident)) == 2


def test_bulk_create_records_one_insert_per_row():
    template = IncidentFactory.build()
    rows = [
        Incident(
            title=f"Bulk {n}",
            start_date=template.start_date,
            end_date=template.end_date,
            country="ML",
            event_type=template.event_type,
            sub_event_type=template.sub_event_type,
        )
        for n in range(4)
    ]

    created = Incident.objects.bulk_create(rows)

    assert [len(events_of(incident)) for incident in created] == [1, 1, 1, 1]
    assert Incident.pgh_event_model.objects.filter(pgh_label="insert", title__startswith="Bulk ").count() == 4


def test_deleting_a_claim_keeps_its_last_state_in_the_history():
    claim = ClaimFactory(quote="They were ambushed.")
    pk = claim.pk
    claim.delete()

    deleted = Claim.pgh_event_model.objects.get(pgh_obj_id=pk, pgh_label="delete")

    assert deleted.quote == "They were ambushed."


def test_an_admin_save_records_the_acting_user_and_url(editor_client, editor):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])

    editor_client.post(url, {**change_form_data(editor_client, url), "title": "Renamed by an editor"})

    event = events_of(incident)[-1]
    assert event.title == "Renamed by an editor"
    assert event.pgh_context.metadata["user"] == editor.pk
    assert event.pgh_context.metadata["url"] == url


def test_an_admin_workflow_action_records_the_reviewer(reviewer_client, reviewer, editor):
    incident = services.incident_submit(incident=IncidentFactory(last_edited_by=editor), user=editor)

    reviewer_client.post(
        reverse("admin:incidents_incident_changelist"),
        {"action": "publish", "_selected_action": [str(incident.pk)], "index": "0"},
    )

    event = events_of(incident)[-1]
    assert event.status == Status.PUBLISHED
    assert event.pgh_context.metadata["user"] == reviewer.pk


@pytest.mark.parametrize("client_fixture", ["editor_client", "reviewer_client"])
def test_editors_and_reviewers_see_an_incidents_history_with_user_and_changed_fields(request, client_fixture, editor):
    viewer = request.getfixturevalue(client_fixture)
    incident = IncidentFactory(title="Before")
    claim = ClaimFactory(incident=incident, quantity_text="five")
    editor_session = request.getfixturevalue("editor_client")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    editor_session.post(url, {**change_form_data(editor_session, url), "title": "After"})
    Claim.objects.filter(pk=claim.pk).update(quantity_text="about five")

    response = viewer.get(reverse("admin:incidents_incident_history", args=[incident.pk]))

    assert response.status_code == 200
    entries = response.context["entries"]
    title_change = next(e for e in entries if e.label == "update" and e.subject == "Incident")
    assert title_change.user == "editor"
    assert ("title", "Before", "After") in title_change.changes
    claim_change = next(e for e in entries if e.subject == f"Claim #{claim.pk}" and e.label == "update")
    assert ("quantity text", "five", "about five") in claim_change.changes
    assert not claim_change.restorable
    page = response.content.decode()
    assert "Restore this version" in page and "editor" in page


@pytest.mark.parametrize(
    ("factory", "url_name", "field", "value"),
    [
        (ClaimFactory, "admin:incidents_claim_history", "quote", "A new quote."),
        (ActorFactory, "admin:incidents_actor_history", "description", "A new description."),
        (SourceFactory, "admin:incidents_source_history", "title", "A new title"),
    ],
    ids=["claim", "actor", "source"],
)
def test_claims_actors_and_sources_have_a_history_page(editor_client, factory, url_name, field, value):
    obj = factory()
    type(obj).objects.filter(pk=obj.pk).update(**{field: value})

    response = editor_client.get(reverse(url_name, args=[obj.pk]))

    assert response.status_code == 200
    assert [e.label for e in response.context["entries"]] == ["update", "insert"]
    assert value in response.content.decode()


def test_an_editor_restores_an_earlier_version_of_a_draft(editor_client, editor):
    incident = IncidentFactory(title="Original title", summary="Original summary.")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    editor_client.post(url, {**change_form_data(editor_client, url), "title": "Vandalised", "summary": "Wrong."})
    original = events_of(incident)[0]

    response = editor_client.post(
        reverse("admin:incidents_incident_restore", args=[incident.pk, original.pgh_id]), follow=True
    )

    assert "Restored" in " ".join(str(m) for m in response.context["messages"])
    incident.refresh_from_db()
    assert (incident.title, incident.summary) == ("Original title", "Original summary.")
    assert incident.version == 3
    assert incident.last_edited_by == editor
    restore_event = events_of(incident)[-1]
    assert restore_event.title == "Original title"
    assert restore_event.pgh_context.metadata["user"] == editor.pk


def test_a_restore_leaves_the_workflow_state_alone(reviewer_client, reviewer):
    incident = IncidentFactory(title="Draft title")
    first = events_of(incident)[0]
    incident.title = "Published title"
    incident.save()
    Incident.objects.filter(pk=incident.pk).update(
        status=Status.PUBLISHED, published_by=reviewer, published_at=incident.updated_at
    )

    reviewer_client.post(reverse("admin:incidents_incident_restore", args=[incident.pk, first.pgh_id]))

    incident.refresh_from_db()
    assert (incident.title, incident.status, incident.published_by) == ("Draft title", Status.PUBLISHED, reviewer)


def test_an_editor_cannot_restore_a_submitted_incident(editor_client, editor):
    incident = IncidentFactory(title="First")
    first = events_of(incident)[0]
    Incident.objects.filter(pk=incident.pk).update(title="Second")
    services.incident_submit(incident=incident, user=editor)

    response = editor_client.post(reverse("admin:incidents_incident_restore", args=[incident.pk, first.pgh_id]))

    assert response.status_code == 403
    assert Incident.objects.get(pk=incident.pk).title == "Second"


def test_a_restore_needs_a_post(editor_client):
    incident = IncidentFactory()
    first = events_of(incident)[0]

    response = editor_client.get(reverse("admin:incidents_incident_restore", args=[incident.pk, first.pgh_id]))

    assert response.status_code == 405


def test_restoring_a_claim_source_and_actor_through_their_history(editor_client):
    claim = ClaimFactory(quote="Original quote.")
    source = SourceFactory(title="Original title")
    actor = ActorFactory(description="Original description.")
    Claim.objects.filter(pk=claim.pk).update(quote="Changed.")
    Source.objects.filter(pk=source.pk).update(title="Changed")
    Actor.objects.filter(pk=actor.pk).update(description="Changed.")

    for obj, name in [(claim, "claim"), (source, "source"), (actor, "actor")]:
        editor_client.post(reverse(f"admin:incidents_{name}_restore", args=[obj.pk, events_of(obj)[0].pgh_id]))

    assert Claim.objects.get(pk=claim.pk).quote == "Original quote."
    assert Source.objects.get(pk=source.pk).title == "Original title"
    assert Actor.objects.get(pk=actor.pk).description == "Original description."
    assert Actor.objects.get(pk=actor.pk).version == 2


def test_a_restored_version_makes_open_forms_stale(editor_client):
    incident = IncidentFactory(title="One")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    editor_client.post(url, {**change_form_data(editor_client, url), "title": "Two"})
    open_form = change_form_data(editor_client, url)

    editor_client.post(reverse("admin:incidents_incident_restore", args=[incident.pk, events_of(incident)[0].pgh_id]))
    response = editor_client.post(url, {**open_form, "title": "Three"})

    assert "was changed by someone else" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).title == "One"
