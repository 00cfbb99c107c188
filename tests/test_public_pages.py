"""The public pages: what they show, what they never show, and how many queries they cost."""

from __future__ import annotations

import datetime
import itertools
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from incidents import models
from incidents.filters import IncidentFilter
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    # Facet blocks are cached; every test starts cold so query counts are comparable.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    return Client()


def build_kidal(claims_per_group: int = 1) -> dict[str, object]:
    """The seed story: the FLA ambush of an army / Africa Corps convoy near Kidal."""
    army = ActorFactory(name="Malian Armed Forces", slug="fama", kind=models.ActorKind.STATE_FORCES)
    wagner = ActorFactory(name="Wagner Group", slug="wagner", kind=models.ActorKind.EXTERNAL_OTHER, country="RU")
    corps = ActorFactory(name="Africa Corps", slug="africa-corps", kind=models.ActorKind.EXTERNAL_OTHER, country="RU")
    fla = ActorFactory(name="Azawad Liberation Front", slug="fla", kind=models.ActorKind.REBEL_GROUP)
    models.ActorAlias.objects.create(actor=fla, name="FLA", language="en")
    models.ActorAlias.objects.create(actor=fla, name="Front de Libération de l'Azawad", language="fr")
    models.ActorAlias.objects.create(actor=fla, name="جبهة تحرير أزواد", language="ar")
    models.ActorAlias.objects.create(actor=corps, name="Afrika Korps", language="de")
    models.ActorRelation.objects.create(
        subject=corps, kind=models.RelationKind.SUCCESSOR_OF, object=wagner, start_date=datetime.date(2024, 1, 1)
    )
    incident = IncidentFactory(
        published=True,
        title="Ambush of an army logistics convoy on the Anefif–Aguelhok road",
        summary="Separatists of the FLA ambushed a convoy of the Malian army and Africa Corps.",
        location="Anefif–Aguelhok road",
        admin1="Kidal",
        tags=["convoy", "ambush"],
        internal_notes="EDITORS-ONLY: check the AP video geolocation",
        fatalities_low=13,
        fatalities_best=30,
        fatalities_high=50,
        fatalities_method=models.EstimateMethod.OVERRIDE,
        fatalities_rationale="Editors weigh the FLA's several dozen against the army's silence on its losses.",
        contested=True,
        grading=models.Grading.CONTESTED,
    )
    IncidentActorFactory(incident=incident, actor=army, side=models.Side.A)
    IncidentActorFactory(incident=incident, actor=corps, side=models.Side.A, role=models.Role.SUPPORTING)
    IncidentActorFactory(incident=incident, actor=fla, side=models.Side.B)
    afp = SourceFactory(outlet="AFP", title="Separatists battle Malian troops", author="")
    army_statement = SourceFactory(kind=models.SourceKind.GOVERNMENT_STATEMENT, outlet="Malian army general staff")
    official = SourceFactory(
        kind=models.SourceKind.LOCAL_SOURCE,
        outlet="Kidal regional council",
        author="Secret Official Name",
        url="https://secret.example.org/official",
        confidential=True,
        internal_notes="phone number of the official",
    )
    ap = SourceFactory(outlet="AP", title="Mali rebels claim ambush", author="")
    aggregator = SourceFactory(
        kind=models.SourceKind.NEWS_OUTLET, outlet="Sahel aggregator", title="بيان جبهة تحرير أزواد", language="ar"
    )
    spokesman = PersonFactory(name="Mohamed Maouloud Ramadan", slug="mohamed-maouloud-ramadan")
    models.IncidentSource.objects.create(incident=incident, source=afp)
    models.IncidentSource.objects.create(incident=incident, source=official)
    for _ in range(claims_per_group):
        dozens = ClaimFactory(
            incident=incident,
            source=afp,
            claimant=fla,
            speaker=spokesman,
            losses_of=models.LossesOf.ACTOR,
            losses_actor=corps,
            quantity_low=24,
            quantity_high=60,
            quantity_text="several dozen",
            quote="killed several dozen members of the Africa Corps",
        )
        # The same statement, relayed twice more: one claim, three reports.
        CitationFactory(claim=dozens, source=ap, quote="killed dozens of Russian mercenaries", language="en")
        CitationFactory(
            claim=dozens,
            source=aggregator,
            quote="قتل عشرات من عناصر الفيلق الأفريقي",
            language="ar",
            translation="Dozens of Africa Corps members were killed.",
        )
        ClaimFactory(
            incident=incident,
            source=army_statement,
            claimant=army,
            losses_of=models.LossesOf.ACTOR,
            losses_actor=fla,
            quantity_low=10,
            quantity_high=10,
            quantity_text="10 enemy combatants",
        )
        ClaimFactory(
            incident=incident,
            source=afp,
            claimant=fla,
            losses_of=models.LossesOf.ACTOR,
            losses_actor=fla,
            stance=models.Stance.ACKNOWLEDGEMENT,
            quantity_low=3,
            quantity_high=3,
            quantity_text="three of their members",
        )
        ClaimFactory(
            incident=incident,
            source=official,
            kind=models.ClaimKind.FATALITIES,
            losses_of=models.LossesOf.UNKNOWN,
            quantity_low=None,
            quantity_high=None,
            quantity_text="losses on both sides",
            internal_notes="EDITORS-ONLY claim note",
        )
    return {
        "incident": incident,
        "fla": fla,
        "corps": corps,
        "wagner": wagner,
        "army": army,
        "official": official,
        "spokesman": spokesman,
    }


@pytest.fixture
def kidal() -> dict[str, object]:
    return build_kidal()


@pytest.fixture
def hidden() -> dict[str, models.Incident]:
    """A draft, an incident in review and a retracted one, each with a tell-tale title."""
    return {
        "draft": IncidentFactory(title="DRAFT-SECRET clash", status=models.Status.DRAFT),
        "review": IncidentFactory(title="REVIEW-SECRET clash", status=models.Status.IN_REVIEW),
        "retracted": IncidentFactory(
            title="RETRACTED-TITLE clash",
            status=models.Status.RETRACTED,
            published_at=timezone.now(),
            retracted_at=timezone.now(),
            retraction_notice="Duplicate of another record.",
        ),
    }


def text(response) -> str:
    return response.content.decode()


def counts(client, params: dict | str = "", **headers):
    """The list page's counts for ``params``: the fragment the page fetches after its rows."""
    if isinstance(params, str):
        return client.get(f"/incidents/facets/?{params}", **headers)
    return client.get("/incidents/facets/", params, **headers)


PUBLIC_PAGES = ["/", "/incidents/", "/actors/", "/methodology/"]


# --- visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_never_shows_drafts_reviews_or_retracted_titles_on_listing_pages(client, kidal, hidden, url):
    response = client.get(url)
    assert response.status_code == 200
    body = text(response)
    for secret in ("DRAFT-SECRET", "REVIEW-SECRET", "RETRACTED-TITLE"):
        assert secret not in body
    assert models.Incident.objects.filter(title__startswith="DRAFT-SECRET").exists()


def test_it_returns_404_for_drafts_and_incidents_in_review(client, hidden):
    assert client.get(hidden["draft"].get_absolute_url()).status_code == 404
    assert client.get(hidden["review"].get_absolute_url()).status_code == 404


def test_a_retracted_incident_shows_only_its_retraction_notice(client, hidden):
    retracted = hidden["retracted"]
    response = client.get(retracted.get_absolute_url())
    assert response.status_code == 200
    body = text(response)
    assert "Duplicate of another record." in body
    assert "RETRACTED-TITLE" not in body
    assert "Two armed groups clashed." not in body  # the summary
    assert models.Incident.objects.get(pk=retracted.pk).status == models.Status.RETRACTED


