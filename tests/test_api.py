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

from incidents import listing, models, pagination, readmodel
from incidents.filters import IncidentFilter
from incidents.serializers import IncidentListSerializer
from tests.factories import (
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
)
from tests.graph import SECRET_MARKERS, build_archive


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()  # the anonymous throttle counts in the cache (a table, in production without Redis)
    yield
    cache.clear()


# The read model's stored list items, as public requests find them.
STORED_ITEMS = f"{readmodel.SCHEMA}.{listing.STORED_ITEMS}"


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
    # The page of incidents with their stored items.
    with django_assert_num_queries(1):
        response = client.get("/api/v1/incidents/", {"page_size": 50})
    assert len(response.json()["results"]) == 33


@pytest.mark.usefixtures("cache_in_memory")
def test_detail_query_count_is_constant(client, archive, django_assert_num_queries):
    # 1. the incident with its event types, 2. actors, 3. claims with their speakers and actors,
    # 4. the claims' citations with their sources and speakers, 5. cited sources, 6. its approved
    # corrections, 7. related incidents
    with django_assert_num_queries(7):
        response = client.get(f"/api/v1/incidents/{archive.kidal.pk}/")
    assert response.status_code == 200
    for n in range(10):
        claim = ClaimFactory(incident=archive.kidal, speaker=PersonFactory(), responsible_actor=None)
        CitationFactory(claim=claim, speaker=PersonFactory(confidential=n % 2 == 0))
    models.IncidentRelation.objects.create(
        subject=archive.bamako, kind=models.IncidentRelationKind.SAME_EVENT, object=archive.kidal
    )

    with django_assert_num_queries(7):
        response = client.get(f"/api/v1/incidents/{archive.kidal.pk}/")
    assert len(response.json()["claims"]) == 12
    assert sum(len(claim["citations"]) for claim in response.json()["claims"]) == 23
    assert len(response.json()["related_incidents"]) == 2


@pytest.mark.usefixtures("cache_in_memory")
def test_claims_list_query_count_is_constant(client, archive, django_assert_num_queries):
    for _ in range(10):
        CitationFactory(claim=ClaimFactory(incident=archive.kidal, speaker=PersonFactory()))
    # 1. the page of claims with their incident, speakers and actors, 2. their citations with sources and speakers
    with django_assert_num_queries(2):
        response = client.get("/api/v1/claims/", {"page_size": 50})
    assert len(response.json()["results"]) == 12


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
    citations = [citation for claim in detail["claims"] for citation in claim["citations"]]
    informant = next(citation["source"] for citation in citations if citation["source"]["confidential"])

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


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE"])
def test_a_method_the_api_does_not_answer_is_a_405_not_a_request_to_log_in(client, archive, method):
    """The API only reads: any other method is refused as a method, whoever asks and whatever the
    query string, before permissions (which would ask for a login) or parameters are checked."""
    incident = archive.published[0]
    for url in ("/api/v1/incidents/?bogus=1", f"/api/v1/incidents/{incident.pk}/", "/api/v1/persons/"):
        response = client.generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 405, (method, url, response.status_code)
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
            "merged_into": None,
        }
    ]
    later = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
    assert get_json(client, "/api/v1/incidents/retracted/", since=later)["results"] == []
    assert client.get("/api/v1/incidents/retracted/", {"since": "yesterday"}).status_code == 400


