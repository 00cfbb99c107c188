"""Two editors saving the same record cannot silently overwrite each other."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.models import Actor, Citation, Claim, Incident, Source
from tests.admin_forms import change_form_data
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, IncidentFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

STALE = "was changed by someone else after you opened it"


@pytest.fixture
def second_editor_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="editor2", groups=["Editor"]))
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_second_of_two_editors_saving_an_incident_is_refused_and_the_first_save_is_intact(
    editor_client, second_editor_client
):
    incident = IncidentFactory(title="Ambush on the Anefif road")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    first = change_form_data(editor_client, url)
    second = change_form_data(second_editor_client, url)

    first["title"] = "Ambush on the Anefif–Aguelhok road"
    response = editor_client.post(url, first)
    assert response.status_code == 302

    second["title"] = "Convoy attacked near Aguelhok"
    response = second_editor_client.post(url, second)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert "your copy is version 1, the saved one is version 2" in response.content.decode()
    # The refused editor's input is still in the form, ready to re-apply; the headings name the saved record.
    assert response.context["adminform"].form["title"].value() == "Convoy attacked near Aguelhok"
    assert response.context["subtitle"] == f"#{incident.pk} Ambush on the Anefif–Aguelhok road"

    incident.refresh_from_db()
    assert incident.title == "Ambush on the Anefif–Aguelhok road"
    assert incident.version == 2
    assert incident.last_edited_by.username == "editor"


def test_an_editor_who_reloads_after_a_conflict_can_save(editor_client, second_editor_client):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    stale = change_form_data(second_editor_client, url)
    first = change_form_data(editor_client, url)
    first["summary"] = "First editor's summary."
    editor_client.post(url, first)

    assert second_editor_client.post(url, {**stale, "summary": "Lost?"}).status_code == 200
    fresh = change_form_data(second_editor_client, url)
    fresh["summary"] = "Second editor's summary, re-applied."
    assert second_editor_client.post(url, fresh).status_code == 302

    incident.refresh_from_db()
    assert (incident.summary, incident.version) == ("Second editor's summary, re-applied.", 3)


def test_a_workflow_step_in_between_makes_an_open_form_stale(editor_client, editor):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    services.incident_submit(incident=incident, user=editor)
    services.incident_return_to_draft(incident=incident, user=editor)

    response = editor_client.post(url, {**data, "title": "Edited on an old copy"})

    assert STALE in response.content.decode()
    incident.refresh_from_db()
    assert incident.title != "Edited on an old copy"


def test_a_claim_edited_inside_its_incident_conflicts_with_a_save_of_the_claim_itself(
    editor_client, second_editor_client
):
    claim = ClaimFactory(quantity_text="five", quote="Five soldiers died.")
    incident_url = reverse("admin:incidents_incident_change", args=[claim.incident_id])
    claim_url = reverse("admin:incidents_claim_change", args=[claim.pk])
    through_incident = change_form_data(editor_client, incident_url)
    directly = change_form_data(second_editor_client, claim_url)

    directly["quantity_text"] = "around five"
    assert second_editor_client.post(claim_url, directly).status_code == 302

    through_incident["claims-0-quantity_text"] = "5 soldiers"
    response = editor_client.post(incident_url, through_incident)

    assert response.status_code == 200
    assert STALE in response.content.decode()
    claim.refresh_from_db()
    assert (claim.quantity_text, claim.version) == ("around five", 2)


def test_a_claim_saved_elsewhere_without_changes_does_not_block_saving_its_incident(
    editor_client, second_editor_client
):
    claim = ClaimFactory()
    incident_url = reverse("admin:incidents_incident_change", args=[claim.incident_id])
    claim_url = reverse("admin:incidents_claim_change", args=[claim.pk])
    through_incident = change_form_data(editor_client, incident_url)
    # A newer version of the claim that says the same thing: the incident form's copy is not stale.
    second_editor_client.post(claim_url, change_form_data(second_editor_client, claim_url))
    assert Claim.objects.get(pk=claim.pk).version == 2

    response = editor_client.post(incident_url, {**through_incident, "title": "A better title"})

    assert response.status_code == 302
    assert Incident.objects.get(pk=claim.incident_id).title == "A better title"
    assert Claim.objects.get(pk=claim.pk).version == 2


@pytest.mark.parametrize(
    ("factory", "model", "url_name", "field", "first_value", "second_value"),
    [
        (ClaimFactory, Claim, "admin:incidents_claim_change", "quantity_text", "a dozen", "about ten"),
        (ActorFactory, Actor, "admin:incidents_actor_change", "description", "A rebel coalition.", "An alliance."),
        (SourceFactory, Source, "admin:incidents_source_change", "title", "Convoy ambushed", "Army convoy hit"),
    ],
    ids=["claim", "actor", "source"],
)
def test_the_second_of_two_concurrent_saves_is_refused_for_claims_actors_and_sources(
    editor_client, second_editor_client, factory, model, url_name, field, first_value, second_value
):
    obj = factory()
    url = reverse(url_name, args=[obj.pk])
    first = change_form_data(editor_client, url)
    second = change_form_data(second_editor_client, url)

    assert editor_client.post(url, {**first, field: first_value}).status_code == 302
    response = second_editor_client.post(url, {**second, field: second_value})

    assert response.status_code == 200
    assert STALE in response.content.decode()
    obj = model.objects.get(pk=obj.pk)
    assert (getattr(obj, field), obj.version) == (first_value, 2)


def test_record_save_refuses_a_stale_version_even_when_the_form_check_was_passed():
    incident = IncidentFactory()
    Incident.objects.filter(pk=incident.pk).update(version=5)
    incident.title = "Written on version 1"

    with pytest.raises(services.ConcurrentEditError):
        services.record_save(instance=incident, expected_version=1)

    assert Incident.objects.get(pk=incident.pk).title != "Written on version 1"


def test_the_admin_reports_a_save_that_lost_the_race_instead_of_failing(editor_client, monkeypatch):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    real_record_save = services.record_save

    def someone_saves_first(*, instance, expected_version):
        # Another editor's save lands between this form's check and its save.
        Incident.objects.filter(pk=incident.pk).update(title="The other editor's title", version=2)
        real_record_save(instance=instance, expected_version=expected_version)

    monkeypatch.setattr(services, "record_save", someone_saves_first)
    response = editor_client.post(url, {**data, "title": "Mine"}, follow=True)

    assert STALE in " ".join(messages_of(response))
    # The refused request wrote nothing (the simulated save shared its transaction, so it went too).
    assert Incident.objects.get(pk=incident.pk).title == incident.title


def test_a_citation_edited_inside_its_incident_conflicts_with_a_save_of_its_claim_page(
    editor_client, second_editor_client
):
    citation = CitationFactory(quote="Six of our fighters fell.")
    incident_url = reverse("admin:incidents_incident_change", args=[citation.claim.incident_id])
    claim_url = reverse("admin:incidents_claim_change", args=[citation.claim_id])
    through_incident = change_form_data(editor_client, incident_url)
    directly = change_form_data(second_editor_client, claim_url)

    directly["citations-0-translation"] = "Six of our fighters died."
    assert second_editor_client.post(claim_url, directly).status_code == 302

    through_incident["claims-0-citations-0-translation"] = "Six of ours were killed."
    response = editor_client.post(incident_url, through_incident)

    assert response.status_code == 200
    assert STALE in response.content.decode()
    citation.refresh_from_db()
    assert (citation.translation, citation.version) == ("Six of our fighters died.", 2)


@pytest.mark.parametrize("row", ["claims-0", "claims-0-citations-0"], ids=["claim", "citation"])
def test_deleting_a_row_that_someone_changed_meanwhile_is_refused(editor_client, second_editor_client, row):
    citation = CitationFactory(quote="Six of our fighters fell.")
    incident_url = reverse("admin:incidents_incident_change", args=[citation.claim.incident_id])
    claim_url = reverse("admin:incidents_claim_change", args=[citation.claim_id])
    through_incident = change_form_data(editor_client, incident_url)
    directly = change_form_data(second_editor_client, claim_url)
    directly.update({"quantity_text": "six fighters", "citations-0-quote": "Six of our fighters were martyred."})
    assert second_editor_client.post(claim_url, directly).status_code == 302

    response = editor_client.post(incident_url, {**through_incident, f"{row}-DELETE": "on"})

    assert response.status_code == 200
    assert "Not deleted" in response.content.decode() and STALE in response.content.decode()
    assert Citation.objects.filter(pk=citation.pk).exists()


@pytest.mark.parametrize("row", ["claims-0", "claims-0-citations-0"], ids=["claim", "citation"])
def test_deleting_an_unchanged_row_inside_the_incident_form_works(editor_client, row):
    citation = CitationFactory()
    url = reverse("admin:incidents_incident_change", args=[citation.claim.incident_id])

    response = editor_client.post(url, {**change_form_data(editor_client, url), f"{row}-DELETE": "on"})

    assert response.status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert Claim.objects.filter(pk=citation.claim_id).exists() == (row != "claims-0")
