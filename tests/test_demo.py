"""load_demo: the seed story encoded completely, the sample, and repeatable loading."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count
from pghistory.models import Events

from incidents import services
from incidents.demo import sample, seed
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Claim,
    ClaimKind,
    GeoPrecision,
    Grading,
    Incident,
    IncidentActor,
    IncidentSource,
    LossesOf,
    RelationKind,
    Role,
    Side,
    Source,
    SourceKind,
    Stance,
    Status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_incident() -> Incident:
    call_command("load_demo", "--seed-only", verbosity=0)
    return Incident.objects.get(title=seed.SEED_TITLE)


def claim(incident: Incident, **lookup: object) -> Claim:
    return incident.claims.select_related("source", "claimant", "losses_actor").get(**lookup)


def test_the_seed_incident_names_the_place_date_and_type(seed_incident):
    assert "Anefif–Aguelhok road" in seed_incident.title and "Kidal" in seed_incident.title
    assert seed_incident.start_date == seed_incident.end_date == datetime.date(2025, 6, 13)
    assert seed_incident.time_of_day == datetime.time(5, 30)
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


def test_the_seed_cites_every_source_in_the_story(seed_incident):
    sources = Source.objects.filter(incident_sources__incident=seed_incident)
    assert sources.count() == 10
    outlets = set(sources.values_list("outlet", flat=True))
    assert {"Agence France-Presse (AFP)", "The Associated Press (AP)", "Policy Center for the New South"} <= outlets
    kinds = sorted(sources.values_list("kind", flat=True))
    assert kinds.count(SourceKind.PARTY_STATEMENT) == 2
    assert SourceKind.GOVERNMENT_STATEMENT in kinds and SourceKind.SOCIAL_MEDIA in kinds
    assert sources.get(author__startswith="Mohamed Maouloud Ramadan").kind == SourceKind.PARTY_STATEMENT
    assert sources.get(author__startswith="Rida Lyammouri").kind == SourceKind.EXPERT
    assert sources.filter(author="US officials").exists()
    assert sources.filter(author="Diplomatic and security sources").exists()


def test_the_regional_official_is_a_confidential_source_known_only_to_editors(seed_incident):
    official = Source.objects.get(incident_sources__incident=seed_incident, kind=SourceKind.LOCAL_SOURCE)
    assert official.confidential
    assert official.public_label == "Local source, identity withheld"
    assert "elected official" in official.author and "AFP" in official.internal_notes
    assert "official" not in official.title and not official.outlet
    assert claim(seed_incident, quote__startswith="There were losses on both sides").source == official


def test_the_seed_public_text_does_not_reveal_the_confidential_official(seed_incident):
    assert services.incident_confidential_mentions(incident=seed_incident) == []
    assert "A local source reported losses on both sides." in seed_incident.summary
    # The wording the seed once had is what the check exists for.
    seed_incident.summary = seed_incident.summary.replace("A local source", "A regional elected official")
    seed_incident.save()
    mentions = services.incident_confidential_mentions(incident=seed_incident)
    assert [(m.where, m.wording, m.part) for m in mentions] == [("summary", "Regional elected official", "author")]


def test_the_fla_claims_are_encoded_with_their_verbatim_wording(seed_incident):
    dozens = claim(seed_incident, quantity_text="several dozen")
    assert (dozens.kind, dozens.losses_actor.slug, dozens.claimant.slug) == (
        ClaimKind.FATALITIES,
        seed.AFRICA_CORPS,
        seed.FLA,
    )
    assert (dozens.quantity_low, dozens.quantity_high) == (24, None)
    assert dozens.source.kind == SourceKind.PARTY_STATEMENT and "AFP" in dozens.source.title

    bodies = claim(seed_incident, quantity_text="Around 15 bodies")
    assert bodies.losses_of == LossesOf.UNKNOWN and bodies.quantity_low < 15 < bodies.quantity_high
    assert bodies.quote == "Around 15 bodies were left abandoned on the site of the fighting"

    own_dead = claim(seed_incident, losses_actor__slug=seed.FLA, claimant__slug=seed.FLA)
    assert (own_dead.quantity_low, own_dead.quantity_high, own_dead.stance) == (3, 3, Stance.ACKNOWLEDGEMENT)
    assert own_dead.quantity_text == "three of their members"
    assert own_dead.source.author.startswith("Mohamed Maouloud Ramadan")

    destroyed = claim(seed_incident, kind=ClaimKind.MATERIEL_DESTROYED, quantity_text="21 military vehicles")
    assert destroyed.quantity_low == destroyed.quantity_high == 21


def test_the_captured_materiel_is_itemised_from_the_spokesmans_statement(seed_incident):
    captured = {
        c.quantity_text: (c.quantity_low, c.quantity_high)
        for c in seed_incident.claims.filter(kind=ClaimKind.MATERIEL_CAPTURED, losses_actor__slug=seed.FAMA)
    }
    assert captured == {
        "12 trucks loaded with cereals": (12, 12),
        "tankers full of diesel": (None, None),
        "one military pickup": (1, 1),
        "one armored vehicles": (1, 1),
    }
    convoy = claim(seed_incident, quantity_text="the 30 vehicles in the convoy")
    assert convoy.quantity_low == 30 and "from the 30 vehicles in the convoy" in convoy.quote


def test_the_army_claims_are_encoded_with_their_verbatim_wording(seed_incident):
    army = seed_incident.claims.filter(claimant__slug=seed.FAMA, source__kind=SourceKind.GOVERNMENT_STATEMENT)
    ambushed = army.get(kind=ClaimKind.OCCURRENCE)
    assert "ambushed at dawn" in ambushed.quote and ambushed.stance == Stance.ACKNOWLEDGEMENT
    assert army.get(quantity_text="offensive operation against an armed terrorist group").kind == ClaimKind.OTHER
    enemy = army.get(quantity_text="10 enemy combatants")
    assert (enemy.kind, enemy.losses_actor.slug, enemy.quantity_low, enemy.quantity_high) == (
        ClaimKind.FATALITIES,
        seed.FLA,
        10,
        10,
    )


def test_the_videos_and_the_context_claims_are_encoded(seed_incident):
    videos = seed_incident.claims.filter(source__kind=SourceKind.SOCIAL_MEDIA)
    assert videos.count() == 2
    assert all("could not independently verify" in c.verification_note for c in videos)
    assert videos.get(kind=ClaimKind.FATALITIES).quantity_low is None
    assert "military trucks on fire" in videos.get(kind=ClaimKind.MATERIEL_DESTROYED).quote

    assert "actionable intelligence" in claim(seed_incident, source__author__startswith="Rida Lyammouri").quote
    mercenaries = claim(seed_incident, source__author="US officials")
    assert mercenaries.quantity_text == "around 2,000 mercenaries"
    assert mercenaries.quantity_low < 2000 < mercenaries.quantity_high
    assert "has now left Mali" in claim(seed_incident, source__author="Diplomatic and security sources").quote
    assert "announced it was leaving" in claim(seed_incident, claimant__slug=seed.WAGNER).quote
    assert "will remain in Mali" in claim(seed_incident, claimant__slug=seed.AFRICA_CORPS).quote
    assert "fierce" in claim(seed_incident, quote__contains="fierce").quote
    assert claim(seed_incident, quote__contains="series of attacks on the military").source.outlet.endswith("(AP)")
    assert seed_incident.claims.count() == len(seed.CLAIMS) == 24


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


def test_loading_the_seed_records_history_for_the_new_rows(seed_incident):
    assert Events.objects.filter(pgh_model="incidents.IncidentEvent", pgh_obj_id=str(seed_incident.pk)).exists()
    claim_events = Events.objects.filter(pgh_model="incidents.ClaimEvent", pgh_label="insert")
    assert claim_events.count() == seed_incident.claims.count()


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
    call_command("load_demo", "--seed-only", verbosity=0)
    fla.refresh_from_db()
    assert fla.name == "Azawad Liberation Front"
    assert Actor.objects.filter(slug=seed.FLA).count() == 1


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Incident, Actor, ActorAlias, ActorRelation, Source, IncidentActor, IncidentSource, Claim, Events)
    }


@pytest.fixture
def demo_loaded() -> None:
    call_command("load_demo", verbosity=0)


def test_the_sample_is_the_same_on_every_build():
    first, second = sample.build(), sample.build()
    assert first.incidents == second.incidents
    assert first.sources == second.sources


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
    assert all(i.retraction_notice.startswith("Retracted") for i in retracted)
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
    assert (
        Source.objects.filter(kind=SourceKind.SOCIAL_MEDIA)
        .exclude(incident_sources__incident__title=seed.SEED_TITLE)
        .exists()
    )
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


def test_loading_the_whole_demo_twice_changes_nothing(demo_loaded):
    before = _counts()
    updated = dict(Incident.objects.values_list("pk", "updated_at"))
    call_command("load_demo", verbosity=0)
    assert _counts() == before
    assert dict(Incident.objects.values_list("pk", "updated_at")) == updated