def test_retracted_incidents_leave_the_counts_and_search(client, kidal, hidden):
    assert counts(client, {"q": "clash"}).context["facets"].total == 0
    assert counts(client).context["facets"].total == 1
    response = client.get("/incidents/")
    assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk]


def test_confidential_source_identity_and_internal_notes_never_appear(client, kidal):
    official = kidal["official"]
    pages = [
        "/",
        "/incidents/",
        kidal["incident"].get_absolute_url(),
        official.get_absolute_url(),
        kidal["fla"].get_absolute_url(),
        "/incidents/?q=Kidal",
    ]
    for url in pages:
        body = text(client.get(url))
        for secret in ("Secret Official Name", "Kidal regional council", "secret.example.org", "phone number"):
            assert secret not in body, (url, secret)
        assert "EDITORS-ONLY" not in body, url
    source_page = text(client.get(official.get_absolute_url()))
    assert "Local source, identity withheld" in source_page
    assert "losses on both sides" in source_page


def test_sources_only_cited_by_drafts_are_not_found(client, hidden):
    source = SourceFactory(outlet="Draft-only outlet")
    ClaimFactory(incident=hidden["draft"], source=source)
    assert client.get(source.get_absolute_url()).status_code == 404


def test_actors_only_in_drafts_are_not_listed(client, kidal, hidden):
    ghost = ActorFactory(name="Ghost Brigade", slug="ghost-brigade")
    IncidentActorFactory(incident=hidden["draft"], actor=ghost)
    assert "Ghost Brigade" not in text(client.get("/actors/"))
    assert client.get(ghost.get_absolute_url()).status_code == 404


def test_editor_text_is_escaped(client):
    incident = IncidentFactory(published=True, title="<script>alert('x')</script> clash", summary="</script><b>x</b>")
    body = text(client.get(incident.get_absolute_url()))
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    json_ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1)
    assert "</script>" not in json_ld
    assert json.loads(json_ld)["name"] == incident.title


# --- the incident page -----------------------------------------------------------------------------


def test_the_incident_page_shows_each_claim_beside_its_source(client, kidal):
    incident = kidal["incident"]
    response = client.get(incident.get_absolute_url())
    body = text(response)
    assert response.status_code == 200
    for expected in (
        "several dozen",
        "10 enemy combatants",
        "three of their members",
        "Local source, identity withheld",
        "Acknowledgement",
        "Anefif–Aguelhok road",
        "Contested",
        "Editors weigh the FLA",
        f"/api/v1/incidents/{incident.pk}/",
        f"/export/incidents.csv?id={incident.pk}",
        "Friday, June 13, 2025",
    ):
        assert expected in body, expected
    # The army's 10 and the FLA's acknowledged 3 concern the same losses: one group, side by side.
    groups = {group.title: [c.quantity_text for c in group.claims] for group in response.context["claim_groups"]}
    assert groups["Fatalities: Azawad Liberation Front"] == ["10 enemy combatants", "three of their members"]
    proposal = response.context["proposal"]
    fla_group = next(g for g in proposal.groups if g.label == "Azawad Liberation Front")
    assert (fla_group.low, fla_group.high) == (3, 10)  # the acknowledged 3 is the floor


def test_the_incident_page_has_valid_json_ld_and_a_citation(client, kidal):
    incident = kidal["incident"]
    body = text(client.get(incident.get_absolute_url()))
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert data["@type"] == "Event"
    assert data["identifier"] == str(incident.pk)
    assert data["location"]["geo"]["latitude"] == incident.latitude
    assert f"Incident {incident.pk}" in body


def test_the_change_log_lists_corrections_after_publication_but_not_who(client, editor):
    incident = build_kidal()["incident"]
    assert "No corrections since publication." in text(client.get(incident.get_absolute_url()))
    # The test runs in one transaction, where now() never moves: date the publication a day back.
    with connection.cursor() as cursor:
        for table in ("incidents_incidentevent", "incidents_claimevent"):
            cursor.execute(f"UPDATE {table} SET pgh_created_at = pgh_created_at - interval '1 day'")
    models.Incident.objects.filter(pk=incident.pk).update(fatalities_best=31, last_edited_by=editor)
    claim = incident.claims.get(quantity_text="10 enemy combatants")
    claim.verification = models.Verification.DISPUTED
    claim.internal_notes = "EDITORS-ONLY second thoughts"
    claim.save()
    ClaimFactory(incident=incident, quantity_text="dozens of civilians")
    cache.clear()
    body = text(client.get(incident.get_absolute_url()))
    log = body.split("Corrections and changes")[1].split("Cite and reuse")[0]
    assert "Fatalities (best): 30 → 31" in log
    assert f"Claim {claim.pk}</strong>. Verification: Unverified → Disputed." in log
    assert "Claim added about fatalities: “dozens of civilians”" in log
    assert "editor" not in log.lower() and "EDITORS-ONLY" not in body
    assert models.Claim.objects.get(pk=claim.pk).verification == models.Verification.DISPUTED


def test_the_change_log_lists_reports_added_revised_and_withdrawn_without_naming_them(client):
    incident = build_kidal()["incident"]
    claims = list(incident.claims.filter(citations__isnull=False).distinct().order_by("pk")[:2])
    relayed, revised_claim = claims
    with connection.cursor() as cursor:
        for table in ("incidents_incidentevent", "incidents_claimevent", "incidents_citationevent"):
            cursor.execute(f"UPDATE {table} SET pgh_created_at = pgh_created_at - interval '1 day'")
    protected = SourceFactory(outlet="PROTECTED-OUTLET radio", confidential=True)
    models.Citation.objects.create(claim=relayed, source=protected, quote="Relayed.", language="fr")
    citation = revised_claim.citations.first()
    citation.quote, citation.language = "A corrected quotation.", "fr"
    citation.save()
    ClaimFactory(incident=incident, quantity_text="a new claim with its report")
    cache.clear()

    body = text(client.get(incident.get_absolute_url()))
    log = body.split("Corrections and changes")[1].split("Cite and reuse")[0]

    assert f"Claim {relayed.pk}</strong>. Another report carrying the claim added." in log
    assert f"Claim {revised_claim.pk}</strong>. Report: Quotation revised; language: " in log
    assert log.count("report carrying the claim added") == 1  # the new claim's own report is part of "Claim added"
    assert "PROTECTED-OUTLET" not in body


def test_a_freshly_published_incident_says_when_it_was_published_once_and_no_last_update(client, kidal):
    incident = kidal["incident"]
    body = text(client.get(incident.get_absolute_url()))
    day = date_format(incident.published_at, "DATE_FORMAT")  # the reader's language's own format

    published = f'Published <time datetime="{incident.published_at.isoformat()}">{day}</time>.'
    assert f"{published} No corrections since publication." in body
    assert "last updated" not in body.lower() and body.count("No corrections since publication") == 1
    assert "Every change, field by field" not in body
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert data["dateModified"] == data["datePublished"]


# --- the list: filters, search, facets, pages -------------------------------------------------------


def test_search_finds_the_incident_through_an_actor_alias_in_any_language(client, kidal):
    for words in (
        "Front de Libération de l'Azawad",
        "front de liberation de l azawad",
        "Afrika Korps",
        "جبهة تحرير أزواد",
    ):
        response = client.get("/incidents/", {"q": words})
        assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk], words


