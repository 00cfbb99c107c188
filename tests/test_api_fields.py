"""The API's ``fields=``, its counts, an actor per side ("X against Y") and its refusal of
unknown parameters, through real requests."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from incidents import models, pagination
from incidents.listing import LIST_FIELDS
from incidents.serializers import IncidentDetailSerializer
from tests.factories import IncidentActorFactory, IncidentFactory
from tests.graph import build_archive


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def archive(db):
    return build_archive()


def get_json(client: Client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(page: dict) -> list[int]:
    return [item["id"] for item in page["results"]]


# --- fields= ------------------------------------------------------------------------------------


def test_fields_selects_the_list_items_fields_in_their_own_order(client, archive):
    page = get_json(client, "/api/v1/incidents/", fields="title,id,side_b")

    assert [list(item) for item in page["results"]] == [["id", "title", "side_b"]] * 3
    kidal = page["results"][0]
    assert kidal == {"id": archive.kidal.pk, "title": archive.kidal.title, "side_b": ["Azawad Liberation Front"]}


def test_fields_read_only_what_they_need_in_the_one_statement(client, archive, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        page = get_json(client, "/api/v1/incidents/", fields="id,country")
    statement = captured.captured_queries[0]["sql"]
    assert "incidents_incidentactor" not in statement  # no actors per side
    assert "incidents_correction" not in statement
    assert "incidents_eventtype" not in statement
    assert page["results"][0] == {"id": archive.kidal.pk, "country": archive.kidal.country}


def test_every_list_field_can_be_chosen_alone(client, archive):
    whole = get_json(client, "/api/v1/incidents/")["results"]
    for name in LIST_FIELDS:
        page = get_json(client, "/api/v1/incidents/", fields=name)
        assert page["results"] == [{name: item[name]} for item in whole], name


def test_fields_repeated_or_with_spaces_and_blank_means_all(client, archive):
    page = get_json(client, "/api/v1/incidents/?fields=id,%20title&fields=title&fields=country")
    assert list(page["results"][0]) == [name for name in LIST_FIELDS if name in {"id", "title", "country"}]
    everything = get_json(client, "/api/v1/incidents/", fields="")
    assert list(everything["results"][0]) == list(LIST_FIELDS)


def test_unknown_fields_are_a_400_naming_them(client, archive):
    response = client.get("/api/v1/incidents/", {"fields": "id,titel,claims"})

    assert response.status_code == 400
    message = response.json()["fields"][0]
    assert message.startswith("Unknown field: titel, claims.")
    assert "side_a" in message  # the fields there are


def test_unknown_fields_and_a_bad_filter_are_named_together(client, archive):
    response = client.get("/api/v1/incidents/", {"fields": "nope", "country": "Mali", "colour": "red"})

    assert response.status_code == 400
    assert set(response.json()) == {"fields", "country", "colour"}


def test_fields_on_the_detail_and_its_nested_records(client, archive):
    detail = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/", fields="id,claims,related_incidents")

    assert list(detail) == ["id", "claims", "related_incidents"]
    assert detail["claims"] and "citations" in detail["claims"][0]  # nested records keep all their fields
    response = client.get(f"/api/v1/incidents/{archive.kidal.pk}/", {"fields": "side_a"})
    assert response.status_code == 400  # a list item's field, not the detail's
    assert set(IncidentDetailSerializer.Meta.fields) >= {"actors", "claims"}


def test_geojson_keeps_id_and_geometry_and_shows_only_the_fields_asked(client, archive):
    response = client.get("/api/v1/incidents/", {"format": "geojson", "fields": "title"})
    assert response.status_code == 200
    collection = json.loads(response.content)
    feature = collection["features"][0]
    assert feature["id"] == archive.kidal.pk
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"] == {"title": archive.kidal.title}
    assert collection["count"] == 3 and collection["count_is_estimate"] is False

    one = json.loads(
        client.get(f"/api/v1/incidents/{archive.kidal.pk}/", {"format": "geojson", "fields": "title"}).content
    )
    assert one["id"] == archive.kidal.pk and one["geometry"] is not None
    assert one["properties"] == {"title": archive.kidal.title}


@pytest.mark.parametrize(
    ("url", "fields", "expected"),
    [
        ("/api/v1/actors/", "slug,name", ["slug", "name"]),
        ("/api/v1/sources/", "kind,id", ["id", "kind"]),
        ("/api/v1/claims/", "id,quantity_low", ["id", "quantity_low"]),
        ("/api/v1/persons/", "slug", ["slug"]),
    ],
)
def test_fields_on_the_other_lists(client, archive, url, fields, expected):
    page = get_json(client, url, fields=fields)

    assert page["results"]
    assert all(list(item) == expected for item in page["results"])
    assert client.get(url, {"fields": "nothing-like-it"}).status_code == 400


def test_a_confidential_source_withheld_with_fields(client, archive):
    page = get_json(client, "/api/v1/sources/", fields="id,confidential,name")
    informant = next(item for item in page["results"] if item["id"] == archive.informant.pk)
    assert informant == {"id": archive.informant.pk, "confidential": True, "name": "Local source, identity withheld"}


# --- count --------------------------------------------------------------------------------------


def test_count_is_exact_and_on_every_page(client, archive):
    first = get_json(client, "/api/v1/incidents/", page_size=2)
    assert (first["count"], first["count_is_estimate"]) == (3, False)
    second = client.get(first["next"]).json()
    assert (second["count"], second["count_is_estimate"]) == (3, False)
    assert get_json(client, "/api/v1/incidents/", country="BF")["count"] == 0
    assert get_json(client, "/api/v1/incidents/", actor="fla")["count"] == 1


@pytest.mark.usefixtures("cache_in_memory")
def test_a_single_page_counts_its_rows_without_another_statement(client, archive, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = get_json(client, "/api/v1/incidents/")
    assert page["count"] == 3 and page["next"] is None


# A filtered list is counted (an unfiltered one is every published incident, kept counted).
@pytest.mark.usefixtures("cache_in_memory")
def test_counting_beyond_a_page(client, archive, django_assert_num_queries):
    # 1. the page, 2. the planner's estimate of the list, 3. a savepoint (tests run in a
    # transaction; a request starts its own), 4. the count's time budget, 5. the capped count,
    # 6. the savepoint's release.
    with django_assert_num_queries(6):
        page = get_json(client, "/api/v1/incidents/", page_size=1, country="ML")
    assert (page["count"], page["count_is_estimate"]) == (3, False)


@pytest.mark.usefixtures("cache_in_memory")
def test_beyond_the_limit_the_count_is_the_planners_estimate(client, archive, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 0)  # the planner never expects fewer than one row
    # 1. the page, 2. the planner's estimate: nothing is counted.
    with django_assert_num_queries(2):
        page = get_json(client, "/api/v1/incidents/", page_size=1, country="ML")
    assert page["count_is_estimate"] is True
    assert page["count"] >= 1


def test_a_count_that_reaches_the_limit_is_an_estimate(client, archive, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 2)
    monkeypatch.setattr(pagination, "planner_row_estimate", lambda queryset: 1)

    page = get_json(client, "/api/v1/incidents/", page_size=1, country="ML")
    assert (page["count"], page["count_is_estimate"]) == (3, True)


def test_a_count_out_of_time_is_an_estimate(client, archive, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_TIMEOUT_MS", 1)
    monkeypatch.setattr(pagination, "planner_row_estimate", lambda queryset: 7)
    # A count that takes longer than its budget, whatever the machine.
    original = pagination.QuerySet.count

    def slow_count(queryset):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.05)")
        return original(queryset)

    monkeypatch.setattr(pagination.QuerySet, "count", slow_count)
    page = get_json(client, "/api/v1/incidents/", page_size=1, country="ML")
    assert page["count_is_estimate"] is True
    assert page["count"] == pagination.COUNT_LIMIT + 1


def test_the_other_lists_count_too(client, archive):
    for url in ("/api/v1/actors/", "/api/v1/sources/", "/api/v1/claims/", "/api/v1/persons/"):
        whole = get_json(client, url)
        assert whole["count"] == len(whole["results"]), url
        paged = get_json(client, url, page_size=1)
        assert paged["count"] == len(whole["results"]), url
    retracted = get_json(client, "/api/v1/incidents/retracted/")
    assert retracted["count"] == len(retracted["results"])


# --- X against Y ----------------------------------------------------------------------------------


@pytest.fixture
def clashes(archive):
    """kidal: fama (A) against fla (B); reversed: fla (A) against fama (B); allied: fama and fla on side A."""
    fama, fla = models.Actor.objects.get(slug="fama"), models.Actor.objects.get(slug="fla")
    reversed_ = IncidentFactory(published=True, title="Reversed")
    IncidentActorFactory(incident=reversed_, actor=fla, side=models.Side.A)
    IncidentActorFactory(incident=reversed_, actor=fama, side=models.Side.B)
    allied = IncidentFactory(published=True, title="Allied")
    IncidentActorFactory(incident=allied, actor=fla, side=models.Side.A)
    IncidentActorFactory(incident=allied, actor=fama, side=models.Side.A)
    return archive.kidal, reversed_, allied


def test_an_actor_per_side(client, clashes):
    kidal, reversed_, allied = clashes

    assert ids(get_json(client, "/api/v1/incidents/", actor_a="fama", actor_b="fla")) == [kidal.pk]
    assert ids(get_json(client, "/api/v1/incidents/", actor_a="fla", actor_b="fama")) == [reversed_.pk]
    assert set(ids(get_json(client, "/api/v1/incidents/", actor_a="fla"))) == {reversed_.pk, allied.pk}


def test_against_either_way_round(client, clashes):
    kidal, reversed_, _allied = clashes

    both = get_json(client, "/api/v1/incidents/", actor="fama", against="fla")
    assert set(ids(both)) == {kidal.pk, reversed_.pk}  # never the incident where they are allies
    on_a = get_json(client, "/api/v1/incidents/", actor="fama", against="fla", side="A")
    assert ids(on_a) == [kidal.pk]


def test_against_needs_an_actor(client, clashes):
    response = client.get("/api/v1/incidents/", {"against": "fla"})

    assert response.status_code == 400
    assert "actor" in response.json()["against"][0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the export reads on its own connection
def test_the_list_page_and_the_exports_read_the_same_sides(client, clashes):
    kidal, reversed_, _allied = clashes

    page = client.get("/incidents/", {"actor_a": "fla", "actor_b": "fama"})
    assert page.status_code == 200
    assert reversed_.title.encode() in page.content and b"Allied" not in page.content
    export = client.get("/export/incidents.csv", {"actor": "fama", "against": "fla"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode()
    assert "Reversed" in body and kidal.title in body and "Allied" not in body


# --- unknown parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/",
        "/api/v1/incidents/retracted/",
        "/api/v1/actors/",
        "/api/v1/sources/",
        "/api/v1/claims/",
        "/api/v1/persons/",
    ],
)
def test_every_list_refuses_an_unknown_parameter(client, archive, url):
    response = client.get(url, {"contry": "ML"})

    assert response.status_code == 400
    assert "contry" in response.json()
    assert "Unknown parameter" in response.json()["contry"][0]


def test_the_retractions_do_not_take_fields(client, archive):
    assert client.get("/api/v1/incidents/retracted/", {"fields": "id"}).status_code == 400


def test_a_record_refuses_an_unknown_parameter(client, archive):
    for url in (f"/api/v1/incidents/{archive.kidal.pk}/", "/api/v1/actors/fama/"):
        response = client.get(url, {"country": "ML"})
        assert response.status_code == 400
        assert "country" in response.json()
