"""load_demo: the seed story encoded completely, the sample, and repeatable loading."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from pghistory.models import Events

from incidents import disclosure, services
from incidents.demo import features, sample, seed
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Attribution,
    Citation,
    Claim,
    ClaimKind,
    DatePrecision,
    GeoPrecision,
    Grading,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentRelationKind,
    IncidentSource,
    LossesOf,
    Movement,
    Person,
    PersonAffiliation,
    PersonAlias,
    RelationKind,
    Role,
    Side,
    Source,
    SourceKind,
    Stance,
    Status,
    TimePrecision,
)
from incidents.sql import set_config
from tests.factories import ClaimFactory, IncidentFactory

pytestmark = pytest.mark.django_db

AFP, AP = "Agence France-Presse (AFP)", "The Associated Press (AP)"


@pytest.fixture
def seed_incident() -> Incident:
    call_command("load_demo", "--seed-only", verbosity=0)
    return Incident.objects.get(title=seed.SEED_TITLE)


def claim(incident: Incident, **lookup: object) -> Claim:
    return incident.claims.select_related("claimant", "losses_actor", "speaker", "responsible_actor").get(**lookup)


def outlets(claim: Claim) -> list[str]:
    return [c.source.outlet for c in claim.citations.select_related("source").order_by("source__outlet")]


def quote(claim: Claim) -> str:
    return claim.citations.order_by("pk").first().quote


# --- The seed ---------------------------------------------------------------------------------


def test_the_seed_incident_names_the_place_date_and_type(seed_incident):
    assert "Anefif–Aguelhok road" in seed_incident.title and "Kidal" in seed_incident.title
    assert seed_incident.start_date == seed_incident.end_date == datetime.date(2025, 6, 13)
    assert (seed_incident.country, seed_incident.admin1, seed_incident.location) == (
        "ML",
        "Kidal",
        "Anefif–Aguelhok road",
    )
    # Between Anefif (about 18.05 N) and Aguelhok (about 19.46 N), in the Tilemsi valley.
    assert 18.0 < seed_incident.latitude < 19.5 and 0.5 < seed_incident.longitude < 1.1
    assert seed_incident.geo_precision == GeoPrecision.NEAR
    assert (seed_incident.event_type.name, seed_incident.sub_event_type.name) == ("Battles", "Armed clash")
    assert seed_incident.status == Status.PUBLISHED
    assert Incident.objects.published().filter(pk=seed_incident.pk).exists()
    assert "dawn" in seed_incident.summary


def test_the_seed_time_is_dawn_as_the_army_said_with_no_clock_time(seed_incident):
    assert seed_incident.time_precision == TimePrecision.DAWN
    assert seed_incident.time_of_day is None
    assert "05:30" not in seed_incident.internal_notes
    assert "ambushed at dawn" in quote(claim(seed_incident, claimant__slug=seed.FAMA, kind=ClaimKind.OCCURRENCE))


def test_the_seed_actors_carry_their_aliases_in_several_scripts(seed_incident):
    aliases = {
        slug: set(ActorAlias.objects.filter(actor__slug=slug).values_list("name", "language"))
        for slug in (seed.FLA, seed.FAMA, seed.AFRICA_CORPS, seed.WAGNER, seed.RUSSIAN_MOD)
    }
    assert {("FLA", "fr"), ("Front de Libération de l'Azawad", "fr"), ("جبهة تحرير أزواد", "ar")} <= aliases[seed.FLA]
    assert {("FAMa", "fr"), ("Forces armées maliennes", "fr")} <= aliases[seed.FAMA]
    assert {("Afrika Korps", "en"), ("Африканский корпус", "ru")} <= aliases[seed.AFRICA_CORPS]
    assert {("Группа Вагнера", "ru"), ("PMC Wagner", "en")} <= aliases[seed.WAGNER]
    assert ("Министерство обороны Российской Федерации", "ru") in aliases[seed.RUSSIAN_MOD]
    assert Actor.objects.get(slug=seed.FLA).name == "Azawad Liberation Front"


def test_the_seed_relations_link_africa_corps_to_wagner_the_ministry_and_the_army(seed_incident):
    relations = {
        (r.subject.slug, r.kind, r.object.slug): r for r in ActorRelation.objects.select_related("subject", "object")
    }
    assert (seed.AFRICA_CORPS, RelationKind.SUCCESSOR_OF, seed.WAGNER) in relations
    assert (seed.AFRICA_CORPS, RelationKind.COMMANDED_BY, seed.RUSSIAN_MOD) in relations
    assert (seed.FAMA, RelationKind.SUPPORTED_BY, seed.AFRICA_CORPS) in relations
    wagner_support = relations[(seed.FAMA, RelationKind.SUPPORTED_BY, seed.WAGNER)]
    assert wagner_support.end_date.year == 2025
    assert (wagner_support.end_date - wagner_support.start_date).days > 3 * 365


def test_the_seed_links_the_army_and_africa_corps_on_side_a_and_the_fla_on_side_b(seed_incident):
    links = set(IncidentActor.objects.filter(incident=seed_incident).values_list("actor__slug", "side", "role"))
    assert links == {
        (seed.FAMA, Side.A, Role.PRIMARY),
        (seed.AFRICA_CORPS, Side.A, Role.SUPPORTING),
        (seed.FLA, Side.B, Role.PRIMARY),
    }


def test_the_seed_sources_are_the_two_agencies_that_carried_the_story(seed_incident):
    sources = Source.objects.filter(incident_sources__incident=seed_incident)
    assert sorted(sources.values_list("outlet", "kind")) == [
        (AFP, SourceKind.NEWS_AGENCY),
        (AP, SourceKind.NEWS_AGENCY),
    ]
    cited = Source.objects.filter(citations__claim__incident=seed_incident).distinct()
    assert set(cited.values_list("outlet", flat=True)) == {AFP, AP}
    # Statements known only through the agencies are claims of their claimant, not sources of their own.
    assert not Source.objects.filter(title__contains="as carried by").exists()
    assert not Source.objects.filter(kind=SourceKind.PARTY_STATEMENT).exists()


def test_the_fla_statement_is_one_claim_with_two_citations_afp_and_ap(seed_incident):
    dozens = seed_incident.claims.filter(kind=ClaimKind.FATALITIES, quantity_text="several dozen")
    assert dozens.count() == 1
    dozens = dozens.get()
    assert (dozens.claimant.slug, dozens.losses_actor.slug) == (seed.FLA, seed.AFRICA_CORPS)
    assert (dozens.quantity_low, dozens.quantity_high) == (24, None)
    assert outlets(dozens) == [AFP, AP]
    assert {c.quote for c in dozens.citations.all()} == {seed.FLA_KILLED_QUOTE}
    assert all(c.published_on == seed.DAY and c.language == "en" for c in dozens.citations.all())

    bodies = claim(seed_incident, quantity_text="Around 15 bodies")
    assert outlets(bodies) == [AFP, AP]
    assert bodies.losses_of == LossesOf.UNKNOWN and bodies.quantity_low < 15 < bodies.quantity_high
    assert quote(bodies) == "Around 15 bodies were left abandoned on the site of the fighting"


def test_the_fla_claims_the_attack_as_its_own(seed_incident):
    responsibility = claim(seed_incident, kind=ClaimKind.RESPONSIBILITY)
    assert (responsibility.claimant.slug, responsibility.responsible_actor.slug) == (seed.FLA, seed.FLA)
    assert responsibility.attribution == Attribution.CLAIMED
    assert outlets(responsibility) == [AFP, AP]


def test_the_spokesman_is_a_person_with_both_spellings_affiliated_to_the_fla(seed_incident):
    spokesman = Person.objects.get(slug=seed.SPOKESMAN)
    assert spokesman.name == "Mohamed Maouloud Ramadan" and not spokesman.confidential
    aliases = set(spokesman.aliases.values_list("name", "language"))
    assert ("Muhammad Maulud Ramadan", "en") in aliases
    assert ("محمد مولود رمضان", "ar") in aliases
    affiliation = spokesman.affiliations.get()
    assert (affiliation.actor.slug, affiliation.role) == (seed.FLA, "spokesman")

    own_dead = claim(seed_incident, losses_actor__slug=seed.FLA, claimant__slug=seed.FLA)
    assert (own_dead.quantity_low, own_dead.quantity_high, own_dead.stance) == (3, 3, Stance.ACKNOWLEDGEMENT)
    assert own_dead.quantity_text == "three of their members" and own_dead.speaker == spokesman
    assert set(seed_incident.claims.filter(speaker=spokesman).values_list("kind", flat=True)) == {
        ClaimKind.FATALITIES,
        ClaimKind.MATERIEL_CAPTURED,
        ClaimKind.OTHER,
    }
    assert Person.objects.public().filter(pk=spokesman.pk).exists()


def test_the_expert_is_a_person_quoted_by_the_ap(seed_incident):
    expert = Person.objects.get(slug=seed.EXPERT)
    assert expert.name == "Rida Lyammouri"
    assert "Sahel expert" in expert.description and "Policy Center for the New South" in expert.description
    comment = claim(seed_incident, speaker=expert)
    assert "actionable intelligence" in quote(comment) and outlets(comment) == [AP]


def test_the_regional_official_is_a_confidential_person_known_only_to_editors(seed_incident):
    official = Person.objects.get(slug=seed.OFFICIAL)
    assert official.confidential
    assert official.public_name == "A person, identity withheld"
    assert "elected official" in official.name and "AFP" in official.internal_notes
    assert not Person.objects.public().filter(pk=official.pk).exists()
    both_sides = claim(seed_incident, speaker=official, kind=ClaimKind.FATALITIES)
    assert quote(both_sides).startswith("There were losses on both sides") and outlets(both_sides) == [AFP]
    assert (both_sides.losses_of, both_sides.losses_note) == (LossesOf.MIXED, "both sides")
    # The public text speaks of a local source, never of the official.
    assert "A local source reported losses on both sides." in seed_incident.summary
    assert "official" not in seed_incident.summary and "official" not in seed_incident.title
    assert services.incident_confidential_mentions(incident=seed_incident) == []


def test_the_21_vehicles_destroyed_stay_one_claim(seed_incident):
    destroyed = seed_incident.claims.filter(kind=ClaimKind.MATERIEL_DESTROYED)
    assert destroyed.count() == 1
    destroyed = destroyed.get()
    assert destroyed.quantity_low == destroyed.quantity_high == 21
    assert "including armored cars and armed pick-up trucks" in quote(destroyed)
    assert not destroyed.sub_counts.exists() and destroyed.part_of is None


def test_the_captured_materiel_counts_part_of_the_30_vehicle_convoy(seed_incident):
    convoy = claim(seed_incident, quantity_text="the 30 vehicles in the convoy")
    assert convoy.quantity_low == convoy.quantity_high == 30 and convoy.part_of is None
    assert "from the 30 vehicles in the convoy" in quote(convoy)
    captured = {
        c.quantity_text: (c.quantity_low, c.quantity_high, c.part_of_id)
        for c in seed_incident.claims.filter(kind=ClaimKind.MATERIEL_CAPTURED, losses_actor__slug=seed.FAMA)
    }
    assert captured == {
        "12 trucks loaded with cereals": (12, 12, convoy.pk),
        "tankers full of diesel": (None, None, convoy.pk),
        "one military pickup": (1, 1, convoy.pk),
        "one armored vehicles": (1, 1, convoy.pk),
    }


def test_the_army_claims_are_encoded_with_their_verbatim_wording(seed_incident):
    army = seed_incident.claims.filter(claimant__slug=seed.FAMA)
    ambushed = army.get(kind=ClaimKind.OCCURRENCE)
    assert "ambushed at dawn" in quote(ambushed) and ambushed.stance == Stance.ACKNOWLEDGEMENT
    assert outlets(ambushed) == [AP]
    assert army.get(quantity_text="offensive operation against an armed terrorist group").kind == ClaimKind.OTHER
    enemy = army.get(quantity_text="10 enemy combatants")
    assert (enemy.kind, enemy.losses_actor.slug, enemy.quantity_low, enemy.quantity_high) == (
        ClaimKind.FATALITIES,
        seed.FLA,
        10,
        10,
    )


def test_the_videos_and_the_context_claims_are_encoded(seed_incident):
    videos = seed_incident.claims.filter(citations__quote__contains="videos")
    assert videos.count() == 2
    assert all("could not independently verify" in c.verification_note for c in videos)
    assert videos.get(kind=ClaimKind.FATALITIES).quantity_low is None
    assert "military trucks on fire" in quote(videos.get(kind=ClaimKind.MATERIEL_DAMAGED))

    mercenaries = claim(seed_incident, quantity_text="around 2,000 mercenaries")
    assert mercenaries.quantity_low < 2000 < mercenaries.quantity_high and outlets(mercenaries) == [AP]
    assert "US officials" in quote(mercenaries)
    left = claim(seed_incident, citations__quote__contains="has now left Mali")
    assert outlets(left) == [AFP]
    assert "announced it was leaving" in quote(claim(seed_incident, claimant__slug=seed.WAGNER))
    assert "will remain in Mali" in quote(claim(seed_incident, claimant__slug=seed.AFRICA_CORPS))
    assert outlets(claim(seed_incident, citations__quote__contains="series of attacks on the military")) == [AP]
    assert seed_incident.claims.count() == len(seed.CLAIMS) == 24
    assert Citation.objects.filter(claim__incident=seed_incident).count() == 27


def test_the_seed_proposal_marks_the_fla_contested_with_the_acknowledged_floor(seed_incident):
    proposal = services.incident_proposal(incident=seed_incident)
    fla = next(g for g in proposal.groups if g.label == "Azawad Liberation Front")
    assert fla.contested
    assert (fla.low, fla.high) == (3, 10)
    reasons = " ".join(fla.reasons)
    assert "Floor of 3: Azawad Liberation Front acknowledged 3 of its own dead." in reasons
    assert "“10 enemy combatants” cannot be reconciled with" in reasons
    africa_corps = next(g for g in proposal.groups if g.label == "Africa Corps")
    assert africa_corps.low == 24 and africa_corps.high_open
    assert proposal.contested


def test_the_seed_stores_the_accepted_proposal_and_a_contested_grading(seed_incident):
    total = services.incident_proposal(incident=seed_incident).total
    assert (seed_incident.fatalities_low, seed_incident.fatalities_best, seed_incident.fatalities_high) == (
        total.low,
        total.best,
        total.high,
    )
    assert seed_incident.contested and seed_incident.grading == Grading.CONTESTED
    assert seed_incident.fatalities_method == "proposal"
    assert "Contested" in seed_incident.fatalities_rationale
    assert not seed_incident.estimate_stale


def test_the_seed_has_deaths_on_both_sides_after_loading(seed_incident):
    # Side A (the army and the Africa Corps): the FLA's "several dozen" Africa Corps dead.
    assert seed_incident.deaths_a_low == 24 and seed_incident.deaths_a_best is not None
    # Side B (the FLA): its own three dead acknowledged, the army's ten enemy combatants.
    assert (seed_incident.deaths_b_low, seed_incident.deaths_b_high) == (3, 10)
    assert seed_incident.deaths_b_best is not None


def test_loading_the_seed_records_history_for_the_new_rows(seed_incident):
    assert Events.objects.filter(pgh_model="incidents.IncidentEvent", pgh_obj_id=str(seed_incident.pk)).exists()
    inserted = Events.objects.filter(pgh_label="insert")
    assert inserted.filter(pgh_model="incidents.ClaimEvent").count() == seed_incident.claims.count()
    assert inserted.filter(pgh_model="incidents.CitationEvent").count() == 27
    assert inserted.filter(pgh_model="incidents.PersonEvent").count() == 3
    assert inserted.filter(pgh_model="incidents.PersonAliasEvent").count() == 2
    assert inserted.filter(pgh_model="incidents.PersonAffiliationEvent").count() == 1


def test_loading_the_seed_twice_changes_nothing(seed_incident):
    before = _counts()
    version = seed_incident.version
    call_command("load_demo", "--seed-only", verbosity=0)
    assert _counts() == before
    seed_incident.refresh_from_db()
    assert seed_incident.version == version


def test_a_changed_seed_record_is_restored_on_the_next_load(seed_incident):
    fla = Actor.objects.get(slug=seed.FLA)
    fla.name = "Someone else"
    fla.save()
    official = Person.objects.get(slug=seed.OFFICIAL)
    with connection.cursor() as cursor:
        # The database lets only a declared disclosure untick "confidential" (incidents.disclosure).
        set_config(cursor, disclosure.DISCLOSING_SETTING, f"incidents_person:{official.pk}", local=True)
        Person.objects.filter(pk=official.pk).update(confidential=False)
    call_command("load_demo", "--seed-only", verbosity=0)
    fla.refresh_from_db()
    assert fla.name == "Azawad Liberation Front"
    assert Actor.objects.filter(slug=seed.FLA).count() == 1
    assert Person.objects.get(slug=seed.OFFICIAL).confidential


def test_what_the_seed_no_longer_lists_goes_on_the_next_load_and_the_estimate_is_accepted_again(seed_incident):
    """An older demo database (the FLA's statement as a source of its own, say) comes out as the seed is now."""
    old_source = Source.objects.create(kind=SourceKind.PARTY_STATEMENT, title="FLA statement (as carried by AFP)")
    seed_incident.incident_sources.create(source=old_source)
    old = Claim.objects.create(
        incident=seed_incident, kind=ClaimKind.FATALITIES, losses_of=LossesOf.UNKNOWN, quantity_low=40, quantity_high=40
    )
    old.citations.create(source=old_source, quote="An older wording.")
    dozens = claim(seed_incident, quantity_text="several dozen")
    dozens.citations.create(source=old_source, quote="A report the seed does not list.")
    seed_incident.refresh_from_db()
    assert seed_incident.estimate_stale  # the database noticed the new fatality claim

    call_command("load_demo", "--seed-only", verbosity=0)

    assert not Claim.objects.filter(pk=old.pk).exists()
    assert outlets(dozens) == [AFP, AP]
    assert not seed_incident.incident_sources.filter(source=old_source).exists()
    seed_incident.refresh_from_db()
    assert not seed_incident.estimate_stale
    assert seed_incident.fatalities_best == services.incident_proposal(incident=seed_incident).total.best
    assert Events.objects.filter(pgh_model="incidents.ClaimEvent", pgh_label="delete", pgh_obj_id=str(old.pk)).exists()


def test_a_demo_incident_merged_into_an_editors_incident_is_left_as_the_merge_left_it(seed_incident):
    own = IncidentFactory(published=True)
    ClaimFactory(incident=own, quantity_text="the editors' own claim")
    Claim.objects.filter(incident=seed_incident).update(incident=own)
    Incident.objects.filter(pk=seed_incident.pk).update(
        status=Status.RETRACTED, merged_into=own, retraction_notice=f"Merged into #{own.pk}: the same ambush."
    )
    before = _counts()

    call_command("load_demo", "--seed-only", verbosity=0)

    assert _counts() == before
    assert Incident.objects.get(pk=seed_incident.pk).merged_into == own
    assert own.claims.filter(quantity_text="the editors' own claim").exists()
    assert own.claims.count() == len(seed.CLAIMS) + 1


def _counts() -> dict[str, int]:
    models = (
        Incident,
        Actor,
        ActorAlias,
        ActorRelation,
        Source,
        IncidentActor,
        IncidentSource,
        Claim,
        Citation,
        Person,
        PersonAlias,
        PersonAffiliation,
        IncidentRelation,
        Events,
    )
    return {model.__name__: model.objects.count() for model in models}


# --- The sample -------------------------------------------------------------------------------


@pytest.fixture
def demo_loaded() -> None:
    call_command("load_demo", verbosity=0)


def test_the_sample_is_the_same_on_every_build():
    first, second = sample.build(), sample.build()
    assert first.incidents == second.incidents
    assert first.sources == second.sources
    assert first.people == second.people


def test_the_sample_spans_countries_event_types_years_and_statuses(demo_loaded):
    incidents = Incident.objects.exclude(title=seed.SEED_TITLE)
    assert 190 <= incidents.count() <= 210
    assert set(incidents.values_list("country", flat=True)) >= {"ML", "BF", "NE", "NG", "SD", "CD", "SO"}
    assert incidents.values("event_type").distinct().count() == 6
    years = {d.year for d in incidents.values_list("start_date", flat=True)}
    assert years == set(range(2019, 2026))
    statuses = dict(incidents.values_list("status").annotate(n=Count("id")))
    assert statuses[Status.PUBLISHED] > 0.7 * incidents.count()
    assert statuses[Status.DRAFT] and statuses[Status.IN_REVIEW] and statuses[Status.RETRACTED]
    retracted = incidents.filter(status=Status.RETRACTED)
    assert all(i.retraction_notice.startswith(("Retracted", "Merged into")) for i in retracted)
    assert incidents.exclude(internal_notes="").exists()


def test_the_sample_cites_varied_and_sometimes_confidential_sources(demo_loaded):
    kinds = set(Source.objects.values_list("kind", flat=True))
    assert kinds >= {
        SourceKind.NEWS_AGENCY,
        SourceKind.NEWS_OUTLET,
        SourceKind.PARTY_STATEMENT,
        SourceKind.GOVERNMENT_STATEMENT,
        SourceKind.NGO_REPORT,
        SourceKind.LOCAL_SOURCE,
        SourceKind.EXPERT,
        SourceKind.SOCIAL_MEDIA,
    }
    confidential = Source.objects.filter(confidential=True)
    assert confidential.count() > 5
    assert all(s.public_label == "Local source, identity withheld" for s in confidential)
    assert not confidential.filter(internal_notes="").exists()


def test_the_sample_has_conflicting_claims_that_the_estimates_reflect(demo_loaded):
    published = Incident.objects.published().exclude(title=seed.SEED_TITLE)
    contested = published.filter(contested=True)
    assert contested.exists() and published.filter(contested=False, fatalities_best__isnull=False).exists()
    assert all(i.grading == Grading.CONTESTED for i in contested)
    for incident in contested[:10]:
        assert services.incident_proposal(incident=incident).contested
    claims_per_incident = Claim.objects.count() / Incident.objects.count()
    assert 2 <= claims_per_incident <= 7
    assert Actor.objects.filter(kind="civilians").exists() and ActorAlias.objects.filter(language="ar").count() > 5
    assert not Incident.objects.filter(estimate_stale=True).exists()


def test_the_sample_relays_some_party_figures_through_a_second_report(demo_loaded):
    cited = Claim.objects.annotate(n=Count("citations"))
    assert cited.filter(n=2, claimant__isnull=False).count() > 10
    assert not cited.filter(n=0).exists()


def test_loading_the_whole_demo_twice_changes_nothing(demo_loaded):
    before = _counts()
    updated = dict(Incident.objects.values_list("pk", "updated_at"))
    call_command("load_demo", verbosity=0)
    assert _counts() == before
    assert dict(Incident.objects.values_list("pk", "updated_at")) == updated


# --- The features the sample shows, one incident each (loaded once for the class) ---------------


@pytest.fixture(scope="class")
def demo_for_the_class(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """The whole demo, loaded once for a class of tests and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo_for_the_class")
class TestTheSampleShowsEveryFeature:
    @staticmethod
    def incident(key: str) -> Incident:
        spec = next(spec for spec in features.build().incidents if spec.key == key)
        return Incident.objects.get(title=spec.title, start_date=spec.start_date)

    def test_a_follow_on_event(self):
        convoy, blockade = self.incident(features.CONVOY), self.incident(features.BLOCKADE)
        relation = IncidentRelation.objects.get(subject=blockade, object=convoy)
        assert relation.kind == IncidentRelationKind.FOLLOW_ON
        assert relation.label_from(convoy) == "was followed by"
        assert list(IncidentRelation.objects.public_of(convoy)) == [relation]

    def test_a_second_report_merged_into_the_incident_it_duplicates(self):
        convoy, duplicate = self.incident(features.CONVOY), self.incident(features.CONVOY_SECOND_REPORT)
        assert duplicate.merged_into == convoy and duplicate.status == Status.RETRACTED
        assert duplicate.retraction_notice.startswith(f"Merged into #{convoy.pk}")
        assert not duplicate.claims.exists()
        moved = convoy.claims.get(quantity_text="au moins quatre corps")
        assert outlets(moved) == ["Journal du Mali"]
        assert convoy.incident_sources.filter(source__outlet="Journal du Mali").exists()
        assert not convoy.estimate_stale
        assert convoy.fatalities_best == services.incident_proposal(incident=convoy).total.best

    def test_a_mixed_victim_group_cited_by_three_outlets(self):
        toll = self.incident(features.CONVOY).claims.get(losses_of=LossesOf.MIXED)
        assert (toll.quantity_low, toll.quantity_high, toll.losses_note) == (5, 5, "mostly drivers and guards")
        assert outlets(toll) == [AFP, "RFI", "Studio Tamani"]

    def test_citations_in_french_and_arabic_with_an_english_translation(self):
        french = Citation.objects.filter(language="fr", claim__incident=self.incident(features.CONVOY))
        assert french.count() >= 3 and not french.filter(translation="").exists()
        assert french.filter(quote__startswith="Cinq personnes ont été tuées").exists()
        arabic = Citation.objects.get(language="ar", claim__incident=self.incident(features.BONI))
        assert arabic.quote == "سيطر المجاهدون على الثكنة العسكرية في بوني"
        assert arabic.translation == "The mujahideen took control of the military barracks in Boni."

    def test_an_explicit_zero(self):
        zero = self.incident(features.BLOCKADE).claims.get(kind=ClaimKind.FATALITIES)
        assert (zero.quantity_low, zero.quantity_high) == (0, 0)
        blockade = self.incident(features.BLOCKADE)
        assert (blockade.fatalities_low, blockade.fatalities_best, blockade.fatalities_high) == (0, 0, 0)

    def test_a_declined_comment(self):
        declined = self.incident(features.CONVOY).claims.get(stance=Stance.DECLINED)
        assert declined.claimant.slug == seed.FAMA and "did not respond" in quote(declined)

    def test_dates_known_to_the_week_and_to_the_month(self):
        week = self.incident(features.DJIBO_ABDUCTIONS)
        assert week.date_precision == DatePrecision.WEEK
        assert (week.start_date, week.end_date) == (datetime.date(2025, 7, 14), datetime.date(2025, 7, 20))
        month = self.incident(features.BONI)
        assert month.date_precision == DatePrecision.MONTH
        assert (month.start_date, month.end_date) == (datetime.date(2025, 9, 1), datetime.date(2025, 9, 30))

    def test_an_approximate_time_and_a_part_of_the_day(self):
        convoy = self.incident(features.CONVOY)
        assert (convoy.time_precision, convoy.time_of_day) == (TimePrecision.AROUND, datetime.time(10, 20))
        blockade = self.incident(features.BLOCKADE)
        assert (blockade.time_precision, blockade.time_of_day) == (TimePrecision.AFTERNOON, None)

    def test_injuries_and_damaged_materiel(self):
        convoy = self.incident(features.CONVOY)
        injuries = convoy.claims.get(kind=ClaimKind.INJURIES)
        assert injuries.quantity_low == injuries.quantity_high == 7
        assert injuries.speaker.confidential
        damaged = convoy.claims.get(kind=ClaimKind.MATERIEL_DAMAGED)
        assert damaged.quantity_low == 3 and damaged.kind != convoy.claims.get(quantity_low=2).kind

    def test_territory_taken_and_given_up(self):
        boni = self.incident(features.BONI)
        movements = set(boni.claims.filter(kind=ClaimKind.TERRITORY).values_list("claimant__slug", "movement", "place"))
        assert movements == {
            ("jnim", Movement.TOOK_CONTROL, "Boni military camp"),
            (seed.FAMA, Movement.WITHDREW, "Boni"),
        }

    def test_responsibility_with_each_certainty(self):
        attributions = set(Claim.objects.exclude(attribution="").values_list("attribution", flat=True))
        assert attributions >= {Attribution.CLAIMED, Attribution.SUPPOSED, Attribution.ATTRIBUTED}
        supposed = self.incident(features.CONVOY).claims.get(kind=ClaimKind.RESPONSIBILITY)
        assert (supposed.responsible_actor.slug, supposed.attribution) == ("islamic-state-sahel", Attribution.SUPPOSED)

    def test_confidential_people_with_a_dated_affiliation(self):
        source = Person.objects.get(slug=features.SECURITY_SOURCE)
        assert source.confidential and not Person.objects.public().filter(pk=source.pk).exists()
        affiliation = PersonAffiliation.objects.get(person=source)
        assert (affiliation.actor.slug, affiliation.start_date) == (seed.FAMA, datetime.date(2022, 1, 1))
        assert Claim.objects.filter(speaker=source).exists()
