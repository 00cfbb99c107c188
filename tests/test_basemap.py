"""The offline basemap's GeoJSON, served by the app: countries and admin-1 regions from the
installed package's Natural Earth data, small, cacheable, and pointed at by every map."""

from __future__ import annotations

import gzip
import json

import pytest
from django.test import Client
from django.urls import NoReverseMatch, include, path, reverse

from incidents import basemap
from tests.test_public_pages import build_kidal

THREE_LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]

# The root URLconf includes the basemap's URLs under basemap/; until it does, the tests mount
# them the same way in front of it.
urlpatterns = [path("basemap/", include("incidents.views.basemap")), path("", include("archive.urls"))]
try:
    reverse("basemap-countries", urlconf="archive.urls")
except NoReverseMatch:
    pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def three_languages(settings):
    settings.LANGUAGES = THREE_LANGUAGES


def features(response) -> list[dict]:
    return json.loads(response.content)["features"]


def test_it_serves_the_countries_with_mali_named_in_the_interfaces_languages(client: Client, three_languages):
    response = client.get("/basemap/countries.geojson")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    by_code = {feature["id"]: feature for feature in features(response)}
    mali = by_code["ML"]
    assert mali["properties"]["name"] == "Mali"
    assert mali["properties"]["names"]["ar"] == "مالي"
    assert mali["properties"]["admin1"] is True
    assert mali["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    south, west, north, east = mali["properties"]["bbox"]
    lat, lon = mali["properties"]["label"]
    assert south < lat < north and west < lon < east
    # French differs from English where the iso-codes catalogue says so.
    assert by_code["DZ"]["properties"]["names"]["fr"] == "Algérie"
    # The Sahel and its neighbours are all there, and the smallest states survive simplification.
    assert {"NE", "BF", "TD", "MR", "DZ", "LY", "SN", "NG", "VA", "SG", "MT"} <= set(by_code)


def test_the_countries_stay_small_on_the_wire(client: Client, three_languages):
    plain = client.get("/basemap/countries.geojson")
    zipped = client.get("/basemap/countries.geojson", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    # Measured: about 450 kB, 145 kB gzipped, for 250 countries and territories.
    assert len(plain.content) < 500_000
    assert zipped["Content-Encoding"] == "gzip"
    assert len(zipped.content) < 160_000
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in plain["Vary"]


def test_it_serves_malis_regions_with_kidal_among_them(client: Client):
    response = client.get("/basemap/admin1/ML.geojson")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    regions = {feature["properties"]["name"]: feature for feature in features(response)}
    assert {"Kidal", "Gao", "Timbuktu", "Mopti", "Ségou", "Kayes", "Koulikoro", "Sikasso", "Bamako"} <= set(regions)
    lat, lon = regions["Kidal"]["properties"]["label"]
    assert 17 < lat < 22 and -1 < lon < 5
    assert len(response.content) < 40_000


@pytest.mark.parametrize("code", ["NE", "BF", "TD", "MR", "NG"])
def test_it_serves_the_regions_of_the_other_sahel_countries(client: Client, code: str):
    response = client.get(f"/basemap/admin1/{code}.geojson")

    assert response.status_code == 200
    assert len(features(response)) >= 5
    assert len(response.content) < 100_000


def test_it_lets_browsers_cache_and_revalidate(client: Client):
    first = client.get("/basemap/admin1/ML.geojson")
    assert first["Cache-Control"] == "public, max-age=604800"
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')

    again = client.get("/basemap/admin1/ML.geojson", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    changed = client.get("/basemap/admin1/ML.geojson", HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200


def test_it_answers_not_found_for_a_country_without_regions_or_a_malformed_code(client: Client):
    assert client.get("/basemap/admin1/XX.geojson").status_code == 404
    assert client.get("/basemap/admin1/ml.geojson").status_code == 404
    assert client.get("/basemap/admin1/MLI.geojson").status_code == 404


def test_it_only_answers_reads(client: Client):
    assert client.post("/basemap/countries.geojson").status_code == 405
    assert client.head("/basemap/countries.geojson").status_code == 200


def test_every_country_flagged_with_regions_has_them_to_serve(three_languages):
    flagged = {
        feature["id"]
        for feature in json.loads(basemap.countries().body)["features"]
        if feature["properties"].get("admin1")
    }
    assert "ML" in flagged
    assert flagged <= basemap.admin1_codes()


def test_simplifying_keeps_a_ring_closed_and_drops_what_vanishes_at_that_scale():
    square = [[0, 0], [0.001, 0.0001], [1, 0], [1, 1], [0, 1], [0, 0]]
    speck = [[5, 5], [5.001, 5], [5.001, 5.001], [5, 5]]
    geometry = {"type": "MultiPolygon", "coordinates": [[square], [speck]]}

    simplified = basemap.simplify(geometry, tolerance=0.01, digits=2)

    assert simplified == {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    # Alone, the speck is kept: a country never disappears from the map.
    alone = basemap.simplify({"type": "Polygon", "coordinates": [speck]}, tolerance=0.01, digits=2)
    assert alone is not None


@pytest.mark.django_db
def test_every_map_points_at_the_basemap(client: Client):
    incident = build_kidal()["incident"]

    for url in ("/", "/incidents/", incident.get_absolute_url()):
        html = client.get(url).content.decode()
        assert 'data-basemap="/basemap/countries.geojson"' in html, url
        assert 'data-basemap-admin1="/basemap/admin1/XX.geojson"' in html, url