def test_a_merged_duplicate_names_the_incident_it_was_merged_into_while_that_one_is_public(client, archive):
    models.Incident.objects.filter(pk=archive.retracted.pk).update(merged_into=archive.kidal)
    later = IncidentFactory(
        status=models.Status.RETRACTED,
        retraction_notice="Merged into a draft.",
        retracted_at=timezone.now(),
        merged_into=archive.draft,
    )

    merged = {item["id"]: item["merged_into"] for item in get_json(client, "/api/v1/incidents/retracted/")["results"]}

    assert merged == {archive.retracted.pk: archive.kidal.pk, later.pk: None}
    assert models.Incident.objects.get(pk=later.pk).merged_into_id == archive.draft.pk


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
    corrections = models.Correction.objects.public().filter(incident=incident).order_by("decided_at", "pk")
    item["corrections"] = [{"date": c.decided_at, "reason": c.reason} for c in corrections]
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

    models.Correction.objects.create(
        incident=whole, status=models.CorrectionStatus.APPROVED, reason='A "second" look', base_version=1,
        decided_at=datetime.datetime(2025, 7, 3, 8, 0, 0, 5, tzinfo=datetime.UTC),
    )  # fmt: skip

    queries = ({"page_size": 2}, {"order": "-fatalities"}, {"q": "wadi"}, {"q": "clash", "order": "relevance"})
    for query in (*queries, {"order": "date", "page_size": 3}):
        response = client.get("/api/v1/incidents/", query)
        assert response.status_code == 200, response.content
        page = json.loads(response.content)
        incidents = models.Incident.objects.select_related("event_type", "sub_event_type").in_bulk(ids(page))
        counts = {name: page[name] for name in ("count", "count_is_estimate")}
        expected = {**counts, "next": page["next"], "results": [_python_list_item(incidents[pk]) for pk in ids(page)]}
        assert response.content == renderers.JSONRenderer().render(expected), query
        # A subset of the fields is cut from the stored item, byte for byte.
        subset = ("id", "title", "latitude", "longitude", "published_at", "side_a", "corrections")
        response = client.get("/api/v1/incidents/", {**query, "fields": ",".join(reversed(subset))})
        results = [{name: item[name] for name in item if name in subset} for item in expected["results"]]
        cut = {**expected, "next": json.loads(response.content)["next"], "results": results}
        assert response.content == renderers.JSONRenderer().render(cut), query

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
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%JOIN {listing.STORED_ITEMS} stored%"],
        )
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


# --- Claims with their citations, people and links between incidents -------------------------------


def test_each_claim_carries_its_citations_and_speaker(client, archive):
    detail = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")
    claims = {claim["id"]: claim for claim in detail["claims"]}
    ambush = claims[archive.ambush_claim.pk]

    assert ambush["speaker"] == {"name": "Mohamed Maouloud Ramadan", "slug": "mohamed-maouloud-ramadan"}
    assert [citation["source"]["id"] for citation in ambush["citations"]] == [archive.afp.pk, archive.informant.pk]
    afp, informant = ambush["citations"]
    assert afp["quote"] == "" and afp["language"] == "" and afp["speaker"] is None
    assert afp["source"]["name"] == "AFP — Convoy ambushed near Anefif"
    # The informant's words stay; when it spoke does not.
    assert informant == {
        "id": informant["id"],
        "source": {**informant["source"], "name": "Local source, identity withheld", "outlet": None},
        "quote": "Ils étaient plusieurs dizaines.",
        "language": "fr",
        "translation": "There were several dozen of them.",
        "published_on": None,
        "speaker": None,
    }
    assert models.Citation.objects.get(pk=informant["id"]).published_on == datetime.date(2025, 6, 14)
    for name in ("part_of", "responsible_actor", "attribution", "movement", "place", "losses_note"):
        assert name in ambush
    assert "source" not in ambush and "quote" not in ambush


def test_a_confidential_person_is_never_named_where_they_speak(client, archive):
    detail = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")
    claim = next(claim for claim in detail["claims"] if claim["id"] == archive.informant_claim.pk)

    withheld = {"name": "A person, identity withheld", "slug": None}
    assert claim["speaker"] == withheld
    assert [citation["speaker"] for citation in claim["citations"]] == [withheld]
    listed = get_json(client, "/api/v1/claims/", incident=archive.kidal.pk)["results"]
    assert next(item for item in listed if item["id"] == claim["id"])["speaker"] == withheld