def test_search_is_accent_and_case_insensitive_on_the_incident_text(client, kidal):
    IncidentFactory(published=True, title="Attaque à Ménaka", location="Ménaka")
    response = client.get("/incidents/", {"q": "MENAKA"})
    assert [i.title for i in response.context["page"].rows] == ["Attaque à Ménaka"]


def test_filters_narrow_the_list_and_the_counts(client, kidal):
    other = IncidentFactory(
        published=True,
        title="Protest in Bamako",
        country="ML",
        admin1="Bamako",
        sub_event_type=models.SubEventType.objects.get(slug="peaceful-protest"),
    )
    IncidentFactory(published=True, title="Clash in Burkina", country="BF", admin1="Sahel")
    response = client.get("/incidents/", {"country": "ML", "event_type": "battles"})
    assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk]
    assert counts(client, {"country": "ML", "event_type": "battles"}).context["facets"].total == 1
    response = counts(client, "country=ML&country=BF")
    assert response.context["facets"].total == 3
    countries = {c.value: c.count for c in response.context["facets"].countries}
    assert countries == {"ML": 2, "BF": 1}
    event_types = {c.value: c.count for c in response.context["facets"].event_types}
    assert event_types == {"battles": 2, "protests": 1}
    assert other.pk in [i.pk for i in client.get("/incidents/?event_type=protests").context["page"].rows]


def test_facets_count_the_current_result_set_and_are_shown_beside_each_filter(client, kidal):
    IncidentFactory(published=True, title="Clash in Burkina", country="BF", admin1="Sahel", tags=["ambush"])
    response = counts(client, {"tag": "ambush"})
    facets = response.context["facets"]
    assert facets.total == 2
    assert {c.value: c.count for c in facets.tags} == {"ambush": 2, "convoy": 1}
    assert {c.value: c.count for c in facets.actors} == {"fama": 1, "africa-corps": 1, "fla": 1}
    assert {c.value: c.count for c in facets.regions} == {"Kidal": 1, "Sahel": 1}
    assert facets.contested == 1
    body = text(response)
    assert 'value="BF" checked' not in body
    assert re.search(
        r'value="ML">\s*<span class="facet__label" dir="auto">Mali</span>\s*<span class="count"[^>]*>1</span>', body
    )


def test_an_incident_with_several_tags_and_actors_counts_once_in_every_other_facet(client, kidal, settings):
    from incidents.facets import compute_facets

    IncidentFactory(published=True, country="BF", tags=["ambush", "drone", "convoy", "drone"])
    facets = compute_facets(models.Incident.objects.published())
    assert facets.total == 2
    assert {c.value: c.count for c in facets.countries} == {"ML": 1, "BF": 1}
    assert sum(count for _, count in facets.months) == 2
    assert {c.value: c.count for c in facets.tags} == {"ambush": 2, "convoy": 2, "drone": 1}
    # Two actors of one kind on the seed incident still count it once under that kind.
    kinds = set(kidal["incident"].incident_actors.values_list("actor__kind", flat=True))
    assert {c.value: c.count for c in facets.actor_kinds} == dict.fromkeys(kinds, 1)
    assert {c.value: c.count for c in facets.actors} == {"fama": 1, "africa-corps": 1, "fla": 1}

    # Above the limit the actors are left out; everything else is still counted exactly.
    settings.ARCHIVE_FACET_ACTOR_LIMIT = 0
    facets = compute_facets(models.Incident.objects.published())
    assert facets.exact and facets.total == 2 and facets.actors == [] and facets.actor_kinds == []
    assert {c.value: c.count for c in facets.tags} == {"ambush": 2, "convoy": 2, "drone": 1}


def test_the_csv_link_carries_the_same_query_string(client, kidal):
    response = client.get("/incidents/", {"country": "ML", "q": "convoy", "after": "x"})
    assert response.context["csv_url"] == "/export/incidents.csv?country=ML&q=convoy"


def test_keyset_pages_walk_forward_and_back_without_gaps(client):
    incidents = [
        IncidentFactory(published=True, start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 7))
        for n in range(120)
    ]
    expected = [i.pk for i in sorted(incidents, key=lambda i: (i.start_date, i.pk), reverse=True)]
    seen, url = [], "/incidents/"
    pages = []
    while url:
        response = client.get(url)
        pages.append(url)
        seen += [i.pk for i in response.context["page"].rows]
        url = "/incidents/" + response.context["next_url"] if response.context["next_url"] else ""
    assert seen == expected
    last = client.get(pages[-1])
    back = client.get("/incidents/" + last.context["previous_url"])
    assert [i.pk for i in back.context["page"].rows] == expected[50:100]


@pytest.mark.parametrize("order", ["-fatalities", "fatalities"])
def test_pages_by_fatalities_walk_forward_and_back_across_the_unknown_figures(client, order):
    # 130 incidents over three pages: ties, and unknown figures that the last two pages reach.
    for n in range(130):
        best = None if n % 3 == 0 else n % 7
        IncidentFactory(published=True, fatalities_low=best, fatalities_best=best, fatalities_high=best)
    pages, url = [], f"/incidents/?order={order}"
    while url:
        response = client.get(url)
        pages.append(([i.pk for i in response.context["page"].rows], response.context["previous_url"]))
        url = "/incidents/" + response.context["next_url"] if response.context["next_url"] else ""

    expected = list(
        IncidentFilter({"order": order}, queryset=models.Incident.objects.published()).qs.values_list("pk", flat=True)
    )
    assert [pk for rows, _ in pages for pk in rows] == expected
    assert len(pages) == 3
    for (earlier, _), (_, previous_url) in itertools.pairwise(pages):
        back = client.get("/incidents/" + previous_url)
        assert [i.pk for i in back.context["page"].rows] == earlier


def test_sorting_by_fatalities_puts_unknown_figures_last_on_every_page(client):
    for best in (5, None, 50, 0, None):
        IncidentFactory(published=True, fatalities_low=best, fatalities_best=best, fatalities_high=best)
    response = client.get("/incidents/", {"order": "-fatalities"})
    assert [i.fatalities_best for i in response.context["page"].rows] == [50, 5, 0, None, None]
    response = client.get("/incidents/", {"order": "fatalities"})
    assert [i.fatalities_best for i in response.context["page"].rows] == [0, 5, 50, None, None]


