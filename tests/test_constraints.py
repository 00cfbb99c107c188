"""The database itself rejects bad data, whatever path it comes by."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from incidents.models import (
    ESTIMATE_PREFIXES,
    Attribution,
    Citation,
    Claim,
    ClaimKind,
    Incident,
    IncidentRelation,
    IncidentRelationKind,
    LossesOf,
    Movement,
    PersonAffiliation,
    Status,
    SubEventType,
    TimePrecision,
)
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


def rejected(**changes: object) -> bool:
    """True when saving an incident with ``changes`` is refused by the database."""
    incident = IncidentFactory.build(**changes)
    try:
        with transaction.atomic():
            incident.save()
    except (IntegrityError, DataError):
        return True
    return False


@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": datetime.date(2025, 6, 13), "end_date": datetime.date(2025, 6, 12)},
        {"latitude": 91.0},
        {"latitude": -90.5},
        {"longitude": 180.5},
        {"latitude": None, "longitude": 10.0},
        {"country": "Mali"},
        {"country": "ml"},
        {"fatalities_low": 5, "fatalities_best": 4, "fatalities_high": 10},
        {"fatalities_low": 5, "fatalities_best": 8, "fatalities_high": 7},
        {"fatalities_low": 9, "fatalities_high": 3},
        {"fatalities_method": "override", "fatalities_rationale": ""},
        {"status": "retracted", "retraction_notice": ""},
        {"status": "published", "published_at": None},
    ],
    ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()),
)
def test_the_database_rejects_an_invalid_incident(changes):
    assert rejected(**changes)
    assert not Incident.objects.exists()


def test_a_valid_incident_is_accepted():
    assert not rejected(fatalities_low=3, fatalities_best=10, fatalities_high=40)


def test_a_sub_type_must_belong_to_the_incidents_event_type():
    riots = SubEventType.objects.get(slug="mob-violence").event_type
    assert rejected(event_type=riots, sub_event_type=SubEventType.objects.get(slug="armed-clash"))


def test_a_claim_range_must_run_upwards():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(quantity_low=10, quantity_high=3)


def test_an_open_ended_claim_needs_its_lower_figure():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(quantity_low=None, quantity_high=3)


def test_losses_of_an_actor_must_name_the_actor_and_only_then():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(losses_of=LossesOf.ACTOR, losses_actor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(losses_of=LossesOf.CIVILIANS, losses_actor=ActorFactory())
    ClaimFactory(losses_of=LossesOf.ACTOR, losses_actor=ActorFactory())
    assert Claim.objects.count() == 1


def test_slugs_are_unique():
    ActorFactory(slug="fla")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorFactory(slug="fla")


def test_an_actor_cannot_be_related_to_itself():
    actor = ActorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        actor.relations_out.create(kind="allied_with", object=actor)


def test_an_actor_is_linked_once_per_side():
    link = IncidentActorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentActorFactory(incident=link.incident, actor=link.actor, side=link.side)


def test_evidence_is_protected_from_deletion():
    speaker = PersonFactory()
    claim = ClaimFactory(claimant=ActorFactory(), speaker=speaker)
    with pytest.raises(ProtectedError):
        claim.citations.get().source.delete()
    with pytest.raises(ProtectedError):
        claim.claimant.delete()
    with pytest.raises(ProtectedError):
        speaker.delete()
    with pytest.raises(ProtectedError):
        SubEventType.objects.get(slug="armed-clash").delete()


def test_the_taxonomy_has_acleds_six_types_and_twenty_five_sub_types():
    assert SubEventType.objects.values("event_type").distinct().count() == 6
    assert SubEventType.objects.count() == 25


def test_a_confidential_source_shows_only_its_kind_publicly():
    source = SourceFactory(kind="local_source", outlet="", author="Regional elected official", confidential=True)
    assert source.public_label == "Local source, identity withheld"
    assert "Regional" in source.label


# --- Claims: what each kind of claim may say -----------------------------------------------------


def refused(make: Callable[[], object]) -> bool:
    """True when the database refuses what ``make`` writes."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_a_claim_about_several_groups_must_say_who_they_are():
    assert refused(lambda: ClaimFactory(losses_of=LossesOf.MIXED, losses_note=""))
    assert not refused(lambda: ClaimFactory(losses_of=LossesOf.MIXED, losses_note="mostly drivers and guards"))


def test_a_responsible_actor_comes_with_an_attribution_and_only_on_a_responsibility_claim():
    actor = ActorFactory()
    responsibility = ClaimKind.RESPONSIBILITY
    assert refused(lambda: ClaimFactory(kind=responsibility, responsible_actor=actor, attribution=""))
    assert refused(lambda: ClaimFactory(kind=responsibility, attribution=Attribution.SUSPECTED))
    assert refused(
        lambda: ClaimFactory(kind=ClaimKind.FATALITIES, responsible_actor=actor, attribution=Attribution.CLAIMED)
    )
    assert not refused(
        lambda: ClaimFactory(kind=responsibility, responsible_actor=actor, attribution=Attribution.SUPPOSED)
    )
    assert not refused(lambda: ClaimFactory(kind=responsibility))  # "responsibility unknown" names no one