def test_responsibility_territory_and_sub_count_claims_show_their_fields(client, archive):
    whole = archive.ambush_claim
    part = ClaimFactory(incident=archive.kidal, part_of=whole, quantity_text="two officers", source=None)
    blame = ClaimFactory(
        incident=archive.kidal,
        kind=models.ClaimKind.RESPONSIBILITY,
        responsible_actor=archive.fla,
        attribution=models.Attribution.SUSPECTED,
        quantity_low=None,
        quantity_high=None,
    )
    held = ClaimFactory(
        incident=archive.kidal,
        kind=models.ClaimKind.TERRITORY,
        movement=models.Movement.WITHDREW,
        place="Anefif",
        losses_of=models.LossesOf.MIXED,
        losses_note="drivers and guards",
    )

    claims = {c["id"]: c for c in get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")["claims"]}

    assert claims[part.pk]["part_of"] == whole.pk and claims[part.pk]["citations"] == []
    assert claims[blame.pk]["responsible_actor"]["slug"] == "fla"
    assert claims[blame.pk]["attribution"] == "suspected"
    assert (claims[held.pk]["movement"], claims[held.pk]["place"]) == ("withdrew", "Anefif")
    assert (claims[held.pk]["losses_of"], claims[held.pk]["losses_note"]) == ("mixed", "drivers and guards")


def test_incidents_carry_their_per_side_estimates_time_precision_and_staleness(client, archive):
    models.Incident.objects.filter(pk=archive.kidal.pk).update(
        deaths_a_low=8, deaths_a_best=10, deaths_a_high=30, injuries_best=4, fatalities_high_open=True,
        time_precision=models.TimePrecision.DAWN,
    )  # fmt: skip

    item = get_json(client, "/api/v1/incidents/")["results"][0]
    detail = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")

    for shown in (item, detail):
        assert (shown["deaths_a_low"], shown["deaths_a_best"], shown["deaths_a_high"]) == (8, 10, 30)
        assert (shown["injuries_low"], shown["injuries_best"], shown["deaths_b_best"]) == (None, 4, None)
        assert shown["fatalities_high_open"] is True
        assert shown["time_precision"] == "dawn"
        assert shown["estimate_stale"] is False


def test_related_incidents_are_read_from_each_end_and_only_between_published_ones(client, archive):
    kidal = get_json(client, f"/api/v1/incidents/{archive.kidal.pk}/")["related_incidents"]
    gao = get_json(client, f"/api/v1/incidents/{archive.gao.pk}/")["related_incidents"]

    assert kidal == [
        {
            "id": archive.gao.pk,
            "kind": "follow_on",
            "relation": "was followed by",
            "url": f"http://testserver/incidents/{archive.gao.pk}/",
            "note": "",
        }
    ]
    assert [(r["id"], r["relation"]) for r in gao] == [(archive.kidal.pk, "is a follow-on to")]
    assert models.IncidentRelation.objects.filter(object=archive.kidal).count() == 2


# --- People ----------------------------------------------------------------------------------------


def test_people_list_shows_only_public_people_without_editors_notes(client, archive):
    page = get_json(client, "/api/v1/persons/")

    assert [person["slug"] for person in page["results"]] == ["mohamed-maouloud-ramadan"]
    spokesman = page["results"][0]
    assert spokesman == {
        "id": archive.spokesman.pk,
        "slug": "mohamed-maouloud-ramadan",
        "name": "Mohamed Maouloud Ramadan",
        "description": "Spokesman of the Azawad Liberation Front.",
        "aliases": [
            {"name": "Muhammad Maulud Ramadan", "language": "en"},
            {"name": "محمد مولود رمضان", "language": "ar"},
        ],
        # Not the affiliation to an actor seen only in a draft.
        "affiliations": [
            {"actor": {"id": archive.fla.pk, "slug": "fla", "name": "Azawad Liberation Front", "kind": "rebel_group"},
             "role": "spokesman", "start_date": None, "end_date": None},
        ],
        "updated_at": spokesman["updated_at"],
    }  # fmt: skip
    assert models.PersonAffiliation.objects.filter(person=archive.spokesman).count() == 2


@pytest.mark.parametrize("text", ["Ramadan", "maulud", "MAULUD ramadan", "Maoulöud", "رمضان", "muhammad"])
def test_people_are_found_by_any_spelling_of_their_name_whatever_the_accents_and_case(client, archive, text):
    assert [p["slug"] for p in get_json(client, "/api/v1/persons/", q=text)["results"]] == ["mohamed-maouloud-ramadan"]


@pytest.mark.parametrize("text", ["CONFIDENTIAL-PERSON-MARKER", "confidential", "DRAFT-PERSON-MARKER", "Ramadhan", "-"])
def test_a_search_finds_no_confidential_draft_or_unmatched_person(client, archive, text):
    assert get_json(client, "/api/v1/persons/", q=text)["results"] == []


def test_a_person_is_found_by_slug_and_hidden_ones_are_not_found(client, archive):
    detail = get_json(client, "/api/v1/persons/mohamed-maouloud-ramadan/")

    assert detail["name"] == "Mohamed Maouloud Ramadan"
    assert client.get("/api/v1/persons/confidential-person-slug/").status_code == 404
    assert client.get("/api/v1/persons/draft-person-slug/").status_code == 404
    unheard = PersonFactory(name="Never quoted", slug="never-quoted")
    assert client.get(f"/api/v1/persons/{unheard.slug}/").status_code == 404
    # Named in a published citation only, by a claim that names no speaker: public.
    CitationFactory(claim=archive.informant_claim, speaker=unheard)
    assert get_json(client, f"/api/v1/persons/{unheard.slug}/")["name"] == "Never quoted"


def test_a_person_made_confidential_disappears_everywhere(client, archive):
    models.Person.objects.filter(pk=archive.spokesman.pk).update(confidential=True)

    assert get_json(client, "/api/v1/persons/")["results"] == []
    assert get_json(client, "/api/v1/persons/", q="Ramadan")["results"] == []
    assert client.get("/api/v1/persons/mohamed-maouloud-ramadan/").status_code == 404
    body = client.get(f"/api/v1/incidents/{archive.kidal.pk}/").content.decode()
    assert "Ramadan" not in body and "mohamed-maouloud-ramadan" not in body


def test_people_pages_follow_the_cursor_and_refuse_unknown_parameters(client, archive):
    for n in range(4):
        ClaimFactory(incident=archive.gao, speaker=PersonFactory(name=f"Official {n}"))

    first = get_json(client, "/api/v1/persons/", page_size=2)
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    assert [len(page["results"]) for page in (first, second, third)] == [2, 2, 1] and third["next"] is None
    assert len({p["id"] for page in (first, second, third) for p in page["results"]}) == 5
    assert client.get("/api/v1/persons/", {"country": "ML"}).status_code == 400
    assert client.get("/api/v1/persons/", {"q": "x" * 501}).status_code == 400
    assert client.get("/api/v1/persons/mohamed-maouloud-ramadan/", {"q": "x"}).status_code == 400


def test_the_schema_documents_people_citations_and_related_incidents(client, archive):
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    components = schema["components"]["schemas"]

    assert {"/api/v1/persons/", "/api/v1/persons/{slug}/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/persons/"]["get"]["parameters"]}
    assert parameters == {"q", "cursor", "page_size", "fields"}
    assert {"citations", "speaker", "responsible_actor", "part_of"} <= set(components["Claim"]["properties"])
    assert set(components["Citation"]["properties"]) == {
        "id", "source", "quote", "language", "translation", "published_on", "speaker"
    }  # fmt: skip
    detail = components["IncidentDetail"]["properties"]
    assert {"related_incidents", "deaths_a_best", "injuries_high", "estimate_stale", "time_precision"} <= set(detail)
    assert "merged_into" in components["Retraction"]["properties"]
    assert "internal_notes" not in json.dumps(components["Person"])