def test_a_tampered_cursor_is_ignored(client, kidal):
    response = client.get("/incidents/", {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk]


def test_the_timeline_has_a_bar_per_month_linking_to_that_month(client, kidal):
    IncidentFactory(published=True, start_date=datetime.date(2025, 3, 2))
    body = text(counts(client))
    assert "date_from=2025-03-01&amp;date_to=2025-03-31" in body
    assert "date_from=2025-06-01&amp;date_to=2025-06-30" in body
    histogram = counts(client).context["histogram"]
    # At least a year is drawn, ending with the last month counted.
    assert len(histogram.bars) == 12
    assert histogram.bars[0].month == datetime.date(2024, 7, 1)
    assert [(b.month.month, b.count) for b in histogram.bars[-4:]] == [(3, 1), (4, 0), (5, 0), (6, 1)]
    assert sum(b.count for b in histogram.bars) == models.Incident.objects.published().count()


# --- claims with their reports, people, estimates by side, time, links ---------------------------


def claim_rows(body: str, claim: models.Claim) -> int:
    return body.count(f'id="claim-{claim.pk}"')


def test_each_claim_shows_once_with_the_reports_carrying_it_beneath_it(client, kidal):
    incident = kidal["incident"]
    dozens = incident.claims.get(quantity_text="several dozen")
    response = client.get(incident.get_absolute_url())
    body = text(response)

    assert claim_rows(body, dozens) == 1
    row = body.split(f'id="claim-{dozens.pk}"')[1].split("</tbody>")[0].split('<tr id="claim-')[0]
    assert "Carried by 3 reports" in row
    for outlet in ("AFP — Separatists battle Malian troops", "AP — Mali rebels claim ambush", "Sahel aggregator"):
        assert outlet in row, outlet
    # The Arabic quotation in its script and direction, the editor's translation beside it.
    assert '<blockquote class="quote" lang="ar" dir="auto">قتل عشرات من عناصر الفيلق الأفريقي</blockquote>' in row
    words = row.split('lang="ar" dir="auto"')[1].split("</div>")[0]
    assert "Dozens of Africa Corps members were killed." in words
    assert '<blockquote class="quote" lang="en" dir="auto">killed dozens of Russian mercenaries' in row
    # Repetition is not corroboration: three reports of one claim are one figure.
    corps = next(g for g in response.context["proposal"].groups if g.label == "Africa Corps")
    assert corps.reasons[0] == "Counted 1 claim(s): Azawad Liberation Front: “several dozen”."
    assert "Corroborated" not in body.split("Fatalities: Africa Corps")[1].split("</tr>")[0]


def test_independent_claims_that_agree_are_called_corroborated_and_repeated_reports_are_not(client):
    incident = IncidentFactory(published=True)
    army, un = ActorFactory(name="Army"), ActorFactory(name="UN mission")
    ClaimFactory(incident=incident, claimant=army, losses_of=models.LossesOf.CIVILIANS, quantity_low=7, quantity_high=7)
    one = ClaimFactory(
        incident=incident, claimant=un, losses_of=models.LossesOf.CIVILIANS, quantity_low=7, quantity_high=7
    )
    CitationFactory(claim=one)

    body = text(client.get(incident.get_absolute_url()))

    assert "Corroborated by 2 independent claims</span>" in body
    assert "Carried by 2 reports" in body
    assert "Corroborated by 2 independent claims (Army, UN mission): their figures agree." in body


def test_the_speaker_links_to_their_page_and_a_confidential_one_is_withheld(client, kidal):
    incident = kidal["incident"]
    secret = PersonFactory(name="Secret Elected Official", slug="secret-official", confidential=True)
    models.PersonAlias.objects.create(person=secret, name="Sikrit Ofishal")
    claim = incident.claims.get(quantity_text="losses on both sides")
    claim.speaker = secret
    claim.save()
    CitationFactory(claim=incident.claims.get(quantity_text="10 enemy combatants"), speaker=secret)

    body = text(client.get(incident.get_absolute_url()))

    assert '<a href="/persons/mohamed-maouloud-ramadan/" dir="auto">Mohamed Maouloud Ramadan</a>' in body
    # As the claim's speaker, as quoted in a report, and naming the claim in the proposal's reasons.
    assert body.count('<span class="withheld">A person, identity withheld</span>') == 2
    assert "Listed but not counted A person, identity withheld: “losses on both sides”" in body
    assert "Secret Elected Official" not in body and "Sikrit" not in body and "secret-official" not in body


def test_what_a_claim_is_about_is_shown_whole(client):
    incident = IncidentFactory(published=True)
    jnim, army = ActorFactory(name="JNIM"), ActorFactory(name="Malian army")
    ClaimFactory(
        incident=incident, kind=models.ClaimKind.RESPONSIBILITY, responsible_actor=jnim,
        attribution=models.Attribution.SUPPOSED, quantity_low=None, quantity_high=None, quantity_text="",
    )  # fmt: skip
    ClaimFactory(
        incident=incident, kind=models.ClaimKind.TERRITORY, claimant=army, movement=models.Movement.RETREATED_TO,
        place="Tessalit", quantity_low=None, quantity_high=None, quantity_text="",
    )  # fmt: skip
    ClaimFactory(
        incident=incident, losses_of=models.LossesOf.MIXED, losses_note="mostly drivers and guards",
        quantity_text="five killed",
    )  # fmt: skip
    ClaimFactory(incident=incident, claimant=army, stance=models.Stance.DECLINED, quantity_low=None,
                 quantity_high=None, quantity_text="")  # fmt: skip

    response = client.get(incident.get_absolute_url())
    body = text(response)

    responsible = f'Held responsible: <a href="{jnim.get_absolute_url()}">JNIM</a>'
    assert f'{responsible} <span class="muted">(supposed to belong to)</span>' in body
    assert 'Retreated to <span dir="auto">Tessalit</span>' in body
    assert "Fatalities: several groups" in body and 'Who: <span dir="auto">mostly drivers and guards</span>' in body
    assert "counts once, as a group of its own" in body and "counts under unknown in the figures by side" in body
    assert "Declined to comment / no response" in body
    mixed = next(g for g in response.context["proposal"].groups if g.group == "mixed")
    assert (mixed.best, mixed.counts_for) == (5, "Unknown")
    assert '<span dir="auto">Several groups</span> <span class="muted">(counts for: Unknown)</span>' in body


def test_claims_about_no_ones_losses_form_one_group_per_kind(client):
    incident = IncidentFactory(published=True)
    for losses_of in (models.LossesOf.UNKNOWN, models.LossesOf.CIVILIANS):
        ClaimFactory(incident=incident, kind=models.ClaimKind.OTHER, losses_of=losses_of, quantity_text=losses_of)
    ClaimFactory(incident=incident, kind=models.ClaimKind.INJURIES, losses_of=models.LossesOf.CIVILIANS)

    groups = client.get(incident.get_absolute_url()).context["claim_groups"]

    assert [(g.title, len(g.claims)) for g in groups] == [("Injuries: Civilians", 1), ("Other", 2)]


def test_a_sub_count_sits_beneath_its_whole_and_never_conflicts_with_it(client):
    incident = IncidentFactory(published=True)
    fla = ActorFactory(name="FLA")
    kind = models.ClaimKind.MATERIEL_DESTROYED
    vehicles = ClaimFactory(incident=incident, claimant=fla, kind=kind, quantity_low=21, quantity_high=21,
                            quantity_text="21 vehicles destroyed")  # fmt: skip
    armoured = ClaimFactory(incident=incident, claimant=fla, kind=kind, part_of=vehicles, quantity_low=4,
                            quantity_high=4, quantity_text="armoured vehicles among them")  # fmt: skip
    entered_apart = IncidentFactory(published=True)
    ClaimFactory(incident=entered_apart, claimant=fla, kind=kind, quantity_low=21, quantity_high=21)
    ClaimFactory(incident=entered_apart, claimant=fla, kind=kind, quantity_low=4, quantity_high=4)

    response = client.get(incident.get_absolute_url())
    body = text(response)

    (group,) = response.context["claim_groups"]
    assert group.entries == [(vehicles, [armoured])] and not group.conflicting
    assert '<span class="badge badge--contested">Contested</span> <span class="muted claims-group__count">' not in body
    assert body.index(f'id="claim-{vehicles.pk}"') < body.index(f'id="claim-{armoured.pk}"')
    assert f'id="claim-{armoured.pk}" class="claims__claim claims__claim--sub"' in body
    assert "Of which:" in body
    # The same figures entered as two separate claims do conflict.
    apart = text(client.get(entered_apart.get_absolute_url()))
    assert '<span class="badge badge--contested">Contested</span> <span class="muted claims-group__count">' in apart


@pytest.fixture
def accepted(kidal, reviewer) -> models.Incident:
    """The seed story with the archive's proposal accepted, and an open-ended claim about the army."""
    incident = kidal["incident"]
    ClaimFactory(
        incident=incident, claimant=kidal["fla"], losses_of=models.LossesOf.ACTOR, losses_actor=kidal["army"],
        quantity_low=51, quantity_high=None, quantity_text="more than fifty soldiers",
    )  # fmt: skip
    ClaimFactory(incident=incident, kind=models.ClaimKind.INJURIES, claimant=kidal["army"], quantity_low=12,
                 quantity_high=12, quantity_text="twelve wounded")  # fmt: skip
    return accepted_in_review(incident, reviewer)


def accepted_in_review(incident: models.Incident, reviewer) -> models.Incident:
    """``incident`` with the proposal accepted while it was in review, then published again: a
    published estimate changes only through a correction."""
    from incidents import services

    models.Incident.objects.filter(pk=incident.pk).update(status=models.Status.IN_REVIEW)
    services.incident_accept_proposal(incident=incident, user=reviewer)
    models.Incident.objects.filter(pk=incident.pk).update(status=models.Status.PUBLISHED)
    return models.Incident.objects.get(pk=incident.pk)


def test_the_estimate_is_shown_by_side_with_an_open_high_written_as_in_the_headline(client, kidal, accepted):
    response = client.get(accepted.get_absolute_url())
    body = text(response)

    assert (accepted.fatalities_low, accepted.fatalities_high, accepted.fatalities_high_open) == (78, 121, True)
    headline = body.split('class="lbh"')[1].split("</dl>")[0]
    assert "<dd>121+</dd>" in headline
    rows = {row.label: row for row in response.context["estimate_rows"]}
    assert list(rows) == ["Side A", "Side B", "Civilians", "Unknown", "All deaths", "Injured"]
    assert (rows["Side A"].low, rows["Side A"].best, rows["Side A"].high, rows["Side A"].high_open) == (
        75,
        93,
        111,
        True,
    )
    assert (rows["Side B"].low, rows["Side B"].high, rows["Side B"].high_open) == (3, 10, False)
    assert (rows["All deaths"].high, rows["All deaths"].high_open) == (121, True)
    assert (rows["Injured"].low, rows["Injured"].best, rows["Injured"].high) == (12, 12, 12)
    assert rows["Side A"].note == "Malian Armed Forces, Africa Corps"
    table = body.split('class="by-side"')[1].split("</table>")[0]
    assert '<td class="num">111+</td>' in table and '<td class="num">121+</td>' in table
    assert "Claims changed since this estimate was accepted" not in body


def test_a_stale_estimate_is_said_to_be_under_review(client, accepted):
    ClaimFactory(incident=accepted, quantity_low=2, quantity_high=2, quantity_text="two more bodies found")
    assert models.Incident.objects.get(pk=accepted.pk).estimate_stale

    body = text(client.get(accepted.get_absolute_url()))

    assert "Claims changed since this estimate was accepted; editors are reviewing it." in body


def test_an_accepted_proposal_without_figures_says_no_figures_were_reported(client, reviewer):
    incident = IncidentFactory(published=True)
    ClaimFactory(incident=incident, quantity_low=None, quantity_high=None, quantity_text="heavy losses")
    fresh = text(client.get(incident.get_absolute_url()))
    accepted_in_review(incident, reviewer)

    body = text(client.get(incident.get_absolute_url()))

    assert "The editors have not yet set an estimate." in fresh and "No figures reported" not in fresh
    assert "No figures reported." in body and "not yet set" not in body
    assert 'class="by-side"' not in body


@pytest.mark.parametrize(
    ("precision", "time_precision", "time", "expected"),
    [
        ("week", "", None, 'In the week of <time datetime="2025-07-14">July 14, 2025</time>'),
        ("month", "", None, '<time datetime="2025-10">October 2025</time>'),
        ("year", "", None, '<time datetime="2025">2025</time>'),
        ("day", "around", datetime.time(10, 20), "Monday, July 14, 2025</time>, around 10:20"),
        ("day", "exact", datetime.time(10, 20), "Monday, July 14, 2025</time>, at 10:20"),
        ("day", "dawn", None, "Monday, July 14, 2025</time>, at dawn"),
        ("day", "early_morning", None, "Monday, July 14, 2025</time>, early morning"),
    ],
)
def test_the_date_and_time_read_as_precisely_as_they_were_reported(client, precision, time_precision, time, expected):
    start = datetime.date(2025, 10, 1) if precision == "month" else datetime.date(2025, 7, 14)
    end = {
        "week": datetime.date(2025, 7, 20),
        "month": datetime.date(2025, 10, 31),
        "year": datetime.date(2025, 12, 31),
    }
    incident = IncidentFactory(
        published=True, start_date=start, end_date=end.get(precision, start), date_precision=precision,
        time_precision=time_precision, time_of_day=time,
    )  # fmt: skip

    body = text(client.get(incident.get_absolute_url()))
    listed = text(client.get("/incidents/"))

    assert expected in body
    if precision != "day":
        # Never as a span of days: no end date is shown.
        assert "July 20, 2025" not in body and "October 31, 2025" not in body and "December 31, 2025" not in body
    if precision == "week":
        assert 'In the week of <time datetime="2025-07-14">July 14, 2025</time>' in listed
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1))
    json_dates = {"week": "2025-W29", "month": "2025-10", "year": "2025"}
    assert data["startDate"] == json_dates.get(precision, "2025-07-14")
    assert data.get("endDate") == (None if precision in json_dates else "2025-07-14")


