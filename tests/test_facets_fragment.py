"""The list page's counts, fetched after its rows: /incidents/facets/?<the page's query string>."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import ngettext

from incidents import models
from tests.factories import IncidentFactory
from tests.test_public_pages import build_kidal, counts, facet_statements, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kidal() -> dict[str, object]:
    return build_kidal()


def map_cells(body: str) -> list[list]:
    return json.loads(re.search(r'<script id="facets-map-cells" type="application/json">(.*?)</script>', body).group(1))


def test_the_counts_of_a_small_result_set_are_exact_and_say_nothing_more(client, kidal):
    IncidentFactory(published=True, country="ML", admin1="Gao", latitude=16.27, longitude=-0.04, tags=["ambush"])
    IncidentFactory(published=True, country="BF", admin1="Sahel")

    response = counts(client, {"country": "ML"})
    body = text(response)

    assert response.status_code == 200
    assert response.context["facets"].exact and response.context["facets"].total == 2
    # Each part names the page's element it replaces: the total, the filters, the timeline.
    assert '<div data-facets-part="total">2 incidents</div>' in body
    assert re.search(
        r'value="ML" checked>\s*<span class="facet__label" dir="auto">Mali</span>\s*<span class="count"[^>]*>2</span>',
        body,
    )
    assert re.search(
        r'value="ambush">\s*<span class="facet__label" dir="auto">ambush</span>\s*<span class="count"', body
    )
    assert '<option value="Gao">Gao (1)</option>' in body
    assert 'data-facets-part="timeline"' in body and "date_from=2025-06-01&amp;date_to=2025-06-30" in body
    # Exact counts carry no mark; nothing is said to be an estimate.
    for mark in ("≈", "About", "estimate"):
        assert mark not in body, mark
    # The map's density: every matching incident with coordinates, each cell with its words.
    cells = map_cells(body)
    assert sum(cell[2] for cell in cells) == models.Incident.objects.published().filter(country="ML").count()
    assert all(cell[3] == f"{cell[2]} incident" + ("s" if cell[2] > 1 else "") for cell in cells)
    # Nothing from another country, a draft or an editor's notes.
    assert "EDITORS-ONLY" not in body and 'value="BF"' not in body


def test_a_result_set_over_the_count_limit_is_marked_as_an_estimate(client, kidal, settings):
    settings.ARCHIVE_FACET_COUNT_LIMIT = 0

    body = text(counts(client, {"country": "ML"}))

    assert facet_statements(client, {"country": "ML", "tag": "ambush"}) == 0
    assert re.search(r'<span class="count--estimate" title="An estimate">About \d+ incidents?</span>', body)
    assert "the total is an estimate and the filter counts are hidden" in body
    # The choices are still there, without counts, and the country as typed.
    assert 'name="country" form="filters" value="ML"' in body and 'value="battles"' in body
    assert 'class="count' not in body.split('data-facets-part="filters"')[1]


def test_counts_from_a_snapshot_older_than_the_archive_are_each_marked_as_estimates(client, kidal, settings):
    call_command("count_facets", "country=ML", verbosity=0)
    settings.ARCHIVE_FACET_COUNT_LIMIT = 0
    current = text(counts(client, {"country": "ML"}))
    # Taken before the archive last changed: the same counts, marked.
    IncidentFactory(published=True, country="ML")
    cache.clear()
    older = text(counts(client, {"country": "ML"}))

    assert "≈" not in current and "1 incident" in current
    assert '<span class="count--estimate" title="An estimate">About 1 incident</span>' in older
    assert re.search(
        r'<span class="facet__label" dir="auto">Mali</span>\s*'
        r'<span class="count count--estimate" title="An estimate" aria-label="About 1 incident">≈1</span>',
        older,
    )
    assert "≈ marks a count that is an estimate." in older and "the archive has changed since" in older


def test_a_query_the_page_cannot_apply_is_a_400_with_its_reason(client, kidal):
    response = counts(client, {"fatalities_min": "-1", "country": "ML"})

    assert response.status_code == 400
    assert "A whole number from 0 to 2147483647." in text(response) and "fatalities_min" in text(response)
    assert facet_statements(client, {"country": "ML", "junk": "1"}) == 1  # like the page, a stray name is ignored


def test_the_counts_are_counted_once_and_may_be_kept_a_short_while_in_each_language(client, kidal):
    assert facet_statements(client, {"country": "ML", "order": "-fatalities"}) == 1
    # The order and the page's cursor change no count: the same cached counts.
    assert facet_statements(client, {"country": "ML", "after": "x"}) == 0

    response = counts(client, {"country": "ML"})
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=120"}
    assert {"Accept-Language", "Cookie"} <= {name.strip() for name in response["Vary"].split(",")}


def test_the_counts_read_in_french_and_in_arabic(client, kidal):
    for month in range(1, 9):
        IncidentFactory(
            published=True, country="ML", latitude=None, longitude=None, start_date=datetime.date(2024, month, 5)
        )
    french = text(counts(client, {"country": "ML"}, HTTP_ACCEPT_LANGUAGE="fr"))
    arabic = text(counts(client, {"country": "ML"}, HTTP_ACCEPT_LANGUAGE="ar"))

    assert "Chiffres contestés uniquement" in french and "Batailles" in french
    assert "1 incident" in french
    assert map_cells(french)[0][3] == "1 incident"
    assert "Contested figures only" not in arabic and "Battles" not in arabic
    with translation.override("ar"):
        assert map_cells(arabic)[0][3] == ngettext("%(counter)s incident", "%(counter)s incidents", 1) % {"counter": 1}
    assert map_cells(arabic)[0][3] != "1 incident"
    # The timeline's coordinates are numbers SVG reads, whatever the language writes.
    for body in (french, arabic):
        bars = re.findall(r'<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"', body)
        assert len(bars) == 9
        assert all(re.fullmatch(r"\d+(\.\d+)?", number) for bar in bars for number in bar), bars
