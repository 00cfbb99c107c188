from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework import renderers
from rest_framework.throttling import SimpleRateThrottle

from incidents import models
from incidents.filters import IncidentFilter
from incidents.serializers import IncidentListSerializer
from tests.factories import IncidentActorFactory, IncidentFactory
from tests.graph import SECRET_MARKERS, build_archive


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()  # the anonymous throttle counts in the cache (a table, in production without Redis)
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


def test_it_lists_only_published_incidents_newest_first(client, archive):
    page = get_json(client, "/api/v1/incidents/")

    assert ids(page) == [archive.kidal.pk, archive.gao.pk, archive.bamako.pk]
    assert page["next"] is None
    assert models.Incident.objects.count() == 6


def test_list_items_carry_actor_names_per_side_primary_first(client, archive):
    page = get_json(client, "/api/v1/incidents/")
    kidal = page["results"][0]

    assert kidal["side_a"] == ["Malian Armed Forces", "Africa Corps"]
    assert kidal["side_b"] == ["Azawad Liberation Front"]
    assert kidal["event_type"] == "battles"
    assert kidal["sub_event_type"] == "armed-clash"
    assert kidal["tags"] == ["convoy", "ambush"]
    assert set(kidal) == set(IncidentListSerializer.Meta.fields)


@pytest.mark.usefixtures("cache_in_memory")
def test_list_query_count_is_constant(client, archive, django_assert_num_queries):
    for n in range(30):
        incident = IncidentFactory(published=True, title=f"Extra {n}")
        IncidentActorFactory(incident=incident)
        IncidentActorFactory(incident=incident, side=models.Side.B)
    # The page of incidents, with event type slugs and the actors of every incident on it.
    with django_assert_num_queries(1):
        response = client.get("/api/v1/incidents/", {"page_size": 50})
    assert len(response.json()["results"]) == 33


@pytest.mark.usefixtures("cache_in_memory")
def test_detail_query_count_is_constant(client, archive, django_assert_num_queries):
    # 1. the incident with its event types, 2. actors, 3. claims with sources and actors, 4. cited sources
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/incidents/{archive.kidal.pk}/")
    assert response.status_code == 200


def test_detail_nests_actors_claims_and_sources(client, archive):
    detail = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")

    assert [(a["actor"]["slug"], a["side"], a["role"]) for a in detail["actors"]] == [
        ("fama", "A", "primary"),
        ("africa-corps", "A", "supporting"),
        ("fla", "B", "primary"),
    ]
    assert {claim["quantity_text"] for claim in detail["claims"]} == {"several dozen", "around 15"}
    fla_claim = next(claim for claim in detail["claims"] if claim["claimant"])
    assert fla_claim["claimant"]["slug"] == "fla"
    assert fla_claim["losses_actor"]["slug"] == "fama"
    assert [s["source"]["name"] for s in detail["sources"]] == ["AFP — Convoy ambushed near Anefif"]
    assert detail["fatalities_best"] == 15
    assert detail["contested"] is True


def test_confidential_sources_show_only_their_kind(client, archive):
    detail = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")
    informant = next(claim["source"] for claim in detail["claims"] if claim["source"]["confidential"])

    assert informant == {
        "id": archive.informant.pk,
        "kind": "local_source",
        "name": "Local source, identity withheld",
        "confidential": True,
        "outlet": None,
        "title": None,
        "author": None,
        "url": None,
        "archived_url": None,
        "published_on": None,
        "language": None,
        "reliability": None,
    }
    listed = get_json(client, f"/api/v1/sources/{archive.informant.pk}/")
    assert listed == informant
    assert models.Source.objects.get(pk=archive.informant.pk).outlet == "CONFIDENTIAL-OUTLET-MARKER"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/incidents/",
        "/api/v1/incidents/?format=geojson",
        "/api/v1/incidents.geojson",
        "/api/v1/incidents/retracted/",
        "/api/v1/actors/",
        "/api/v1/sources/",
        "/api/v1/claims/",
        "/api/v1/actors/?country=ML",
        "/api/v1/sources/?country=ML",
        "/api/v1/claims/?country=ML",
        "/api/v1/actors/fla/",
        "/api/v1/actors/fama/",
    ],
)
def test_no_unpublished_or_confidential_data_in_api_responses(client, archive, path):
    response = client.get(path)

    assert response.status_code == 200
    body = response.content.decode()
    for marker in SECRET_MARKERS:
        assert marker.lower() not in body.lower(), (marker, path)
    assert "internal_notes" not in body