def test_related_incidents_are_shown_from_both_ends_when_both_are_published(client):
    ambush = IncidentFactory(published=True, title="Ambush near Anefif")
    reprisal = IncidentFactory(published=True, title="Reprisals in Anefif")
    operation = IncidentFactory(title="DRAFT-OPERATION sweep of the Kidal region")
    models.IncidentRelation.objects.create(
        subject=reprisal, kind=models.IncidentRelationKind.FOLLOW_ON, object=ambush, note="Two days later."
    )
    models.IncidentRelation.objects.create(subject=ambush, kind=models.IncidentRelationKind.PART_OF, object=operation)

    at_ambush = text(client.get(ambush.get_absolute_url()))
    at_reprisal = text(client.get(reprisal.get_absolute_url()))

    followed = (
        f'This incident was followed by <a href="{reprisal.get_absolute_url()}" lang="en" dir="auto">'
        "Reprisals in Anefif</a>"
    )
    assert followed in at_ambush
    follow_on = (
        f'This incident is a follow-on to <a href="{ambush.get_absolute_url()}" lang="en" dir="auto">'
        "Ambush near Anefif</a>"
    )
    assert follow_on in at_reprisal
    assert "Two days later." in at_ambush and "Two days later." in at_reprisal
    assert "DRAFT-OPERATION" not in at_ambush and "wider operation" not in at_ambush


def test_a_merged_incident_redirects_permanently_to_the_incident_it_was_merged_into(client, reviewer):
    from incidents import merging

    into = IncidentFactory(published=True)
    duplicate = IncidentFactory(published=True)
    merging.incident_merge(duplicate=duplicate, into=into, user=reviewer, reason="The same ambush, entered twice.")

    response = client.get(duplicate.get_absolute_url())

    assert response.status_code == 301
    assert response["Location"] == into.get_absolute_url()
    assert client.get(into.get_absolute_url()).status_code == 200


