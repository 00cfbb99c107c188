"""The public pages in French and Arabic: labels, plurals, translated titles and direction.

These read the compiled catalogs in ``locale/``; English stays the default for a browser that
asks for nothing else (the other page tests assert it).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from incidents import models
from tests.factories import IncidentFactory, SourceFactory
from tests.test_public_pages import build_kidal
from tests.test_sources_page import cited

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    # Facets are cached per query, not per language: each test starts cold.
    cache.clear()
    yield
    cache.clear()


def get(url: str, language: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_french_reader_sees_the_home_page_in_french_with_the_site_name_alone_as_title():
    build_kidal()

    body = get("/", "fr")

    assert '<html lang="fr" dir="ltr">' in body
    assert "Une archive des incidents violents, déclaration par déclaration" in body
    assert "Ce que contient l’archive" in body and "Derniers incidents" in body
    assert "An archive of violent incidents" not in body
    assert "Overview" not in body


def test_a_french_reader_sees_the_incident_title_translated_on_its_page_and_in_the_list():
    kidal = build_kidal()
    incident = kidal["incident"]
    incident.title_fr = "Embuscade contre un convoi près de Kidal"
    incident.summary_fr = "Le FLA revendique l’attaque d’un convoi des forces armées maliennes."
    incident.save()

    page = get(incident.get_absolute_url(), "fr")
    listing = get(reverse("incident-list"), "fr")
    english = get(incident.get_absolute_url(), "en")

    assert '<h1 lang="fr" dir="auto">Embuscade contre un convoi près de Kidal</h1>' in page
    assert "<title>Embuscade contre un convoi près de Kidal" in page
    assert "Le FLA revendique l’attaque d’un convoi des forces armées maliennes." in page
    assert "Sur cette page" in page and "Déclarations" in page and "Rectificatifs et modifications" in page
    assert 'lang="fr" dir="auto">Embuscade contre un convoi près de Kidal</a>' in listing
    assert "Embuscade contre un convoi" not in english


def test_an_arabic_incident_page_is_right_to_left_with_arabic_headings_and_the_original_title_marked():
    kidal = build_kidal()
    incident = kidal["incident"]

    body = get(incident.get_absolute_url(), "ar")

    assert '<html lang="ar" dir="rtl">' in body
    assert "في هذه الصفحة" in body  # On this page
    assert "تقدير الأرشيف" in body  # The archive's estimate
    assert "كيف تُقرأ الأرقام" in body  # How to read the figures
    assert "التصحيحات والتغييرات" in body  # Corrections and changes
    # No Arabic title was entered: the English one is shown, marked as English.
    assert f'<h1 lang="en" dir="auto">{incident.title}</h1>' in body


@pytest.mark.parametrize(
    ("language", "one", "two", "five", "twelve"),
    [
        ("fr", "1 incident", "2 incidents", "5 incidents", "12 incidents"),
        ("ar", "حادثة واحدة (1)", "حادثتان (2)", "5 حوادث", "12 حادثة"),
    ],
)
def test_the_result_count_uses_each_language_s_plural_forms(language, one, two, five, twelve):
    headings = {}
    for total, expected in ((1, one), (2, two), (5, five), (12, twelve)):
        models.Incident.objects.all().delete()
        for _ in range(total):
            IncidentFactory(published=True)
        cache.clear()
        # The list's total comes with its counts, after its rows.
        body = get(reverse("incident-facets"), language)
        headings[total] = expected
        assert f'<div data-facets-part="total">{expected}</div>' in body, (total, expected)
    assert len(headings) == 4


def test_the_list_filters_and_sort_orders_are_translated():
    build_kidal()

    body = get(reverse("incident-list"), "fr")

    assert "Appliquer les filtres" in body and "Niveau de preuve" in body
    assert "Les plus récents d’abord" in body
    assert "Apply filters" not in body and "Newest first" not in body


def test_the_sources_and_actors_pages_are_translated():
    build_kidal()
    cited(SourceFactory(outlet="Studio Tamani", title="بيان حول كمين كيدال", language="ar"))

    sources = get(reverse("source-list"), "ar")
    actors = get(reverse("actor-list"), "fr")

    assert "المصادر المنشورة" in sources  # Published sources
    assert '<td lang="ar" dir="auto">بيان حول كمين كيدال</td>' in sources
    assert "Les parties, forces et groupes impliqués dans les incidents publiés" in actors
    assert "Tous les types" in actors


def test_the_estimate_by_side_names_its_rows_and_their_actors_in_french():
    kidal = build_kidal()
    incident = kidal["incident"]
    incident.deaths_a_best = incident.deaths_a_low = incident.deaths_a_high = 12
    incident.deaths_unknown_best = incident.deaths_unknown_low = incident.deaths_unknown_high = 3
    incident.save()

    body = get(incident.get_absolute_url(), "fr")

    assert '<th scope="row">Camp A <span class="muted" dir="auto">(' in body
    assert '<th scope="row">Non identifiés</th>' in body
