"""History: every kind of write leaves one event per row, with the acting user; only editors see it;
a confidential source's identity can be erased from data and history."""

from __future__ import annotations

import pghistory
import pytest
from django import forms
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from pghistory.models import Context

from incidents import services
from incidents.models import (
    Actor,
    Claim,
    ClaimEvent,
    Correction,
    CorrectionEvent,
    Incident,
    IncidentEvent,
    Source,
    SourceEvent,
    Status,
)
from tests.admin_forms import change_form_data
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def events_per_row(model, label: str, pks) -> dict[int, int]:
    counts = dict.fromkeys(pks, 0)
    for obj_id in model.objects.filter(pgh_label=label, pgh_obj_id__in=pks).values_list("pgh_obj_id", flat=True):
        counts[obj_id] += 1
    return counts


def acting_users(model, label: str, pks) -> set:
    return {
        (event.pgh_context.metadata.get("user") if event.pgh_context else None)
        for event in model.objects.filter(pgh_label=label, pgh_obj_id__in=pks).select_related("pgh_context")
    }


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["title", "summary"]


def test_a_form_save_leaves_one_update_event_with_the_editor(db, editor):
    incident = IncidentFactory()
    form = IncidentForm({"title": "Ambush on the Anefif road", "summary": "Revised."}, instance=incident)
    assert form.is_valid()
    with pghistory.context(user=editor.pk):
        form.save()
    assert events_per_row(IncidentEvent, "update", [incident.pk]) == {incident.pk: 1}
    assert acting_users(IncidentEvent, "update", [incident.pk]) == {editor.pk}
    assert IncidentEvent.objects.get(pgh_label="update", pgh_obj=incident).title == "Ambush on the Anefif road"


def test_queryset_update_leaves_one_event_per_row(db, editor):
    claims = ClaimFactory.create_batch(3)
    pks = [c.pk for c in claims]
    with pghistory.context(user=editor.pk):
        assert Claim.objects.filter(pk__in=pks).update(verification="disputed") == 3
    assert events_per_row(ClaimEvent, "update", pks) == dict.fromkeys(pks, 1)
    assert acting_users(ClaimEvent, "update", pks) == {editor.pk}


def test_bulk_create_leaves_one_insert_event_per_row(db, editor):
    incident = IncidentFactory()
    with pghistory.context(user=editor.pk):
        claims = Claim.objects.bulk_create(
            [Claim(incident=incident, kind="fatalities", quantity_text=f"{n}") for n in range(4)]
        )
    pks = [c.pk for c in claims]
    assert events_per_row(ClaimEvent, "insert", pks) == dict.fromkeys(pks, 1)
    assert acting_users(ClaimEvent, "insert", pks) == {editor.pk}


def test_raw_sql_leaves_one_event_per_row_and_the_user_when_there_is_one(db, editor):
    sources = SourceFactory.create_batch(2)
    pks = [s.pk for s in sources]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_source SET reliability = 'C' WHERE id = ANY(%s)", [pks])
    assert events_per_row(SourceEvent, "update", pks) == dict.fromkeys(pks, 1)
    assert acting_users(SourceEvent, "update", pks) == {None}, "no user acted: none is invented"

    with pghistory.context(user=editor.pk), connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_source SET reliability = 'D' WHERE id = ANY(%s)", [pks])
    assert events_per_row(SourceEvent, "update", pks) == dict.fromkeys(pks, 2)
    latest = SourceEvent.objects.filter(pgh_obj_id__in=pks, reliability="D").select_related("pgh_context")
    assert {e.pgh_context.metadata["user"] for e in latest} == {editor.pk}


def test_delete_leaves_one_delete_event_per_row_with_the_last_values(db, editor):
    claims = ClaimFactory.create_batch(2, quantity_text="around 15")
    pks = [c.pk for c in claims]
    with pghistory.context(user=editor.pk):
        Claim.objects.filter(pk__in=pks).delete()
    assert not Claim.objects.filter(pk__in=pks).exists()
    assert events_per_row(ClaimEvent, "delete", pks) == dict.fromkeys(pks, 1)
    assert set(
        ClaimEvent.objects.filter(pgh_label="delete", pgh_obj_id__in=pks).values_list("quantity_text", flat=True)
    ) == {"around 15"}
    assert acting_users(ClaimEvent, "delete", pks) == {editor.pk}


def test_a_write_in_a_request_records_the_signed_in_user(db, editor, settings):
    """The history middleware attaches the request's user to every event written during it."""
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="change_source"))
    source = SourceFactory(outlet="Radio Kidal")
    client = Client()
    client.force_login(editor)
    response = client.get(f"/admin/incidents/source/{source.pk}/change/")
    assert response.status_code == 200
    data = {k: v for k, v in response.context["adminform"].form.initial.items() if v is not None}
    data.update(outlet="Radio Kidal FM", kind=source.kind, reliability=source.reliability)
    client.post(f"/admin/incidents/source/{source.pk}/change/", data)
    event = SourceEvent.objects.filter(pgh_obj=source, pgh_label="update").select_related("pgh_context").last()
    assert event is not None
    assert event.pgh_context.metadata["user"] == editor.pk


