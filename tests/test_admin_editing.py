"""The incident form as editors use it: claims folded into one line each, the sub-type following
the type, the country chosen by name, translations of the text, and a change form of 50 claims
that reads in a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from incidents.admin.incident import TRANSLATION_FIELDS
from incidents.admin.widgets import country_choices
from incidents.models import Actor, Claim, Incident, LossesOf, SubEventType, Verification
from tests.admin_forms import change_form_data
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")


def change_url(incident: Incident) -> str:
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def claim_rows(page: str) -> list[str]:
    """Each claim row's opening <details> tag, in order."""
    return re.findall(r'<details class="archive-claim-row"[^>]*>', page)


# --- Claims as one line each ---------------------------------------------------------------------


def test_each_saved_claim_reads_as_one_folded_line_with_kind_claimant_figure_group_verification_and_reports(
    editor_client,
):
    fla = ActorFactory(name="Azawad Liberation Front")
    army = ActorFactory(name="Malian Armed Forces")
    claim = ClaimFactory(
        claimant=fla,
        losses_of=LossesOf.ACTOR,
        losses_actor=army,
        quantity_low=39,
        quantity_high=39,
        quantity_text="39 soldiers",
        verification=Verification.DISPUTED,
        source=SourceFactory(outlet="AFP"),
    )
    CitationFactory(claim=claim, source=SourceFactory(outlet="AP"))
    ClaimFactory(incident=claim.incident, claimant=army, quantity_low=20, quantity_high=None, source=None)

    page = editor_client.get(change_url(claim.incident)).content.decode()

    rows = claim_rows(page)
    assert len(rows) == 3, "two saved claims and the template row for a new one"
    assert [" open" in row for row in rows] == [False, False, True]
    summary = re.search(r'<summary class="archive-claim-summary">(.*?)</summary>', page, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary))
    for part in ("Fatalities", "Azawad Liberation Front", "39", "39 soldiers", "Malian Armed Forces", "Disputed"):
        assert part in text, (part, text)
    assert "2 reports" in text
    assert "20+" in page and "0 reports" in page


def test_a_claim_refused_on_save_opens_its_row_and_the_others_stay_folded(editor_client):
    incident = IncidentFactory()
    ClaimFactory(incident=incident, quantity_text="first")
    ClaimFactory(incident=incident, quantity_text="second")
    url = change_url(incident)
    data = change_form_data(editor_client, url)
    data.update({"claims-1-quantity_low": "9", "claims-1-quantity_high": "3"})

    response = editor_client.post(url, data)

    assert response.status_code == 200
    rows = claim_rows(response.content.decode())
    assert [" open" in row for row in rows] == [False, True, True]
    assert "9 is more than the highest figure (3)" in response.content.decode()


def test_a_citation_refused_on_save_opens_its_claims_row(editor_client):
    claim = ClaimFactory(quantity_text="first")
    ClaimFactory(incident=claim.incident, quantity_text="second")
    url = change_url(claim.incident)
    data = change_form_data(editor_client, url)
    index = [c.pk for c in claim.incident.claims.order_by("kind", "pk")].index(claim.pk)
    data[f"claims-{index}-citations-0-source"] = ""

    response = editor_client.post(url, data)

    assert response.status_code == 200
    rows = claim_rows(response.content.decode())
    assert [" open" in row for row in rows[:2]] == [index == 0, index == 1]


def test_the_claims_row_keeps_its_editor_its_version_and_its_citations_inside(editor_client):
    claim = ClaimFactory(quantity_text="39 soldiers", quote="39 militaires ont été tués")

    page = editor_client.get(change_url(claim.incident)).content.decode()

    row = page[page.index('id="claims-0"') : page.index('id="claims-empty"')]
    assert row.index("<details") < row.index('name="claims-0-kind"') < row.index("</details>")
    assert 'name="claims-0-based_on_version" value="1"' in row
    assert "39 militaires ont été tués" in row
    assert f'href="{reverse("admin:incidents_claim_change", args=[claim.pk])}"' in row


@pytest.mark.parametrize("claims", [1, 50])
def test_the_change_form_of_an_incident_with_50_claims_runs_the_queries_of_one(
    editor_client, django_assert_num_queries, claims
):
    link = IncidentActorFactory(actor=ActorFactory(name="Azawad Liberation Front"))
    IncidentSourceFactory(incident=link.incident)
    spokesman = PersonFactory(name="Mohamed Elmaouloud Ramadane")
    source = SourceFactory(outlet="AFP")
    for claim in ClaimFactory.create_batch(
        claims,
        incident=link.incident,
        claimant=link.actor,
        losses_of=LossesOf.ACTOR,
        losses_actor=link.actor,
        source=None,
    ):
        CitationFactory(claim=claim, source=source, speaker=spokesman)
    url = change_url(link.incident)
    editor_client.get(url)  # the per-process content type cache
    # 1. session  2. user  3. user permissions  4. group permissions
    # 5. the incident with its types and the people who created, edited, reviewed and published it
    # 6. actor links with actors  7. claims with their actors and speaker
    # 8. the claims' citations with their sources and speakers (one query for every claim)
    # 9. source links with sources  10. links to other incidents  11. links from other incidents
    # 12. event types  13. sub-event types with their types (the two selects)
    # 14.-16. the reconciliation proposal: claims with their actors, their citations, the actors' sides
    with django_assert_num_queries(16):
        response = editor_client.get(url)
    page = response.content.decode()
    assert len(claim_rows(page)) == claims + 1
    assert page.count("1 report<") >= claims