def test_a_merged_incident_does_not_point_at_an_incident_without_a_public_page(client, reviewer):
    from incidents import merging

    into = IncidentFactory(published=True)
    duplicate = IncidentFactory(published=True)
    merging.incident_merge(duplicate=duplicate, into=into, user=reviewer, reason="The same ambush, entered twice.")
    models.Incident.objects.filter(pk=into.pk).update(status=models.Status.DRAFT)

    response = client.get(duplicate.get_absolute_url())

    assert response.status_code == 200
    assert "Location" not in response


# --- people ----------------------------------------------------------------------------------------


def test_a_person_page_shows_aliases_affiliations_and_where_they_speak(client, kidal):
    spokesman = kidal["spokesman"]
    models.PersonAlias.objects.create(person=spokesman, name="Muhammad Maulud Ramadan", language="en")
    models.PersonAlias.objects.create(person=spokesman, name="محمد مولود رمضان", language="ar")
    spokesman.description = "Spokesman of the FLA."
    spokesman.save()
    models.PersonAffiliation.objects.create(
        person=spokesman, actor=kidal["fla"], role="spokesman", start_date=datetime.date(2024, 11, 30)
    )
    hidden_group = ActorFactory(name="Unpublished Brigade")
    models.PersonAffiliation.objects.create(person=spokesman, actor=hidden_group, role="adviser")
    quoted = ClaimFactory(incident=kidal["incident"], claimant=kidal["army"], quantity_text="a handful")
    CitationFactory(claim=quoted, speaker=spokesman, quote="Ramadan says the army lost a handful.")

    response = client.get(reverse("person-detail", kwargs={"slug": spokesman.slug}))
    body = text(response)

    assert response.status_code == 200
    assert '<h1 dir="auto">Mohamed Maouloud Ramadan</h1>' in body
    assert "Muhammad Maulud Ramadan" in body and '<span lang="ar" dir="auto">محمد مولود رمضان</span>' in body
    assert "Spokesman of the FLA." in body
    assert (
        f'<span dir="auto">Spokesman</span>, <a href="{kidal["fla"].get_absolute_url()}" dir="auto">'
        "Azawad Liberation Front</a>"
    ) in body
    assert "from Nov. 30, 2024" in body
    assert "Unpublished Brigade" not in body
    assert {c.quantity_text for c in response.context["claims"]} == {"several dozen", "a handful"}
    assert "Ramadan says the army lost a handful." in body and "Carried by" not in body
    assert '<blockquote class="quote" lang="ar" dir="auto">' in body


def test_confidential_people_and_people_only_in_drafts_have_no_page(client, kidal, hidden):
    secret = PersonFactory(name="Secret Official", slug="secret-official", confidential=True)
    ClaimFactory(incident=kidal["incident"], speaker=secret)
    drafted = PersonFactory(name="Drafted Speaker", slug="drafted-speaker")
    ClaimFactory(incident=hidden["draft"], speaker=drafted)
    silent = PersonFactory(name="Silent", slug="silent")

    for person in (secret, drafted, silent):
        assert client.get(f"/persons/{person.slug}/").status_code == 404, person.name
    assert client.get(f"/persons/{kidal['spokesman'].slug}/").status_code == 200