# --- Who sees history ---------------------------------------------------------------------


def test_anonymous_visitors_and_non_staff_users_see_no_history(db):
    claim = ClaimFactory(incident=IncidentFactory(published=True))
    anonymous = Client()
    member = Client()
    member.force_login(UserFactory(username="reader", is_staff=False))
    urls = [
        "/admin/pghistory/events/",
        "/admin/pghistory/context/",
        f"/admin/incidents/incident/{claim.incident_id}/history/",
        f"/admin/incidents/claim/{claim.pk}/history/",
        f"/admin/incidents/source/{claim.citations.get().source_id}/history/",
        f"/admin/incidents/person/{PersonFactory().pk}/history/",
    ]
    for client in (anonymous, member):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/")


def test_the_raw_event_log_is_closed_to_staff_without_the_permission(db):
    ClaimFactory()
    client = Client()
    client.force_login(UserFactory(username="intern"))
    assert client.get("/admin/pghistory/events/").status_code == 403


# --- Erasing a confidential source's identity ---------------------------------------------

OFFICIAL = "Moussa ag Example, deputy prefect of Tessalit"


@pytest.fixture
def endangered_source(db, editor):
    with pghistory.context(user=editor.pk, url=f"/admin/incidents/source/?q={OFFICIAL}"):
        source = SourceFactory(
            kind="local_source",
            outlet="Tessalit prefecture",
            author=OFFICIAL,
            title="Phone call, 14 June",
            url="https://wa.example.org/call-14-06",
            internal_notes=f"Reached via his cousin; {OFFICIAL} fears reprisals.",
            confidential=True,
        )
    with pghistory.context(user=editor.pk):
        source.author = OFFICIAL + " (confirmed)"
        source.save()
    ClaimFactory(source=source)
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Source),
        object_id=str(source.pk),
        object_repr=str(source),
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["Author"]}}, "note": "{OFFICIAL}"}}]',
    )
    return source


def everything_stored_about(source: Source) -> str:
    """Every stored value where the source's identity could linger, as one string."""
    events = SourceEvent.objects.filter(pgh_obj_id=source.pk)
    contexts = Context.objects.filter(pk__in=events.values("pgh_context_id"))
    logs = LogEntry.objects.filter(object_id=str(source.pk))
    return repr(
        [
            list(Source.objects.filter(pk=source.pk).values()),
            list(events.values()),
            list(contexts.values("metadata")),
            list(logs.values("object_repr", "change_message")),
        ]
    )


def test_erasing_a_source_removes_its_identity_from_data_history_contexts_and_the_admin_log(endangered_source):
    source = endangered_source
    assert "Moussa" in everything_stored_about(source)
    claims = list(source.citations.values_list("claim_id", flat=True))

    call_command("erase_source_identity", source=source.pk, yes=True, verbosity=0)

    stored = everything_stored_about(source)
    for fragment in ("Moussa", "Tessalit", "wa.example.org", "Phone call", "cousin"):
        assert fragment not in stored
    source.refresh_from_db()
    assert source.confidential and source.kind == "local_source"
    assert source.public_label == "Local source, identity withheld"
    assert list(source.citations.values_list("claim_id", flat=True)) == claims, "the evidence stays linked"
    assert SourceEvent.objects.filter(pgh_obj_id=source.pk).count() == 3, "history keeps its shape"
    contexts = Context.objects.filter(pk__in=SourceEvent.objects.filter(pgh_obj_id=source.pk).values("pgh_context_id"))
    assert all("user" in c.metadata for c in contexts), "who acted is kept"


def test_erasing_leaves_other_sources_untouched(endangered_source):
    other = SourceFactory(author="Agence France-Presse desk")
    call_command("erase_source_identity", source=endangered_source.pk, yes=True, verbosity=0)
    other.refresh_from_db()
    assert other.author == "Agence France-Presse desk"
    assert SourceEvent.objects.get(pgh_obj=other, pgh_label="insert").author == "Agence France-Presse desk"


def test_erasure_needs_explicit_confirmation(endangered_source):
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_source_identity", source=endangered_source.pk, verbosity=0)
    endangered_source.refresh_from_db()
    assert endangered_source.author.startswith("Moussa")


# --- The history and restore pages of the admin ---------------------------------------------


def events_of(obj) -> list:
    return list(type(obj).pgh_event_model.objects.filter(pgh_obj_id=obj.pk).order_by("pgh_id"))


