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
from pghistory.models import Context

from incidents.models import Claim, ClaimEvent, Incident, IncidentEvent, Source, SourceEvent
from tests.factories import ClaimFactory, IncidentFactory, SourceFactory, UserFactory


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
    source = SourceFactory()
    with pghistory.context(user=editor.pk):
        claims = Claim.objects.bulk_create(
            [Claim(incident=incident, source=source, kind="fatalities", quantity_text=f"{n}") for n in range(4)]
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
    if response.status_code == 404:
        pytest.skip("the source admin is not registered yet")
    data = {k: v for k, v in response.context["adminform"].form.initial.items() if v is not None}
    data.update(outlet="Radio Kidal FM", kind=source.kind, reliability=source.reliability)
    client.post(f"/admin/incidents/source/{source.pk}/change/", data)
    event = SourceEvent.objects.filter(pgh_obj=source, pgh_label="update").select_related("pgh_context").last()
    assert event is not None
    assert event.pgh_context.metadata["user"] == editor.pk


# --- Who sees history ---------------------------------------------------------------------


def test_anonymous_visitors_and_non_staff_users_see_no_history(db):
    ClaimFactory()
    anonymous = Client()
    member = Client()
    member.force_login(UserFactory(username="reader", is_staff=False))
    for client in (anonymous, member):
        for url in ["/admin/pghistory/events/", "/admin/pghistory/context/"]:
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
    claims = list(source.claims.values_list("pk", flat=True))

    call_command("erase_source_identity", source=source.pk, yes=True, verbosity=0)

    stored = everything_stored_about(source)
    for fragment in ("Moussa", "Tessalit", "wa.example.org", "Phone call", "cousin"):
        assert fragment not in stored
    source.refresh_from_db()
    assert source.confidential and source.kind == "local_source"
    assert source.public_label == "Local source, identity withheld"
    assert list(source.claims.values_list("pk", flat=True)) == claims, "the evidence stays linked"
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
