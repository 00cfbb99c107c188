"""The import's preview finds the file's actors and sources again, lets the editor map unknown names,
lists suspected duplicates and says how ACLED's figures become claims, writing nothing until confirmed."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from incidents.models import Actor, ActorAlias, ActorKind, Incident, Side, Source, SourceKind, Status
from tests.factories import ActorFactory, IncidentActorFactory, IncidentFactory, SourceFactory
from tests.test_import import ACLED_FORMAT, ACLED_HEADER, CONFIRM_URL, acled_row, csv_file, preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_actors() -> dict[str, Actor]:
    army = ActorFactory(name="Malian Armed Forces", slug="fama", kind=ActorKind.STATE_FORCES)
    ActorAlias.objects.create(actor=army, name="FAMa")
    ActorAlias.objects.create(actor=army, name="Military Forces of Mali")
    minusma = ActorFactory(
        name="United Nations Multidimensional Integrated Stabilization Mission in Mali",
        slug="minusma",
        kind=ActorKind.EXTERNAL_OTHER,
    )
    ActorAlias.objects.create(actor=minusma, name="MINUSMA")
    fla = ActorFactory(name="Azawad Liberation Front", slug="fla")
    ActorAlias.objects.create(actor=fla, name="FLA")
    return {"army": army, "minusma": minusma, "fla": fla}


def confirm(client: Client, response, mapping: dict[str, object] | None = None):
    """Confirm the previewed import, with the editor's choices of actors for unknown names."""
    form = response.context["confirm_form"]
    data = {name: form.initial[name] for name in form.initial}
    found = response.context.get("actor_mapping")
    for n, (name, _, _) in enumerate(found.rows if found else []):
        data[f"map-{n}-name"] = name
        if mapping and name in mapping:
            data[f"map-{n}-actor"] = mapping[name].pk
    return client.post(CONFIRM_URL, data)


def counts() -> tuple[int, int, int, int]:
    return Incident.objects.count(), Actor.objects.count(), ActorAlias.objects.count(), Source.objects.count()


def test_acled_names_match_existing_actors_by_alias_and_spelling_and_the_preview_writes_nothing(
    editor_client, archive_actors
):
    afp = SourceFactory(outlet="Agence France-Presse", title="", url="", author="", kind=SourceKind.NEWS_AGENCY)
    row = acled_row(
        actor1="Military Forces of Mali (2021-)",
        assoc_actor_1="MINUSMA",
        source="Agence France Presse; Studio Tamani; Twitter",
        source_scale="New media-National",
    )
    before = counts()

    response = preview(editor_client, csv_file(ACLED_HEADER, [row]), ACLED_FORMAT)

    assert response.status_code == 200
    assert "confirm_form" in response.context, response.context.get("problems")
    assert counts() == before, "the preview must not save anything"
    found = response.context["import_preview"]
    actors = {actor["name"]: (actor["actor"], actor["how"]) for actor in found.actors}
    assert actors == {
        "Military Forces of Mali (2021-)": ("Malian Armed Forces", "spelling"),
        "MINUSMA": ("United Nations Multidimensional Integrated Stabilization Mission in Mali", "alias"),
        "FLA": ("Azawad Liberation Front", "alias"),
    }
    sources = {source["name"]: (source["source_id"], source["how"], source["new_kind"]) for source in found.sources}
    assert sources == {
        "Agence France Presse": (afp.pk, "spelling", ""),
        "Studio Tamani": (None, None, "News outlet"),
        "Twitter": (None, None, "Social media post or video"),
    }
    page = response.content.decode()
    assert 'data-name="Military Forces of Mali (2021-)" data-how="spelling"' in page
    assert 'data-name="MINUSMA" data-how="alias"' in page
    assert "new: News outlet" in page

    response = confirm(editor_client, response)

    assert response.status_code == 302
    incident = Incident.objects.get()
    parties = {(link.actor_id, link.side) for link in incident.incident_actors.all()}
    assert parties == {
        (archive_actors["army"].pk, Side.A),
        (archive_actors["minusma"].pk, Side.A),
        (archive_actors["fla"].pk, Side.B),
    }
    assert Actor.objects.count() == before[1], "no actor was created"
    assert {(s.outlet, s.kind) for s in incident.sources.all()} == {
        ("Agence France-Presse", SourceKind.NEWS_AGENCY),
        ("Studio Tamani", SourceKind.NEWS_OUTLET),
        ("Twitter", SourceKind.SOCIAL_MEDIA),
        ("ACLED", SourceKind.DATASET),  # ACLED's own figure is ACLED's claim
    }
    assert Source.objects.count() == before[3] + 3, "Studio Tamani, Twitter and ACLED itself are new"


