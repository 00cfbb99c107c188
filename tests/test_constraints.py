"""The database itself rejects bad data, whatever path it comes by."""

from __future__ import annotations

import datetime

import pytest
from django.db import DataError, IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from incidents.models import Claim, Incident, LossesOf, SubEventType
from tests.factories import ActorFactory, ClaimFactory, IncidentActorFactory, IncidentFactory, SourceFactory

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
    claim = ClaimFactory(claimant=ActorFactory())
    with pytest.raises(ProtectedError):
        claim.source.delete()
    with pytest.raises(ProtectedError):
        claim.claimant.delete()
    with pytest.raises(ProtectedError):
        SubEventType.objects.get(slug="armed-clash").delete()


def test_the_taxonomy_has_acleds_six_types_and_twenty_five_sub_types():
    assert SubEventType.objects.values("event_type").distinct().count() == 6
    assert SubEventType.objects.count() == 25


def test_a_confidential_source_shows_only_its_kind_publicly():
    source = SourceFactory(kind="local_source", outlet="", author="Regional elected official", confidential=True)
    assert source.public_label == "Local source, identity withheld"
    assert "Regional" in source.label