def test_a_movement_belongs_to_a_territory_claim_only():
    assert refused(lambda: ClaimFactory(kind=ClaimKind.FATALITIES, movement=Movement.WITHDREW))
    assert not refused(lambda: ClaimFactory(kind=ClaimKind.TERRITORY, movement=Movement.WITHDREW, place="Boni"))


def test_a_sub_count_belongs_to_a_claim_of_the_same_incident():
    whole = ClaimFactory(kind=ClaimKind.MATERIEL_DESTROYED, quantity_low=21, quantity_high=21)
    elsewhere = IncidentFactory()
    assert refused(lambda: ClaimFactory(incident=elsewhere, part_of=whole, quantity_low=4, quantity_high=4))
    part = ClaimFactory(incident=whole.incident, part_of=whole, quantity_low=4, quantity_high=4)
    # Nor can the whole move away from its sub-count.
    assert refused(lambda: Claim.objects.filter(pk=whole.pk).update(incident=elsewhere))
    assert Claim.objects.get(pk=part.pk).part_of_id == whole.pk


def test_a_claim_is_not_part_of_itself():
    claim = ClaimFactory()
    assert refused(lambda: Claim.objects.filter(pk=claim.pk).update(part_of=claim.pk))


def test_deleting_the_whole_leaves_its_sub_count_standing_alone():
    whole = ClaimFactory(quantity_low=30, quantity_high=30)
    part = ClaimFactory(incident=whole.incident, part_of=whole, quantity_low=12, quantity_high=12)
    whole.delete()
    part.refresh_from_db()
    assert part.part_of is None


def test_a_report_cites_a_claim_once():
    claim = ClaimFactory(source=None)
    source = SourceFactory()
    CitationFactory(claim=claim, source=source)
    assert refused(lambda: CitationFactory(claim=claim, source=source))
    assert not refused(lambda: CitationFactory(claim=claim, source=SourceFactory()))
    assert Citation.objects.filter(claim=claim).count() == 2


# --- Incidents: estimates, time, merges and links ------------------------------------------------


@pytest.mark.parametrize("prefix", ESTIMATE_PREFIXES[1:])
@pytest.mark.parametrize(
    ("low", "best", "high"),
    [(5, 4, None), (None, 8, 7), (9, None, 3)],
    ids=["low>best", "best>high", "low>high"],
)
def test_each_estimate_runs_upwards(prefix, low, best, high):
    assert rejected(**{f"{prefix}_low": low, f"{prefix}_best": best, f"{prefix}_high": high})
    assert not rejected(**{f"{prefix}_low": 1, f"{prefix}_best": 2, f"{prefix}_high": 3})


@pytest.mark.parametrize(
    ("precision", "time", "accepted"),
    [
        (TimePrecision.EXACT, datetime.time(10, 20), True),
        (TimePrecision.AROUND, datetime.time(10, 20), True),
        (TimePrecision.DAWN, None, True),
        (TimePrecision.NONE, None, True),
        (TimePrecision.NONE, datetime.time(10, 20), False),
        (TimePrecision.DAWN, datetime.time(5, 30), False),
        (TimePrecision.AROUND, None, False),
        (TimePrecision.EXACT, None, False),
    ],
)
def test_a_clock_time_comes_with_a_clock_precision_and_a_part_of_the_day_without_one(precision, time, accepted):
    assert rejected(time_precision=precision, time_of_day=time) is not accepted


def test_only_a_retracted_incident_is_merged_and_never_into_itself():
    into = IncidentFactory(published=True)
    assert rejected(merged_into=into, status=Status.PUBLISHED, published_at=timezone.now())
    assert not rejected(
        merged_into=into, status=Status.RETRACTED, retraction_notice=f"Merged into #{into.pk}: the same attack."
    )
    duplicate = Incident.objects.get(merged_into=into)
    assert refused(lambda: Incident.objects.filter(pk=duplicate.pk).update(merged_into=duplicate.pk))


def test_an_incident_is_not_related_to_itself_and_a_relation_is_recorded_once():
    first, second = IncidentFactory(), IncidentFactory()
    assert refused(lambda: IncidentRelation.objects.create(subject=first, kind="follow_on", object=first))
    IncidentRelation.objects.create(subject=second, kind=IncidentRelationKind.FOLLOW_ON, object=first)
    assert refused(
        lambda: IncidentRelation.objects.create(subject=second, kind=IncidentRelationKind.FOLLOW_ON, object=first)
    )
    assert not refused(
        lambda: IncidentRelation.objects.create(subject=second, kind=IncidentRelationKind.SAME_EVENT, object=first)
    )


# --- People ---------------------------------------------------------------------------------------


def test_an_affiliation_ends_after_it_starts():
    person, actor = PersonFactory(), ActorFactory()

    def affiliation(start: datetime.date | None, end: datetime.date | None, role: str = "spokesman") -> None:
        PersonAffiliation.objects.create(person=person, actor=actor, role=role, start_date=start, end_date=end)

    assert refused(lambda: affiliation(datetime.date(2025, 6, 13), datetime.date(2024, 11, 30)))
    assert not refused(lambda: affiliation(datetime.date(2024, 11, 30), datetime.date(2025, 6, 13)))
    assert not refused(lambda: affiliation(None, datetime.date(2025, 6, 13), role="commander"))
    # Once per role and start, an unknown start included.
    assert refused(lambda: affiliation(None, None, role="commander"))