def test_an_unknown_name_mapped_to_an_actor_becomes_its_alias_and_the_next_import_matches_it(
    editor_client, archive_actors
):
    katiba = ActorFactory(name="Katiba Macina", slug="katiba-macina", kind=ActorKind.REBEL_GROUP)
    row = acled_row(assoc_actor_1="", actor2="Macina Liberation Front", inter2=2)
    before = counts()

    response = preview(editor_client, csv_file(ACLED_HEADER, [row]), ACLED_FORMAT)

    unknown = response.context["import_preview"].unknown_actors
    assert [(actor["name"], actor["new_kind"]) for actor in unknown] == [("Macina Liberation Front", "Rebel group")]
    page = response.content.decode()
    assert 'name="map-0-name" value="Macina Liberation Front"' in page
    assert 'name="map-0-actor"' in page  # the editor's choice of an existing actor
    assert counts() == before

    response = confirm(editor_client, response, {"Macina Liberation Front": katiba})

    assert response.status_code == 302
    assert Actor.objects.count() == before[1], "the mapped name is no new actor"
    assert ActorAlias.objects.filter(actor=katiba, name="Macina Liberation Front").exists()
    incident = Incident.objects.get()
    assert incident.incident_actors.filter(actor=katiba, side=Side.B).exists()

    # The next file matches the name by alias, with nothing to choose.
    response = preview(
        editor_client,
        csv_file(
            ACLED_HEADER, [acled_row(event_id_cnty="MLI33002", assoc_actor_1="", actor2="Macina Liberation Front")]
        ),
        ACLED_FORMAT,
    )
    matched = {actor["name"]: (actor["actor_id"], actor["how"]) for actor in response.context["import_preview"].actors}
    assert matched["Macina Liberation Front"] == (katiba.pk, "alias")
    assert response.context["actor_mapping"].rows == []


def test_a_mapping_is_not_kept_when_the_import_is_refused(editor_client, archive_actors):
    katiba = ActorFactory(name="Katiba Macina", slug="katiba-macina")
    response = preview(
        editor_client, csv_file(ACLED_HEADER, [acled_row(actor2="Macina Liberation Front")]), ACLED_FORMAT
    )
    # Meanwhile, the event was imported and retracted: a row cannot update a retracted incident.
    IncidentFactory(
        import_key="ACLED:MLI33001", status=Status.RETRACTED, published_at=timezone.now(), retraction_notice="Gone."
    )

    response = confirm(editor_client, response, {"Macina Liberation Front": katiba})

    assert response.status_code == 200
    assert response.context["rolled_back"]
    assert not ActorAlias.objects.filter(name="Macina Liberation Front").exists()


def test_rows_like_incidents_in_the_archive_are_listed_as_suspected_duplicates(editor_client, archive_actors):
    earlier = IncidentFactory(title="Convoy ambushed near Anefif", start_date=datetime.date(2025, 6, 12))
    IncidentActorFactory(incident=earlier, actor=archive_actors["army"], side=Side.A)
    elsewhere = IncidentFactory(title="Clash in Niger", country="NE", start_date=datetime.date(2025, 6, 13))
    IncidentActorFactory(incident=elsewhere, actor=archive_actors["army"], side=Side.A)
    other_actors = IncidentFactory(title="Unrelated clash", start_date=datetime.date(2025, 6, 13))
    IncidentActorFactory(incident=other_actors, actor=ActorFactory(name="Someone else"), side=Side.A)
    later = IncidentFactory(title="A week later", start_date=datetime.date(2025, 6, 20))
    IncidentActorFactory(incident=later, actor=archive_actors["fla"], side=Side.B)
    rows = [
        acled_row(),  # 13 June, FAMa against the FLA, Mali
        acled_row(event_id_cnty="MLI33009", event_date="2025-07-30"),
    ]

    response = preview(editor_client, csv_file(ACLED_HEADER, rows), ACLED_FORMAT)

    found = response.context["import_preview"]
    assert [(d["line"], d["incident_id"], d["actors"]) for d in found.duplicates] == [
        (1, earlier.pk, ["Malian Armed Forces"])
    ]
    assert found.duplicate_rows == 1
    page = response.content.decode()
    assert f'data-row="1" data-incident="{earlier.pk}"' in page
    assert "Convoy ambushed near Anefif" in page
    assert Incident.objects.count() == 4


def test_the_preview_says_how_each_acled_figure_becomes_claims_and_estimates(editor_client, archive_actors):
    rows = [
        acled_row(fatalities=15),
        acled_row(event_id_cnty="MLI2", fatalities=12),
        acled_row(event_id_cnty="MLI3", fatalities=0, notes="Shots were fired; no casualties were reported."),
        acled_row(event_id_cnty="MLI4", fatalities=0, notes="Clashes were reported near Anefif."),
    ]

    response = preview(editor_client, csv_file(ACLED_HEADER, rows), ACLED_FORMAT)

    figures = {
        figure["what"]: (figure["rows"], figure["first"]) for figure in response.context["import_preview"].figures
    }
    assert figures == {"figure": (2, 1), "explicit_zero": (1, 3), "no_figure": (1, 4)}
    page = response.content.decode()
    assert "becomes a fatalities claim of that number made by ACLED" in page
    assert "a 0 that reports nothing is not an explicit zero" in page