def test_every_published_incident_detail_is_clean_and_hidden_ones_are_not_found(client, archive):
    for incident in archive.published:
        body = client.get(f"/api/v1/incidents/{incident.pk}/").content.decode()
        assert not any(marker.lower() in body.lower() for marker in SECRET_MARKERS)
    for hidden in (archive.draft, archive.in_review, archive.retracted):
        assert client.get(f"/api/v1/incidents/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/actors/{archive.hidden_actor.slug}/").status_code == 404
    assert client.get(f"/api/v1/sources/{archive.hidden_source.pk}/").status_code == 404


def test_anonymous_users_cannot_write(client, archive):
    response = client.post("/api/v1/incidents/", {"title": "New"}, content_type="application/json")

    assert response.status_code in (401, 403, 405)
    assert models.Incident.objects.count() == 6


@pytest.mark.parametrize(
    "query",
    [
        "",
        "country=&q=",
        "country=ML",
        "admin1=kidal",
        "q=convoy",
        "q=أزواد",
        "actor=fla",
        "actor=fama&side=A",
        "actor=fama&side=B",
        "actor_kind=external_other",
        "date_from=2025-01-01",
        "date_to=2025-05-31",
        "fatalities_min=5",
        "contested=true",
        "tag=convoy",
        "source_kind=local_source",
        "event_type=battles",
        "order=-fatalities",
        "order=date",
        "order=relevance&q=clash",
    ],
)
def test_the_api_selects_the_same_incidents_as_the_filter_on_the_list_page(client, archive, query):
    expected = list(IncidentFilter(_querydict(query), queryset=models.Incident.objects.published()).qs)

    page = get_json(client, f"/api/v1/incidents/?{query}")

    assert ids(page) == [incident.pk for incident in expected]


def _querydict(query: str):
    from django.http import QueryDict

    return QueryDict(query)