def test_a_confidential_persons_name_and_aliases_never_reach_a_public_page(client, kidal):
    secret = PersonFactory(name="Secret Elected Official", slug="secret-official", confidential=True,
                           description="SECRET-DESCRIPTION", internal_notes="SECRET-NOTES")  # fmt: skip
    models.PersonAlias.objects.create(person=secret, name="Sikrit Ofishal")
    models.PersonAffiliation.objects.create(person=secret, actor=kidal["army"], role="SECRET-ROLE")
    incident = kidal["incident"]
    afp = models.Source.objects.get(outlet="AFP")
    army_claim = incident.claims.get(quantity_text="10 enemy combatants")
    army_claim.speaker = secret
    army_claim.save()
    CitationFactory(claim=incident.claims.get(quantity_text="several dozen"), source=kidal["official"], speaker=secret)
    pages = [
        incident.get_absolute_url(),
        afp.get_absolute_url(),
        kidal["official"].get_absolute_url(),
        army_claim.citations.get().source.get_absolute_url(),
        kidal["army"].get_absolute_url(),
        kidal["fla"].get_absolute_url(),
        reverse("person-detail", kwargs={"slug": kidal["spokesman"].slug}),
        "/methodology/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret_text in ("Secret Elected Official", "Sikrit", "secret-official", "SECRET-"):
            assert secret_text not in text(response), (url, secret_text)
    assert "A person, identity withheld" in text(client.get(incident.get_absolute_url()))
    assert client.get("/persons/secret-official/").status_code == 404


def test_a_source_page_lists_the_claims_it_carries_through_its_citations(client, kidal):
    ap = models.Source.objects.get(outlet="AP")
    response = client.get(ap.get_absolute_url())
    body = text(response)

    assert [c.claim.quantity_text for c in response.context["citations"]] == ["several dozen"]
    assert "several dozen" in body and "killed dozens of Russian mercenaries" in body
    # AFP's words are AFP's: the AP page shows only what AP carried.
    assert "killed several dozen members of the Africa Corps" not in body
    assert kidal["incident"].title in body
    assert '<a href="/persons/mohamed-maouloud-ramadan/" dir="auto">Mohamed Maouloud Ramadan</a>' in body


# --- actors, sources, methodology -----------------------------------------------------------------


def test_the_actor_page_shows_aliases_relations_incidents_and_claims(client, kidal):
    body = text(client.get(kidal["fla"].get_absolute_url()))
    assert "Front de Libération de l&#x27;Azawad" in body
    assert "several dozen" in body
    assert kidal["incident"].title in body
    corps = text(client.get(kidal["corps"].get_absolute_url()))
    assert "is the successor of" in corps and "Wagner Group" in corps
    assert "Afrika Korps" in corps


def test_the_actor_list_finds_actors_by_alias(client, kidal):
    response = client.get("/actors/", {"q": "Afrika Korps"})
    assert [a.slug for a in response.context["actors"]] == ["africa-corps"]


def test_the_methodology_page_states_the_rules_and_the_taxonomy(client, db):
    body = text(client.get("/methodology/"))
    assert "a party acknowledging its own losses sets a floor" in body
    assert "Acknowledging someone else&#x27;s losses, or the clashes without a figure, sets no floor." in body


def test_the_methodology_page_says_how_claims_reports_groups_sides_and_time_are_read(client, db):
    response = client.get("/methodology/")
    body = text(response)
    rules = response.context["rules"]

    assert len(rules) == 10
    assert rules[0].startswith("Only claims about deaths (and, apart, about the injured) count. A claim counts once")
    for expected in (
        "<strong>one claim carried by three reports</strong>",
        "“corroborated by 2 independent claims”",
        "<strong>Corroboration</strong> means independent origins",
        "mark it as a <strong>sub-count</strong> of the whole claim",
        "never flagged as conflicting with it",
        "It forms a group of its own, counted once in the total",
        "An actor's losses count for the side that actor is on in the incident",
        "an actor on neither side, or on both, counts under unknown",
        "(“51+”)",
        "The figures by side and of the injured stay the archive's proposal unless the editors set them too",
        "Claims changed since this estimate was accepted; editors are reviewing it",
        "“No figures reported”",
        "“in the week of 14 July 2025”",
        "a month “October 2025”",
        "<dd>At dawn.</dd>",
        "<dd>Around a clock time, e.g. “around 10:20”.</dd>",
        "claimed (by the actor itself); attributed; suspected; supposed to belong to.",
        "one incident is a follow-on to another, which was followed by it",
        "redirects permanently to the incident it was merged into",
        "A person, identity withheld",
    ):
        assert expected in body, expected
    assert "Armed clash" in body and "Remote explosive/landmine/IED" in body
    assert "Contested" in body and "Second-order administrative area" in body
    assert models.SubEventType.objects.count() == 25


# --- query counts ---------------------------------------------------------------------------------


def _detail_queries(client, django_assert_num_queries, incident) -> None:
    # 1 incident with type and sub-type, 2 actors by side, 3 claims with claimant, speaker, whose
    # losses and who is held responsible, 4 their citations with source and speaker, 5 cited
    # sources, 6 its approved corrections, 7 relations to other published incidents, 8 the
    # incident's history events, 9 its claims' history events, 10 their citations' history events.
    with django_assert_num_queries(10):
        response = client.get(incident.get_absolute_url())
    assert response.status_code == 200


def test_the_incident_page_query_count_does_not_grow_with_claims(client, django_assert_num_queries):
    one = build_kidal(claims_per_group=1)["incident"]
    _detail_queries(client, django_assert_num_queries, one)
    fifty = build_kidal_again(claims_per_group=13)
    assert fifty.claims.count() >= 50
    assert models.Citation.objects.filter(claim__incident=fifty).count() >= 75
    _detail_queries(client, django_assert_num_queries, fifty)


def build_kidal_again(claims_per_group: int) -> models.Incident:
    """A second seed-like incident (fresh actors, since slugs are unique)."""
    models.Actor.objects.filter(slug__in=["fama", "wagner", "africa-corps", "fla"]).update(
        slug=Concat("slug", Value("-old"))
    )
    models.Person.objects.filter(slug="mohamed-maouloud-ramadan").update(slug=Concat("slug", Value("-old")))
    return build_kidal(claims_per_group)["incident"]


def _list_queries(client, django_assert_num_queries) -> None:
    # 1 the actors whose names match the search, 2 the page of incidents, 3 the taxonomy for
    # the filters' choices. Nothing is counted: the counts come from the fragment.
    cache.clear()
    with django_assert_num_queries(3):
        response = client.get("/incidents/", {"country": "ML", "q": "convoy"})
    assert response.status_code == 200
    assert response.context["page"].rows
    # 1 the actors whose names match the search, 2 newest change (cache stamp), 3 the planner's
    # estimate (are actor facets affordable?), 4 savepoint, 5 the counting statement's time
    # budget, 6 facets, months, map cells and actors in one statement, 7 release savepoint,
    # 8 taxonomy labels for the facets.
    with django_assert_num_queries(8):
        response = counts(client, {"country": "ML", "q": "convoy"})
    assert response.status_code == 200 and response.context["facets"].total
    # Counted once: 1 the actors whose names match the search, 2 newest change (cache stamp).
    with django_assert_num_queries(2):
        assert counts(client, {"country": "ML", "q": "convoy"}).context["facets"].total
    # The page with its counts in place, for a reader without JavaScript: the page's two
    # queries and the counts' seven (the taxonomy is read once, for the counts).
    cache.clear()
    with django_assert_num_queries(9):
        response = client.get("/incidents/", {"country": "ML", "q": "convoy", "counts": "1"})
    assert response.context["facets"].total and response.context["page"].rows


@pytest.mark.usefixtures("cache_in_memory")
def test_the_list_query_count_does_not_grow_with_claims(client, django_assert_num_queries):
    build_kidal(claims_per_group=1)
    _list_queries(client, django_assert_num_queries)
    build_kidal_again(claims_per_group=13)
    _list_queries(client, django_assert_num_queries)
    assert models.Claim.objects.count() >= 50


def test_a_result_set_beyond_the_count_limit_is_estimated_without_counting(client, kidal, settings):
    from incidents.facets import compute_facets

    settings.ARCHIVE_FACET_COUNT_LIMIT = 0
    with CaptureQueriesContext(connection) as captured:
        facets = compute_facets(models.Incident.objects.published())
    assert not facets.exact and facets.total >= 1
    assert not any("GROUPING SETS" in query["sql"] for query in captured.captured_queries)


def test_facets_fall_back_to_an_estimate_when_counting_takes_too_long(client, kidal, settings):
    from incidents.facets import compute_facets

    settings.ARCHIVE_FACET_TIMEOUT_MS = 20
    slow = models.Incident.objects.published().extra(where=["pg_sleep(0.2)::text = ''"])
    facets = compute_facets(slow)
    assert not facets.exact
    assert facets.countries == [] and facets.total >= 0
    # A result set counted only by estimate still lists its rows and offers every choice.
    from incidents.facets import Facets, cache_key, data_stamp

    cache.set(cache_key({"country": ["ML"]}, data_stamp()), Facets(total=1_234_567, exact=False))
    body = text(counts(client, {"country": "ML"}))
    assert "About 1,234,567 incidents" in body
    response = client.get("/incidents/", {"country": "ML"})
    assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk]
    assert 'name="country" form="filters" value="ML"' in body
    assert 'value="remote-explosivelandmineied"' in body
    assert models.SubEventType.objects.filter(slug="remote-explosivelandmineied").exists()


@pytest.mark.django_db
def test_facets_read_the_table_in_order_when_the_result_is_on_most_of_its_pages():
    from django.db import transaction

    from incidents.facets import apply_statement_settings

    IncidentFactory.create_batch(60)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident")
        cursor.execute("SELECT reltuples, relpages FROM pg_class WHERE relname = 'incidents_incident'")
        rows, pages = cursor.fetchone()
    assert rows == 60 and pages >= 2

    def bitmap_scans(estimate: int) -> str:
        with transaction.atomic(), connection.cursor() as cursor:
            apply_statement_settings(cursor, estimate, timeout_ms=0)
            cursor.execute("SHOW enable_bitmapscan")
            return cursor.fetchone()[0]

    # One row is on one page; all rows are on every page; 1 - (1 - s)^(rows per page) between.
    assert bitmap_scans(1) == "on"
    assert bitmap_scans(60) == "off"
    share = 1 - 0.5 ** (pages / rows)  # the share of rows whose pages make half the table
    assert bitmap_scans(int(rows * share) + 1) == "off"
    assert bitmap_scans(int(rows * share) - 1) == "on"


# --- snapshots of result sets too large to count --------------------------------------------------


def test_a_result_set_too_large_to_count_shows_its_snapshot_dated_once_the_archive_changes(client, kidal, settings):
    from django.core.management import call_command

    IncidentFactory(published=True, country="BF", tags=["ambush"])
    call_command("count_facets", "country=BF", verbosity=0)
    settings.ARCHIVE_FACET_COUNT_LIMIT = 0  # nothing is counted on request any more
    cache.clear()

    response = counts(client)
    facets = response.context["facets"]
    assert facets.exact and facets.as_of is None and facets.total == 2
    assert {c.value: c.count for c in facets.countries} == {"ML": 1, "BF": 1}
    assert {c.value: c.count for c in facets.actors} == {"fama": 1, "africa-corps": 1, "fla": 1}
    assert sum(count for _, count in facets.months) == 2
    assert "counted on" not in text(response) and "≈" not in text(response)
    assert counts(client, {"country": "BF"}).context["facets"].total == 1

    # A newer incident: the snapshot is shown with its date, the list itself is current.
    newer = IncidentFactory(published=True, country="NE")
    response = counts(client)
    facets = response.context["facets"]
    assert facets.total == 2 and facets.as_of is not None
    assert "counted on" in text(response) and "the archive has changed since" in text(response)
    assert newer.pk in [incident.pk for incident in client.get("/incidents/").context["page"].rows]
    home = client.get("/")
    assert "as counted on" in text(home)
    # The home page's other figures come from the same run.
    assert home.context["counts"] == models.FacetSnapshot.objects.get(key="site-counts").counts
    assert home.context["counts"]["claims"] == models.Claim.objects.filter(incident=kidal["incident"]).count()

    # A result set with no snapshot falls back to the estimate.
    assert not counts(client, {"country": "ML"}).context["facets"].exact