def test_save_records_an_insert_and_an_update():
    incident = IncidentFactory(title="First title")
    incident.title = "Second title"
    incident.save()

    events = events_of(incident)

    assert [(e.pgh_label, e.title) for e in events] == [("insert", "First title"), ("update", "Second title")]


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
    assert claim_change.subject_url == reverse("admin:incidents_claim_history", args=[claim.pk])
    page = response.content.decode()
    assert "Restore this version" in page and "editor" in page


@pytest.mark.parametrize(
    ("factory", "url_name", "field", "value"),
    [
        (ClaimFactory, "admin:incidents_claim_history", "quantity_text", "a new wording"),
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
    assert [e.label for e in response.context["entries"] if e.restorable] == ["update", "insert"]
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


def test_a_restore_leaves_the_workflow_state_alone(reviewer_client, reviewer, editor):
    incident = IncidentFactory(title="Draft title")
    first = events_of(incident)[0]
    incident.title = "Submitted title"
    incident.save()
    submitted = services.incident_submit(incident=incident, user=editor)

    reviewer_client.post(reverse("admin:incidents_incident_restore", args=[incident.pk, first.pgh_id]))

    incident.refresh_from_db()
    assert (incident.title, incident.status, incident.submitted_at) == (
        "Draft title",
        Status.IN_REVIEW,
        submitted.submitted_at,
    )


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
    claim = ClaimFactory(quantity_text="original wording")
    source = SourceFactory(title="Original title")
    actor = ActorFactory(description="Original description.")
    Claim.objects.filter(pk=claim.pk).update(quantity_text="changed")
    Source.objects.filter(pk=source.pk).update(title="Changed")
    Actor.objects.filter(pk=actor.pk).update(description="Changed.")

    for obj, name in [(claim, "claim"), (source, "source"), (actor, "actor")]:
        editor_client.post(reverse(f"admin:incidents_{name}_restore", args=[obj.pk, events_of(obj)[0].pgh_id]))

    assert Claim.objects.get(pk=claim.pk).quantity_text == "original wording"
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


def test_the_incident_history_lists_the_changes_to_its_claims_citations_and_links(editor_client):
    citation = CitationFactory(quote="Six of our fighters fell.")
    incident = citation.claim.incident
    other = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "claims-0-citations-0-translation": "Six of our fighters died.",
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "follow_on",
            "relations_out-0-object": str(other.pk),
        }
    )
    assert editor_client.post(url, data).status_code == 302
    deleted = CitationFactory(claim=citation.claim, quote="Gone.")
    deleted_pk = deleted.pk
    deleted.delete()

    response = editor_client.get(reverse("admin:incidents_incident_history", args=[incident.pk]))

    entries = response.context["entries"]
    translated = next(e for e in entries if e.subject == f"Citation #{citation.pk}" and e.label == "update")
    assert ("translation", None, "Six of our fighters died.") in translated.changes
    assert translated.user == "editor"
    assert any(e.subject == f"Citation #{deleted_pk}" and e.label == "delete" for e in entries)
    assert any(e.subject.startswith("Incident relation #") and e.label == "insert" for e in entries)


def test_a_person_has_a_history_page_with_their_spellings_and_affiliations(editor_client):
    person = PersonFactory(name="Mohamed Elmaouloud Ramadane")
    url = reverse("admin:incidents_person_change", args=[person.pk])
    data = change_form_data(editor_client, url)
    data.update({"aliases-0-name": "Muhammad Maulud Ramadan", "description": "FLA spokesman"})
    assert editor_client.post(url, data).status_code == 302

    response = editor_client.get(reverse("admin:incidents_person_history", args=[person.pk]))

    entries = response.context["entries"]
    assert any(e.subject == "Person" and ("description", None, "FLA spokesman") in e.changes for e in entries)
    alias = person.aliases.get()
    assert any(e.subject == f"Person alias #{alias.pk}" and e.label == "insert" for e in entries)


def test_erasing_a_source_scrubs_the_changes_kept_with_corrections(endangered_source):
    label = str(endangered_source)
    correction = Correction.objects.create(
        incident=IncidentFactory(published=True),
        reason="Report withdrawn.",
        base_version=1,
        changes=[{"section": "Claims", "item": "Claim 1", "change": "changed",
                  "fields": [{"field": f"report removed: {label}", "before": "", "after": ""}]}],
    )  # fmt: skip
    assert OFFICIAL in repr(list(CorrectionEvent.objects.filter(pgh_obj=correction).values("changes")))

    call_command("erase_source_identity", source=endangered_source.pk, yes=True, verbosity=0)

    correction.refresh_from_db()
    assert OFFICIAL not in repr(correction.changes) and "[erased]" in repr(correction.changes)
    assert OFFICIAL not in repr(list(CorrectionEvent.objects.filter(pgh_obj=correction).values("changes")))