@pytest.mark.parametrize("order", ["-fatalities", "fatalities"])
def test_cursor_pagination_walks_every_row_once_with_ties_and_nulls(client, archive, order):
    for n in range(9):
        # Unknown, 0, 1, unknown, 2, 2, unknown, 3, 4: a tie, and unknowns among the known.
        IncidentFactory(published=True, title=f"Same day {n}", fatalities_best=None if n % 3 == 0 else n // 2)
    expected = list(
        IncidentFilter({"order": order}, queryset=models.Incident.objects.published()).qs.values_list("pk", flat=True)
    )

    seen, url = [], f"/api/v1/incidents/?order={order}&page_size=2"
    while url:
        page = get_json(client, url)
        seen += ids(page)
        url = page["next"]

    assert seen == expected
    assert len(seen) == 12
    # Unknown figures last, as on the list page, whose pages walk the same order.
    fatalities = dict(models.Incident.objects.values_list("pk", "fatalities_best"))
    known = [fatalities[pk] for pk in seen if fatalities[pk] is not None]
    assert known == sorted(known, reverse=order.startswith("-"))
    assert all(fatalities[pk] is None for pk in seen[len(known) :])
    page_ids, url = [], f"/incidents/?order={order}"
    while url:
        response = client.get(url)
        page_ids += [incident.pk for incident in response.context["page"].rows]
        url = response.context["next_url"] and "/incidents/" + response.context["next_url"]
    assert page_ids == seen


def test_page_size_is_capped(client, archive):
    for n in range(3):
        IncidentFactory(published=True, title=f"More {n}")
    from incidents.pagination import KeysetPagination

    page = get_json(client, "/api/v1/incidents/", page_size=10_000)

    assert KeysetPagination.max_page_size == 500
    assert len(page["results"]) == 6


@pytest.mark.parametrize("cursor", ["garbage", "eyJvIjpbImlkIl0sImsiOlsxXX0", "e30"])
def test_a_bad_cursor_is_a_client_error(client, archive, cursor):
    response = client.get("/api/v1/incidents/", {"cursor": cursor})

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_cursor_made_for_another_order_is_refused(client, archive):
    for n in range(3):
        IncidentFactory(published=True, title=f"More {n}", fatalities_best=n)
    next_url = get_json(client, "/api/v1/incidents/", page_size=2)["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]

    response = client.get(f"/api/v1/incidents/?order=-fatalities&page_size=2&cursor={cursor}")

    assert response.status_code == 400
    assert response.json() == {"cursor": "Invalid cursor; start again from the first page."}


def test_the_list_page_reads_the_apis_cursor(client, archive):
    for n in range(60):
        IncidentFactory(published=True, title=f"More {n}", fatalities_best=None if n % 4 == 0 else n % 9)
    api_page = get_json(client, "/api/v1/incidents/", order="-fatalities", page_size=50)
    cursor = api_page["next"].split("cursor=")[1].split("&")[0]
    rest = get_json(client, f"/api/v1/incidents/?order=-fatalities&page_size=50&cursor={cursor}")

    response = client.get(f"/incidents/?order=-fatalities&after={cursor}")

    assert [incident.pk for incident in response.context["page"].rows] == ids(rest)
    assert len(ids(rest)) == 13


def test_relevance_pages_walk_every_match_once(client, archive):
    for n in range(5):
        IncidentFactory(published=True, title=f"Clash {n}", summary="clash " * n)
    expected = list(
        IncidentFilter({"q": "clash", "order": "relevance"}, queryset=models.Incident.objects.published()).qs
    )

    seen, url = [], "/api/v1/incidents/?q=clash&order=relevance&page_size=2"
    while url:
        page = get_json(client, url)
        seen += ids(page)
        url = page["next"]

    assert seen == [incident.pk for incident in expected]
    assert len(seen) >= 5


def test_modified_since_returns_only_recent_changes(client, archive):
    old = timezone.now() - timezone.timedelta(days=3)
    models.Incident.objects.filter(pk__in=[archive.gao.pk, archive.bamako.pk]).update(updated_at=old)

    page = get_json(client, "/api/v1/incidents/", modified_since=(old + timezone.timedelta(days=1)).isoformat())

    assert ids(page) == [archive.kidal.pk]


def test_retracted_endpoint_lists_ids_and_dates_for_mirrors(client, archive):
    page = get_json(client, "/api/v1/incidents/retracted/")

    assert page["results"] == [
        {
            "id": archive.retracted.pk,
            "retracted_at": archive.retracted.retracted_at.isoformat().replace("+00:00", "Z"),
            "retraction_notice": "Withdrawn: the event was a duplicate.",
        }
    ]
    later = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
    assert get_json(client, "/api/v1/incidents/retracted/", since=later)["results"] == []
    assert client.get("/api/v1/incidents/retracted/", {"since": "yesterday"}).status_code == 400


def test_geojson_is_a_feature_collection_with_longitude_first(client, archive):
    response = client.get("/api/v1/incidents/", {"format": "geojson"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in collection["features"]}
    assert features[archive.gao.pk]["geometry"] == {"type": "Point", "coordinates": [-0.04, 16.27]}
    assert features[archive.bamako.pk]["geometry"] is None
    assert features[archive.gao.pk]["properties"]["title"] == "Clash near Gao"
    assert client.get("/api/v1/incidents.geojson").json()["features"] == collection["features"]
    detail = client.get(f"/api/v1/incidents/{archive.gao.pk}/", {"format": "geojson"}).json()
    assert detail["type"] == "Feature"
    assert detail["geometry"]["coordinates"] == [-0.04, 16.27]


def test_claims_sources_and_actors_follow_the_incident_filters(client, archive):
    claims = get_json(client, "/api/v1/claims/", admin1="Kidal")
    assert {claim["incident"] for claim in claims["results"]} == {archive.kidal.pk}
    assert get_json(client, "/api/v1/claims/", admin1="Gao")["results"] == []
    assert {a["slug"] for a in get_json(client, "/api/v1/actors/", admin1="Gao")["results"]} == {"fama"}
    assert ids(get_json(client, "/api/v1/sources/", admin1="Kidal")) == [archive.afp.pk, archive.informant.pk]
    assert ids(get_json(client, "/api/v1/claims/", incident=archive.gao.pk)) == []


def test_actor_detail_shows_aliases_in_any_script(client, archive):
    detail = get_json(client, "/api/v1/actors/fla/")

    assert detail["aliases"] == [{"name": "جبهة تحرير أزواد", "language": "ar"}]
    assert detail["relations"] == []


def test_invalid_filters_are_client_errors(client, archive):
    assert client.get("/api/v1/incidents/", {"event_type": "no-such-type"}).status_code == 400
    response = client.get("/api/v1/incidents/", {"order": "sideways"})
    assert response.status_code == 400
    assert "order" in response.json()
    assert client.get("/api/v1/claims/", {"modified_since": "not a date"}).status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/sources/"])
def test_the_api_writes_the_same_bytes_as_drfs_json_renderer(client, archive, path):
    response = client.get(path)
    detail = client.get(f"/api/v1/incidents/{archive.kidal.pk}/")

    assert response.content == renderers.JSONRenderer().render(response.data)
    assert detail.content == renderers.JSONRenderer().render(detail.data)
    assert response["Content-Type"] == "application/json"


def _python_list_item(incident: models.Incident) -> dict:
    """The list item as Python would build it from the model, for DRF's renderer to write."""
    item = {name: getattr(incident, name) for name in IncidentListSerializer.Meta.fields if hasattr(incident, name)}
    item["event_type"] = incident.event_type.slug
    item["sub_event_type"] = incident.sub_event_type.slug
    roles = list(models.Role.values)
    links = sorted(
        incident.incident_actors.select_related("actor"), key=lambda link: (roles.index(link.role), link.actor.name)
    )
    for side in models.Side.values:
        item[f"side_{side.lower()}"] = [link.actor.name for link in links if link.side == side]
    return {name: item[name] for name in IncidentListSerializer.Meta.fields}


def test_list_pages_written_by_postgresql_are_the_bytes_python_writes(client, archive):
    awkward = IncidentFactory(
        published=True,
        title='Ambush "at" the wadi \\ line\u2028break\ttab, Ségou 🛰',
        start_date=datetime.date(2025, 7, 1),
        latitude=16.0,
        longitude=1e-05,
        tags=['quoted "tag"', "ascii"],
    )
    models.Incident.objects.filter(pk=awkward.pk).update(
        published_at=datetime.datetime(2025, 7, 2, 9, 30, 0, 120000, tzinfo=datetime.UTC)
    )
    IncidentActorFactory(incident=awkward, actor__name="Aardvark Brigade", role=models.Role.SUPPORTING)
    IncidentActorFactory(incident=awkward, actor__name="Zulu Front", role=models.Role.PRIMARY)
    IncidentActorFactory(incident=awkward, actor__name="Bravo Militia", side=models.Side.B, role=models.Role.ASSOCIATED)
    whole = IncidentFactory(published=True, start_date=datetime.date(2025, 7, 1), latitude=-3.0, longitude=12.0)
    models.Incident.objects.filter(pk=whole.pk).update(
        published_at=datetime.datetime(2025, 7, 2, 9, 30, tzinfo=datetime.UTC)
    )

    queries = ({"page_size": 2}, {"order": "-fatalities"}, {"q": "wadi"}, {"q": "clash", "order": "relevance"})
    for query in (*queries, {"order": "date", "page_size": 3}):
        response = client.get("/api/v1/incidents/", query)
        assert response.status_code == 200, response.content
        page = json.loads(response.content)
        incidents = models.Incident.objects.select_related("event_type", "sub_event_type").in_bulk(ids(page))
        expected = {"next": page["next"], "results": [_python_list_item(incidents[pk]) for pk in ids(page)]}
        assert response.content == renderers.JSONRenderer().render(expected), query

    item = next(item for item in get_json(client, "/api/v1/incidents/", q="wadi")["results"])
    assert item["side_a"] == ["Zulu Front", "Aardvark Brigade"]
    assert item["side_b"] == ["Bravo Militia"]
    assert item["published_at"] == "2025-07-02T09:30:00.120000Z"
    body = client.get("/api/v1/incidents/", {"q": "wadi"}).content
    assert b'"latitude":16.0,"longitude":1e-05' in body
    assert "\u2028".encode() not in body and b"\\u2028" in body


def test_the_first_page_is_prepared_once_asked_again(client, archive):
    for _ in range(7):
        assert client.get("/api/v1/incidents/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT list.* FROM%'")
        assert cursor.fetchone()[0] == 1


def test_cors_allows_any_origin_to_read_the_api(client, archive):
    response = client.get("/api/v1/incidents/", HTTP_ORIGIN="https://research.example.org")

    assert response["Access-Control-Allow-Origin"] == "*"


def test_openapi_schema_validates(client, archive):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert "/api/v1/incidents/" in schema["paths"]
    assert "/api/v1/incidents/retracted/" in schema["paths"]


def test_swagger_docs_are_served_without_a_cdn(client, archive, settings):
    # Production serves the hashed names collectstatic writes; tests have no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_errors_against_the_schema(live_server, monkeypatch, tmp_path):
    build_archive()
    # Thousands of generated requests from one address: lift the anonymous rate limit for this run.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute", "user": "1000000/minute"})
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--max-examples",
        "15",
        "--workers",
        "1",
        "--seed",
        "20250613",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]

    # Run from tmp_path: schemathesis keeps a cache directory where it runs.
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout
