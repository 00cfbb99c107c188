"""generate_incidents: synthetic data at scale that keeps every rule of the archive."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Prefetch, Q
from pghistory.models import Events

from bench.synthetic import secondary_indexes
from incidents import services
from incidents.demo import seed
from incidents.models import (
    ESTIMATE_PREFIXES,
    Actor,
    Citation,
    Claim,
    ClaimKind,
    EventType,
    FacetSnapshot,
    Incident,
    IncidentActor,
    IncidentSource,
    LossesOf,
    Person,
    PersonAffiliation,
    Status,
    SubEventType,
)
from incidents.reconcile import propose_for_claims
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def generate(count: int = 200, *args: str) -> None:
    # One worker: the test's transaction is only visible on this thread's connection.
    call_command("generate_incidents", "--count", str(count), "--workers", "1", *args, verbosity=0)


def test_it_creates_the_requested_incidents_with_about_five_claims_each():
    generate(200, "--seed", "3")
    assert Incident.objects.count() == 200
    assert 900 <= Claim.objects.count() <= 1100
    assert 1.4 <= Citation.objects.count() / Claim.objects.count() <= 1.6
    links = Incident.objects.annotate(n=Count("incident_actors")).aggregate(low=Min("n"), high=Max("n"))
    assert (links["low"], links["high"]) == (1, 3)
    assert not Incident.objects.filter(incident_sources__isnull=True).exists()
    assert Incident.objects.values("country").distinct().count() == 7
    assert Incident.objects.values("event_type").distinct().count() == 6
    years = {d.year for d in Incident.objects.values_list("start_date", flat=True)}
    assert min(years) == 2019 and max(years) == 2025
    # The whole archive's facets are counted for pages that could not count them in time.
    snapshot = FacetSnapshot.objects.exclude(key="site-counts").get(params={})
    assert snapshot.counts["total"] == Incident.objects.published().count()


def test_the_number_of_claims_per_incident_can_be_chosen():
    generate(100, "--claims-per-incident", "2")
    assert 150 <= Claim.objects.count() <= 250


def test_generated_rows_satisfy_the_archive_rules():
    generate(200)
    assert not Incident.objects.exclude(sub_event_type__event_type=F("event_type")).exists()
    assert not Incident.objects.filter(
        Q(fatalities_low__gt=F("fatalities_best")) | Q(fatalities_best__gt=F("fatalities_high"))
    ).exists()
    assert not Incident.objects.filter(status=Status.RETRACTED, retraction_notice="").exists()
    assert not Claim.objects.filter(losses_of=LossesOf.ACTOR, losses_actor__isnull=True).exists()
    assert not Claim.objects.filter(quantity_low__gt=F("quantity_high")).exists()
    # Choices and constraints, as the admin would check them on save.
    for incident in Incident.objects.all()[:40]:
        incident.full_clean()
    for claim in Claim.objects.all()[:80]:
        claim.full_clean()
    for link in IncidentActor.objects.all()[:40]:
        link.full_clean()
    for citation in Citation.objects.all()[:80]:
        citation.full_clean()
    for person in Person.objects.all()[:20]:
        person.full_clean()
    contested = Incident.objects.filter(contested=True).exclude(status=Status.RETRACTED)
    assert contested.exists() and all(i.grading == "contested" for i in contested)
    assert all(i.grading == "discounted" for i in Incident.objects.filter(status=Status.RETRACTED))


def test_generated_estimates_agree_with_the_reconciliation_except_for_the_best_figure():
    generate(200)
    claims = Prefetch(
        "claims",
        queryset=Claim.objects.select_related("claimant", "losses_actor").prefetch_related("citations__source"),
    )
    estimated = Incident.objects.published().filter(fatalities_low__isnull=False).prefetch_related(claims)
    assert estimated.count() > 100
    for incident in estimated:
        total = propose_for_claims(incident.claims.all()).total
        assert (incident.fatalities_low, incident.fatalities_high) == (total.low, total.high)
        assert incident.fatalities_high_open == total.high_open
        assert incident.contested == total.contested
    assert not Incident.objects.filter(estimate_stale=True).exists()


def test_generated_per_side_estimates_add_up_the_groups_by_side():
    generate(200)
    estimated = Incident.objects.published().filter(fatalities_low__isnull=False)
    sides = [prefix for prefix in ESTIMATE_PREFIXES if prefix.startswith("deaths_")]
    for incident in estimated:
        triples = [[getattr(incident, f"{p}_{b}") for b in ("low", "best", "high")] for p in sides]
        present = [t for t in triples if t[0] is not None]
        assert present, incident  # every estimate counts someone's dead on some side
        assert sum(t[0] for t in present) == incident.fatalities_low
        assert sum(t[1] for t in present) == incident.fatalities_best
        assert sum(t[2] for t in present) == incident.fatalities_high
    both_sides = estimated.filter(deaths_a_best__isnull=False, deaths_b_best__isnull=False)
    assert both_sides.exists() and estimated.filter(deaths_civilians_best__isnull=False).exists()
    assert estimated.filter(injuries_best__isnull=False).exists()


def test_generated_estimates_are_what_accepting_the_proposal_sets():
    generate(120)
    estimated = Incident.objects.published().filter(fatalities_low__isnull=False)[:60]
    for incident in estimated:
        accepted = services.proposal_estimate(services.incident_proposal(incident=incident))
        # Low and high of every triple the proposal sets; best differs by design (see bench.synthetic._Estimate).
        for prefix in ESTIMATE_PREFIXES:
            for bound in ("low", "high"):
                name = f"{prefix}_{bound}"
                if name in accepted:
                    assert getattr(incident, name) == accepted[name], (incident, name)


def test_each_claim_is_cited_by_about_one_and_a_half_reports_in_their_language():
    generate(300)
    claims, citations = Claim.objects.count(), Citation.objects.count()
    assert 1.4 <= citations / claims <= 1.6
    per_claim = Claim.objects.annotate(n=Count("citations"))
    assert not per_claim.filter(n=0).exists()
    assert per_claim.filter(n=3).exists()  # some claims are carried by three outlets
    assert not Citation.objects.exclude(language=F("source__language")).exists()
    assert not Citation.objects.filter(published_on__lt=F("claim__incident__end_date")).exists()


def test_people_speak_for_the_parties_or_anonymously():
    generate(300)
    spokesmen = Person.objects.filter(confidential=False, affiliations__isnull=False)
    assert spokesmen.exists() and Person.objects.filter(confidential=True).exists()
    assert not PersonAffiliation.objects.filter(start_date__isnull=True).exists()
    spoken = Claim.objects.filter(speaker__isnull=False)
    assert 0.02 * Claim.objects.count() < spoken.count() < 0.3 * Claim.objects.count()
    # A spokesman speaks for the claimant he is affiliated with; a witness for no party.
    assert not spoken.filter(speaker__confidential=False).exclude(speaker__affiliations__actor=F("claimant")).exists()
    assert not spoken.filter(speaker__confidential=True, claimant__isnull=False).exists()


def test_responsibility_claims_name_the_actor_held_responsible():
    generate(300)
    responsibility = Claim.objects.filter(kind=ClaimKind.RESPONSIBILITY)
    assert responsibility.exists()
    assert not responsibility.filter(responsible_actor__isnull=True).exists()
    assert set(responsibility.values_list("attribution", flat=True)) == {"claimed", "attributed"}
    assert not Claim.objects.exclude(kind=ClaimKind.RESPONSIBILITY).filter(responsible_actor__isnull=False).exists()


def test_published_incidents_are_most_and_visible_through_the_published_queryset():
    generate(200)
    published = Incident.objects.published()
    assert published.count() == Incident.objects.filter(status=Status.PUBLISHED).count()
    assert published.count() >= 170
    assert Incident.objects.exclude(status=Status.PUBLISHED).exists()
    assert Claim.objects.published().count() == Claim.objects.filter(incident__status=Status.PUBLISHED).count()
    assert not published.filter(published_at__isnull=True).exists()


def test_synthetic_rows_skip_history_and_later_edits_are_recorded_again():
    generate(50)
    assert Claim.objects.exists() and IncidentSource.objects.exists()
    assert not Events.objects.exists()  # no history for any generated row: incidents, links, claims, sources, actors
    highest = Incident.objects.aggregate(m=Max("id"))["m"]

    incident = IncidentFactory()

    assert incident.pk > highest  # ids came from the table's sequence
    assert Events.objects.filter(pgh_model="incidents.IncidentEvent", pgh_obj_id=str(incident.pk)).exists()


def test_the_same_seed_generates_the_same_incidents():
    generate(60, "--seed", "9")
    first_ids = set(Incident.objects.values_list("pk", flat=True))
    generate(60, "--seed", "9")

    def content(ids: bool) -> Counter:
        rows = Incident.objects.filter(pk__in=first_ids) if ids else Incident.objects.exclude(pk__in=first_ids)
        return Counter(rows.values_list("title", "start_date", "location", "status", "fatalities_best"))

    assert content(True) == content(False)
    assert len(content(False)) > 50


def test_a_large_run_builds_again_the_indexes_it_dropped():
    with connection.cursor() as cursor:
        before = secondary_indexes(cursor)
    generate(30, "--rebuild-indexes", "yes")
    with connection.cursor() as cursor:
        after = secondary_indexes(cursor)
    assert after == before
    assert any("incident_search" in name for name, _ in after)
    assert IncidentSource.objects.count() >= 30


def test_it_refuses_a_count_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        generate(0)
    assert not Incident.objects.exists()


def test_it_leaves_existing_actors_as_editors_keep_them():
    call_command("load_demo", "--seed-only", verbosity=0)
    fla = Actor.objects.get(slug=seed.FLA)
    fla.description = "Edited by an editor."
    fla.save()

    generate(20)

    fla.refresh_from_db()
    assert fla.description == "Edited by an editor."
    assert Actor.objects.filter(slug=seed.FLA).count() == 1
    assert Incident.objects.count() == 21


def test_it_skips_an_event_type_added_in_the_admin_and_draws_a_new_sub_type_of_a_known_one():
    cyber = EventType.objects.create(name="Cyber operations", slug="cyber-operations")
    SubEventType.objects.create(event_type=cyber, name="Network intrusion", slug="network-intrusion")
    battles = EventType.objects.get(slug="battles")
    SubEventType.objects.create(event_type=battles, name="Drone swarm", slug="drone-swarm")

    generate(2000, "--seed", "4")  # a new sub-type weighs 1 against battles' 100: drawn a few times in 2,000

    assert Incident.objects.count() == 2000
    assert not Incident.objects.filter(event_type=cyber).exists()
    assert Incident.objects.filter(sub_event_type__slug="drone-swarm").exists()
    assert not Incident.objects.exclude(sub_event_type__event_type=F("event_type")).exists()


def test_it_leaves_out_a_known_event_type_whose_sub_types_were_moved_away():
    riots = EventType.objects.get(slug="riots")
    protests = EventType.objects.get(slug="protests")
    SubEventType.objects.filter(event_type=riots).update(event_type=protests)

    generate(100)

    assert Incident.objects.count() == 100
    assert not Incident.objects.filter(event_type=riots).exists()
