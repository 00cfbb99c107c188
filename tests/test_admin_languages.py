"""The editors' admin in French and Arabic: Django's own chrome comes from its catalogs, the
archive's fieldsets, buttons, banners, choices and messages from the project's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from incidents.models import Claim, Incident, SubEventType
from tests.admin_forms import change_form_data
from tests.factories import CitationFactory, ClaimFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def change_url(incident: Incident) -> str:
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def workflow_url(incident: Incident, step: str) -> str:
    return reverse("admin:incidents_incident_workflow", args=[incident.pk, step])


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_an_arabic_editor_gets_the_incident_form_right_to_left_with_its_fieldsets_and_buttons_in_arabic(
    editor_client,
):
    incident = IncidentFactory()

    page = editor_client.get(change_url(incident), HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert re.search(r'<html lang="ar" dir="rtl"', page)
    # The archive's fieldsets and the workflow button (this project's catalog).
    for heading in ("الترجمات", "متى", "أين", "ماذا", "للمحررين فقط"):
        assert f">{heading}<" in page, heading
    assert "إرسال للمراجعة" in page
    # Django's own button (its admin catalog), beside them.
    assert 'value="احفظ"' in page
    assert "Translations" not in page and "Submit for review" not in page


def test_the_event_type_and_sub_type_choices_read_in_the_editors_language(editor_client):
    incident = IncidentFactory()
    armed_clash = SubEventType.objects.get(slug="armed-clash")

    french = editor_client.get(change_url(incident), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    arabic = editor_client.get(change_url(incident), HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert f'<option value="{armed_clash.event_type_id}" selected>Batailles</option>' in french
    assert "Batailles : Affrontement armé</option>" in french
    assert "معارك: اشتباك مسلح</option>" in arabic


def test_a_french_editor_reads_the_forms_refusal_in_french(editor_client):
    incident = IncidentFactory()
    other = SubEventType.objects.exclude(event_type=incident.event_type).first()
    url = change_url(incident)
    data = change_form_data(editor_client, url)
    data["sub_event_type"] = str(other.pk)

    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["sub_event_type"]
    assert "n'est pas un sous-type de « Batailles »" in error


def test_a_published_incident_says_in_french_that_changes_go_through_a_correction(editor_client):
    incident = IncidentFactory(published=True)

    page = editor_client.get(change_url(incident), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<html lang="fr" dir="ltr"' in page
    assert "Publié : le public voit cette fiche." in page
    assert "Proposer une correction…" in page


def test_english_stays_the_default_without_a_preference(editor_client):
    page = editor_client.get(change_url(IncidentFactory())).content.decode()

    assert '<html lang="en" dir="ltr"' in page and ">Translations<" in page and "Submit for review" in page


def test_a_claims_folded_row_counts_its_reports_with_each_languages_plural_forms(editor_client):
    claim = ClaimFactory()
    CitationFactory(claim=claim)
    url = change_url(claim.incident)

    french = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    arabic = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert '<span class="archive-claim-reports">2 comptes rendus</span>' in french
    # Arabic has a dual: two reports are "تقريران", not "2 تقارير".
    assert '<span class="archive-claim-reports">تقريران</span>' in arabic


def test_the_workflows_messages_and_refusals_reach_a_french_editor_in_french(editor_client):
    draft = IncidentFactory(title="Clash near Anefif")
    published = IncidentFactory(published=True)

    done = editor_client.post(workflow_url(draft, "submit"), HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    refused = editor_client.post(workflow_url(published, "submit"), HTTP_ACCEPT_LANGUAGE="fr", follow=True)

    assert f"« #{draft.pk} Clash near Anefif » : soumis à la relecture." in messages_of(done)
    # The service's refusal, its status nouns included.
    assert "Seul un brouillon peut être soumis à la relecture ; celui-ci est un incident publié." in messages_of(
        refused
    )


def test_every_label_django_makes_up_is_listed_for_the_catalogs():
    from django.apps import apps

    from incidents.labels import DEFAULT_LABELS, default_labels

    with translation.override("en"):
        assert default_labels(apps.get_app_config("incidents")) <= set(DEFAULT_LABELS)


def test_field_labels_and_record_names_read_in_the_editors_language(reviewer_client):
    incident = IncidentFactory()
    with translation.override("fr"):
        assert str(Incident._meta.get_field("start_date").verbose_name) != "start date"
        assert str(Claim._meta.verbose_name_plural) != "claims"
    page = reviewer_client.get(
        reverse("admin:incidents_incident_change", args=[incident.pk]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    with translation.override("ar"):
        assert str(Incident._meta.get_field("start_date").verbose_name) in page