def test_a_person_has_each_spelling_once():
    person = PersonFactory()
    person.aliases.create(name="Muhammad Maulud Ramadan", language="en")
    assert refused(lambda: person.aliases.create(name="Muhammad Maulud Ramadan", language="fr"))


# --- The stale estimate, marked by the database ---------------------------------------------------


def accepted_incident(**fields: object) -> Incident:
    """An incident whose proposal was accepted: its estimate can go stale."""
    return IncidentFactory(
        fatalities_method="proposal", fatalities_low=5, fatalities_best=5, fatalities_high=5, **fields
    )


def stale(*incidents: Incident) -> list[bool]:
    flags = dict(Incident.objects.filter(pk__in=[i.pk for i in incidents]).values_list("pk", "estimate_stale"))
    return [flags[i.pk] for i in incidents]


def clear_stale() -> None:
    """What accepting or overriding the estimate does to the flag."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_incident SET estimate_stale = false")


def test_a_new_fatality_or_injury_claim_makes_an_accepted_estimate_stale():
    incident = accepted_incident()
    assert stale(incident) == [False]
    ClaimFactory(incident=incident, kind=ClaimKind.FATALITIES)
    assert stale(incident) == [True]
    clear_stale()
    ClaimFactory(incident=incident, kind=ClaimKind.INJURIES)
    assert stale(incident) == [True]


def test_a_claim_that_moves_no_estimate_leaves_it_fresh():
    incident = accepted_incident()
    ClaimFactory(incident=incident, kind=ClaimKind.MATERIEL_DESTROYED)
    ClaimFactory(incident=incident, kind=ClaimKind.RESPONSIBILITY, quantity_low=None, quantity_high=None)
    assert stale(incident) == [False]


def test_an_estimate_never_accepted_is_never_stale():
    incident = IncidentFactory()
    ClaimFactory(incident=incident)
    assert stale(incident) == [False]


def test_changing_a_figure_makes_the_estimate_stale_and_an_unrelated_column_does_not():
    incident = accepted_incident()
    claim = ClaimFactory(incident=incident)
    clear_stale()

    Claim.objects.filter(pk=claim.pk).update(verification_note="Checked with the hospital.", quantity_text="five dead")
    assert stale(incident) == [False]

    Claim.objects.filter(pk=claim.pk).update(quantity_high=8)
    assert stale(incident) == [True]

    for change in ({"stance": "denial"}, {"verification": "refuted"}, {"losses_of": LossesOf.CIVILIANS}):
        clear_stale()
        Claim.objects.filter(pk=claim.pk).update(**change)
        assert stale(incident) == [True], change


def test_a_claim_that_becomes_a_fatality_claim_or_stops_being_one_makes_the_estimate_stale():
    incident = accepted_incident()
    claim = ClaimFactory(incident=incident, kind=ClaimKind.OTHER)
    Claim.objects.filter(pk=claim.pk).update(kind=ClaimKind.FATALITIES)
    assert stale(incident) == [True]
    clear_stale()
    Claim.objects.filter(pk=claim.pk).update(kind=ClaimKind.DETAINED)
    assert stale(incident) == [True]


def test_moving_a_claim_makes_both_estimates_stale():
    source, target = accepted_incident(), accepted_incident()
    claim = ClaimFactory(incident=source)
    clear_stale()
    Claim.objects.filter(pk=claim.pk).update(incident=target)
    assert stale(source, target) == [True, True]


def test_deleting_a_fatality_claim_makes_the_estimate_stale():
    incident = accepted_incident()
    claim = ClaimFactory(incident=incident)
    clear_stale()
    claim.delete()
    assert stale(incident) == [True]


def test_a_bulk_insert_marks_each_accepted_incident_once_and_no_other():
    first, second, never_accepted = accepted_incident(), accepted_incident(), IncidentFactory()
    Claim.objects.bulk_create(
        [
            Claim(incident=incident, kind=ClaimKind.FATALITIES, quantity_low=n, quantity_high=n)
            for incident in (first, second, never_accepted)
            for n in range(3)
        ]
    )
    assert stale(first, second, never_accepted) == [True, True, False]


def test_once_cleared_by_a_fresh_accept_the_estimate_stays_fresh_until_claims_change_again():
    incident = accepted_incident()
    claim = ClaimFactory(incident=incident)
    assert stale(incident) == [True]
    clear_stale()
    Incident.objects.filter(pk=incident.pk).update(fatalities_high=6)  # accepting writes the estimate itself
    assert stale(incident) == [False]
    CitationFactory(claim=claim)  # another report of the same claim moves no figure
    assert stale(incident) == [False]
    Claim.objects.filter(pk=claim.pk).update(quantity_low=4)
    assert stale(incident) == [True]
