"""The admin as the editors' tool: lists that stay fast, forms with inlines, the proposal."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.admin.paginator import EstimatedCountPaginator
from incidents.admin.queries import IncidentAdminQuerySet
from incidents.models import (
    Claim,
    EstimateMethod,
    Incident,
    LossesOf,
    PersonAlias,
    Stance,
    Status,
    Verification,
)
from tests.admin_forms import change_form_data
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PersonFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")


def changelist_ids(response) -> list[int]:
    return [incident.pk for incident in response.context["cl"].result_list]


# --- The changelist on a large table -----------------------------------------------------------


@pytest.mark.parametrize("incidents", [1, 30])
def test_the_incident_changelist_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries, incidents):
    for day in range(incidents):
        IncidentFactory(start_date=datetime.date(2020 + day % 6, 1 + day % 12, 1 + day % 28))
    # 1. session  2. user  3. user permissions  4. group permissions
    # 5. distinct countries (loose index scan; the pghistory context is set in the same statement)
    # 6. event types for the filter  7. capped count (SELECT COUNT(*) FROM (... LIMIT 10001))
    # 8. the page of incidents with event type, sub-type and last editor joined
    # 9. first and last start date (date hierarchy)
    # 10. the years/months/days of the hierarchy (one recursive query walking the date index)
    with django_assert_num_queries(10):
        response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(changelist_ids(response)) == incidents


def test_the_changelist_never_counts_the_whole_table(editor_client, django_assert_num_queries):
    IncidentFactory.create_batch(3)
    with django_assert_num_queries(10) as captured:
        editor_client.get(CHANGELIST)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 10001" in sql for sql in counts)


def test_beyond_the_cap_the_paginator_reports_an_estimate():
    IncidentFactory.create_batch(8)
    paginator = EstimatedCountPaginator(Incident.objects.order_by("pk"), 2)
    paginator.count_cap = 5

    assert paginator.is_estimate
    assert paginator.count >= 6
    assert paginator.page(3).object_list


def test_below_the_cap_the_paginator_counts_exactly():
    IncidentFactory.create_batch(4)
    paginator = EstimatedCountPaginator(Incident.objects.filter(country="ML").order_by("pk"), 2)

    assert (paginator.count, paginator.is_estimate) == (4, False)


def test_an_estimated_total_reads_as_approximate(editor_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 2)
    IncidentFactory.create_batch(4)

    response = editor_client.get(CHANGELIST)

    assert "about " in response.content.decode()


def test_the_changelist_filters_by_status_country_event_type_grading_and_contested(editor_client):
    mali = IncidentFactory(country="ML", grading="confirmed")
    burkina = IncidentFactory(country="BF", contested=True, published=True)

    assert changelist_ids(editor_client.get(CHANGELIST, {"country": "BF"})) == [burkina.pk]
    assert changelist_ids(editor_client.get(CHANGELIST, {"status__exact": Status.PUBLISHED})) == [burkina.pk]
    assert changelist_ids(editor_client.get(CHANGELIST, {"grading__exact": "confirmed"})) == [mali.pk]
    assert changelist_ids(editor_client.get(CHANGELIST, {"contested__exact": "1"})) == [burkina.pk]
    by_type = editor_client.get(CHANGELIST, {"event_type__id__exact": mali.event_type_id})
    assert set(changelist_ids(by_type)) == {mali.pk, burkina.pk}
    filters = response_text = editor_client.get(CHANGELIST).content.decode()
    assert "?country=BF" in filters and "?country=ML" in response_text


def test_the_changelist_search_finds_incidents_by_words_actor_alias_and_number(editor_client):
    ambush = IncidentFactory(title="Ambush on the Aguelhok road")
    other = IncidentFactory(title="Protest in Bamako")
    fla = ActorFactory(name="Azawad Liberation Front")
    ActorAliasFactory(actor=fla, name="جبهة تحرير أزواد", language="ar")
    IncidentActorFactory(incident=ambush, actor=fla)

    assert changelist_ids(editor_client.get(CHANGELIST, {"q": "aguelhok"})) == [ambush.pk]
    assert changelist_ids(editor_client.get(CHANGELIST, {"q": "جبهة تحرير أزواد"})) == [ambush.pk]
    assert changelist_ids(editor_client.get(CHANGELIST, {"q": f"#{other.pk}"})) == [other.pk]


def test_the_changelist_search_finds_part_of_a_place_name(editor_client):
    aguelhok = IncidentFactory(title="Ambush on the road", location="Aguelhok")
    IncidentFactory(title="Protest", location="Bamako")

    assert changelist_ids(editor_client.get(CHANGELIST, {"q": "guelh"})) == [aguelhok.pk]


def test_the_actor_search_matches_each_word_in_a_name_slug_or_alias(editor_client):
    fla = ActorFactory(name="FLA", slug="fla")
    ActorAliasFactory(actor=fla, name="Front de Libération de l'Azawad", language="fr")
    ActorFactory(name="Malian Armed Forces", slug="fama")

    def found(term: str) -> list[str]:
        response = editor_client.get(reverse("admin:incidents_actor_changelist"), {"q": term})
        return [actor.name for actor in response.context["cl"].result_list]

    assert found("azaw libér") == ["FLA"]
    assert found("fam") == ["Malian Armed Forces"]
    assert found("100%") == []
    assert found("azawad malian") == []


@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_date_hierarchys_periods_are_the_distinct_periods_of_the_selection(kind):
    for n, day in enumerate([(2019, 3, 1), (2019, 3, 1), (2019, 7, 9), (2021, 1, 31), (2025, 6, 13), (2025, 6, 14)]):
        IncidentFactory(start_date=datetime.date(*day), country="ML" if n % 2 else "BF")
    for selection in [Incident.objects.all(), Incident.objects.filter(country="ML"), Incident.objects.none()]:
        walked = IncidentAdminQuerySet(model=Incident, query=selection.query.chain())

        assert walked.dates("start_date", kind) == list(selection.dates("start_date", kind))
        assert walked.dates("start_date", kind, "DESC") == list(selection.dates("start_date", kind, "DESC"))


def test_a_search_hides_the_date_hierarchy(editor_client):
    IncidentFactory(title="Ambush near Tessalit")

    response = editor_client.get(CHANGELIST, {"q": "tessalit"})

    assert len(changelist_ids(response)) == 1
    assert response.context["cl"].date_hierarchy is None


def test_the_date_hierarchy_drills_down_by_start_date(editor_client):
    old = IncidentFactory(start_date=datetime.date(2019, 3, 1))
    IncidentFactory(start_date=datetime.date(2025, 6, 13))

    response = editor_client.get(CHANGELIST, {"start_date__year": "2019"})

    assert changelist_ids(response) == [old.pk]


# --- Autocomplete --------------------------------------------------------------------------


def autocomplete(client: Client, model_name: str, field_name: str, term: str, labelled: str = "") -> list[str]:
    """The choices a picker offers for ``term``; ``labelled`` names the related model whose admin labels them."""
    response = client.get(
        reverse(f"admin:incidents_{labelled}_autocomplete" if labelled else "admin:autocomplete"),
        {"app_label": "incidents", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_actor_autocomplete_finds_an_actor_by_any_alias(editor_client):
    fla = ActorFactory(name="FLA")
    ActorAliasFactory(actor=fla, name="Front de Libération de l'Azawad", language="fr")
    ActorFactory(name="Malian Armed Forces")

    assert autocomplete(editor_client, "incidentactor", "actor", "Libération") == ["FLA"]
    assert autocomplete(editor_client, "incidentactor", "actor", "Malian") == ["Malian Armed Forces"]


def test_source_autocomplete_searches_outlet_author_and_title(editor_client):
    SourceFactory(outlet="AFP", author="Staff", title="Convoy ambushed near Aguelhok")
    SourceFactory(outlet="Reuters", author="Jane Doe", title="Elsewhere")

    assert len(autocomplete(editor_client, "incidentsource", "source", "AFP")) == 1
    assert len(autocomplete(editor_client, "incidentsource", "source", "Jane")) == 1
    assert len(autocomplete(editor_client, "incidentsource", "source", "Aguelhok")) == 1


# --- The change form -----------------------------------------------------------------------


def test_the_change_form_has_inlines_for_actors_claims_their_citations_sources_and_links(editor_client):
    link = IncidentActorFactory()
    ClaimFactory(incident=link.incident, quantity_text="several dozen", quote="Plusieurs dizaines de morts.")
    IncidentSourceFactory(incident=link.incident)

    response = editor_client.get(reverse("admin:incidents_incident_change", args=[link.incident_id]))

    formsets = {inline.formset.prefix: inline.formset for inline in response.context["inline_admin_formsets"]}
    assert set(formsets) == {"incident_actors", "claims", "incident_sources", "relations_out", "relations_in"}
    nested = formsets["claims"].forms[0].nested_formsets
    assert [formset.prefix for formset in nested] == ["claims-0-citations"]
    page = response.content.decode()
    assert "several dozen" in page and "Plusieurs dizaines de morts." in page


@pytest.mark.parametrize("claims", [1, 12])
def test_the_change_form_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries, claims):
    link = IncidentActorFactory(actor=ActorFactory(name="Azawad Liberation Front"))
    IncidentSourceFactory(incident=link.incident)
    spokesman = PersonFactory(name="Mohamed Elmaouloud Ramadane")
    for claim in ClaimFactory.create_batch(
        claims, incident=link.incident, claimant=link.actor, losses_of=LossesOf.ACTOR, losses_actor=link.actor
    ):
        CitationFactory(claim=claim, speaker=spokesman)
    url = reverse("admin:incidents_incident_change", args=[link.incident_id])
    editor_client.get(url)  # warms the per-process content type cache, which is not per page
    # 1. session  2. user  3. user permissions  4. group permissions
    # 5. the incident with its types and the people who created, edited, reviewed and published it
    # 6. actor links with actors  7. claims with their actors and speaker (the inline)
    # 8. the claims' citations with their sources and speakers (one query for every claim)
    # 9. source links with sources  10. links to other incidents  11. links from other incidents
    # 12. event types  13. sub-event types with their types (the two selects)
    # 14.-16. the reconciliation proposal: claims with their actors, their citations, the actors' sides
    with django_assert_num_queries(16):
        response = editor_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Azawad Liberation Front") >= 2 * claims
    assert page.count("Mohamed Elmaouloud Ramadane") >= claims


def test_an_editor_adds_a_claim_with_its_citation_inside_the_incident_form(editor_client):
    incident = IncidentFactory()
    source = SourceFactory()
    spokesman = PersonFactory(name="Mohamed Elmaouloud Ramadane")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "claims-TOTAL_FORMS": "1",
            "claims-0-kind": "fatalities",
            "claims-0-losses_of": LossesOf.CIVILIANS,
            "claims-0-stance": Stance.ASSERTION,
            "claims-0-verification": Verification.UNVERIFIED,
            "claims-0-speaker": str(spokesman.pk),
            "claims-0-quantity_low": "12",
            "claims-0-quantity_high": "15",
            "claims-0-quantity_text": "between 12 and 15 civilians",
            "claims-0-citations-TOTAL_FORMS": "1",
            "claims-0-citations-INITIAL_FORMS": "0",
            "claims-0-citations-0-source": str(source.pk),
            "claims-0-citations-0-quote": "بين 12 و15 مدنياً",
            "claims-0-citations-0-language": "ar",
            "claims-0-citations-0-translation": "between 12 and 15 civilians",
            "claims-0-citations-0-published_on": "2025-06-14",
        }
    )

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    claim = incident.claims.get()
    assert (claim.quantity_low, claim.quantity_high, claim.speaker) == (12, 15, spokesman)
    citation = claim.citations.get()
    assert (citation.source, citation.language, citation.translation) == (source, "ar", "between 12 and 15 civilians")
    assert citation.published_on == datetime.date(2025, 6, 14)


def test_an_editor_adds_a_second_report_of_a_claim_as_a_citation_not_a_new_claim(editor_client):
    claim = ClaimFactory(quantity_text="six", quote="Six of our fighters fell.")
    ap = SourceFactory(outlet="AP")
    url = reverse("admin:incidents_incident_change", args=[claim.incident_id])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "claims-0-citations-TOTAL_FORMS": "2",
            "claims-0-citations-1-source": str(ap.pk),
            "claims-0-citations-1-quote": "Six fighters were killed, the group said.",
            "claims-0-citations-1-language": "en",
        }
    )

    assert editor_client.post(url, data).status_code == 302

    assert Claim.objects.filter(incident_id=claim.incident_id).count() == 1
    assert list(claim.citations.order_by("pk").values_list("source__outlet", flat=True))[1] == "AP"
    claim.refresh_from_db()
    assert claim.version == 1  # the claim itself was not saved again


def test_the_same_report_cannot_cite_a_claim_twice(editor_client):
    claim = ClaimFactory()
    source = claim.citations.get().source
    url = reverse("admin:incidents_incident_change", args=[claim.incident_id])
    data = change_form_data(editor_client, url)
    data.update({"claims-0-citations-TOTAL_FORMS": "2", "claims-0-citations-1-source": str(source.pk)})

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for source" in response.content.decode()
    assert claim.citations.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"losses_of": LossesOf.MIXED}, "losses_note", "Say who the several groups are"),
        (
            {"kind": "responsibility", "attribution": "suspected"},
            "responsible_actor",
            "Name the actor held responsible",
        ),
        ({"kind": "fatalities", "movement": "withdrew"}, "movement", "Only a territory or position claim"),
        ({"quantity_low": "9", "quantity_high": "3"}, "quantity_low", "9 is more than the highest figure (3)"),
    ],
    ids=["mixed-groups", "attribution-without-actor", "movement-on-fatalities", "low-above-high"],
)
def test_a_claim_that_breaks_a_rule_is_refused_with_the_reason_on_its_field(editor_client, changes, field, message):
    claim = ClaimFactory()
    url = reverse("admin:incidents_incident_change", args=[claim.incident_id])
    data = change_form_data(editor_client, url)
    data.update({f"claims-0-{name}": value for name, value in changes.items()})

    response = editor_client.post(url, data)

    assert response.status_code == 200
    claim_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert any(message in error for error in claim_form.errors[field])
    assert "is violated" not in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).version == 1


def test_a_responsibility_claim_names_the_actor_and_how_firmly(editor_client):
    claim = ClaimFactory(kind="responsibility", quantity_low=None, quantity_high=None, quantity_text="")
    jnim = ActorFactory(name="JNIM")
    url = reverse("admin:incidents_incident_change", args=[claim.incident_id])
    data = change_form_data(editor_client, url)
    data.update({"claims-0-responsible_actor": str(jnim.pk), "claims-0-attribution": "supposed"})

    assert editor_client.post(url, data).status_code == 302

    claim.refresh_from_db()
    assert (claim.responsible_actor, claim.attribution, claim.version) == (jnim, "supposed", 2)


def test_a_sub_count_can_only_be_part_of_another_claim_of_the_same_incident(editor_client):
    vehicles = ClaimFactory(kind="materiel_destroyed", quantity_text="twelve vehicles")
    armoured = ClaimFactory(incident=vehicles.incident, kind="materiel_destroyed", quantity_text="four armoured")
    elsewhere = ClaimFactory(quantity_text="a claim about another incident")
    url = reverse("admin:incidents_incident_change", args=[vehicles.incident_id])

    response = editor_client.get(url)
    claims = response.context["inline_admin_formsets"][1].formset
    offered = {form.instance.pk: [value for value, _ in form.fields["part_of"].widget.choices] for form in claims}
    assert offered[armoured.pk] == ["", vehicles.pk] and offered[vehicles.pk] == ["", armoured.pk]

    data = change_form_data(editor_client, url)
    index = [form.instance.pk for form in claims].index(armoured.pk)
    refused = editor_client.post(url, {**data, f"claims-{index}-part_of": str(elsewhere.pk)})
    assert refused.status_code == 200 and armoured.sub_counts.count() == 0

    assert editor_client.post(url, {**data, f"claims-{index}-part_of": str(vehicles.pk)}).status_code == 302
    armoured.refresh_from_db()
    assert armoured.part_of == vehicles


def test_the_change_form_shows_the_proposal_per_group_with_its_reasons(editor_client):
    incident = IncidentFactory()
    army = ActorFactory(name="Malian Armed Forces")
    ClaimFactory(
        incident=incident,
        claimant=army,
        losses_of=LossesOf.ACTOR,
        losses_actor=army,
        quantity_low=3,
        quantity_high=3,
        stance=Stance.ACKNOWLEDGEMENT,
        quantity_text="three soldiers",
    )
    ClaimFactory(
        incident=incident,
        losses_of=LossesOf.ACTOR,
        losses_actor=army,
        quantity_low=40,
        quantity_high=50,
        quantity_text="several dozen",
    )

    response = editor_client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))

    page = response.content.decode()
    assert "Malian Armed Forces" in page
    assert "Contested" in page
    assert "acknowledged 3 of its own dead" in page
    assert reverse("admin:incidents_incident_estimate", args=[incident.pk]) in page


def test_an_editor_accepts_the_proposal_as_the_estimate(editor_client):
    incident = IncidentFactory()
    ClaimFactory(incident=incident, quantity_low=10, quantity_high=10, quantity_text="10 fighters")

    response = editor_client.post(reverse("admin:incidents_incident_estimate", args=[incident.pk]), {"accept": "1"})

    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.fatalities_low, incident.fatalities_best, incident.fatalities_high) == (10, 10, 10)
    assert incident.fatalities_method == EstimateMethod.PROPOSAL


def test_an_editor_overrides_the_proposal_with_a_rationale(editor_client, editor):
    incident = IncidentFactory()
    ClaimFactory(incident=incident, quantity_low=10, quantity_high=10)
    url = reverse("admin:incidents_incident_estimate", args=[incident.pk])

    response = editor_client.post(
        url,
        {"override": "1", "low": "8", "best": "12", "high": "20", "rationale": "Hospital records.", "contested": ""},
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.fatalities_low, incident.fatalities_best, incident.fatalities_high) == (8, 12, 20)
    assert (incident.fatalities_method, incident.fatalities_rationale) == (EstimateMethod.OVERRIDE, "Hospital records.")
    assert incident.last_edited_by == editor


def test_an_override_sets_the_figures_by_side_and_leaves_the_others_as_proposed(editor_client):
    fla = ActorFactory(name="FLA")
    army = ActorFactory(name="FAMa")
    incident = IncidentFactory()
    IncidentActorFactory(incident=incident, actor=army, side="A")
    IncidentActorFactory(incident=incident, actor=fla, side="B")
    ClaimFactory(incident=incident, losses_of="actor", losses_actor=army, quantity_low=10, quantity_high=10)
    ClaimFactory(incident=incident, losses_of="actor", losses_actor=fla, quantity_low=3, quantity_high=3)
    url = reverse("admin:incidents_incident_estimate", args=[incident.pk])
    form = editor_client.get(url).content.decode()
    assert 'name="deaths_a_best"' in form and 'name="injuries_high"' in form

    response = editor_client.post(
        url,
        {
            "override": "1",
            "low": "12",
            "best": "15",
            "high": "20",
            "high_open": "on",
            "deaths_a_low": "9",
            "deaths_a_best": "12",
            "deaths_a_high": "17",
            "rationale": "The army's own count, published later.",
        },
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.deaths_a_low, incident.deaths_a_best, incident.deaths_a_high) == (9, 12, 17)
    assert (incident.deaths_b_low, incident.deaths_b_best, incident.deaths_b_high) == (3, 3, 3)  # as proposed
    assert incident.fatalities_high_open and incident.fatalities_method == EstimateMethod.OVERRIDE


def test_an_override_without_a_rationale_or_out_of_order_is_refused(editor_client):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_estimate", args=[incident.pk])

    no_reason = editor_client.post(url, {"override": "1", "low": "1", "best": "2", "high": "3", "rationale": ""})
    disordered = editor_client.post(url, {"override": "1", "low": "9", "best": "2", "high": "3", "rationale": "x"})

    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    assert "low ≤ best ≤ high" in disordered.content.decode()
    incident.refresh_from_db()
    assert incident.fatalities_method == EstimateMethod.NONE


def test_the_estimate_cannot_be_edited_directly_in_the_change_form(editor_client):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)

    editor_client.post(url, {**data, "fatalities_best": "999", "fatalities_method": "override"})

    incident.refresh_from_db()
    assert incident.fatalities_best is None


def test_saving_through_the_admin_records_who_created_and_last_edited(editor_client, editor, reviewer_client, reviewer):
    sub_type = IncidentFactory.build().sub_event_type
    add = reverse("admin:incidents_incident_add")
    data = change_form_data(editor_client, add)
    data.update(
        {
            "title": "Clash near Tessalit",
            "start_date": "2025-06-14",
            "end_date": "2025-06-14",
            "country": "ML",
            "event_type": str(sub_type.event_type_id),
            "sub_event_type": str(sub_type.pk),
        }
    )
    assert editor_client.post(add, data).status_code == 302
    incident = Incident.objects.get(title="Clash near Tessalit")
    assert (incident.created_by, incident.last_edited_by, incident.version) == (editor, editor, 1)

    change = reverse("admin:incidents_incident_change", args=[incident.pk])
    assert (
        reviewer_client.post(change, {**change_form_data(reviewer_client, change), "admin1": "Kidal"}).status_code
        == 302
    )
    incident.refresh_from_db()
    assert (incident.created_by, incident.last_edited_by, incident.version) == (editor, reviewer, 2)


def test_the_change_form_shows_the_estimates_by_side_read_only(editor_client):
    incident = IncidentFactory(deaths_a_best=6, deaths_b_low=30, deaths_b_best=39, deaths_b_high=39, injuries_best=4)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])

    response = editor_client.get(url)
    page = response.content.decode()
    editor_client.post(url, {**change_form_data(editor_client, url), "deaths_b_best": "1", "injuries_best": "99"})

    for name in services.ESTIMATE_FIELDS:
        assert name in response.context["adminform"].readonly_fields
    if "deaths_b_best" in services.ESTIMATE_FIELDS:
        assert "Deaths on side B" in page and "Injured" in page
    incident.refresh_from_db()
    assert (incident.deaths_b_best, incident.injuries_best) == (39, 4)


def test_a_stale_estimate_is_announced_on_the_form_and_found_by_the_list_filter(editor_client):
    stale = IncidentFactory(title="Claims changed since")
    fresh = IncidentFactory(title="Up to date")
    Incident.objects.filter(pk=stale.pk).update(estimate_stale=True)

    stale_page = editor_client.get(reverse("admin:incidents_incident_change", args=[stale.pk])).content.decode()
    fresh_page = editor_client.get(reverse("admin:incidents_incident_change", args=[fresh.pk])).content.decode()

    assert "archive-banner archive-stale" in stale_page and "archive-banner archive-stale" not in fresh_page
    assert reverse("admin:incidents_incident_estimate", args=[stale.pk]) in stale_page
    assert changelist_ids(editor_client.get(CHANGELIST, {"estimate_stale": "yes"})) == [stale.pk]
    assert changelist_ids(editor_client.get(CHANGELIST, {"estimate_stale": "no"})) == [fresh.pk]


@pytest.mark.parametrize(
    ("time", "precision", "saved", "error"),
    [
        ("10:20", "around", ("10:20:00", "around"), ""),
        ("10:20", "", ("10:20:00", "exact"), ""),
        ("", "dawn", (None, "dawn"), ""),
        ("05:00", "dawn", None, "names a part of the day"),
        ("", "around", None, "Give the time that was reported"),
    ],
)
def test_the_time_of_day_is_entered_with_how_it_was_reported(editor_client, time, precision, saved, error):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = {**change_form_data(editor_client, url), "time_of_day": time, "time_precision": precision}

    response = editor_client.post(url, data)

    incident.refresh_from_db()
    if error:
        assert response.status_code == 200 and error in response.content.decode()
        assert incident.version == 1
    else:
        assert response.status_code == 302
        assert (incident.time_of_day and incident.time_of_day.isoformat(), incident.time_precision) == saved
    fields = (
        [line for fieldset in response.context["adminform"] if fieldset.name == "When" for line in fieldset]
        if (response.status_code == 200)
        else []
    )
    assert not fields or any({"time_of_day", "time_precision"} <= set(line.fields) for line in fields)


def test_an_incident_links_to_another_and_the_other_shows_the_link_read_the_other_way(editor_client):
    follow_on = IncidentFactory(title="Army reinforcements ambushed")
    first = IncidentFactory(title="Ambush on the Anefif road")
    url = reverse("admin:incidents_incident_change", args=[follow_on.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "follow_on",
            "relations_out-0-object": str(first.pk),
            "relations_out-0-note": "The column sent after the first ambush.",
        }
    )

    assert editor_client.post(url, data).status_code == 302
    assert follow_on.relations_out.get().object == first

    other = editor_client.get(reverse("admin:incidents_incident_change", args=[first.pk]))
    reverse_inline = next(i for i in other.context["inline_admin_formsets"] if i.formset.prefix == "relations_in")
    assert not reverse_inline.has_add_permission and not reverse_inline.has_change_permission
    page = other.content.decode()
    assert "was followed by" in page and "Army reinforcements ambushed" in page


def test_an_incident_cannot_be_linked_to_itself(editor_client):
    incident = IncidentFactory()
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {"relations_out-TOTAL_FORMS": "1", "relations_out-0-kind": "same_event", "relations_out-0-object": incident.pk}
    )

    response = editor_client.post(url, data)

    assert response.status_code == 200 and "is not related to itself" in response.content.decode()


def test_incident_autocomplete_finds_an_incident_by_number_and_labels_it_with_date_and_status(editor_client):
    incident = IncidentFactory(title="Ambush on the Anefif road")

    labels = autocomplete(editor_client, "incidentrelation", "object", f"#{incident.pk}", labelled="incident")

    assert labels == [f"#{incident.pk} Ambush on the Anefif road (2025-06-13, draft)"]


# --- Merging a duplicate ---------------------------------------------------------------------


def test_editors_are_not_offered_the_merge(editor_client):
    incident = IncidentFactory()

    page = editor_client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    actions = editor_client.get(CHANGELIST).context["action_form"].fields["action"].choices

    assert "Merge into another incident" not in page
    assert "merge_duplicates" not in [name for name, _ in actions]
    assert editor_client.get(reverse("admin:incidents_incident_merge", args=[incident.pk])).status_code == 403


def test_a_reviewer_merges_a_duplicate_into_another_incident(reviewer_client, reviewer):
    into = IncidentFactory(title="Ambush on the Anefif road", published=True)
    duplicate = IncidentFactory(title="Convoy attacked near Anefif", published=True)
    ClaimFactory(incident=duplicate, quantity_text="fifteen soldiers")
    url = reverse("admin:incidents_incident_merge", args=[duplicate.pk])
    assert (
        "Merge into another incident"
        in reviewer_client.get(reverse("admin:incidents_incident_change", args=[duplicate.pk])).content.decode()
    )

    itself = reviewer_client.post(url, {"into": duplicate.pk, "reason": "Same ambush."})
    assert "another incident than the duplicate" in itself.content.decode()
    response = reviewer_client.post(url, {"into": into.pk, "reason": "The same ambush, reported twice."})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:incidents_incident_change", args=[into.pk])
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (Status.RETRACTED, into.pk)
    assert "The same ambush, reported twice." in duplicate.retraction_notice
    assert into.claims.filter(quantity_text="fifteen soldiers").exists()


def test_a_reviewer_merges_duplicates_from_the_list(reviewer_client):
    into = IncidentFactory(published=True)
    duplicate = IncidentFactory(published=True)
    run = {"action": "merge_duplicates", "_selected_action": [duplicate.pk]}

    asked = reviewer_client.post(CHANGELIST, run)
    assert asked.status_code == 200 and "Merge duplicates" in asked.content.decode()
    reviewer_client.post(CHANGELIST, {**run, "apply": "1", "into": into.pk, "reason": "Reported twice."})

    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == into.pk


# --- Sources, actors ---------------------------------------------------------------------------


def test_confidential_sources_are_flagged_in_the_source_list_and_form(editor_client):
    secret = SourceFactory(confidential=True, kind="local_source", author="Regional elected official")
    SourceFactory(confidential=False)

    listing = editor_client.get(reverse("admin:incidents_source_changelist")).content.decode()
    form = editor_client.get(reverse("admin:incidents_source_change", args=[secret.pk])).content.decode()

    assert listing.count("CONFIDENTIAL: identity withheld") == 1
    assert "Regional elected official" in listing  # editors see who it is
    assert "Confidentiality" in form and 'name="confidential"' in form and "checked" in form


def test_the_actor_form_edits_aliases_and_relations(editor_client):
    wagner = ActorFactory(name="Wagner Group")
    africa_corps = ActorFactory(name="Africa Corps", slug="africa-corps")
    url = reverse("admin:incidents_actor_change", args=[africa_corps.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "aliases-0-name": "Африканский корпус",
            "aliases-0-language": "ru",
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "successor_of",
            "relations_out-0-object": str(wagner.pk),
        }
    )

    assert editor_client.post(url, data).status_code == 302
    assert list(africa_corps.aliases.values_list("name", flat=True)) == ["Африканский корпус"]
    assert africa_corps.relations_out.get().object == wagner


def test_source_autocomplete_tells_two_statements_of_one_group_apart(editor_client):
    first = SourceFactory(
        kind="party_statement", outlet="FLA", title="Communiqué", published_on=datetime.date(2025, 6, 13)
    )
    second = SourceFactory(
        kind="party_statement", outlet="FLA", title="Communiqué", published_on=datetime.date(2025, 6, 15)
    )

    SourceFactory(kind="party_statement", outlet="FLA", title="Second communiqué", published_on=None)

    labels = autocomplete(editor_client, "citation", "source", "FLA", labelled="source")

    assert len(labels) == len(set(labels)) == 3
    assert f"FLA — Communiqué — June 13, 2025 (#{first.pk})" in labels
    assert f"FLA — Communiqué — June 15, 2025 (#{second.pk})" in labels
    assert any(label.startswith("FLA — Second communiqué — undated") for label in labels)


def test_the_source_picker_of_a_citation_shows_its_chosen_source_as_outlet_title_and_date(editor_client):
    source = SourceFactory(
        outlet="AFP", title="Mali: rebels say they ambushed a convoy", published_on=datetime.date(2025, 6, 14)
    )
    claim = ClaimFactory(source=source)

    page = editor_client.get(reverse("admin:incidents_incident_change", args=[claim.incident_id])).content.decode()

    assert f"AFP — Mali: rebels say they ambushed a convoy — June 14, 2025 (#{source.pk})" in page


def test_person_autocomplete_finds_a_speaker_under_any_spelling(editor_client):
    spokesman = PersonFactory(name="Mohamed Elmaouloud Ramadane", description="FLA spokesman")
    PersonAlias.objects.create(person=spokesman, name="Muhammad Maulud Ramadan", language="en")
    PersonFactory(name="Regional elected official", confidential=True)

    def found(model_name: str, term: str) -> list[str]:
        return autocomplete(editor_client, model_name, "speaker", term, labelled="person")

    assert found("claim", "Maulud") == ["Mohamed Elmaouloud Ramadane — FLA spokesman"]
    assert found("citation", "ramadane") == ["Mohamed Elmaouloud Ramadane — FLA spokesman"]
    assert found("claim", "elected") == ["Regional elected official · CONFIDENTIAL"]


def test_the_pickers_of_a_claim_and_its_citations_ask_for_the_labelled_choices(editor_client):
    claim = ClaimFactory()

    page = editor_client.get(reverse("admin:incidents_incident_change", args=[claim.incident_id])).content.decode()

    assert f'data-ajax--url="{reverse("admin:incidents_source_autocomplete")}"' in page
    assert f'data-ajax--url="{reverse("admin:incidents_person_autocomplete")}"' in page


def test_the_person_form_edits_spellings_and_affiliations_and_flags_confidential_people(editor_client):
    fla = ActorFactory(name="FLA")
    person = PersonFactory(name="Mohamed Elmaouloud Ramadane")
    PersonFactory(name="Regional elected official", confidential=True)
    url = reverse("admin:incidents_person_change", args=[person.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "aliases-0-name": "Muhammad Maulud Ramadan",
            "aliases-0-language": "en",
            "affiliations-TOTAL_FORMS": "1",
            "affiliations-0-actor": str(fla.pk),
            "affiliations-0-role": "spokesman",
            "affiliations-0-start_date": "2024-11-30",
        }
    )

    assert editor_client.post(url, data).status_code == 302
    assert list(person.aliases.values_list("name", flat=True)) == ["Muhammad Maulud Ramadan"]
    assert person.affiliations.get().actor == fla
    listing = editor_client.get(reverse("admin:incidents_person_changelist")).content.decode()
    assert listing.count("CONFIDENTIAL: identity withheld") == 1
    found = editor_client.get(reverse("admin:incidents_person_changelist"), {"q": "Maulud"})
    assert [p.name for p in found.context["cl"].result_list] == ["Mohamed Elmaouloud Ramadane"]


# --- Who reaches the admin -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:incidents_incident_changelist",
        "admin:incidents_incident_change",
        "admin:incidents_incident_history",
        "admin:incidents_incident_estimate",
        "admin:incidents_claim_changelist",
        "admin:incidents_source_changelist",
    ],
)
def test_anonymous_users_never_reach_admin_pages(client, url_name):
    incident = IncidentFactory(published=True)
    url = reverse(url_name, args=[incident.pk] if "changelist" not in url_name else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert incident.title not in response.content.decode()


def test_staff_without_a_group_cannot_see_incidents(client):
    client.force_login(UserFactory(username="intern"))

    assert client.get(CHANGELIST).status_code == 403


def test_an_editor_reads_a_submitted_incidents_claims_and_citations_without_inputs(editor_client):
    citation = CitationFactory(quote="Six of our fighters fell.", claim__incident__status=Status.IN_REVIEW)

    response = editor_client.get(reverse("admin:incidents_incident_change", args=[citation.claim.incident_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Six of our fighters fell." in page
    assert 'name="claims-0-citations-0-quote"' not in page and 'name="claims-0-kind"' not in page


def test_an_incident_with_as_many_claims_as_the_seed_saves_from_its_form(editor_client):
    incident = IncidentFactory()
    for n in range(30):
        ClaimFactory(incident=incident, quantity_low=n, quantity_high=n, quantity_text=f"{n} dead")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    data["title"] = "Ambush with thirty claims"
    assert len(data) > 1000, "more fields than Django's default cap"

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.content[:300]
    incident.refresh_from_db()
    assert incident.title == "Ambush with thirty claims"
