"""Factories that build the archive's object graph for tests."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from incidents import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = models.ActorKind.REBEL_GROUP
    country = "ML"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    kind = models.SourceKind.NEWS_AGENCY
    outlet = factory.Sequence(lambda n: f"Agency {n}")
    title = "Report on the clashes"
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")
    published_on = datetime.date(2025, 6, 13)
    language = "en"
    reliability = models.Reliability.B


def _sub_event_type(slug: str = "armed-clash") -> models.SubEventType:
    return models.SubEventType.objects.select_related("event_type").get(slug=slug)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Incident

    title = factory.Sequence(lambda n: f"Clash near village {n}")
    summary = "Two armed groups clashed."
    start_date = datetime.date(2025, 6, 13)
    end_date = factory.SelfAttribute("start_date")
    country = "ML"
    admin1 = "Kidal"
    location = "Anefif"
    latitude = 18.05
    longitude = 0.65
    geo_precision = models.GeoPrecision.NEAR
    sub_event_type = factory.LazyFunction(_sub_event_type)
    event_type = factory.SelfAttribute("sub_event_type.event_type")
    grading = models.Grading.FAIR

    class Params:
        published = factory.Trait(
            status=models.Status.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
        )


class IncidentActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IncidentActor

    incident = factory.SubFactory(IncidentFactory)
    actor = factory.SubFactory(ActorFactory)
    side = models.Side.A
    role = models.Role.PRIMARY


CITATION_FIELDS = ("source", "quote", "language", "translation")


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim with one citation: ``source``, ``quote``, ``language`` and ``translation`` are the
    citation's (``source=None`` makes a claim with no citation)."""

    class Meta:
        model = models.Claim

    incident = factory.SubFactory(IncidentFactory)
    source = factory.SubFactory(SourceFactory)
    kind = models.ClaimKind.FATALITIES
    losses_of = models.LossesOf.UNKNOWN
    quantity_low = 5
    quantity_high = 5
    quantity_text = "five"

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> models.Claim:
        citation = {name: kwargs.pop(name) for name in CITATION_FIELDS if name in kwargs}
        claim = super()._create(model_class, *args, **kwargs)
        if citation.get("source") is not None:
            models.Citation.objects.create(claim=claim, **citation)
        return claim


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Citation

    claim = factory.SubFactory(ClaimFactory, source=None)
    source = factory.SubFactory(SourceFactory)
    quote = "As the report put it."
    language = "en"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class ActorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ActorAlias

    actor = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    language = "fr"


class IncidentSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IncidentSource

    incident = factory.SubFactory(IncidentFactory)
    source = factory.SubFactory(SourceFactory)