# --- The sub-type follows the type ---------------------------------------------------------------


def test_each_sub_type_option_says_its_type_for_the_script_that_filters_them(editor_client):
    incident = IncidentFactory()

    page = editor_client.get(change_url(incident)).content.decode()

    select = re.search(r'<select name="sub_event_type"[^>]*>', page).group(0)
    assert 'data-follows="event_type"' in select and 'data-field="sub_event_type"' in select
    for sub_type in SubEventType.objects.all():
        assert f'<option value="{sub_type.pk}" data-parent="{sub_type.event_type_id}"' in page
    assert "incidents/admin.js" in page


def test_a_sub_type_of_another_type_is_refused_beside_the_field(editor_client):
    incident = IncidentFactory()
    other = SubEventType.objects.exclude(event_type=incident.event_type).select_related("event_type").first()
    url = change_url(incident)
    data = change_form_data(editor_client, url)
    data["sub_event_type"] = str(other.pk)

    response = editor_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["sub_event_type"]
    assert errors == [f"“{other.name}” is not a sub-type of “{incident.event_type.name}”."]
    assert Incident.objects.get(pk=incident.pk).sub_event_type_id == incident.sub_event_type_id


# --- The country by name -------------------------------------------------------------------------


def test_the_country_is_chosen_by_name_and_stored_as_its_iso_code(editor_client):
    incident = IncidentFactory(country="ML")
    url = change_url(incident)

    page = editor_client.get(url).content.decode()
    assert re.search(r'<select name="country"[^>]*class="archive-searchable"', page)
    assert '<option value="ML" selected>Mali (ML)</option>' in page
    assert '<option value="NE">Niger (NE)</option>' in page

    data = change_form_data(editor_client, url)
    data["country"] = "BF"
    assert editor_client.post(url, data).status_code == 302
    assert Incident.objects.get(pk=incident.pk).country == "BF"

    data = change_form_data(editor_client, url)
    data["country"] = "ZZ"
    response = editor_client.post(url, data)
    assert response.status_code == 200 and "country" in response.context["adminform"].form.errors


def test_country_names_follow_the_editors_language():
    with translation.override("fr"):
        french = dict(country_choices())
    with translation.override("ar"):
        arabic = dict(country_choices())

    assert french["ML"] == "Mali (ML)" and french["DE"] == "Allemagne (DE)"
    assert arabic["ML"].endswith("(ML)") and arabic["ML"] != "Mali (ML)"


def test_an_actor_without_a_home_country_keeps_it_empty(editor_client):
    actor = ActorFactory(country="")
    url = reverse("admin:incidents_actor_change", args=[actor.pk])
    data = change_form_data(editor_client, url)

    assert data["country"] == ""
    assert editor_client.post(url, data).status_code == 302
    assert Actor.objects.get(pk=actor.pk).country == ""


def test_the_changelist_filters_by_country_names(editor_client):
    IncidentFactory(country="ML")
    IncidentFactory(country="NE")

    page = editor_client.get(CHANGELIST).content.decode()

    assert "Mali (ML)" in page and "Niger (NE)" in page


# --- Translations of the text --------------------------------------------------------------------


def test_the_translations_fieldset_lists_the_models_translation_fields_folded(editor_client):
    incident = IncidentFactory()

    response = editor_client.get(change_url(incident))

    fieldsets = {str(name): options for name, options in response.context["adminform"].model_admin.fieldsets}
    if not TRANSLATION_FIELDS:
        assert "Translations" not in fieldsets
        pytest.skip("the model has no translation fields yet")
    assert fieldsets["Translations"]["classes"] == ["collapse"]
    page = response.content.decode()
    for name in TRANSLATION_FIELDS:
        assert f'name="{name}"' in page


# --- Source labels -------------------------------------------------------------------------------


def test_two_statements_of_one_group_read_differently_in_a_citations_picker(editor_client):
    first = SourceFactory(outlet="FLA", title="Communiqué", published_on=datetime.date(2025, 6, 13))
    second = SourceFactory(outlet="FLA", title="Communiqué", published_on=datetime.date(2025, 6, 15))
    claim = ClaimFactory(source=first)
    CitationFactory(claim=claim, source=second)

    page = editor_client.get(change_url(claim.incident)).content.decode()

    assert f"FLA — Communiqué — June 13, 2025 (#{first.pk})" in page
    assert f"FLA — Communiqué — June 15, 2025 (#{second.pk})" in page
    assert Claim.objects.count() == 1


def test_a_published_incidents_claims_and_reports_read_without_edit_fields(editor_client):
    """Seen, not edited: no version field is drawn, neither as an input nor as its description."""
    incident = IncidentFactory(published=True)
    claim = ClaimFactory(incident=incident, source=SourceFactory(outlet="AFP"))
    CitationFactory(claim=claim, source=SourceFactory(outlet="AP"), quote="They said so.")
    IncidentActorFactory(incident=incident)

    page = editor_client.get(change_url(incident)).content.decode()

    assert "They said so." in page
    # A read-only form-only field would be drawn as the dict describing it.
    assert "&#x27;based_on_version&#x27;" not in page and "'based_on_version'" not in page
