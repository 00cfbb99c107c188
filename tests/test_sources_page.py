"""The list of published sources: what it lists, what it withholds, its pages and its queries."""

from __future__ import annotations

import pytest
from django.test import Client

from incidents import models
from tests.factories import CitationFactory, ClaimFactory, IncidentFactory, IncidentSourceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def cited(source: models.Source, *, published: bool = True) -> models.Source:
    incident = IncidentFactory(published=published) if published else IncidentFactory()
    CitationFactory(claim=ClaimFactory(incident=incident), source=source)
    return source


def test_it_lists_published_sources_with_outlet_title_date_kind_and_reliability(client):
    afp = cited(SourceFactory(outlet="AFP", title="Separatists battle Malian troops", reliability="B"))
    draft_only = cited(SourceFactory(outlet="DRAFT-ONLY-OUTLET"), published=False)

    response = client.get("/sources/")
    body = response.content.decode()

    assert response.status_code == 200
    assert f'href="{afp.get_absolute_url()}"' in body and "Separatists battle Malian troops" in body
    assert afp.get_reliability_display() in body and afp.get_kind_display() in body
    assert "DRAFT-ONLY-OUTLET" not in body and draft_only.get_absolute_url() not in body
    assert "<title>Sources · " in body


def test_a_confidential_source_is_listed_by_its_public_label_only_and_never_found_by_what_it_withholds(client):
    secret = cited(
        SourceFactory(
            outlet="SECRET-RADIO", title="SECRET-TITLE", confidential=True, kind="local_source", reliability="A"
        )
    )

    body = client.get("/sources/").content.decode()
    searched = client.get("/sources/", {"q": "SECRET"}).content.decode()

    assert "Local source, identity withheld" in body and secret.get_absolute_url() in body
    assert "SECRET-RADIO" not in body and "SECRET-TITLE" not in body
    assert secret.get_reliability_display() not in body
    assert secret.get_absolute_url() not in searched


def test_it_searches_outlets_and_titles_and_filters_by_kind(client):
    afp = cited(SourceFactory(outlet="AFP", title="Ambush near Kidal", kind="news_agency"))
    ngo = cited(SourceFactory(outlet="Human Rights Watch", title="Killings in Moura", kind="ngo_report"))

    by_title = client.get("/sources/", {"q": "moura"}).content.decode()
    by_kind = client.get("/sources/", {"kind": "news_agency"}).content.decode()

    assert ngo.get_absolute_url() in by_title and afp.get_absolute_url() not in by_title
    assert afp.get_absolute_url() in by_kind and ngo.get_absolute_url() not in by_kind


def test_its_pages_walk_forward_and_back_without_gaps(client):
    for n in range(30):
        cited(SourceFactory(outlet=f"Outlet {n:02d}"))
    # The factories cite sources of their own too: every published one is listed, newest entered first.
    expected = list(models.Source.objects.published().order_by("-pk").values_list("pk", flat=True))
    assert 50 < len(expected) <= 100

    first = client.get("/sources/")
    second = client.get(f"/sources/{first.context['next_url']}")
    back = client.get(f"/sources/{second.context['previous_url']}")

    seen = [s.pk for s in first.context["page"].rows] + [s.pk for s in second.context["page"].rows]
    assert seen == expected
    assert [s.pk for s in back.context["page"].rows] == expected[:50]
    assert second.context["next_url"] == "" and back.context["previous_url"] == ""


def test_the_list_costs_one_query_however_many_sources(client, django_assert_num_queries):
    for n in range(3):
        cited(SourceFactory(outlet=f"Outlet {n}"))
    IncidentSourceFactory(incident=IncidentFactory(published=True), source=SourceFactory(outlet="Background"))
    # 1 one page of published sources (cited by a published incident's claim or listed by it);
    # no count: the pages follow a cursor.
    with django_assert_num_queries(1):
        response = client.get("/sources/", {"q": "outlet", "kind": "news_agency"})
    assert response.status_code == 200
    with django_assert_num_queries(1):
        listed = client.get("/sources/").context["page"].rows
    assert len(listed) == models.Source.objects.published().count() >= 4


def test_a_source_page_links_the_original_and_archived_copies_unless_confidential(client):
    public = cited(SourceFactory(url="https://example.org/report", archived_url="https://archive.example/report"))
    secret = cited(
        SourceFactory(url="https://secret.example/x", archived_url="https://archive.example/secret", confidential=True)
    )

    body = client.get(public.get_absolute_url()).content.decode()
    withheld = client.get(secret.get_absolute_url()).content.decode()

    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow"' in body
    assert '<a href="https://archive.example/report" rel="noopener noreferrer nofollow"' in body
    assert "secret.example" not in withheld and "archive.example/secret" not in withheld