def test_the_source_kind_filter_finds_sources_cited_only_by_a_claims_citation(client, archive):
    assert not models.IncidentSource.objects.filter(source=archive.informant).exists()

    assert ids(get_json(client, "/api/v1/incidents/", source_kind="local_source")) == [archive.kidal.pk]
    CitationFactory(claim=ClaimFactory(incident=archive.gao, source=None), source=SourceFactory(kind="ngo_report"))
    assert ids(get_json(client, "/api/v1/incidents/", source_kind="ngo_report")) == [archive.gao.pk]


@pytest.mark.usefixtures("cache_in_memory")
def test_people_list_query_count_is_constant(client, archive, django_assert_num_queries):
    for n in range(20):
        person = PersonFactory(name=f"Official {n}")
        models.PersonAlias.objects.create(person=person, name=f"Official number {n}")
        models.PersonAffiliation.objects.create(person=person, actor=archive.fama, role="spokesman")
        ClaimFactory(incident=archive.gao, speaker=person)
    # 1. the page of public people, 2. their aliases, 3. their affiliations with public actors
    with django_assert_num_queries(3):
        response = client.get("/api/v1/persons/", {"page_size": 50, "q": "official"})
    assert len(response.json()["results"]) == 20


def test_stored_items_are_written_for_the_ids_asked_and_no_others(archive):
    asked = f"SELECT unnest('{{{archive.kidal.pk},{archive.gao.pk}}}'::bigint[])"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, item FROM ({listing.stored_items_sql(asked)}) stored ORDER BY id")
        written = cursor.fetchall()
        cursor.execute(
            f"SELECT id, item FROM {STORED_ITEMS} WHERE id = ANY(%s) ORDER BY id",
            [[archive.kidal.pk, archive.gao.pk]],
        )
        assert written == cursor.fetchall()
    assert [pk for pk, _ in written] == sorted([archive.kidal.pk, archive.gao.pk])
    assert json.loads(dict(written)[archive.kidal.pk])["side_a"] == ["Malian Armed Forces", "Africa Corps"]


