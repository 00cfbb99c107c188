"""Hostile input: every public endpoint answers every bad value of every parameter with a 4xx
and a reason, never a server error.

The corpus is what a fuzzer or an attacker with a query string sends: integers past 64 bits,
negative, NaN and exponent forms, impossible dates and time zones, NUL and invalid UTF-8,
10,000-character values, SQL and script, repeated parameters, tampered cursors, unknown
names. Each endpoint is one test that sends the whole corpus and lists every input that got
a 5xx (or a 4xx without a reason), so one run shows them all.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from incidents.selection import FILTER_PARAMS
from tests.graph import build_archive


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


NUMBERS = ["9223372036854775808", "-9223372036854775809", "2147483648", "-1", "1.5", "1e3", "NaN", "-Infinity", "١٢"]
DATES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "0000-00-00",
    "2025-02-30",
    "10000-01-01",
    "2025-06-13T00:00:00+99:99",
]
TEXT = [
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "'; DROP TABLE incidents_incident; --",
    "<script>alert(1)</script>",
    "%_\\",
    ",,,",
    " ",
    "\u202e\u200f",
    "🙂" * 50,
]
CURSORS = [
    "not-a-cursor",
    "====",
    _cursor({"o": ["-start_date", "-id"], "k": ["9999-99-99", 1]}),
    _cursor({"o": ["-start_date", "-id"], "k": [None, 9223372036854775808]}),
    _cursor({"o": ["-start_date", "-id"], "k": [[1], {"a": 1}]}),
    _cursor({"o": ["-fatalities_best", "-id"], "k": [2**40, 1]}),
    _cursor({"o": ["-fatalities_best", "-id"], "k": [1e400, 1]}),
    _cursor({"o": ["id"], "k": []}),
    _cursor([1, 2, 3]),
    "ImhlbGxvIg:1abcde:forged-signature",
]
# Already percent-encoded: bytes that are not UTF-8.
RAW = ["%ff%fe", "%ed%a0%80"]
VALUES = [*NUMBERS, *DATES, *TEXT]
UNKNOWN = ["countyr", "q[]", "__proto__", "\x00", "a" * 300]
# The parameters each kind of endpoint reads: the filter's on the lists, paging, formats.
FILTERED = [*sorted(FILTER_PARAMS), "cursor", "page_size", "format", "after", "before", "since", "incident"]
CURSOR_PARAMS = {"cursor", "after", "before"}


def corpus(params: list[str]) -> list[str]:
    """Query strings: each parameter with each bad value (cursors with tampered cursors), the
    same parameter repeated, every unknown name, and all parameters at once."""
    queries = []
    for name in params:
        values = [*CURSORS, *TEXT[:3]] if name in CURSOR_PARAMS else VALUES
        queries += [f"{quote(name)}={quote(value, safe='')}" for value in values]
        queries += [f"{quote(name)}={raw}" for raw in RAW]
        queries.append(f"{name}=1&{name}=2025-01-01&{name}=%00")
    queries += [f"{quote(name, safe='')}=1" for name in UNKNOWN]
    queries.append("&".join(f"{name}=9223372036854775808" for name in params))
    return queries


LISTS = [
    "/incidents/",
    "/incidents/facets/",
    "/api/v1/incidents/",
    "/api/v1/incidents.geojson",
    "/api/v1/actors/",
    "/api/v1/sources/",
    "/api/v1/claims/",
    "/api/v1/incidents/retracted/",
    "/export/incidents.csv",
    "/export/claims.csv",
    "/export/citations.csv",
    "/export/actors.csv",
    "/export/sources.csv",
]
OTHER_PAGES = {
    "/": ["q"],
    "/actors/": ["q", "kind", "page"],
    "/methodology/": [],
    "/data/": [],
    "/api/v1/": ["format"],
    "/api/v1/persons/": ["q", "cursor", "page_size", "format"],
    "/api/v1/schema/": ["format", "lang", "version"],
    "/api/v1/docs/": [],
}
SEGMENTS = ["%00", "99999999999999999999", "-1", "0", "abc", "%ff%fe", "x" * 5000, "1e5", "..%2F..%2F", "%20"]
DETAILS = [
    "/incidents/{}/",
    "/actors/{}/",
    "/sources/{}/",
    "/api/v1/incidents/{}/",
    "/api/v1/incidents/{}.geojson",
    "/api/v1/actors/{}/",
    "/api/v1/sources/{}/",
    "/api/v1/claims/{}/",
    "/api/v1/persons/{}/",
    "/persons/{}/",
    "/export/{}.csv",
]


@pytest.fixture
def hostile(db, monkeypatch):
    """A small archive to query, and no throttling: thousands of requests come from one client."""
    unlimited = {"anon": "1000000/minute", "user": "1000000/minute", "export": "1000000/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)
    build_archive()
    return Client(raise_request_exception=False)


def problems(client: Client, urls: list[str]) -> list[str]:
    """Every URL answered with a server error, or refused without saying why."""
    found = []
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code >= 500:
            found.append(f"{response.status_code} {url[:200]}")
        elif response.status_code >= 400:
            machine = url.startswith(("/api/", "/export/"))
            machine_types = ("application/json", "application/geo+json", "application/vnd.oai.openapi")
            if machine and not response["Content-Type"].startswith(machine_types):
                found.append(f"{response.status_code} not JSON {url[:200]}")
            elif len(body.strip()) < 10:
                found.append(f"{response.status_code} without a reason {url[:200]}")
    return found


@pytest.mark.parametrize("path", LISTS)
def test_no_bad_query_string_gets_a_server_error(hostile, path):
    urls = [f"{path}?{query}" for query in corpus(FILTERED)]
    assert len(urls) > 600
    assert problems(hostile, urls) == []


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_pages_without_filters_answer_bad_values_of_their_own_parameters(hostile, path):
    assert problems(hostile, [f"{path}?{query}" for query in corpus(OTHER_PAGES[path])]) == []


def test_no_bad_path_segment_gets_a_server_error(hostile):
    urls = [pattern.format(segment) for pattern in DETAILS for segment in SEGMENTS]
    assert problems(hostile, urls) == []


def test_an_out_of_range_filter_is_a_400_naming_the_parameter_and_the_range_everywhere(hostile):
    for path in ["/api/v1/incidents/", "/api/v1/incidents.geojson", "/api/v1/incidents/?format=geojson"]:
        response = hostile.get(path, {"fatalities_min": "9223372036854775808"})
        assert response.status_code == 400
        assert response.json() == {"fatalities_min": ["A whole number from 0 to 2147483647."]}
    for path in ["/export/incidents.csv", "/export/claims.csv"]:
        response = hostile.get(path, {"modified_since": "9999-12-31T23:59:59-23:59"})
        assert response.status_code == 400
        assert "0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z" in response.json()["errors"]["modified_since"][0]


def test_the_list_page_shows_an_out_of_range_filter_in_its_form(hostile):
    response = hostile.get("/incidents/", {"fatalities_min": "9223372036854775808", "country": "ML", "junk": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A whole number from 0 to 2147483647." in page
    assert "No results until the filters above are corrected." in page
    # The links to the same rows carry the filters as typed, never the junk around them.
    assert 'href="/api/v1/incidents/?fatalities_min=9223372036854775808&amp;country=ML"' in page


def test_a_misspelt_filter_is_a_400_listing_the_accepted_names_in_the_api_and_exports(hostile):
    for path in ["/api/v1/incidents/", "/api/v1/claims/", "/export/incidents.csv"]:
        response = hostile.get(path, {"countyr": "ML"})
        assert response.status_code == 400
        body = response.json()
        message = (body.get("errors") or body)["countyr"][0]
        assert "Unknown parameter" in message and "country" in message and "date_from" in message
    assert hostile.get("/incidents/", {"countyr": "ML"}).status_code == 200  # a page ignores it


def test_a_nul_byte_is_a_400_that_says_so(hostile):
    for url in ["/actors/?q=%00", "/api/v1/actors/%00/", "/incidents/?q=a%00b", "/api/v1/persons/?q=a%00b"]:
        response = hostile.get(url)
        assert response.status_code == 400
        assert b"NUL" in response.content


def test_the_browsable_api_and_pretty_printed_json_work(hostile):
    browser = hostile.get("/api/v1/incidents/", HTTP_ACCEPT="text/html")
    assert browser.status_code == 200
    assert b"Ambush of a logistics convoy" in browser.content
    assert hostile.get("/api/v1/incidents/?format=api").status_code == 200
    assert hostile.get("/api/v1/", HTTP_ACCEPT="text/html").status_code == 200
    pretty = hostile.get("/api/v1/incidents/", HTTP_ACCEPT="application/json; indent=2")
    assert pretty.status_code == 200
    assert pretty.content.startswith(b'{\n  "count"')
    assert pretty.json() == hostile.get("/api/v1/incidents/").json()


def test_an_api_error_is_json_even_when_django_answers_it(hostile):
    for url in ["/api/v1/no-such-thing/", "/api/v1/actors/%00/", "/export/nothing.csv"]:
        response = hostile.get(url)
        assert response.status_code in {400, 404}
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]