# --- cached counts reveal nothing about unpublished work ------------------------------------------


def facet_statements(client, params: dict, path: str = "/incidents/facets/") -> int:
    """How many facet-counting statements a request for the list's counts runs (none when
    answered from the cache)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return sum("GROUPING SETS" in query["sql"] for query in captured.captured_queries)


def test_the_list_page_shows_its_rows_without_counting_them_and_says_where_its_counts_are(client, kidal):
    assert facet_statements(client, {"country": "ML"}, path="/incidents/") == 0
    response = client.get("/incidents/", {"country": "ML", "order": "-fatalities", "after": "x"})
    body = text(response)

    assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk]
    assert response.context["facets"] is None
    # The same rows' counts, whatever page of them this is; the page fetches them (facets.js).
    assert 'data-facets-url="/incidents/facets/?country=ML&amp;order=-fatalities"' in body
    assert "/static/js/facets.js" in body
    assert "Matching incidents" in body and "1 incident" not in body
    # Meanwhile, and without JavaScript, every choice is there without its count.
    assert 'name="country" form="filters" value="ML"' in body and 'value="battles"' in body
    assert 'name="contested" value="true"' in body and 'class="count"' not in body
    assert '<noscript><p><a href="?country=ML&amp;order=-fatalities&amp;after=x&amp;counts=1">' in body
    assert 'name="counts"' not in body


def test_without_javascript_the_reader_can_ask_for_the_page_with_its_counts(client, kidal):
    assert facet_statements(client, {"country": "ML", "counts": "1"}, path="/incidents/") == 1
    response = client.get("/incidents/", {"country": "ML", "counts": "1"})
    body = text(response)

    assert [i.pk for i in response.context["page"].rows] == [kidal["incident"].pk]
    assert response.context["facets"].total == 1 and "1 incident" in body
    assert re.search(
        r'value="ML" checked>\s*<span class="facet__label" dir="auto">Mali</span>\s*<span class="count"[^>]*>1</span>',
        body,
    )
    assert "date_from=2025-06-01&amp;date_to=2025-06-30" in body
    assert "data-facets-url" not in body and "/static/js/facets.js" not in body
    # The search form keeps asking for them.
    assert '<input type="hidden" name="counts" value="1">' in body


def test_editing_or_creating_a_draft_leaves_the_cached_counts_and_their_key_alone(client, kidal, editor):
    from incidents.facets import data_stamp

    assert facet_statements(client, {"country": "ML"}) == 1
    stamp = data_stamp()

    draft = IncidentFactory(country="ML", title="Unpublished clash", created_by=editor)
    draft.summary = "An editor's second draft."
    draft.save()
    models.Incident.objects.filter(pk=draft.pk).update(updated_at=timezone.now())

    assert data_stamp() == stamp
    # Answered from the cache, as fast as before: an outsider's timing learns nothing.
    assert facet_statements(client, {"country": "ML"}) == 0


def test_submitting_a_draft_for_review_leaves_the_key_alone_and_publishing_changes_it(kidal, editor, reviewer):
    from incidents import services
    from incidents.facets import data_stamp

    draft = IncidentFactory(country="ML", last_edited_by=editor)
    stamp = data_stamp()

    services.incident_submit(incident=draft, user=editor)
    assert data_stamp() == stamp

    published = services.incident_publish(incident=draft, user=reviewer)
    assert data_stamp() != stamp
    assert data_stamp() == published.updated_at.isoformat()


def test_a_retraction_or_a_correction_of_a_published_incident_changes_the_key(client, kidal, reviewer):
    from incidents import services
    from incidents.facets import data_stamp

    incident = kidal["incident"]
    assert facet_statements(client, {"country": "ML"}) == 1
    stamp = data_stamp()

    incident.refresh_from_db()
    incident.summary = "Corrected: the convoy was ambushed twice."
    incident.save()
    corrected = data_stamp()
    assert corrected != stamp

    services.incident_retract(incident=incident, user=reviewer, notice="The event could not be confirmed.")
    assert data_stamp() != corrected
    assert facet_statements(client, {"country": "ML"}) == 1
    assert counts(client, {"country": "ML"}).context["facets"].total == 0


def test_an_actor_with_one_incident_gets_a_sentence_not_a_lonely_bar_and_no_all_1_incident(client, kidal):
    body = text(client.get(kidal["fla"].get_absolute_url()))
    over_time = body.split('id="timeline-title"')[1].split("</section>")[0]

    assert "<svg" not in over_time
    assert "1 incident, by month:" in over_time and "date_from=2025-06-01&amp;date_to=2025-06-30" in over_time
    assert "All 1 incident" not in body and "1 incidents" not in body


def test_an_actor_with_incidents_in_several_months_gets_the_chart_and_a_plural_link(client, kidal):
    fla = kidal["fla"]
    for month in (1, 2, 3, 4):
        IncidentActorFactory(
            incident=IncidentFactory(published=True, start_date=datetime.date(2025, month, 10)), actor=fla
        )

    body = text(client.get(fla.get_absolute_url()))

    assert '<svg viewBox="0 0 960 160" role="img"' in body
    assert "All 5 incidents involving Azawad Liberation Front" in body


def test_the_incident_page_navigates_to_its_parts_and_claims_by_kind(client, kidal):
    ClaimFactory(incident=kidal["incident"], kind=models.ClaimKind.INJURIES, quantity_text="twelve wounded")
    body = text(client.get(kidal["incident"].get_absolute_url()))
    nav = body.split('<nav class="page-nav"')[1].split("</nav>")[0]

    for anchor in ("summary-title", "estimate-title", "claims-title", "claims-fatalities", "claims-injuries"):
        assert f'href="#{anchor}"' in nav and f'id="{anchor}"' in body, anchor
    assert body.count('<details class="claims-group') == len(
        client.get(kidal["incident"].get_absolute_url()).context["claim_groups"]
    )
    assert "data-collapse-narrow" in body and "/static/js/pages.js" in body
    # One legend explains the notation and the one word for disagreement.
    assert body.count('id="legend"') == 1 and "best (low–high)" in body
    for retired in ("Claims conflict", "Contested figures", "Evidence: Contested", "Accepted the archive's proposal"):
        assert retired not in body, retired


def test_the_headline_and_the_lists_write_an_open_high_as_the_table_does(client, kidal, accepted):
    body = text(client.get(accepted.get_absolute_url()))
    listed = text(client.get("/incidents/"))

    assert "Editors accepted the figures computed from the claims." in body
    assert f"{accepted.fatalities_best} ({accepted.fatalities_low}–{accepted.fatalities_high}+)" in listed


def test_the_figures_in_the_lists_link_to_the_legend_on_the_methodology_page(client, kidal):
    listed = text(client.get("/incidents/"))
    methodology = text(client.get("/methodology/"))

    assert 'href="/methodology/#figures" class="figures">30 (13–50)</a>' in listed
    assert 'id="figures"' in methodology and "best (low–high)" in methodology