@pytest.mark.usefixtures("cache_in_memory")
def test_an_unfiltered_list_counts_every_published_incident_in_its_own_statement(
    client, archive, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 0)  # counted, the list would be an estimate
    # The page, its stored items and the published incidents per day: one statement, on every page.
    with django_assert_num_queries(1):
        first = get_json(client, "/api/v1/incidents/", page_size=2)
    with django_assert_num_queries(1):
        second = get_json(client, first["next"].split("testserver", 1)[1])
    with django_assert_num_queries(1):
        ordered = get_json(client, "/api/v1/incidents/", page_size=1, order="-fatalities")
    for page in (first, second, ordered):
        assert (page["count"], page["count_is_estimate"]) == (3, False)
    IncidentFactory(published=True)
    assert get_json(client, "/api/v1/incidents/", page_size=1)["count"] == 4


def test_an_anonymous_request_reads_its_throttles_in_one_round_trip_and_writes_them_in_one(
    client, archive, monkeypatch
):
    calls = []
    for name in ("get", "set", "get_many", "set_many"):
        original = getattr(cache, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, counted)
    assert client.get("/api/v1/incidents/").status_code == 200
    assert client.get("/api/v1/incidents/").status_code == 200
    # The anonymous and the per-user throttle both count the address, as DRF's do.
    assert calls == ["get_many", "set_many"] * 2
    histories = cache.get_many(["throttle_anon_127.0.0.1", "throttle_user_127.0.0.1"])
    assert [len(history) for history in histories.values()] == [2, 2]
